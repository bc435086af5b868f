package diag

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	ratelimitv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ratelimit/v3"

	"github.com/emissary-go/emissary/internal/snapshot"
)

// describe writes a route's rate limit descriptors compactly:
// "remote_address,generic_key(k=v)|..." per group.
func describe(rls []*routev3.RateLimit) string {
	var groups []string
	for _, rl := range rls {
		var parts []string
		for _, a := range rl.GetActions() {
			switch {
			case a.GetSourceCluster() != nil:
				parts = append(parts, "source_cluster")
			case a.GetDestinationCluster() != nil:
				parts = append(parts, "destination_cluster")
			case a.GetRemoteAddress() != nil:
				parts = append(parts, "remote_address")
			case a.GetGenericKey() != nil:
				parts = append(parts, fmt.Sprintf("generic_key(%s=%s)", a.GetGenericKey().GetDescriptorKey(), a.GetGenericKey().GetDescriptorValue()))
			case a.GetRequestHeaders() != nil:
				h := a.GetRequestHeaders()
				parts = append(parts, fmt.Sprintf("header(%s=%s,skip=%v)", h.GetDescriptorKey(), h.GetHeaderName(), h.GetSkipIfAbsent()))
			}
		}
		groups = append(groups, strings.Join(parts, ","))
	}
	return strings.Join(groups, "|")
}

// Labels in the service's domain become each route's descriptors, the
// Module's defaults first; the filter asks the service's cluster.
func TestRateLimitLabels(t *testing.T) {
	out := translateDir(t, "ratelimit")
	b, hcm := mainConnectionManager(t, out)
	var names []string
	var filter ratelimitv3.RateLimit
	for _, f := range hcm.GetHttpFilters() {
		names = append(names, f.GetName())
		if f.GetName() == "envoy.filters.http.ratelimit" {
			if err := f.GetTypedConfig().UnmarshalTo(&filter); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := []string{"envoy.filters.http.cors", "envoy.filters.http.ratelimit", "envoy.filters.http.router"}; !slices.Equal(names, want) {
		t.Errorf("filters %v, want %v", names, want)
	}
	cluster := filter.GetRateLimitService().GetGrpcService().GetEnvoyGrpc().GetClusterName()
	if filter.GetDomain() != "ambassador" || filter.GetTimeout().AsDuration().String() != "500ms" || !filter.GetFailureModeDeny() ||
		!filter.GetRateLimitedAsResourceExhausted() || cluster != "cluster_ratelimit_8081_default" {
		t.Errorf("ratelimit filter %v", &filter)
	}
	http2 := false
	for _, c := range b.GetStaticResources().GetClusters() {
		if c.GetName() == cluster {
			http2 = c.GetHttp2ProtocolOptions() != nil
		}
	}
	if !http2 {
		t.Errorf("cluster %s is missing or does not speak HTTP/2 (gRPC)", cluster)
	}

	got := map[string]string{}
	for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			got[r.GetMatch().GetPrefix()] = describe(r.GetRoute().GetRateLimits())
		}
	}
	for prefix, want := range map[string]string{
		"/limited/": "remote_address,source_cluster,destination_cluster,generic_key(generic_key=rltest)|" +
			"remote_address,generic_key(route=limited),header(user=X-User,skip=true)|remote_address",
		"/plain/":         "remote_address",
		"/ambassador/v0/": "remote_address",
		"/bad/":           "remote_address,generic_key(generic_key=kept)",
		"/elsewhere/":     "", // its labels are in another domain
		"/moved/":         "", // a redirect asks no one
	} {
		if got[prefix] != want {
			t.Errorf("%s: descriptors %q, want %q", prefix, got[prefix], want)
		}
	}
}

// A RateLimitService that cannot be used is reported and nothing asks it.
func TestRateLimitServiceNeedsProtocolV3(t *testing.T) {
	in := `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: RateLimitService
metadata: {name: ratelimit, namespace: default}
spec: {service: "ratelimit:8081"}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: limited, namespace: default}
spec: {hostname: "*", prefix: /limited/, service: httpbin, labels: {ambassador: [{g: [{remote_address: {key: remote_address}}]}]}}
`
	out, err := Translate(snapshot.FromYAML("in.yaml", []byte(in), "default"), TranslateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := fmt.Sprint(out.IR.Diagnostics.Errors["RateLimitService/ratelimit.default"]); !strings.Contains(errs, `protocol_version v2 is unsupported, protocol_version must be "v3"`) {
		t.Errorf("errors: %s", errs)
	}
	if strings.Contains(string(out.EnvoyJSON()), "ratelimit") || strings.Contains(string(out.EnvoyJSON()), "rate_limits") {
		t.Error("an unusable RateLimitService still shows in envoy.json")
	}
}
