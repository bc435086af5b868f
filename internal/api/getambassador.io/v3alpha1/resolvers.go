package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConsulResolverSpec resolves services through a Consul agent.
type ConsulResolverSpec struct {
	// AmbassadorID selects the Emissary instances that use this resolver.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Address is the Consul agent's address.
	Address string `json:"address,omitempty"`
	// Datacenter is the Consul datacenter to query.
	Datacenter string `json:"datacenter,omitempty"`
}

// ConsulResolver makes Mappings that name it resolve services via Consul.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type ConsulResolver struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ConsulResolverSpec `json:"spec,omitempty"`
}

// ConsulResolverList is a list of ConsulResolvers.
//
// +kubebuilder:object:root=true
type ConsulResolverList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ConsulResolver `json:"items"`
}

// KubernetesEndpointResolverSpec has nothing but the AmbassadorID.
type KubernetesEndpointResolverSpec struct {
	// AmbassadorID selects the Emissary instances that use this resolver.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
}

// KubernetesEndpointResolver resolves services to their Endpoints
// (individual pod addresses).
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type KubernetesEndpointResolver struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec KubernetesEndpointResolverSpec `json:"spec,omitempty"`
}

// KubernetesEndpointResolverList is a list of KubernetesEndpointResolvers.
//
// +kubebuilder:object:root=true
type KubernetesEndpointResolverList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []KubernetesEndpointResolver `json:"items"`
}

// KubernetesServiceResolverSpec has nothing but the AmbassadorID.
type KubernetesServiceResolverSpec struct {
	// AmbassadorID selects the Emissary instances that use this resolver.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
}

// KubernetesServiceResolver resolves services to their cluster DNS name
// (letting kube-proxy balance).
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type KubernetesServiceResolver struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec KubernetesServiceResolverSpec `json:"spec,omitempty"`
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
