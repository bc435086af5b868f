package v3alpha1

import (
	"encoding/json"
	"time"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AmbassadorID lists the Emissary instances (by their AMBASSADOR_ID) that
// should act on a resource. An empty list means ["default"].
type AmbassadorID []string

// Matches reports whether a resource carrying this AmbassadorID belongs to
// the Emissary instance whose id is given. The special entry "_automatic_"
// matches every instance.
func (a AmbassadorID) Matches(id string) bool {
	if len(a) == 0 {
		return id == "default"
	}
	for _, item := range a {
		if item == id || item == "_automatic_" {
			return true
		}
	}
	return false
}

// Milliseconds is a duration written as a whole number of milliseconds
// (the *_ms fields). It stays an integer so that values round-trip exactly.
type Milliseconds int

// Duration converts m to a time.Duration.
func (m Milliseconds) Duration() time.Duration { return time.Duration(m) * time.Millisecond }

// Seconds is a duration written as a whole number of seconds.
type Seconds int

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// UntypedDict is a free-form JSON object that Emissary passes through
// without a schema (Module config, Mapping envoy_override and modules).
// Values holds each top-level key's raw JSON.
//
// +kubebuilder:pruning:PreserveUnknownFields
type UntypedDict struct {
	Values map[string]apiextv1.JSON `json:"-"`
}

// MarshalJSON writes the dict as a plain JSON object (keys sorted); a nil
// dict is written as {} because the schema does not allow null.
func (u UntypedDict) MarshalJSON() ([]byte, error) {
	if u.Values == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(u.Values)
}

// UnmarshalJSON reads any JSON object; null leaves the dict empty.
func (u *UntypedDict) UnmarshalJSON(data []byte) error {
	var values map[string]apiextv1.JSON
	if err := json.Unmarshal(data, &values); err != nil {
		return err
	}
	u.Values = values
	return nil
}

// Decode unmarshals the whole dict into out (a typed struct or a map).
func (u UntypedDict) Decode(out any) error {
	data, err := u.MarshalJSON()
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// ProtocolVersion selects the Envoy API transport version used to talk to
// an external (auth, log, rate limit) service.
//
// +kubebuilder:validation:Enum=v2;v3
type ProtocolVersion string

// Protocol versions accepted by the external-service kinds.
const (
	ProtocolVersionV2 ProtocolVersion = "v2"
	ProtocolVersionV3 ProtocolVersion = "v3"
)

// V2TLSSpelling records how a v2 resource wrote a "tls" field whose value
// was implied by the service URL, so converting back to v2 reproduces it.
//
// +kubebuilder:validation:Enum="";"null";"bool:true";"bool:false";"string"
type V2TLSSpelling string

// The ways v2 could spell an implied "tls" value.
const (
	// V2TLSOmitted means the v2 resource had no "tls" key.
	V2TLSOmitted V2TLSSpelling = ""
	// V2TLSNull means "tls: null".
	V2TLSNull V2TLSSpelling = "null"
	// V2TLSBoolTrue means "tls: true".
	V2TLSBoolTrue V2TLSSpelling = "bool:true"
	// V2TLSBoolFalse means "tls: false".
	V2TLSBoolFalse V2TLSSpelling = "bool:false"
	// V2TLSString means "tls: ''".
	V2TLSString V2TLSSpelling = "string"
)

// V2ExplicitTLS carries purely cosmetic details of a v2 resource's TLS
// settings so that a v2 -> v3alpha1 -> v2 round trip is lossless. It must
// not change how traffic is handled.
type V2ExplicitTLS struct {
	// TLS is how the implied "tls" field was spelled in v2.
	TLS V2TLSSpelling `json:"tls,omitempty"`

	// ServiceScheme is the exact spelling of the service URL's scheme
	// ("http://", "https://" in any case, or ""); nil means no preference.
	//
	// +kubebuilder:validation:Pattern=`^([hH][tT][tT][pP][sS]?://)?$`
	ServiceScheme *string `json:"serviceScheme,omitempty"`
}

// CircuitBreakerPriority is the Envoy routing priority a circuit breaker
// applies to.
//
// +kubebuilder:validation:Enum=default;high
type CircuitBreakerPriority string

// Circuit breaker priorities.
const (
	CircuitBreakerPriorityDefault CircuitBreakerPriority = "default"
	CircuitBreakerPriorityHigh    CircuitBreakerPriority = "high"
)

// CircuitBreaker caps the load sent to an upstream cluster.
type CircuitBreaker struct {
	// Priority selects which routing priority these limits apply to.
	Priority CircuitBreakerPriority `json:"priority,omitempty"`
	// MaxConnections caps concurrent connections to the upstream.
	MaxConnections *int `json:"max_connections,omitempty"`
	// MaxPendingRequests caps requests queued waiting for a connection.
	MaxPendingRequests *int `json:"max_pending_requests,omitempty"`
	// MaxRequests caps concurrent requests to the upstream.
	MaxRequests *int `json:"max_requests,omitempty"`
	// MaxRetries caps concurrent retries to the upstream.
	MaxRetries *int `json:"max_retries,omitempty"`
}

// TLSVersion names a TLS protocol version ("v1.0" .. "v1.3"). Only
// TLSContext validates it against that list; Host.spec.tls does not.
type TLSVersion string

// TLS versions.
const (
	TLSVersion10 TLSVersion = "v1.0"
	TLSVersion11 TLSVersion = "v1.1"
	TLSVersion12 TLSVersion = "v1.2"
	TLSVersion13 TLSVersion = "v1.3"
)

// AddedHeaderV2Representation records how a v2 added header was written,
// so that converting back to v2 reproduces the same shape.
//
// +kubebuilder:validation:Enum="";"string";"null"
type AddedHeaderV2Representation string

// Shapes of an added header in v2.
const (
	// AddedHeaderV2Object means the v2 value was a {value, append} object
	// (or the header did not come from v2).
	AddedHeaderV2Object AddedHeaderV2Representation = ""
	// AddedHeaderV2String means the v2 value was a bare string.
	AddedHeaderV2String AddedHeaderV2Representation = "string"
	// AddedHeaderV2Null means the v2 value was null.
	AddedHeaderV2Null AddedHeaderV2Representation = "null"
)

// AddedHeader is one header to add to a request or response.
type AddedHeader struct {
	// Value is the header value (it may use Envoy's %...% substitutions).
	Value string `json:"value,omitempty"`
	// Append adds the header next to existing ones instead of replacing
	// them; Envoy's default applies when unset.
	Append *bool `json:"append,omitempty"`
	// V2Representation is cosmetic: how the header was spelled in v2.
	V2Representation AddedHeaderV2Representation `json:"v2Representation,omitempty"`
}

// ErrorResponseTextFormatSource points at a file holding a response body
// format string.
type ErrorResponseTextFormatSource struct {
	// Filename is a path on the Emissary pod.
	Filename string `json:"filename,omitempty"`
}

// ErrorResponseOverrideBody is the replacement body for an error response.
// Exactly one of the three formats is expected.
type ErrorResponseOverrideBody struct {
	// TextFormat is an inline format string; "" (an empty body) differs
	// from unset.
	TextFormat *string `json:"text_format,omitempty"`
	// JSONFormat renders a JSON object whose values are format strings.
	JSONFormat map[string]string `json:"json_format,omitempty"`
	// TextFormatSource reads the format string from a file.
	TextFormatSource *ErrorResponseTextFormatSource `json:"text_format_source,omitempty"`
	// ContentType overrides the content type of text bodies
	// (default text/plain).
	ContentType string `json:"content_type,omitempty"`
}

// ErrorResponseOverride replaces the body of responses with a given status.
type ErrorResponseOverride struct {
	// OnStatusCode is the HTTP status to rewrite.
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Minimum=400
	// +kubebuilder:validation:Maximum=599
	OnStatusCode int `json:"on_status_code"`
	// Body is the new response body.
	//
	// +kubebuilder:validation:Required
	Body ErrorResponseOverrideBody `json:"body"`
}

// HealthCheck configures active health checking of a Mapping's upstreams.
type HealthCheck struct {
	// Timeout bounds each probe (default 3s).
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Interval is the time between probes (default 5s).
	Interval *metav1.Duration `json:"interval,omitempty"`
	// UnhealthyThreshold is how many failed probes mark an upstream
	// unhealthy (default 2).
	UnhealthyThreshold *int `json:"unhealthy_threshold,omitempty"`
	// HealthyThreshold is how many good probes mark an upstream healthy
	// (default 1).
	HealthyThreshold *int `json:"healthy_threshold,omitempty"`
	// HealthCheck says how to probe; exactly one of http or grpc.
	//
	// +kubebuilder:validation:Required
	HealthCheck HealthCheckLocation `json:"health_check"`
}

// HealthCheckLocation chooses between an HTTP and a gRPC probe.
type HealthCheckLocation struct {
	// HTTP probes with an HTTP request.
	HTTP *HTTPHealthCheck `json:"http,omitempty"`
	// GRPC probes with the gRPC health checking protocol.
	GRPC *GRPCHealthCheck `json:"grpc,omitempty"`
}

// HTTPHealthCheck is an HTTP probe.
type HTTPHealthCheck struct {
	// Path is the request path.
	//
	// +kubebuilder:validation:Required
	Path string `json:"path"`
	// Hostname is the Host header of the probe.
	Hostname string `json:"hostname,omitempty"`
	// AddRequestHeaders adds headers to the probe.
	AddRequestHeaders map[string]AddedHeader `json:"add_request_headers,omitempty"`
	// RemoveRequestHeaders removes headers from the probe.
	RemoveRequestHeaders []string `json:"remove_request_headers,omitempty"`
	// ExpectedStatuses lists the status ranges counted as healthy.
	ExpectedStatuses []StatusRange `json:"expected_statuses,omitempty"`
}

// StatusRange is an inclusive range of HTTP status codes.
type StatusRange struct {
	// Min is the first status in the range.
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=599
	Min int `json:"min"`
	// Max is the last status in the range.
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=599
	Max int `json:"max"`
}

// GRPCHealthCheck is a gRPC health-protocol probe.
type GRPCHealthCheck struct {
	// UpstreamName is the service name sent in the health check request.
	//
	// +kubebuilder:validation:Required
	UpstreamName string `json:"upstream_name"`
	// Authority is the :authority of the probe (default: UpstreamName).
	Authority string `json:"authority,omitempty"`
}
