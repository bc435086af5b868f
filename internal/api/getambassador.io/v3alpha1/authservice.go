package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AuthServiceProto is the protocol spoken to the external auth service.
//
// +kubebuilder:validation:Enum=http;grpc
type AuthServiceProto string

// Auth service protocols.
const (
	AuthServiceProtoHTTP AuthServiceProto = "http"
	AuthServiceProtoGRPC AuthServiceProto = "grpc"
)

// AuthServiceIncludeBody sends (part of) the request body to the auth
// service.
type AuthServiceIncludeBody struct {
	// MaxBytes is the most body bytes to buffer and send.
	//
	// +kubebuilder:validation:Required
	MaxBytes int `json:"max_bytes"`
	// AllowPartial sends a truncated body instead of failing when the body
	// exceeds MaxBytes.
	//
	// +kubebuilder:validation:Required
	AllowPartial bool `json:"allow_partial"`
}

// AuthServiceStatusOnError sets the status returned when the auth service
// cannot be reached.
type AuthServiceStatusOnError struct {
	// Code is the HTTP status to return.
	Code *int `json:"code,omitempty"`
}

// AuthServiceSpec configures external authentication (Envoy ext_authz).
type AuthServiceSpec struct {
	// AmbassadorID selects the Emissary instances that use this service.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// AuthService is the auth service address, as [scheme://]host[:port].
	//
	// +kubebuilder:validation:Required
	AuthService string `json:"auth_service"`
	// PathPrefix is prepended to the path of HTTP auth requests.
	PathPrefix string `json:"path_prefix,omitempty"`
	// TLS names the TLSContext used to originate TLS to the service.
	TLS string `json:"tls,omitempty"`
	// Proto is the protocol spoken to the service.
	Proto AuthServiceProto `json:"proto,omitempty"`
	// Timeout bounds each auth request.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
	// AllowedRequestHeaders are client headers forwarded to the service.
	AllowedRequestHeaders []string `json:"allowed_request_headers,omitempty"`
	// AllowedAuthorizationHeaders are service response headers copied to
	// the upstream request.
	AllowedAuthorizationHeaders []string `json:"allowed_authorization_headers,omitempty"`
	// AddAuthHeaders are extra headers sent to the service.
	AddAuthHeaders map[string]string `json:"add_auth_headers,omitempty"`
	// AllowRequestBody is the legacy form of include_body.
	AllowRequestBody *bool `json:"allow_request_body,omitempty"`
	// AddLinkerdHeaders adds Linkerd routing headers to auth requests.
	AddLinkerdHeaders *bool `json:"add_linkerd_headers,omitempty"`
	// FailureModeAllow lets requests through when the service fails.
	FailureModeAllow *bool `json:"failure_mode_allow,omitempty"`
	// IncludeBody sends the request body to the service.
	IncludeBody *AuthServiceIncludeBody `json:"include_body,omitempty"`
	// StatusOnError sets the status returned when the service fails.
	StatusOnError *AuthServiceStatusOnError `json:"status_on_error,omitempty"`
	// ProtocolVersion is the Envoy API transport version.
	ProtocolVersion ProtocolVersion `json:"protocol_version,omitempty"`
	// StatsName overrides the name used for stats.
	StatsName string `json:"stats_name,omitempty"`
	// CircuitBreakers limit load on the auth service cluster.
	CircuitBreakers []CircuitBreaker `json:"circuit_breakers,omitempty"`
	// V2ExplicitTLS is cosmetic round-trip data for v2 conversion.
	V2ExplicitTLS *V2ExplicitTLS `json:"v2ExplicitTLS,omitempty"`
}

// AuthService makes Emissary check every request with an external service.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type AuthService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec AuthServiceSpec `json:"spec,omitempty"`
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
