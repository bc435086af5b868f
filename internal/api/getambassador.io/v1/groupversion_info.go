// Package v1 is the oldest getambassador.io version. Its schema is exactly
// v2's, so only the kinds are declared here; their spec and status are v2's
// types.
//
// +kubebuilder:object:generate=true
// +groupName=getambassador.io
package v1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is getambassador.io/v1.
	GroupVersion = schema.GroupVersion{Group: "getambassador.io", Version: "v1"}

	// SchemeBuilder registers this version's kinds; each kind's file adds
	// itself in an init function.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds this version's kinds to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
