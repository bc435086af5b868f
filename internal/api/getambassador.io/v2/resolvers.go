package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConsulResolverSpec resolves Mapping services through Consul.
//
// +kubebuilder:pruning:PreserveUnknownFields
type ConsulResolverSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// Address is the Consul agent's address.
	Address string `json:"address,omitempty"`
	// Datacenter is the Consul datacenter.
	Datacenter string `json:"datacenter,omitempty"`
}

// ConsulResolver is the getambassador.io/v2 ConsulResolver.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
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

// KubernetesEndpointResolverSpec resolves Mapping services to their
// endpoints directly.
//
// +kubebuilder:pruning:PreserveUnknownFields
type KubernetesEndpointResolverSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`
}

// KubernetesEndpointResolver is the getambassador.io/v2
// KubernetesEndpointResolver.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
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

// KubernetesServiceResolverSpec resolves Mapping services to their
// ClusterIP (the default).
//
// +kubebuilder:pruning:PreserveUnknownFields
type KubernetesServiceResolverSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`
}

// KubernetesServiceResolver is the getambassador.io/v2
// KubernetesServiceResolver.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
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
