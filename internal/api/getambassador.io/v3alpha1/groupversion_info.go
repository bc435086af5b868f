// Package v3alpha1 is the current getambassador.io version: the hub all conversions
// pass through and the version the translator reads.
//
// +kubebuilder:object:generate=true
// +groupName=getambassador.io
package v3alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is getambassador.io/v3alpha1.
	GroupVersion = schema.GroupVersion{Group: "getambassador.io", Version: "v3alpha1"}

	// SchemeBuilder registers this version's kinds; each kind's file adds
	// itself in an init function.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds this version's kinds to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
