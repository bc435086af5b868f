package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MappingSpec routes a class of HTTP requests to an upstream service.
type MappingSpec struct {
	// AmbassadorID selects the Emissary instances that use this Mapping.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`

	// Prefix is the URL path to match (a prefix unless prefix_exact or
	// prefix_regex say otherwise).
	//
	// +kubebuilder:validation:Required
	Prefix string `json:"prefix"`
	// PrefixRegex treats Prefix as a regular expression.
	PrefixRegex *bool `json:"prefix_regex,omitempty"`
	// PrefixExact requires the whole path to equal Prefix.
	PrefixExact *bool `json:"prefix_exact,omitempty"`
	// Service is the upstream, as [scheme://]host[:port].
	//
	// +kubebuilder:validation:Required
	Service string `json:"service"`

	// AddRequestHeaders adds headers to the request sent upstream.
	AddRequestHeaders map[string]AddedHeader `json:"add_request_headers,omitempty"`
	// AddResponseHeaders adds headers to the response sent downstream.
	AddResponseHeaders map[string]AddedHeader `json:"add_response_headers,omitempty"`
	// AddLinkerdHeaders adds the l5d-dst-override header for Linkerd.
	AddLinkerdHeaders *bool `json:"add_linkerd_headers,omitempty"`
	// AutoHostRewrite rewrites the Host header to the upstream's host.
	AutoHostRewrite *bool `json:"auto_host_rewrite,omitempty"`
	// CaseSensitive controls case sensitivity of path matching.
	CaseSensitive *bool `json:"case_sensitive,omitempty"`
	// DNSType selects the Envoy cluster discovery type (strict_dns,
	// logical_dns).
	DNSType string `json:"dns_type,omitempty"`
	// Docs tells the DevPortal where to find this service's API docs.
	Docs *DocsInfo `json:"docs,omitempty"`
	// EnableIPv4 allows IPv4 addresses when resolving the service.
	EnableIPv4 *bool `json:"enable_ipv4,omitempty"`
	// EnableIPv6 allows IPv6 addresses when resolving the service.
	EnableIPv6 *bool `json:"enable_ipv6,omitempty"`
	// CircuitBreakers limit load on the upstream cluster.
	CircuitBreakers []CircuitBreaker `json:"circuit_breakers,omitempty"`
	// KeepAlive sets TCP keepalive on upstream connections.
	KeepAlive *KeepAlive `json:"keepalive,omitempty"`
	// CORS configures the CORS policy for this route.
	CORS *CORS `json:"cors,omitempty"`
	// RetryPolicy configures retries for this route.
	RetryPolicy *RetryPolicy `json:"retry_policy,omitempty"`
	// RespectDNSTTL makes Envoy re-resolve the service at the DNS TTL.
	RespectDNSTTL *bool `json:"respect_dns_ttl,omitempty"`
	// GRPC marks the upstream as a gRPC (HTTP/2) service.
	GRPC *bool `json:"grpc,omitempty"`
	// HostRedirect turns the Mapping into a redirect to Service instead of
	// a proxy.
	HostRedirect *bool `json:"host_redirect,omitempty"`
	// HostRewrite sets the Host header sent upstream.
	HostRewrite string `json:"host_rewrite,omitempty"`
	// Method restricts the match to one HTTP method.
	Method string `json:"method,omitempty"`
	// MethodRegex treats Method as a regular expression.
	MethodRegex *bool `json:"method_regex,omitempty"`
	// OutlierDetection is passed through to Envoy's outlier detection.
	OutlierDetection string `json:"outlier_detection,omitempty"`
	// PathRedirect replaces the whole path in a host_redirect.
	PathRedirect string `json:"path_redirect,omitempty"`
	// PrefixRedirect replaces the matched prefix in a host_redirect.
	PrefixRedirect string `json:"prefix_redirect,omitempty"`
	// RegexRedirect rewrites the path by regex in a host_redirect.
	RegexRedirect *RegexMap `json:"regex_redirect,omitempty"`
	// RedirectResponseCode is the status of a host_redirect (default 301).
	//
	// +kubebuilder:validation:Enum=301;302;303;307;308
	RedirectResponseCode *int `json:"redirect_response_code,omitempty"`
	// Priority is the Envoy routing priority ("default" or "high").
	Priority string `json:"priority,omitempty"`
	// Precedence orders Mappings explicitly; higher wins.
	Precedence *int `json:"precedence,omitempty"`
	// ClusterTag names the upstream cluster (for sharing/stats).
	ClusterTag string `json:"cluster_tag,omitempty"`
	// RemoveRequestHeaders removes headers from the request sent upstream.
	RemoveRequestHeaders []string `json:"remove_request_headers,omitempty"`
	// RemoveResponseHeaders removes headers from the response.
	RemoveResponseHeaders []string `json:"remove_response_headers,omitempty"`
	// Resolver names the resolver used to find the service's endpoints.
	Resolver string `json:"resolver,omitempty"`
	// Rewrite replaces the matched prefix. nil means the default ("/");
	// "" means do not rewrite, so the pointer matters.
	Rewrite *string `json:"rewrite,omitempty"`
	// RegexRewrite rewrites the path by regex before sending it upstream.
	RegexRewrite *RegexMap `json:"regex_rewrite,omitempty"`
	// Shadow mirrors traffic to Service and discards its responses.
	Shadow *bool `json:"shadow,omitempty"`
	// ConnectTimeout bounds connecting to the upstream.
	ConnectTimeout *Milliseconds `json:"connect_timeout_ms,omitempty"`
	// ClusterIdleTimeout closes idle upstream connections.
	ClusterIdleTimeout *Milliseconds `json:"cluster_idle_timeout_ms,omitempty"`
	// ClusterMaxConnectionLifetime caps the age of upstream connections.
	ClusterMaxConnectionLifetime *Milliseconds `json:"cluster_max_connection_lifetime_ms,omitempty"`
	// Timeout bounds the whole request; overrides the Ambassador Module's
	// cluster_request_timeout_ms.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
	// IdleTimeout closes streams idle for this long.
	IdleTimeout *Milliseconds `json:"idle_timeout_ms,omitempty"`
	// TLS names the TLSContext used to originate TLS to the upstream.
	TLS string `json:"tls,omitempty"`

	// HealthChecks configure active health checking of the upstream.
	//
	// +kubebuilder:validation:MinItems=1
	HealthChecks []HealthCheck `json:"health_checks,omitempty"`

	// UseWebsocket is deprecated; it equals allow_upgrade: ["websocket"].
	UseWebsocket *bool `json:"use_websocket,omitempty"`
	// AllowUpgrade lists protocols (case-insensitive) that may be
	// upgraded to via "Connection: upgrade".
	AllowUpgrade []string `json:"allow_upgrade,omitempty"`

	// Weight is the share of traffic for this Mapping among Mappings with
	// the same match.
	Weight *int `json:"weight,omitempty"`
	// BypassAuth skips the AuthService for this route.
	BypassAuth *bool `json:"bypass_auth,omitempty"`
	// AuthContextExtensions is passed to the AuthService with each check.
	AuthContextExtensions map[string]string `json:"auth_context_extensions,omitempty"`
	// BypassErrorResponseOverrides ignores the Ambassador Module's
	// error_response_overrides for this route.
	BypassErrorResponseOverrides *bool `json:"bypass_error_response_overrides,omitempty"`
	// ErrorResponseOverrides replace the Ambassador Module's overrides for
	// this route.
	//
	// +kubebuilder:validation:MinItems=1
	ErrorResponseOverrides []ErrorResponseOverride `json:"error_response_overrides,omitempty"`
	// Modules is a list of free-form per-route module settings.
	Modules []UntypedDict `json:"modules,omitempty"`

	// Host is deprecated: an exact (or, with host_regex, regex) match on
	// :authority that also limits which Hosts this Mapping joins. Use
	// hostname.
	Host string `json:"host,omitempty"`
	// HostRegex is deprecated: treats Host as a regex.
	HostRegex *bool `json:"host_regex,omitempty"`
	// Hostname is a DNS glob matched against :authority and Host hostnames.
	Hostname string `json:"hostname,omitempty"`

	// Headers are exact header matches required for this route.
	Headers map[string]string `json:"headers,omitempty"`
	// RegexHeaders are regex header matches required for this route.
	RegexHeaders map[string]string `json:"regex_headers,omitempty"`
	// Labels attach rate-limit labels to requests on this route.
	Labels DomainMap `json:"labels,omitempty"`
	// EnvoyOverride is raw Envoy route configuration merged into the route.
	EnvoyOverride *UntypedDict `json:"envoy_override,omitempty"`
	// LoadBalancer chooses the load balancing policy for the upstream.
	LoadBalancer *LoadBalancer `json:"load_balancer,omitempty"`
	// QueryParameters are exact query-parameter matches.
	QueryParameters map[string]string `json:"query_parameters,omitempty"`
	// RegexQueryParameters are regex query-parameter matches.
	RegexQueryParameters map[string]string `json:"regex_query_parameters,omitempty"`
	// StatsName overrides the name used for this Mapping's stats.
	StatsName string `json:"stats_name,omitempty"`

	// V2ExplicitTLS is cosmetic round-trip data for v2 conversion.
	V2ExplicitTLS *V2ExplicitTLS `json:"v2ExplicitTLS,omitempty"`
	// V2BoolHeaders names headers that v2 wrote as "name: true" (a
	// presence match). v3alpha1 expresses that as regex_headers[name] =
	// ".*"; this list only lets conversion back to v2 restore the spelling.
	V2BoolHeaders []string `json:"v2BoolHeaders,omitempty"`
	// V2BoolQueryParameters is the same for query_parameters (stored as
	// regex_query_parameters[name] = ".*").
	V2BoolQueryParameters []string `json:"v2BoolQueryParameters,omitempty"`
}

// RegexMap is a regex substitution.
type RegexMap struct {
	// Pattern is the regular expression to match.
	Pattern string `json:"pattern,omitempty"`
	// Substitution replaces the match (may use capture groups).
	Substitution string `json:"substitution,omitempty"`
}

// DocsInfo tells the DevPortal and agent about a Mapping's API docs.
type DocsInfo struct {
	// Path is the docs path relative to the Mapping's prefix.
	Path string `json:"path,omitempty"`
	// URL is an absolute docs URL (used instead of Path).
	URL string `json:"url,omitempty"`
	// Ignored hides this Mapping from the DevPortal.
	Ignored *bool `json:"ignored,omitempty"`
	// DisplayName is the name shown in the DevPortal.
	DisplayName string `json:"display_name,omitempty"`
	// Timeout bounds fetching the docs.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
}

// DomainMap is Mapping.spec.labels: rate-limit domain -> label groups.
type DomainMap map[string]MappingLabelGroupsArray

// MappingLabelGroupsArray is the ordered list of label groups for one
// domain.
type MappingLabelGroupsArray []MappingLabelGroup

// MappingLabelGroup is a one-entry map from a group name to its labels.
type MappingLabelGroup map[string]MappingLabelsArray

// MappingLabelsArray is the ordered list of labels in a group.
type MappingLabelsArray []MappingLabelSpecifier

// MappingLabelSpecifier is one label; exactly one field is set. It mirrors
// Envoy's RateLimit action specifiers.
type MappingLabelSpecifier struct {
	// SourceCluster sets "source_cluster=<downstream cluster>".
	SourceCluster *MappingLabelSourceCluster `json:"source_cluster,omitempty"`
	// DestinationCluster sets "destination_cluster=<upstream cluster>".
	DestinationCluster *MappingLabelDestinationCluster `json:"destination_cluster,omitempty"`
	// RequestHeaders sets "<key>=<value of header_name>".
	RequestHeaders *MappingLabelRequestHeaders `json:"request_headers,omitempty"`
	// RemoteAddress sets "remote_address=<client IP>".
	RemoteAddress *MappingLabelRemoteAddress `json:"remote_address,omitempty"`
	// GenericKey sets "<key>=<value>" with a constant value.
	GenericKey *MappingLabelGenericKey `json:"generic_key,omitempty"`
}

// MappingLabelSourceCluster is the source_cluster label.
type MappingLabelSourceCluster struct {
	// Key must be "source_cluster".
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Enum=source_cluster
	Key string `json:"key"`
}

// MappingLabelDestinationCluster is the destination_cluster label.
type MappingLabelDestinationCluster struct {
	// Key must be "destination_cluster".
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Enum=destination_cluster
	Key string `json:"key"`
}

// MappingLabelRequestHeaders labels by a request header's value.
type MappingLabelRequestHeaders struct {
	// Key is the label name.
	//
	// +kubebuilder:validation:Required
	Key string `json:"key"`
	// HeaderName is the header to read.
	//
	// +kubebuilder:validation:Required
	HeaderName string `json:"header_name"`
	// OmitIfNotPresent skips the label (rather than the whole group) when
	// the header is missing.
	OmitIfNotPresent *bool `json:"omit_if_not_present,omitempty"`
}

// MappingLabelRemoteAddress is the remote_address label.
type MappingLabelRemoteAddress struct {
	// Key must be "remote_address".
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Enum=remote_address
	Key string `json:"key"`
}

// MappingLabelGenericKey is a constant label.
type MappingLabelGenericKey struct {
	// Key is the label name; empty means "generic_key".
	Key string `json:"key,omitempty"`
	// Value is the label value.
	//
	// +kubebuilder:validation:Required
	Value string `json:"value"`
	// V2Shorthand records that v2 wrote this label as a bare string
	// (the value) rather than as {generic_key: ...}.
	V2Shorthand *bool `json:"v2Shorthand,omitempty"`
}

// KeepAlive configures TCP keepalive on upstream connections.
type KeepAlive struct {
	// Probes is how many unanswered probes drop the connection.
	Probes *int `json:"probes,omitempty"`
	// IdleTime is how long a connection idles before probing starts.
	IdleTime *Seconds `json:"idle_time,omitempty"`
	// Interval is the time between probes.
	Interval *Seconds `json:"interval,omitempty"`
}

// CORS is a route's CORS policy.
type CORS struct {
	// Origins lists allowed origins, one per entry.
	Origins []string `json:"origins,omitempty"`
	// Methods lists allowed methods.
	Methods []string `json:"methods,omitempty"`
	// Headers lists allowed request headers.
	Headers []string `json:"headers,omitempty"`
	// Credentials allows credentialed requests.
	Credentials *bool `json:"credentials,omitempty"`
	// ExposedHeaders lists response headers exposed to the browser.
	ExposedHeaders []string `json:"exposed_headers,omitempty"`
	// MaxAge is how long (seconds, as a string) preflight results may be
	// cached.
	MaxAge string `json:"max_age,omitempty"`
	// V2CommaSeparatedOrigins records that v2 wrote origins as one
	// comma-separated string instead of a list.
	V2CommaSeparatedOrigins *bool `json:"v2CommaSeparatedOrigins,omitempty"`
}

// RetryOn is the Envoy retry condition.
//
// +kubebuilder:validation:Enum="5xx";"gateway-error";"connect-failure";"retriable-4xx";"refused-stream";"retriable-status-codes"
type RetryOn string

// Retry conditions.
const (
	RetryOn5xx                  RetryOn = "5xx"
	RetryOnGatewayError         RetryOn = "gateway-error"
	RetryOnConnectFailure       RetryOn = "connect-failure"
	RetryOnRetriable4xx         RetryOn = "retriable-4xx"
	RetryOnRefusedStream        RetryOn = "refused-stream"
	RetryOnRetriableStatusCodes RetryOn = "retriable-status-codes"
)

// RetryPolicy configures retries.
type RetryPolicy struct {
	// RetryOn is the condition that triggers a retry.
	RetryOn RetryOn `json:"retry_on,omitempty"`
	// NumRetries caps the number of retries.
	NumRetries *int `json:"num_retries,omitempty"`
	// PerTryTimeout bounds each attempt, as an Envoy duration string
	// (e.g. "0.5s"); kept verbatim.
	PerTryTimeout string `json:"per_try_timeout,omitempty"`
}

// LoadBalancerPolicy is the load balancing algorithm.
//
// +kubebuilder:validation:Enum=round_robin;ring_hash;maglev;least_request
type LoadBalancerPolicy string

// Load balancing algorithms.
const (
	LoadBalancerRoundRobin   LoadBalancerPolicy = "round_robin"
	LoadBalancerRingHash     LoadBalancerPolicy = "ring_hash"
	LoadBalancerMaglev       LoadBalancerPolicy = "maglev"
	LoadBalancerLeastRequest LoadBalancerPolicy = "least_request"
)

// LoadBalancer chooses how requests are spread over endpoints. For the
// hashing policies, at most one of Cookie, Header, SourceIP is the key.
type LoadBalancer struct {
	// Policy is the algorithm.
	//
	// +kubebuilder:validation:Required
	Policy LoadBalancerPolicy `json:"policy"`
	// Cookie hashes on a cookie.
	Cookie *LoadBalancerCookie `json:"cookie,omitempty"`
	// Header hashes on a request header.
	Header string `json:"header,omitempty"`
	// SourceIP hashes on the client address.
	SourceIP *bool `json:"source_ip,omitempty"`
}

// LoadBalancerCookie is a cookie used as a hash key (generated if absent).
type LoadBalancerCookie struct {
	// Name is the cookie name.
	//
	// +kubebuilder:validation:Required
	Name string `json:"name"`
	// Path is the path of a generated cookie.
	Path string `json:"path,omitempty"`
	// TTL is the lifetime of a generated cookie, as a duration string.
	TTL string `json:"ttl,omitempty"`
}

// MappingState says whether a Mapping is in use.
//
// +kubebuilder:validation:Enum="";Inactive;Running
type MappingState string

// Mapping states.
const (
	MappingStateUnknown  MappingState = ""
	MappingStateInactive MappingState = "Inactive"
	MappingStateRunning  MappingState = "Running"
)

// MappingStatus is the observed state of a Mapping.
type MappingStatus struct {
	// State is whether the Mapping is active.
	State MappingState `json:"state,omitempty"`
	// Reason explains State.
	Reason string `json:"reason,omitempty"`
}

// Mapping routes HTTP requests matching a prefix (and other criteria) to
// an upstream service.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:subresource:status
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
