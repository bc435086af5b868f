package envoy

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tracev3 "github.com/envoyproxy/go-control-plane/envoy/config/trace/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tracingtypev3 "github.com/envoyproxy/go-control-plane/envoy/type/tracing/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/proto"

	"github.com/emissary-go/emissary/internal/diag/ir"
)

// tracing is a connection manager's tracing: the TracingService's
// provider, sampling and tags. Emissary writes the provider in the
// bootstrap, which Envoy reads only when it starts; here it is in each
// HTTP connection manager (Envoy's current place), so a changed
// TracingService applies without a restart.
// checkedTracing is the tracing of every connection manager, built once;
// nil, with an error on the TracingService, when Envoy would refuse it.
func (t *translator) checkedTracing(tr *ir.Tracing) *hcmv3.HttpConnectionManager_Tracing {
	t.tracingOnce.Do(func() {
		conf := t.tracing(tr)
		if !t.accepted(tr.Key, conf, "the tracing these settings make, so requests are not traced") {
			return
		}
		t.tracingConf = conf
	})
	return t.tracingConf
}

func (t *translator) tracing(tr *ir.Tracing) *hcmv3.HttpConnectionManager_Tracing {
	var name string
	var provider proto.Message
	switch tr.Driver {
	case "zipkin":
		z := &tracev3.ZipkinConfig{
			CollectorCluster:  tr.Cluster,
			CollectorEndpoint: tr.CollectorEndpoint,
			TraceId_128Bit:    tr.TraceID128Bit,
			CollectorEndpointVersion: tracev3.ZipkinConfig_CollectorEndpointVersion(
				tracev3.ZipkinConfig_CollectorEndpointVersion_value[tr.CollectorEndpointVersion]),
			CollectorHostname: tr.CollectorHostname,
		}
		if tr.SharedSpanContext != nil {
			z.SharedSpanContext = boolValue(tr.SharedSpanContext)
		}
		name, provider = "envoy.tracers.zipkin", z
	case "datadog":
		name, provider = "envoy.tracers.datadog", &tracev3.DatadogConfig{CollectorCluster: tr.Cluster, ServiceName: tr.ServiceName, CollectorHostname: tr.CollectorHostname}
	default:
		name, provider = "envoy.tracers.opentelemetry", &tracev3.OpenTelemetryConfig{
			GrpcService: &corev3.GrpcService{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: tr.Cluster}}},
			ServiceName: tr.ServiceName,
		}
	}
	out := &hcmv3.HttpConnectionManager_Tracing{
		Provider:        &tracev3.Tracing_Http{Name: name, ConfigType: &tracev3.Tracing_Http_TypedConfig{TypedConfig: t.any(provider)}},
		ClientSampling:  percent(tr.ClientSampling),
		RandomSampling:  percent(tr.RandomSampling),
		OverallSampling: percent(tr.OverallSampling),
	}
	for _, c := range tr.CustomTags {
		tag := &tracingtypev3.CustomTag{Tag: c.Tag}
		def := ""
		if c.Default != nil {
			def = *c.Default
		}
		switch c.Kind {
		case "literal":
			tag.Type = &tracingtypev3.CustomTag_Literal_{Literal: &tracingtypev3.CustomTag_Literal{Value: c.Value}}
		case "environment":
			tag.Type = &tracingtypev3.CustomTag_Environment_{Environment: &tracingtypev3.CustomTag_Environment{Name: c.Name, DefaultValue: def}}
		default:
			tag.Type = &tracingtypev3.CustomTag_RequestHeader{RequestHeader: &tracingtypev3.CustomTag_Header{Name: c.Name, DefaultValue: def}}
		}
		out.CustomTags = append(out.CustomTags, tag)
	}
	return out
}

func percent(p *int) *typev3.Percent {
	if p == nil {
		return nil
	}
	return &typev3.Percent{Value: float64(*p)}
}
