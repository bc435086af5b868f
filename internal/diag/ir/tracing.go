package ir

import (
	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Tracing is the tracer every HTTP request reports spans to, from the
// TracingService.
type Tracing struct {
	Key string `json:"key"`
	// Driver is zipkin, datadog or opentelemetry.
	Driver  string `json:"driver"`
	Cluster string `json:"cluster"`
	// ServiceName names the gateway in traces (datadog, opentelemetry).
	ServiceName string `json:"service_name,omitempty"`
	// Zipkin's collector settings.
	CollectorEndpoint        string `json:"collector_endpoint,omitempty"`
	CollectorEndpointVersion string `json:"collector_endpoint_version,omitempty"`
	CollectorHostname        string `json:"collector_hostname,omitempty"`
	TraceID128Bit            bool   `json:"trace_id_128bit,omitempty"`
	SharedSpanContext        *bool  `json:"shared_span_context,omitempty"`
	// Sampling percentages; nil leaves Envoy's default (100).
	ClientSampling  *int        `json:"client_sampling,omitempty"`
	RandomSampling  *int        `json:"random_sampling,omitempty"`
	OverallSampling *int        `json:"overall_sampling,omitempty"`
	CustomTags      []CustomTag `json:"custom_tags,omitempty"`

	cluster *Cluster
}

// CustomTag is a tag every span gets: a literal, an environment
// variable's value or a request header's.
type CustomTag struct {
	Tag string `json:"tag"`
	// Kind is literal, environment or request_header; Name is the
	// variable or header, Value the literal or the default value.
	Kind    string  `json:"kind"`
	Name    string  `json:"name,omitempty"`
	Value   string  `json:"value,omitempty"`
	Default *string `json:"default_value,omitempty"`
}

// buildTracing makes the Tracing of the TracingServices: the first by
// key; others are reported (Emissary drops them all when there are
// several).
func buildTracing(list []*v3alpha1.TracingService, cs *clusterSet, s Settings, d *Diagnostics) *Tracing {
	if len(list) == 0 {
		return nil
	}
	t := list[0]
	key := Key("TracingService", t.Name, t.Namespace)
	for _, other := range list[1:] {
		d.Error(Key("TracingService", other.Name, other.Namespace), "only one TracingService is supported: %s is used", key)
	}
	spec := &t.Spec
	fail := func(format string, args ...any) *Tracing {
		d.Error(key, format+": no tracing", args...)
		return nil
	}
	out := &Tracing{Key: key, Driver: string(spec.Driver)}
	cfg := spec.Config
	if cfg == nil {
		cfg = &v3alpha1.TraceConfig{}
	}
	switch {
	case spec.Service == "":
		return fail("service field is required in TracingService")
	case out.Driver == "":
		return fail("driver field is required in TracingService")
	case out.Driver == "lightstep":
		return fail("the lightstep driver is no longer supported (Envoy removed it): use opentelemetry")
	case out.Driver != "zipkin" && out.Driver != "datadog" && out.Driver != "opentelemetry":
		return fail("driver %s is not one of zipkin, datadog and opentelemetry", out.Driver)
	}
	// Settings a driver does not take would make Envoy refuse the
	// whole configuration: they are reported and left out.
	ignored := func(field string, set bool) {
		if set {
			d.Error(key, "config.%s does not apply to the %s driver: ignored", field, out.Driver)
		}
	}
	ignored("access_token_file", cfg.AccessTokenFile != "")
	ignored("propagation_modes", len(cfg.PropagationModes) > 0)
	ignored("collector_cluster", cfg.CollectorCluster != "") // the cluster is the service's
	switch out.Driver {
	case "zipkin":
		out.CollectorEndpoint = firstNonEmpty(cfg.CollectorEndpoint, "/api/v2/spans")
		out.CollectorEndpointVersion = firstNonEmpty(string(cfg.CollectorEndpointVersion), "HTTP_JSON")
		if out.CollectorEndpointVersion != "HTTP_JSON" && out.CollectorEndpointVersion != "HTTP_PROTO" {
			return fail("collector_endpoint_version must be one of HTTP_JSON, HTTP_PROTO")
		}
		out.CollectorHostname = cfg.CollectorHostname
		out.TraceID128Bit = cfg.TraceID128Bit == nil || *cfg.TraceID128Bit
		out.SharedSpanContext = cfg.SharedSpanContext
		ignored("service_name", cfg.ServiceName != "")
	case "datadog":
		out.ServiceName = firstNonEmpty(cfg.ServiceName, "ambassador")
		out.CollectorHostname = cfg.CollectorHostname
		ignored("collector_endpoint", cfg.CollectorEndpoint != "")
		ignored("collector_endpoint_version", cfg.CollectorEndpointVersion != "")
		ignored("trace_id_128bit", cfg.TraceID128Bit != nil)
		ignored("shared_span_context", cfg.SharedSpanContext != nil)
	case "opentelemetry":
		out.ServiceName = firstNonEmpty(cfg.ServiceName, "ambassador")
		ignored("collector_endpoint", cfg.CollectorEndpoint != "")
		ignored("collector_endpoint_version", cfg.CollectorEndpointVersion != "")
		ignored("collector_hostname", cfg.CollectorHostname != "")
		ignored("trace_id_128bit", cfg.TraceID128Bit != nil)
		ignored("shared_span_context", cfg.SharedSpanContext != nil)
	}
	if sm := spec.Sampling; sm != nil {
		for name, p := range map[string]*int{"client": sm.Client, "random": sm.Random, "overall": sm.Overall} {
			if p != nil && (*p < 0 || *p > 100) {
				return fail("sampling.%s %d is not a percentage (0-100)", name, *p)
			}
		}
		out.ClientSampling, out.RandomSampling, out.OverallSampling = sm.Client, sm.Random, sm.Overall
	}
	for i, ct := range spec.CustomTags {
		tag := CustomTag{Tag: ct.Tag}
		kinds := 0
		if ct.Literal != nil {
			kinds++
			tag.Kind, tag.Value = "literal", ct.Literal.Value
		}
		if ct.Environment != nil {
			kinds++
			tag.Kind, tag.Name, tag.Default = "environment", ct.Environment.Name, ct.Environment.DefaultValue
		}
		if ct.RequestHeader != nil {
			kinds++
			tag.Kind, tag.Name, tag.Default = "request_header", ct.RequestHeader.Name, ct.RequestHeader.DefaultValue
		}
		switch {
		case ct.Tag == "":
			d.Error(key, "custom_tags[%d]: tag is required: tag ignored", i)
		case kinds != 1:
			d.Error(key, "custom_tags[%d]: a tag is exactly one of literal, environment and request_header, not %d: tag ignored", i, kinds)
		case tag.Kind != "literal" && tag.Name == "":
			d.Error(key, "custom_tags[%d]: %s.name is required: tag ignored", i, tag.Kind)
		default:
			out.CustomTags = append(out.CustomTags, tag)
		}
	}
	// tag_headers, the older way, tag spans with request headers.
	if len(spec.CustomTags) == 0 {
		for _, h := range spec.TagHeaders {
			out.CustomTags = append(out.CustomTags, CustomTag{Tag: h, Kind: "request_header", Name: h})
		}
	} else if len(spec.TagHeaders) > 0 {
		d.Error(key, "tag_headers is ignored when custom_tags is set")
	}
	m := &Mapping{
		Key: key, Name: t.Name, Namespace: t.Namespace, Service: spec.Service, Resolver: firstNonEmpty(s.Resolver, "kubernetes-service"),
		GRPC: out.Driver == "opentelemetry", ConnectTimeoutMs: 3000, StatsName: spec.StatsName,
		EnableIPv4: boolOr(nil, s.EnableIPv4), EnableIPv6: boolOr(nil, s.EnableIPv6), CircuitBreakers: s.CircuitBreakers,
	}
	if out.cluster = cs.clusterFor(m, "tracing", d); out.cluster == nil {
		return fail("the service's cluster cannot be made")
	}
	return out
}
