package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v2 "github.com/emissary-go/emissary/internal/api/getambassador.io/v2"
)

// TLSContext is the getambassador.io/v1 TLSContext; its schema is v2's.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type TLSContext struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec v2.TLSContextSpec `json:"spec,omitempty"`
}

// TLSContextList is a list of TLSContexts.
//
// +kubebuilder:object:root=true
type TLSContextList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TLSContext `json:"items"`
}

func init() { SchemeBuilder.Register(&TLSContext{}, &TLSContextList{}) }
