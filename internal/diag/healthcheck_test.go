package diag

import (
	"fmt"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
)

// Each cluster's active health checks, read back from envoy.json: only
// the endpoint resolver's clusters get them, the first Mapping's hold
// for a shared cluster, and bad checks or status ranges are left out.
func TestHealthChecks(t *testing.T) {
	out := translateDir(t, "health-checks")
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(out.EnvoyJSON(), &b); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range b.GetStaticResources().GetClusters() {
		var checks []string
		for _, h := range c.GetHealthChecks() {
			s := fmt.Sprintf("%v/%v/%d/%d ", h.GetTimeout().AsDuration(), h.GetInterval().AsDuration(), h.GetHealthyThreshold().GetValue(), h.GetUnhealthyThreshold().GetValue())
			if g := h.GetGrpcHealthCheck(); g != nil {
				s += "grpc " + g.GetServiceName() + "@" + g.GetAuthority()
			}
			if p := h.GetHttpHealthCheck(); p != nil {
				s += "http " + p.GetHost() + p.GetPath()
				for _, r := range p.GetExpectedStatuses() {
					s += fmt.Sprintf(" [%d,%d)", r.GetStart(), r.GetEnd())
				}
			}
			checks = append(checks, s)
		}
		got[c.GetName()] = strings.Join(checks, "; ")
	}
	want := map[string]string{
		"cluster_web_default":            "1s/10s/2/3 http web.internal/healthz [200,300)",
		"cluster_grpc_svc_50051_default": "3s/5s/1/2 grpc grpc.health.v1.Health@grpc-svc",
		"cluster_dns_default":            "",
		"cluster_both_default":           "",
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || g != w {
			t.Errorf("%s: health checks %q, want %q", name, g, w)
		}
	}
	errs := out.IR.Diagnostics.Errors
	for key, want := range map[string]string{
		"Mapping/dns-checked.default":  "need a resolver that gives Envoy the endpoints",
		"Mapping/both.default":         "exactly one of http and grpc",
		"Mapping/same-cluster.default": "differ from those of Mapping/http-checked.default",
		"Mapping/http-checked.default": "300-200 is not a range",
	} {
		if !strings.Contains(fmt.Sprint(errs[key]), want) {
			t.Errorf("%s: errors %v, want %q", key, errs[key], want)
		}
	}
	// Reported Mappings still route.
	routed := map[string]bool{}
	for _, g := range out.IR.Groups {
		for _, m := range g.Mappings {
			routed[m.Name] = true
		}
	}
	for _, name := range []string{"http-checked", "grpc-checked", "same-cluster", "dns-checked", "both"} {
		if !routed[name] {
			t.Errorf("Mapping %s does not route: a bad health check must not drop it", name)
		}
	}
}
