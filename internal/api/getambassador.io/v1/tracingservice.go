package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v2 "github.com/emissary-go/emissary/internal/api/getambassador.io/v2"
)

// TracingService is the getambassador.io/v1 TracingService; its schema is v2's.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type TracingService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec v2.TracingServiceSpec `json:"spec,omitempty"`
}

// TracingServiceList is a list of TracingServices.
//
// +kubebuilder:object:root=true
type TracingServiceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TracingService `json:"items"`
}

func init() { SchemeBuilder.Register(&TracingService{}, &TracingServiceList{}) }
