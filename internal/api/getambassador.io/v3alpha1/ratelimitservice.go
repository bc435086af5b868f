package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RateLimitGRPCConfig tunes the gRPC responses of rate-limited requests.
type RateLimitGRPCConfig struct {
	// UseResourceExhaustedCode returns RESOURCE_EXHAUSTED instead of
	// UNAVAILABLE to rate-limited gRPC clients.
	UseResourceExhaustedCode *bool `json:"use_resource_exhausted_code,omitempty"`
}

// RateLimitServiceSpec configures the external rate limit service.
type RateLimitServiceSpec struct {
	// AmbassadorID selects the Emissary instances that use this service.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Service is the rate limit service address, as [scheme://]host[:port].
	//
	// +kubebuilder:validation:Required
	Service string `json:"service"`
	// Timeout bounds each rate limit request.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
	// Domain is the rate limit domain sent with each request.
	Domain string `json:"domain,omitempty"`
	// TLS names the TLSContext used to originate TLS to the service.
	TLS string `json:"tls,omitempty"`
	// ProtocolVersion is the Envoy API transport version.
	ProtocolVersion ProtocolVersion `json:"protocol_version,omitempty"`
	// StatsName overrides the name used for stats.
	StatsName string `json:"stats_name,omitempty"`
	// FailureModeDeny rejects traffic when the service is unreachable.
	FailureModeDeny *bool `json:"failure_mode_deny,omitempty"`
	// GRPC tunes responses to gRPC clients.
	GRPC *RateLimitGRPCConfig `json:"grpc,omitempty"`
	// V2ExplicitTLS is cosmetic round-trip data for v2 conversion.
	V2ExplicitTLS *V2ExplicitTLS `json:"v2ExplicitTLS,omitempty"`
}

// RateLimitService makes Emissary consult an external rate limiter.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type RateLimitService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec RateLimitServiceSpec `json:"spec,omitempty"`
}

// RateLimitServiceList is a list of RateLimitServices.
//
// +kubebuilder:object:root=true
type RateLimitServiceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RateLimitService `json:"items"`
}

func init() { SchemeBuilder.Register(&RateLimitService{}, &RateLimitServiceList{}) }
