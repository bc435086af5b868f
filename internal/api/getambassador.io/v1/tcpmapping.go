package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v2 "github.com/emissary-go/emissary/internal/api/getambassador.io/v2"
)

// TCPMapping is the getambassador.io/v1 TCPMapping; its schema is v2's.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type TCPMapping struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec v2.TCPMappingSpec `json:"spec,omitempty"`
}

// TCPMappingList is a list of TCPMappings.
//
// +kubebuilder:object:root=true
type TCPMappingList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TCPMapping `json:"items"`
}

func init() { SchemeBuilder.Register(&TCPMapping{}, &TCPMappingList{}) }
