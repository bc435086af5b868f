package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TracingDriver is the tracing backend.
//
// +kubebuilder:validation:Enum=lightstep;zipkin;datadog;opentelemetry
type TracingDriver string

// Tracing backends.
const (
	TracingDriverLightstep     TracingDriver = "lightstep"
	TracingDriverZipkin        TracingDriver = "zipkin"
	TracingDriverDatadog       TracingDriver = "datadog"
	TracingDriverOpenTelemetry TracingDriver = "opentelemetry"
)

// CollectorEndpointVersion is the Zipkin collector API flavour.
//
// +kubebuilder:validation:Enum=HTTP_JSON_V1;HTTP_JSON;HTTP_PROTO
type CollectorEndpointVersion string

// Zipkin collector API flavours.
const (
	CollectorEndpointHTTPJSONV1 CollectorEndpointVersion = "HTTP_JSON_V1"
	CollectorEndpointHTTPJSON   CollectorEndpointVersion = "HTTP_JSON"
	CollectorEndpointHTTPProto  CollectorEndpointVersion = "HTTP_PROTO"
)

// PropagationMode is a trace context propagation format (Lightstep).
//
// +kubebuilder:validation:Enum=ENVOY;LIGHTSTEP;B3;TRACE_CONTEXT
type PropagationMode string

// Propagation formats.
const (
	PropagationEnvoy        PropagationMode = "ENVOY"
	PropagationLightstep    PropagationMode = "LIGHTSTEP"
	PropagationB3           PropagationMode = "B3"
	PropagationTraceContext PropagationMode = "TRACE_CONTEXT"
)

// TraceSampling sets sampling percentages.
type TraceSampling struct {
	// Client is the percentage sampled when the client forces tracing.
	Client *int `json:"client,omitempty"`
	// Random is the percentage sampled at random.
	Random *int `json:"random,omitempty"`
	// Overall caps the percentage sampled after the others.
	Overall *int `json:"overall,omitempty"`
}

// TraceConfig holds driver-specific settings.
type TraceConfig struct {
	// AccessTokenFile is the Lightstep access token path.
	AccessTokenFile string `json:"access_token_file,omitempty"`
	// CollectorCluster is the Envoy cluster of the collector.
	CollectorCluster string `json:"collector_cluster,omitempty"`
	// CollectorEndpoint is the collector's API path.
	CollectorEndpoint string `json:"collector_endpoint,omitempty"`
	// CollectorEndpointVersion is the Zipkin API flavour.
	CollectorEndpointVersion CollectorEndpointVersion `json:"collector_endpoint_version,omitempty"`
	// CollectorHostname is the Host header sent to the collector.
	CollectorHostname string `json:"collector_hostname,omitempty"`
	// PropagationModes are the trace context formats (Lightstep).
	PropagationModes []PropagationMode `json:"propagation_modes,omitempty"`
	// TraceID128Bit uses 128-bit trace ids.
	TraceID128Bit *bool `json:"trace_id_128bit,omitempty"`
	// SharedSpanContext shares span context between client and server
	// spans (Zipkin).
	SharedSpanContext *bool `json:"shared_span_context,omitempty"`
	// ServiceName is the service name reported to the backend.
	ServiceName string `json:"service_name,omitempty"`
}

// TracingCustomTagLiteral is a constant tag value.
type TracingCustomTagLiteral struct {
	// Value is the tag value.
	//
	// +kubebuilder:validation:Required
	Value string `json:"value"`
}

// TracingCustomTagEnvironment takes a tag value from an environment
// variable.
type TracingCustomTagEnvironment struct {
	// Name is the variable name.
	//
	// +kubebuilder:validation:Required
	Name string `json:"name"`
	// DefaultValue is used when the variable is unset; nil means none.
	DefaultValue *string `json:"default_value,omitempty"`
}

// TracingCustomTagRequestHeader takes a tag value from a request header.
type TracingCustomTagRequestHeader struct {
	// Name is the header name.
	//
	// +kubebuilder:validation:Required
	Name string `json:"name"`
	// DefaultValue is used when the header is absent; nil means none.
	DefaultValue *string `json:"default_value,omitempty"`
}

// TracingCustomTag adds a tag to every span; exactly one of Literal,
// Environment, RequestHeader is set.
type TracingCustomTag struct {
	// Tag is the tag name.
	//
	// +kubebuilder:validation:Required
	Tag string `json:"tag"`
	// Literal is a constant value.
	Literal *TracingCustomTagLiteral `json:"literal,omitempty"`
	// Environment reads the value from an environment variable.
	Environment *TracingCustomTagEnvironment `json:"environment,omitempty"`
	// RequestHeader reads the value from a request header.
	RequestHeader *TracingCustomTagRequestHeader `json:"request_header,omitempty"`
}

// TracingServiceSpec configures distributed tracing.
type TracingServiceSpec struct {
	// AmbassadorID selects the Emissary instances that use this service.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Driver is the tracing backend.
	//
	// +kubebuilder:validation:Required
	Driver TracingDriver `json:"driver"`
	// Service is the collector address.
	//
	// +kubebuilder:validation:Required
	Service string `json:"service"`
	// Sampling sets sampling percentages.
	Sampling *TraceSampling `json:"sampling,omitempty"`
	// TagHeaders is deprecated: each entry equals a custom_tags entry with
	// request_header.name set to it.
	TagHeaders []string `json:"tag_headers,omitempty"`
	// CustomTags add tags to every span.
	CustomTags []TracingCustomTag `json:"custom_tags,omitempty"`
	// Config holds driver-specific settings.
	Config *TraceConfig `json:"config,omitempty"`
	// StatsName overrides the name used for stats.
	StatsName string `json:"stats_name,omitempty"`
}

// TracingService sends trace spans to a tracing backend.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type TracingService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec TracingServiceSpec `json:"spec,omitempty"`
}

// TracingServiceList is a list of TracingServices.
//
// +kubebuilder:object:root=true
type TracingServiceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TracingService `json:"items"`
}

func init() { SchemeBuilder.Register(&TracingService{}, &TracingServiceList{}) }
