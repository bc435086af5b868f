package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RateLimitServiceSpec configures an external rate-limit service.
//
// +kubebuilder:pruning:PreserveUnknownFields
type RateLimitServiceSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// Service is the rate-limit service's address.
	// +kubebuilder:validation:Required
	Service string `json:"service"`
	// Timeout bounds each rate-limit request.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
	// Domain is the rate-limit domain sent with requests.
	Domain string `json:"domain,omitempty"`
	// TLS originates TLS to the service: true, or a TLSContext name.
	// Not in Emissary's v2 schema (a bool-or-string union); ours is a
	// preserve-unknown property.
	TLS *BoolOrString `json:"tls,omitempty"`
	// ProtocolVersion is the Envoy rate-limit transport version.
	// +kubebuilder:validation:Enum=v2;v3
	ProtocolVersion string `json:"protocol_version,omitempty"`

	// V3StatsName names the rate-limit cluster in Envoy stats.
	V3StatsName string `json:"v3StatsName,omitempty"`
	// V3FailureModeDeny denies requests when the service is unreachable.
	V3FailureModeDeny *bool `json:"failure_mode_deny,omitempty"`
	// V3GRPC tunes the gRPC protocol.
	V3GRPC *RateLimitGRPCConfig `json:"v3GRPC,omitempty"`
}

// RateLimitGRPCConfig tunes the rate-limit gRPC protocol.
type RateLimitGRPCConfig struct {
	// UseResourceExhaustedCode answers RESOURCE_EXHAUSTED instead of
	// UNAVAILABLE to limited gRPC requests.
	UseResourceExhaustedCode *bool `json:"use_resource_exhausted_code,omitempty"`
}

// RateLimitService is the getambassador.io/v2 RateLimitService.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
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
