package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TCPMappingSpec forwards raw TCP (or TLS, routed by SNI) on a port to an
// upstream service.
type TCPMappingSpec struct {
	// AmbassadorID selects the Emissary instances that use this mapping.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Port is the Emissary port to accept connections on.
	//
	// +kubebuilder:validation:Required
	Port int `json:"port"`
	// Host is the SNI name to match; setting it makes the port terminate
	// TLS.
	Host string `json:"host,omitempty"`
	// Address is the local address to bind.
	Address string `json:"address,omitempty"`
	// Service is the upstream, as [scheme://]host[:port].
	//
	// +kubebuilder:validation:Required
	Service string `json:"service"`
	// EnableIPv4 allows IPv4 addresses when resolving the service.
	EnableIPv4 *bool `json:"enable_ipv4,omitempty"`
	// EnableIPv6 allows IPv6 addresses when resolving the service.
	EnableIPv6 *bool `json:"enable_ipv6,omitempty"`
	// CircuitBreakers limit load on the upstream cluster.
	CircuitBreakers []CircuitBreaker `json:"circuit_breakers,omitempty"`
	// IdleTimeoutMs closes idle connections. Unlike Mapping's field of
	// the same name, the schema types it as a string (of milliseconds).
	IdleTimeoutMs string `json:"idle_timeout_ms,omitempty"`
	// Resolver names the resolver used to find the service's endpoints.
	Resolver string `json:"resolver,omitempty"`
	// TLS names the TLSContext used to originate TLS to the upstream.
	TLS string `json:"tls,omitempty"`
	// Weight is this mapping's share of traffic among equal matches.
	Weight *int `json:"weight,omitempty"`
	// ClusterTag names the upstream cluster.
	ClusterTag string `json:"cluster_tag,omitempty"`
	// StatsName overrides the name used for stats.
	StatsName string `json:"stats_name,omitempty"`
	// V2ExplicitTLS is cosmetic round-trip data for v2 conversion.
	V2ExplicitTLS *V2ExplicitTLS `json:"v2ExplicitTLS,omitempty"`
}

// TCPMapping forwards a TCP port to an upstream service.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
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
