// Package v2 is the getambassador.io version Emissary 1.x and 2.x users wrote, and the
// storage version of every kind that has it. Several fields accept more than
// one shape (a string or a list, a bool or a string); those unions keep the
// shape they were given so that conversions are lossless.
//
// +kubebuilder:object:generate=true
// +groupName=getambassador.io
package v2

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is getambassador.io/v2.
	GroupVersion = schema.GroupVersion{Group: "getambassador.io", Version: "v2"}

	// SchemeBuilder registers this version's kinds; each kind's file adds
	// itself in an init function.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds this version's kinds to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
