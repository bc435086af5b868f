package diag

import (
	"fmt"
	"strings"
	"testing"

	tracev3 "github.com/envoyproxy/go-control-plane/envoy/config/trace/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
)

// Tracing reaches every user connection manager, read back from
// envoy.json: the provider aimed at the service's cluster, sampling,
// tags, request ids, child spans, outbound spans.
func TestTracing(t *testing.T) {
	for _, tc := range []struct {
		dir, provider, cluster, tags string
		sampling                     string
	}{
		{"tracing", "envoy.tracers.zipkin", "cluster_tracing_zipkin_9411_default", "ltag:literal etag:environment htag:request_header", "50/10/100"},
		{"tracing-datadog", "envoy.tracers.datadog", "cluster_tracing_datadog_agent_monitoring_8126_default", "x-tenant:request_header x-user:request_header", "0/0/0"},
		{"tracing-opentelemetry", "envoy.tracers.opentelemetry", "cluster_tracing_otel_collector_4317_default", "", "0/0/0"},
	} {
		out := translateDir(t, tc.dir)
		b, hcm := mainConnectionManager(t, out)
		tr := hcm.GetTracing()
		p := tr.GetProvider()
		var cluster string
		switch p.GetName() {
		case "envoy.tracers.zipkin":
			z := &tracev3.ZipkinConfig{}
			if err := p.GetTypedConfig().UnmarshalTo(z); err != nil {
				t.Fatal(err)
			}
			cluster = z.GetCollectorCluster()
			if z.GetCollectorEndpoint() != "/api/v2/spans" || !z.GetTraceId_128Bit() || z.GetCollectorEndpointVersion() != tracev3.ZipkinConfig_HTTP_JSON {
				t.Errorf("%s: zipkin defaults %v", tc.dir, z)
			}
		case "envoy.tracers.datadog":
			dd := &tracev3.DatadogConfig{}
			if err := p.GetTypedConfig().UnmarshalTo(dd); err != nil {
				t.Fatal(err)
			}
			cluster = dd.GetCollectorCluster()
			if dd.GetServiceName() != "ambassador" {
				t.Errorf("%s: service name %q", tc.dir, dd.GetServiceName())
			}
		case "envoy.tracers.opentelemetry":
			o := &tracev3.OpenTelemetryConfig{}
			if err := p.GetTypedConfig().UnmarshalTo(o); err != nil {
				t.Fatal(err)
			}
			cluster = o.GetGrpcService().GetEnvoyGrpc().GetClusterName()
		}
		if p.GetName() != tc.provider || cluster != tc.cluster {
			t.Errorf("%s: provider %s -> %s, want %s -> %s", tc.dir, p.GetName(), cluster, tc.provider, tc.cluster)
		}
		var tags []string
		for _, ct := range tr.GetCustomTags() {
			kind := "literal"
			if ct.GetEnvironment() != nil {
				kind = "environment"
			} else if ct.GetRequestHeader() != nil {
				kind = "request_header"
			}
			tags = append(tags, ct.GetTag()+":"+kind)
		}
		if got := strings.Join(tags, " "); got != tc.tags {
			t.Errorf("%s: tags %q, want %q", tc.dir, got, tc.tags)
		}
		if got := fmt.Sprintf("%v/%v/%v", tr.GetClientSampling().GetValue(), tr.GetRandomSampling().GetValue(), tr.GetOverallSampling().GetValue()); got != tc.sampling {
			t.Errorf("%s: sampling %s, want %s", tc.dir, got, tc.sampling)
		}
		if !hcm.GetGenerateRequestId().GetValue() {
			t.Errorf("%s: request ids are not generated", tc.dir)
		}
		router := &routerv3.Router{}
		if err := hcm.GetHttpFilters()[len(hcm.GetHttpFilters())-1].GetTypedConfig().UnmarshalTo(router); err != nil || !router.GetStartChildSpan() {
			t.Errorf("%s: the router does not start child spans (%v)", tc.dir, err)
		}
		found := false
		for _, c := range b.GetStaticResources().GetClusters() {
			if c.GetName() == tc.cluster {
				found = true
				if grpc := c.GetHttp2ProtocolOptions() != nil; grpc != (tc.provider == "envoy.tracers.opentelemetry") {
					t.Errorf("%s: cluster %s speaks HTTP/2: %v", tc.dir, c.GetName(), grpc)
				}
			}
		}
		if !found {
			t.Errorf("%s: no cluster %s", tc.dir, tc.cluster)
		}
	}
	// Without a TracingService there is none of it.
	_, hcm := mainConnectionManager(t, translateDir(t, "cors"))
	if hcm.GetTracing() != nil || hcm.GetGenerateRequestId() != nil {
		t.Error("tracing without a TracingService")
	}
}

// Datadog's ids join Emissary's default JSON access log.
func TestDatadogIDsInTheJSONAccessLog(t *testing.T) {
	_, file := fileLog(t, translateDir(t, "tracing-datadog"))
	f := file.GetLogFormat().GetJsonFormat().GetFields()
	if f["dd.trace_id"].GetStringValue() != "%REQ(X-DATADOG-TRACE-ID)%" || f["dd.span_id"].GetStringValue() != "%REQ(X-DATADOG-PARENT-ID)%" || f["start_time"] == nil {
		t.Errorf("json access log %v", f)
	}
}
