package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v2 "github.com/emissary-go/emissary/internal/api/getambassador.io/v2"
)

// AuthService is the getambassador.io/v1 AuthService; its schema is v2's.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type AuthService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec v2.AuthServiceSpec `json:"spec,omitempty"`
}

// AuthServiceList is a list of AuthServices.
//
// +kubebuilder:object:root=true
type AuthServiceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AuthService `json:"items"`
}

func init() { SchemeBuilder.Register(&AuthService{}, &AuthServiceList{}) }
