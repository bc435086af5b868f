package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AuthServiceSpec configures an external authentication service.
//
// +kubebuilder:pruning:PreserveUnknownFields
type AuthServiceSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// AuthService is the auth service's address, "[scheme://]host[:port]".
	// +kubebuilder:validation:Required
	AuthService string `json:"auth_service"`
	// PathPrefix is prepended to the path of HTTP auth requests.
	PathPrefix string `json:"path_prefix,omitempty"`
	// TLS originates TLS to the auth service: true, or a TLSContext name.
	// Not in Emissary's v2 schema (a bool-or-string union); ours is a
	// preserve-unknown property.
	TLS *BoolOrString `json:"tls,omitempty"`
	// Proto is the protocol used to talk to the auth service.
	// +kubebuilder:validation:Enum=http;grpc
	Proto string `json:"proto,omitempty"`
	// Timeout bounds each auth request.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
	// AllowedRequestHeaders are extra client headers sent to the auth service.
	AllowedRequestHeaders []string `json:"allowed_request_headers,omitempty"`
	// AllowedAuthorizationHeaders are extra auth-service headers copied to
	// the upstream request.
	AllowedAuthorizationHeaders []string `json:"allowed_authorization_headers,omitempty"`
	// AddAuthHeaders are headers added to every auth request.
	AddAuthHeaders map[string]string `json:"add_auth_headers,omitempty"`
	// AllowRequestBody sends the request body (deprecated, see include_body).
	AllowRequestBody *bool `json:"allow_request_body,omitempty"`
	// AddLinkerdHeaders adds the l5d-dst-override header.
	AddLinkerdHeaders *bool `json:"add_linkerd_headers,omitempty"`
	// FailureModeAllow lets requests through when the auth service fails.
	FailureModeAllow *bool `json:"failure_mode_allow,omitempty"`
	// IncludeBody sends (part of) the request body to the auth service.
	IncludeBody *AuthServiceIncludeBody `json:"include_body,omitempty"`
	// StatusOnError is the status returned when the auth service fails.
	StatusOnError *AuthServiceStatusOnError `json:"status_on_error,omitempty"`
	// ProtocolVersion is the Envoy ext_authz transport version.
	// +kubebuilder:validation:Enum=v2;v3
	ProtocolVersion string `json:"protocol_version,omitempty"`

	// V3StatsName names the auth cluster in Envoy stats.
	V3StatsName string `json:"v3StatsName,omitempty"`
	// V3CircuitBreakers limit load on the auth service.
	V3CircuitBreakers []CircuitBreaker `json:"v3CircuitBreakers,omitempty"`
}

// AuthServiceIncludeBody limits how much request body is sent for auth.
type AuthServiceIncludeBody struct {
	// MaxBytes is the most body bytes to buffer and send.
	// +kubebuilder:validation:Required
	MaxBytes int `json:"max_bytes"`
	// AllowPartial sends a truncated body instead of failing when it is larger.
	// +kubebuilder:validation:Required
	AllowPartial bool `json:"allow_partial"`
}

// AuthServiceStatusOnError sets the status returned when auth fails.
type AuthServiceStatusOnError struct {
	// Code is the HTTP status.
	Code *int `json:"code,omitempty"`
}

// AuthService is the getambassador.io/v2 AuthService.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
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
