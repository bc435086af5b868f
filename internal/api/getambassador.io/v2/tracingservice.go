package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TracingServiceSpec configures distributed tracing.
//
// +kubebuilder:pruning:PreserveUnknownFields
type TracingServiceSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// Driver is the tracing backend.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Enum=lightstep;zipkin;datadog;opentelemetry
	Driver string `json:"driver"`
	// Service is the collector's address.
	// +kubebuilder:validation:Required
	Service string `json:"service"`
	// Sampling sets the sampling percentages.
	Sampling *TraceSampling `json:"sampling,omitempty"`
	// TagHeaders are request headers recorded as span tags (superseded by
	// v3CustomTags).
	TagHeaders []string `json:"tag_headers,omitempty"`
	// Config tunes the driver.
	Config *TraceConfig `json:"config,omitempty"`

	// V3StatsName names the tracing cluster in Envoy stats.
	V3StatsName string `json:"v3StatsName,omitempty"`
	// V3CustomTags add tags to every span.
	V3CustomTags []TracingCustomTag `json:"v3CustomTags,omitempty"`
}

// TraceSampling sets sampling percentages.
type TraceSampling struct {
	// Client is the percentage sampled when the client forces tracing.
	Client *int `json:"client,omitempty"`
	// Random is the percentage of requests sampled at random.
	Random *int `json:"random,omitempty"`
	// Overall caps the total percentage sampled.
	Overall *int `json:"overall,omitempty"`
}

// PropagationMode is a trace-context propagation format.
// +kubebuilder:validation:Enum=ENVOY;LIGHTSTEP;B3;TRACE_CONTEXT
type PropagationMode string

// TraceConfig tunes a tracing driver.
type TraceConfig struct {
	// AccessTokenFile holds the Lightstep access token.
	AccessTokenFile string `json:"access_token_file,omitempty"`
	// CollectorCluster is the Envoy cluster of the collector.
	CollectorCluster string `json:"collector_cluster,omitempty"`
	// CollectorEndpoint is the collector's API path (Zipkin).
	CollectorEndpoint string `json:"collector_endpoint,omitempty"`
	// CollectorEndpointVersion is the Zipkin API version.
	// +kubebuilder:validation:Enum=HTTP_JSON_V1;HTTP_JSON;HTTP_PROTO
	CollectorEndpointVersion string `json:"collector_endpoint_version,omitempty"`
	// CollectorHostname is the Host header sent to the collector.
	CollectorHostname string `json:"collector_hostname,omitempty"`
	// TraceID128Bit uses 128-bit trace ids.
	TraceID128Bit *bool `json:"trace_id_128bit,omitempty"`
	// SharedSpanContext shares span context between client and server spans.
	SharedSpanContext *bool `json:"shared_span_context,omitempty"`
	// ServiceName is the service name reported in spans.
	ServiceName string `json:"service_name,omitempty"`

	// V3PropagationModes are the formats used to propagate trace context.
	V3PropagationModes []PropagationMode `json:"v3PropagationModes,omitempty"`
}

// TracingCustomTag adds one tag to every span; exactly one source is set.
type TracingCustomTag struct {
	// Tag is the tag's name.
	// +kubebuilder:validation:Required
	Tag string `json:"tag"`
	// Literal is a fixed value.
	Literal *TracingCustomTagTypeLiteral `json:"literal,omitempty"`
	// Environment reads an environment variable.
	Environment *TracingCustomTagTypeEnvironment `json:"environment,omitempty"`
	// Header reads a request header.
	Header *TracingCustomTagTypeRequestHeader `json:"request_header,omitempty"`
}

// TracingCustomTagTypeLiteral is a fixed tag value.
type TracingCustomTagTypeLiteral struct {
	// Value is the tag value.
	// +kubebuilder:validation:Required
	Value string `json:"value"`
}

// TracingCustomTagTypeEnvironment takes a tag value from the environment.
type TracingCustomTagTypeEnvironment struct {
	// Name is the environment variable.
	// +kubebuilder:validation:Required
	Name string `json:"name"`
	// DefaultValue is used when it is unset.
	DefaultValue *string `json:"default_value,omitempty"`
}

// TracingCustomTagTypeRequestHeader takes a tag value from a request header.
type TracingCustomTagTypeRequestHeader struct {
	// Name is the header.
	// +kubebuilder:validation:Required
	Name string `json:"name"`
	// DefaultValue is used when it is missing.
	DefaultValue *string `json:"default_value,omitempty"`
}

// TracingService is the getambassador.io/v2 TracingService.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
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
