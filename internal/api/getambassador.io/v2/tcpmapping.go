package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TCPMappingSpec forwards a TCP port (optionally per SNI host) to a service.
//
// +kubebuilder:pruning:PreserveUnknownFields
type TCPMappingSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// Port is the port Emissary listens on.
	// +kubebuilder:validation:Required
	Port int `json:"port"`
	// Host matches the TLS SNI name (requires TLS termination).
	Host string `json:"host,omitempty"`
	// Address is the address Emissary listens on.
	Address string `json:"address,omitempty"`
	// Service is the upstream, "name[.namespace][:port]".
	// +kubebuilder:validation:Required
	Service string `json:"service"`
	// EnableIPv4 allows resolving the upstream to IPv4 addresses.
	EnableIPv4 *bool `json:"enable_ipv4,omitempty"`
	// EnableIPv6 allows resolving the upstream to IPv6 addresses.
	EnableIPv6 *bool `json:"enable_ipv6,omitempty"`
	// CircuitBreakers limit load on the upstream.
	CircuitBreakers []CircuitBreaker `json:"circuit_breakers,omitempty"`
	// IdleTimeoutMs closes idle connections; v2's schema makes it a string
	// (of milliseconds).
	IdleTimeoutMs string `json:"idle_timeout_ms,omitempty"`
	// Resolver names the resolver for Service.
	Resolver string `json:"resolver,omitempty"`
	// TLS originates TLS to the upstream: true, or a TLSContext name.
	// Not in Emissary's v2 schema (a bool-or-string union); ours is a
	// preserve-unknown property.
	TLS *BoolOrString `json:"tls,omitempty"`
	// Weight is this TCPMapping's share of traffic for the same match.
	Weight *int `json:"weight,omitempty"`
	// ClusterTag distinguishes otherwise identical upstream clusters.
	ClusterTag string `json:"cluster_tag,omitempty"`

	// V3StatsName names the upstream cluster in Envoy stats.
	V3StatsName string `json:"v3StatsName,omitempty"`
}

// TCPMapping is the getambassador.io/v2 TCPMapping.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
type TCPMapping struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec TCPMappingSpec `json:"spec,omitempty"`
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
