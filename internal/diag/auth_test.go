package diag

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	extauthzv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	luav3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/lua/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
)

// mainConnectionManager is the HTTP connection manager of the user's
// listener (the first one), read back from envoy.json as Envoy gets it.
func mainConnectionManager(t *testing.T, out *Output) (*bootstrapv3.Bootstrap, *hcmv3.HttpConnectionManager) {
	t.Helper()
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(out.EnvoyJSON(), &b); err != nil {
		t.Fatal(err)
	}
	for _, l := range b.GetStaticResources().GetListeners() {
		if strings.HasPrefix(l.GetName(), "ambassador-") {
			continue // the built-in probe listener
		}
		hcm := &hcmv3.HttpConnectionManager{}
		if err := l.GetFilterChains()[0].GetFilters()[0].GetTypedConfig().UnmarshalTo(hcm); err != nil {
			t.Fatal(err)
		}
		return &b, hcm
	}
	t.Fatal("no user listener")
	return nil, nil
}

// An AuthService puts ext_authz in front of the router, aimed at its own
// cluster; each route is authorized unless it bypasses auth or redirects.
func TestAuthServiceGuardsRoutes(t *testing.T) {
	out := translateDir(t, "auth")
	b, hcm := mainConnectionManager(t, out)

	var names []string
	var authz extauthzv3.ExtAuthz
	for _, f := range hcm.GetHttpFilters() {
		names = append(names, f.GetName())
		if f.GetName() == "envoy.filters.http.ext_authz" {
			if err := f.GetTypedConfig().UnmarshalTo(&authz); err != nil {
				t.Fatal(err)
			}
		}
	}
	if i, j := slices.Index(names, "envoy.filters.http.ext_authz"), slices.Index(names, "envoy.filters.http.router"); i < 0 || j != i+1 {
		t.Fatalf("filters %v: ext_authz must come just before the router", names)
	}
	svc := authz.GetHttpService()
	cluster := svc.GetServerUri().GetCluster()
	if cluster != "cluster_extauth_auth_default_3000_default" || svc.GetPathPrefix() != "/extauth" || svc.GetServerUri().GetTimeout().AsDuration().String() != "2s" {
		t.Errorf("http service %v", svc)
	}
	// The AuthServices that agree share the checks, round-robin.
	var endpoints []string
	for _, c := range b.GetStaticResources().GetClusters() {
		if c.GetName() != cluster {
			continue
		}
		for _, e := range c.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints() {
			a := e.GetEndpoint().GetAddress().GetSocketAddress()
			endpoints = append(endpoints, fmt.Sprintf("%s:%d", a.GetAddress(), a.GetPortValue()))
		}
	}
	if want := []string{"auth.default:3000", "auth-b.default:3000", "auth-c.default:3000"}; !slices.Equal(endpoints, want) {
		t.Errorf("cluster %s endpoints %v, want %v", cluster, endpoints, want)
	}
	var added []string
	for _, h := range svc.GetAuthorizationRequest().GetHeadersToAdd() {
		added = append(added, h.GetKey()+"="+h.GetValue())
	}
	if want := []string{"x-from-gateway=emissary-go", "l5d-dst-override=auth.default:3000"}; !slices.Equal(added, want) {
		t.Errorf("headers added to checks %v, want %v", added, want)
	}
	var allowed []string
	for _, p := range authz.GetAllowedHeaders().GetPatterns() {
		allowed = append(allowed, p.GetExact())
	}
	if !slices.Contains(allowed, "x-tenant") || !slices.Contains(allowed, "authorization") {
		t.Errorf("allowed request headers %v: want the built-in ones and x-tenant", allowed)
	}
	if authz.GetWithRequestBody().GetMaxRequestBytes() != 8192 || !authz.GetWithRequestBody().GetAllowPartialMessage() || authz.GetStatusOnError().GetCode() != 503 {
		t.Errorf("body %v, status on error %v", authz.GetWithRequestBody(), authz.GetStatusOnError())
	}

	got := map[string]string{}
	for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			state := "authorized"
			if cfg := r.GetTypedPerFilterConfig()["envoy.filters.http.ext_authz"]; cfg != nil {
				per := &extauthzv3.ExtAuthzPerRoute{}
				if err := cfg.UnmarshalTo(per); err != nil {
					t.Fatal(err)
				}
				state = "context " + fmt.Sprint(per.GetCheckSettings().GetContextExtensions())
				if per.GetDisabled() {
					state = "disabled"
				}
			}
			key := r.GetMatch().GetPrefix()
			if strings.HasPrefix(key, "/api/") && r.GetRoute() != nil {
				if h := r.GetRequestHeadersToAdd(); len(h) != 1 || h[0].GetHeader().GetKey() != "l5d-dst-override" || h[0].GetHeader().GetValue() != "api:80" {
					t.Errorf("/api/ adds headers %v, want l5d-dst-override: api:80", h)
				}
			}
			if r.GetRedirect() != nil {
				key += " (redirect)"
			}
			if prev, ok := got[key]; ok && prev != state {
				t.Errorf("%s is both %s and %s", key, prev, state)
			}
			got[key] = state
		}
	}
	for prefix, want := range map[string]string{
		"/api/":              "authorized",
		"/public/":           "disabled",
		"/tenant/":           "context map[tenant:acme]",
		"/moved/ (redirect)": "disabled", // host_redirect
		"/api/ (redirect)":   "disabled", // the XFP listener's redirect to https
	} {
		if got[prefix] != want {
			t.Errorf("%s: %q, want %q (all: %v)", prefix, got[prefix], want, got)
		}
	}

	errs := out.IR.Diagnostics.Errors
	if len(errs) != 2 || !strings.Contains(fmt.Sprint(errs["AuthService/third.default"]), "multiple timeout_ms values") ||
		!strings.Contains(fmt.Sprint(errs["AuthService/wrong-proto.default"]), "not used: its proto, protocol_version differ") {
		t.Errorf("want the third AuthService's timeout and the gRPC one reported, and nothing else: %v", errs)
	}
}

// An AuthService that cannot be used fails closed: no ext_authz, and a
// Lua filter answers 500 to everything but the probes.
func TestMisconfiguredAuthServiceFailsClosed(t *testing.T) {
	out := translateDir(t, "auth-misconfigured")
	_, hcm := mainConnectionManager(t, out)
	var script string
	for _, f := range hcm.GetHttpFilters() {
		if f.GetName() == "envoy.filters.http.ext_authz" {
			t.Error("a misconfigured AuthService must not be called")
		}
		if f.GetName() == "envoy.filters.http.lua" {
			l := &luav3.Lua{}
			if err := f.GetTypedConfig().UnmarshalTo(l); err != nil {
				t.Fatal(err)
			}
			script = l.GetDefaultSourceCode().GetInlineString()
		}
	}
	if !strings.Contains(script, "500") || !strings.Contains(script, "/ambassador/v0/check_alive") {
		t.Errorf("fail-closed script %q", script)
	}
	if errs := out.IR.Diagnostics.Errors["AuthService/grpc-auth.default"]; len(errs) != 1 || !strings.Contains(errs[0], "protocol_version") {
		t.Errorf("errors: %v", out.IR.Diagnostics.Errors)
	}
}
