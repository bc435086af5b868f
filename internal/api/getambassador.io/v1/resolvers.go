package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v2 "github.com/emissary-go/emissary/internal/api/getambassador.io/v2"
)

// ConsulResolver is the getambassador.io/v1 ConsulResolver; its schema is v2's.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type ConsulResolver struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec v2.ConsulResolverSpec `json:"spec,omitempty"`
}

// ConsulResolverList is a list of ConsulResolvers.
//
// +kubebuilder:object:root=true
type ConsulResolverList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ConsulResolver `json:"items"`
}

// KubernetesEndpointResolver is the getambassador.io/v1 KubernetesEndpointResolver; its schema is v2's.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type KubernetesEndpointResolver struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec v2.KubernetesEndpointResolverSpec `json:"spec,omitempty"`
}

// KubernetesEndpointResolverList is a list of KubernetesEndpointResolvers.
//
// +kubebuilder:object:root=true
type KubernetesEndpointResolverList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []KubernetesEndpointResolver `json:"items"`
}

// KubernetesServiceResolver is the getambassador.io/v1 KubernetesServiceResolver; its schema is v2's.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type KubernetesServiceResolver struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec v2.KubernetesServiceResolverSpec `json:"spec,omitempty"`
}

// KubernetesServiceResolverList is a list of KubernetesServiceResolvers.
//
// +kubebuilder:object:root=true
type KubernetesServiceResolverList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []KubernetesServiceResolver `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ConsulResolver{}, &ConsulResolverList{})
	SchemeBuilder.Register(&KubernetesEndpointResolver{}, &KubernetesEndpointResolverList{})
	SchemeBuilder.Register(&KubernetesServiceResolver{}, &KubernetesServiceResolverList{})
}
