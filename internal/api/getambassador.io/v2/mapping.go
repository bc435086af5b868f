package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MappingSpec routes HTTP requests matching a prefix (and optional headers,
// method, host...) to an upstream service.
//
// +kubebuilder:pruning:PreserveUnknownFields
type MappingSpec struct {
	// AmbassadorID selects the Emissary instances that use this Mapping.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// Prefix is the URL prefix to match.
	// +kubebuilder:validation:Required
	Prefix string `json:"prefix"`
	// PrefixRegex treats Prefix as a regular expression.
	PrefixRegex *bool `json:"prefix_regex,omitempty"`
	// PrefixExact requires the whole path to equal Prefix.
	PrefixExact *bool `json:"prefix_exact,omitempty"`
	// Service is the upstream, "[scheme://]name[.namespace][:port]".
	// +kubebuilder:validation:Required
	Service string `json:"service"`

	// AddRequestHeaders adds headers to the upstream request; each value is
	// a string, null, or a {value, append} object.
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	AddRequestHeaders map[string]AddedHeader `json:"add_request_headers,omitempty"`
	// AddResponseHeaders adds headers to the downstream response, like
	// AddRequestHeaders.
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	AddResponseHeaders map[string]AddedHeader `json:"add_response_headers,omitempty"`
	// AddLinkerdHeaders adds the l5d-dst-override header.
	AddLinkerdHeaders *bool `json:"add_linkerd_headers,omitempty"`
	// AutoHostRewrite rewrites the Host header to the upstream's name.
	AutoHostRewrite *bool `json:"auto_host_rewrite,omitempty"`
	// CaseSensitive controls case sensitivity of the prefix match.
	CaseSensitive *bool `json:"case_sensitive,omitempty"`
	// Docs tells the Dev Portal where this service's API docs are.
	Docs *DocsInfo `json:"docs,omitempty"`
	// DNSType is the Envoy cluster discovery type ("strict_dns", "logical_dns").
	DNSType string `json:"dns_type,omitempty"`
	// EnableIPv4 allows resolving the upstream to IPv4 addresses.
	EnableIPv4 *bool `json:"enable_ipv4,omitempty"`
	// EnableIPv6 allows resolving the upstream to IPv6 addresses.
	EnableIPv6 *bool `json:"enable_ipv6,omitempty"`
	// CircuitBreakers limit load on the upstream.
	CircuitBreakers []CircuitBreaker `json:"circuit_breakers,omitempty"`
	// KeepAlive configures TCP keepalive to the upstream.
	KeepAlive *KeepAlive `json:"keepalive,omitempty"`
	// CORS configures cross-origin resource sharing for this route.
	CORS *CORS `json:"cors,omitempty"`
	// RetryPolicy retries failed upstream requests.
	RetryPolicy *RetryPolicy `json:"retry_policy,omitempty"`
	// RespectDNSTTL uses the DNS TTL as the upstream's refresh rate.
	RespectDNSTTL *bool `json:"respect_dns_ttl,omitempty"`
	// GRPC marks the upstream as gRPC (HTTP/2).
	GRPC *bool `json:"grpc,omitempty"`
	// HostRedirect answers with a redirect to Service instead of proxying.
	HostRedirect *bool `json:"host_redirect,omitempty"`
	// HostRewrite sets the Host header sent upstream.
	HostRewrite string `json:"host_rewrite,omitempty"`
	// Method restricts the match to one HTTP method.
	Method string `json:"method,omitempty"`
	// MethodRegex treats Method as a regular expression.
	MethodRegex *bool `json:"method_regex,omitempty"`
	// OutlierDetection is passed through to Envoy's outlier detection.
	OutlierDetection string `json:"outlier_detection,omitempty"`
	// PathRedirect replaces the path in a host_redirect.
	PathRedirect string `json:"path_redirect,omitempty"`
	// PrefixRedirect replaces the matched prefix in a host_redirect.
	PrefixRedirect string `json:"prefix_redirect,omitempty"`
	// RegexRedirect rewrites the path by regex in a host_redirect.
	RegexRedirect *RegexMap `json:"regex_redirect,omitempty"`
	// RedirectResponseCode is the status of a host_redirect (default 301).
	// +kubebuilder:validation:Enum=301;302;303;307;308
	RedirectResponseCode *int `json:"redirect_response_code,omitempty"`
	// Priority is the Envoy routing priority ("default" or "high").
	Priority string `json:"priority,omitempty"`
	// Precedence orders Mappings explicitly (higher first).
	Precedence *int `json:"precedence,omitempty"`
	// ClusterTag distinguishes otherwise identical upstream clusters.
	ClusterTag string `json:"cluster_tag,omitempty"`
	// RemoveRequestHeaders removes headers from the upstream request.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	RemoveRequestHeaders *StringOrStringList `json:"remove_request_headers,omitempty"`
	// RemoveResponseHeaders removes headers from the downstream response.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	RemoveResponseHeaders *StringOrStringList `json:"remove_response_headers,omitempty"`
	// Resolver names the resolver for Service (default: the Kubernetes
	// service resolver).
	Resolver string `json:"resolver,omitempty"`
	// Rewrite replaces the matched prefix; "" (no rewrite) differs from
	// unset (rewrite to "/").
	Rewrite *string `json:"rewrite,omitempty"`
	// RegexRewrite rewrites the path by regex.
	RegexRewrite *RegexMap `json:"regex_rewrite,omitempty"`
	// Shadow mirrors the traffic to Service and ignores the responses.
	Shadow *bool `json:"shadow,omitempty"`
	// ConnectTimeout bounds connecting to the upstream.
	ConnectTimeout *Milliseconds `json:"connect_timeout_ms,omitempty"`
	// ClusterIdleTimeout closes idle upstream connections.
	ClusterIdleTimeout *Milliseconds `json:"cluster_idle_timeout_ms,omitempty"`
	// ClusterMaxConnectionLifetime caps an upstream connection's lifetime.
	ClusterMaxConnectionLifetime *Milliseconds `json:"cluster_max_connection_lifetime_ms,omitempty"`
	// Timeout bounds a whole request (overrides the Module's
	// cluster_request_timeout_ms).
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
	// IdleTimeout closes idle streams.
	IdleTimeout *Milliseconds `json:"idle_timeout_ms,omitempty"`
	// TLS originates TLS to the upstream: true, or a TLSContext name.
	// Not in Emissary's v2 schema (a bool-or-string union); ours is a
	// preserve-unknown property.
	TLS *BoolOrString `json:"tls,omitempty"`

	// V3HealthChecks actively probes the upstream endpoints.
	// +kubebuilder:validation:MinItems=1
	V3HealthChecks []HealthCheck `json:"v3health_checks,omitempty"`

	// DeprecatedUseWebsocket is the old spelling of allow_upgrade: [websocket].
	DeprecatedUseWebsocket *bool `json:"use_websocket,omitempty"`
	// AllowUpgrade lists protocols (e.g. "websocket", "spdy/3.1") that a
	// request may upgrade to via "Connection: upgrade".
	AllowUpgrade []string `json:"allow_upgrade,omitempty"`

	// Weight is this Mapping's share of traffic among Mappings with the
	// same match (canaries).
	Weight *int `json:"weight,omitempty"`
	// BypassAuth skips the AuthService for this route.
	BypassAuth *bool `json:"bypass_auth,omitempty"`
	// AuthContextExtensions are passed to the AuthService.
	AuthContextExtensions map[string]string `json:"auth_context_extensions,omitempty"`
	// BypassErrorResponseOverrides ignores the Module's
	// error_response_overrides for this route.
	BypassErrorResponseOverrides *bool `json:"bypass_error_response_overrides,omitempty"`
	// ErrorResponseOverrides replace the Module's error_response_overrides.
	// +kubebuilder:validation:MinItems=1
	ErrorResponseOverrides []ErrorResponseOverride `json:"error_response_overrides,omitempty"`
	// Modules are per-route module settings, passed through untyped.
	Modules []UntypedDict `json:"modules,omitempty"`
	// Host matches the request's authority (exactly, or see HostRegex).
	Host string `json:"host,omitempty"`
	// HostRegex treats Host as a regular expression.
	HostRegex *bool `json:"host_regex,omitempty"`
	// Headers must all match: true requires presence, a string requires
	// that value.
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Headers map[string]BoolOrString `json:"headers,omitempty"`
	// RegexHeaders must all match their regular expressions.
	RegexHeaders map[string]string `json:"regex_headers,omitempty"`
	// Labels are rate-limit labels: domain -> list of single-key groups.
	Labels map[string][]MappingLabelGroup `json:"labels,omitempty"`
	// EnvoyOverride is raw Envoy route configuration merged into the route.
	EnvoyOverride *UntypedDict `json:"envoy_override,omitempty"`
	// LoadBalancer picks the load-balancing policy for the upstream.
	LoadBalancer *LoadBalancer `json:"load_balancer,omitempty"`
	// QueryParameters must all match, like Headers.
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	QueryParameters map[string]BoolOrString `json:"query_parameters,omitempty"`
	// RegexQueryParameters must all match their regular expressions.
	RegexQueryParameters map[string]string `json:"regex_query_parameters,omitempty"`

	// V3StatsName names the upstream cluster in Envoy stats.
	V3StatsName string `json:"v3StatsName,omitempty"`
}

// RegexMap is a regular-expression substitution.
type RegexMap struct {
	// Pattern is the regular expression.
	Pattern string `json:"pattern,omitempty"`
	// Substitution replaces each match.
	Substitution string `json:"substitution,omitempty"`
}

// DocsInfo locates a service's API documentation for the Dev Portal.
type DocsInfo struct {
	// Path is appended to the service URL to fetch the docs.
	Path string `json:"path,omitempty"`
	// URL fetches the docs from an absolute URL instead.
	URL string `json:"url,omitempty"`
	// Ignored hides this Mapping from the Dev Portal.
	Ignored *bool `json:"ignored,omitempty"`
	// DisplayName is the name shown in the Dev Portal.
	DisplayName string `json:"display_name,omitempty"`
	// Timeout bounds fetching the docs.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
}

// KeepAlive configures TCP keepalive on upstream connections.
type KeepAlive struct {
	// Probes is the number of unanswered probes before dropping.
	Probes *int `json:"probes,omitempty"`
	// IdleTime is the idle time (seconds) before probing starts.
	IdleTime *int `json:"idle_time,omitempty"`
	// Interval is the time (seconds) between probes.
	Interval *int `json:"interval,omitempty"`
}

// CORS configures cross-origin resource sharing. Emissary's v2 schema only
// lists credentials and max_age; the list fields are unions that ours shows
// as preserve-unknown properties.
//
// +kubebuilder:pruning:PreserveUnknownFields
type CORS struct {
	// Origins are the allowed origins (a list or one comma-separated string).
	Origins *OriginList `json:"origins,omitempty"`
	// Methods are the allowed methods (a list or one string).
	Methods *StringOrStringList `json:"methods,omitempty"`
	// Headers are the allowed request headers (a list or one string).
	Headers *StringOrStringList `json:"headers,omitempty"`
	// Credentials allows credentialed requests.
	Credentials *bool `json:"credentials,omitempty"`
	// ExposedHeaders are the response headers exposed to the browser.
	ExposedHeaders *StringOrStringList `json:"exposed_headers,omitempty"`
	// MaxAge is how long a preflight response may be cached.
	MaxAge string `json:"max_age,omitempty"`
}

// RetryPolicy retries failed upstream requests.
type RetryPolicy struct {
	// RetryOn is the condition that triggers a retry.
	// +kubebuilder:validation:Enum="5xx";"gateway-error";"connect-failure";"retriable-4xx";"refused-stream";"retriable-status-codes"
	RetryOn string `json:"retry_on,omitempty"`
	// NumRetries is the maximum number of retries.
	NumRetries *int `json:"num_retries,omitempty"`
	// PerTryTimeout bounds each attempt (an Envoy duration string).
	PerTryTimeout string `json:"per_try_timeout,omitempty"`
}

// LoadBalancer picks the load-balancing policy for an upstream.
type LoadBalancer struct {
	// Policy is the balancing algorithm.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Enum=round_robin;ring_hash;maglev;least_request
	Policy string `json:"policy"`
	// Cookie hashes on a cookie (ring_hash/maglev).
	Cookie *LoadBalancerCookie `json:"cookie,omitempty"`
	// Header hashes on a request header (ring_hash/maglev).
	Header string `json:"header,omitempty"`
	// SourceIp hashes on the client address (ring_hash/maglev).
	SourceIp *bool `json:"source_ip,omitempty"`
}

// LoadBalancerCookie is the cookie used for sticky sessions.
type LoadBalancerCookie struct {
	// Name is the cookie's name.
	// +kubebuilder:validation:Required
	Name string `json:"name"`
	// Path is the cookie's path.
	Path string `json:"path,omitempty"`
	// Ttl makes Envoy generate the cookie with this lifetime.
	Ttl string `json:"ttl,omitempty"`
}

// ErrorResponseTextFormatSource reads a response body format from a file.
type ErrorResponseTextFormatSource struct {
	// Filename is a path on the Emissary pod.
	Filename string `json:"filename,omitempty"`
}

// ErrorResponseOverrideBody is the replacement body of an error response.
type ErrorResponseOverrideBody struct {
	// TextFormat is an inline format string; "" differs from unset.
	TextFormat *string `json:"text_format,omitempty"`
	// JSONFormat renders a JSON object whose values are format strings.
	JSONFormat map[string]string `json:"json_format,omitempty"`
	// TextFormatSource reads the format string from a file.
	TextFormatSource *ErrorResponseTextFormatSource `json:"text_format_source,omitempty"`
	// ContentType of text bodies (default text/plain).
	ContentType string `json:"content_type,omitempty"`
}

// ErrorResponseOverride rewrites the body of responses with a given status.
type ErrorResponseOverride struct {
	// OnStatusCode is the status to rewrite.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Minimum=400
	// +kubebuilder:validation:Maximum=599
	OnStatusCode int `json:"on_status_code"`
	// Body is the new body.
	// +kubebuilder:validation:Required
	Body ErrorResponseOverrideBody `json:"body"`
}

// HealthCheck actively probes a Mapping's upstream endpoints (the v3alpha1
// shape, carried in v2 as v3health_checks).
type HealthCheck struct {
	// Timeout bounds each probe.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Interval is the time between probes.
	Interval *metav1.Duration `json:"interval,omitempty"`
	// UnhealthyThreshold is how many failures mark an endpoint unhealthy.
	UnhealthyThreshold *int `json:"unhealthy_threshold,omitempty"`
	// HealthyThreshold is how many successes mark an endpoint healthy.
	HealthyThreshold *int `json:"healthy_threshold,omitempty"`
	// HealthCheck says how to probe: http or grpc.
	// +kubebuilder:validation:Required
	HealthCheck HealthCheckLocation `json:"health_check"`
}

// HealthCheckLocation chooses an HTTP or a gRPC probe.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type HealthCheckLocation struct {
	// HTTP probes with an HTTP request.
	HTTP *HTTPHealthCheck `json:"http,omitempty"`
	// GRPC probes with the gRPC health protocol.
	GRPC *GRPCHealthCheck `json:"grpc,omitempty"`
}

// HTTPHealthCheck is an HTTP probe.
type HTTPHealthCheck struct {
	// Path is the request path.
	// +kubebuilder:validation:Required
	Path string `json:"path"`
	// Hostname is the probe's Host header.
	Hostname string `json:"hostname,omitempty"`
	// AddRequestHeaders adds headers to the probe (v3alpha1 form, not a union).
	AddRequestHeaders map[string]HealthCheckAddedHeader `json:"add_request_headers,omitempty"`
	// RemoveRequestHeaders removes headers from the probe.
	RemoveRequestHeaders []string `json:"remove_request_headers,omitempty"`
	// ExpectedStatuses are the status ranges that count as healthy.
	ExpectedStatuses []StatusRange `json:"expected_statuses,omitempty"`
}

// HealthCheckAddedHeader is a header added to an HTTP probe.
type HealthCheckAddedHeader struct {
	// Value is the header value.
	Value string `json:"value,omitempty"`
	// Append adds the value next to existing ones.
	Append *bool `json:"append,omitempty"`
	// V2Representation records a v2 spelling ("string" or "null").
	// +kubebuilder:validation:Enum="";string;null
	V2Representation string `json:"v2Representation,omitempty"`
}

// StatusRange is an inclusive range of HTTP statuses.
type StatusRange struct {
	// Min is the first status of the range.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=599
	Min int `json:"min"`
	// Max is the last status of the range.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=599
	Max int `json:"max"`
}

// GRPCHealthCheck is a gRPC health-protocol probe.
type GRPCHealthCheck struct {
	// UpstreamName is the service name in the health request.
	// +kubebuilder:validation:Required
	UpstreamName string `json:"upstream_name"`
	// Authority is the probe's :authority.
	Authority string `json:"authority,omitempty"`
}

// MappingStatus reports whether Emissary is using the Mapping.
type MappingStatus struct {
	// State is "", "Inactive" or "Running".
	// +kubebuilder:validation:Enum="";Inactive;Running
	State string `json:"state,omitempty"`
	// Reason explains State.
	Reason string `json:"reason,omitempty"`
}

// Mapping is the getambassador.io/v2 Mapping.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="Source Host",type=string,JSONPath=`.spec.host`
// +kubebuilder:printcolumn:name="Source Prefix",type=string,JSONPath=`.spec.prefix`
// +kubebuilder:printcolumn:name="Dest Service",type=string,JSONPath=`.spec.service`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.reason`
type Mapping struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   MappingSpec    `json:"spec,omitempty"`
	Status *MappingStatus `json:"status,omitempty"`
}

// MappingList is a list of Mappings.
//
// +kubebuilder:object:root=true
type MappingList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Mapping `json:"items"`
}

func init() { SchemeBuilder.Register(&Mapping{}, &MappingList{}) }
