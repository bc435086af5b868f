package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ModuleSpec carries global configuration. Which settings apply depends on
// the Module's metadata.name ("ambassador" or "tls"), so Config is kept
// free-form.
type ModuleSpec struct {
	// AmbassadorID selects the Emissary instances that use this Module.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Config is the module's settings, decoded by the translator.
	//
	// +kubebuilder:validation:Required
	Config UntypedDict `json:"config"`
}

// Module holds system-wide configuration.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type Module struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ModuleSpec `json:"spec,omitempty"`
}

// ModuleList is a list of Modules.
//
// +kubebuilder:object:root=true
type ModuleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Module `json:"items"`
}

func init() { SchemeBuilder.Register(&Module{}, &ModuleList{}) }
