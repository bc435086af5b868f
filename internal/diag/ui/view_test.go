package ui

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// inputFrom translates a test configuration the way diagd does, as the
// configuration in force.
func inputFrom(t *testing.T, path string) Input {
	t.Helper()
	snap, err := snapshot.FromFiles([]string{path}, "default")
	if err != nil {
		t.Fatal(err)
	}
	return Input{IR: ir.Build(snap, ir.Options{}), Snapshot: snap}
}

func inputFromYAML(t *testing.T, yaml string) Input {
	t.Helper()
	snap := snapshot.FromYAML("test.yaml", []byte(yaml), "default")
	return Input{IR: ir.Build(snap, ir.Options{}), Snapshot: snap}
}

func routeFor(t *testing.T, routes []Route, path string, internal bool) Route {
	t.Helper()
	for _, r := range routes {
		if r.Match.Path == path && r.Internal == internal && len(r.Match.Query) == 0 && !slices.ContainsFunc(r.Match.Headers, func(h string) bool { return !strings.HasPrefix(h, ":authority") }) {
			return r
		}
	}
	t.Fatalf("no route for %s (internal %v) in %+v", path, internal, routes)
	return Route{}
}

func clusterNamed(t *testing.T, clusters []Cluster, name string) Cluster {
	t.Helper()
	for _, c := range clusters {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no cluster %s", name)
	return Cluster{}
}

func TestOverviewErrorsMatchTheGoldenDiagnostics(t *testing.T) {
	o := BuildOverview(inputFrom(t, "../testdata/errors/in.yaml"))

	data, err := os.ReadFile("../testdata/errors/diagnostics.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Errors  map[string][]string `json:"errors"`
		Notices map[string][]string `json:"notices"`
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	// The golden file was made from the diag directory: file names in
	// messages are relative to it.
	byKey := func(ps []Problem) map[string][]string {
		out := map[string][]string{}
		for _, p := range ps {
			out[p.Key] = append(out[p.Key], strings.ReplaceAll(p.Message, "../testdata/", "testdata/"))
		}
		return out
	}
	if got := byKey(o.Errors); !mapsEqual(got, golden.Errors) {
		t.Errorf("errors:\n got %v\nwant %v", got, golden.Errors)
	}
	if got := byKey(o.Notices); !mapsEqual(got, golden.Notices) {
		t.Errorf("notices:\n got %v\nwant %v", got, golden.Notices)
	}
	if !slices.IsSortedFunc(o.Errors, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) }) {
		t.Errorf("errors are not sorted by resource: %v", o.Errors)
	}
	for _, p := range o.Errors {
		if p.Key == "Mapping/bad-regex.default" && (p.Kind != "Mapping" || p.Name != "bad-regex" || p.Namespace != "default") {
			t.Errorf("problem key not split into kind, name, namespace: %+v", p)
		}
	}
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestOverviewOfTheErrorsConfiguration(t *testing.T) {
	o := BuildOverview(inputFrom(t, "../testdata/errors/in.yaml"))

	t.Run("the good mapping routes to its cluster", func(t *testing.T) {
		r := routeFor(t, o.Routes, "/good/", false)
		want := []RouteTarget{{Cluster: "cluster_good_default", Service: "good", Weight: 100, Rewrite: "/", Source: "Mapping/good.default"}}
		if !slices.Equal(r.Targets, want) || r.Source != "Mapping/good.default" || r.Match.Kind != "prefix" || r.Match.Host != "*" {
			t.Errorf("route /good/ = %+v, want targets %+v", r, want)
		}
	})
	t.Run("broken mappings make no routes", func(t *testing.T) {
		for _, r := range o.Routes {
			for _, p := range []string{"/bad/(", "/port/", "/none/", "/res/"} {
				if r.Match.Path == p {
					t.Errorf("route for broken mapping: %+v", r)
				}
			}
		}
	})
	t.Run("diagd's own routes are internal and come from the Module", func(t *testing.T) {
		r := routeFor(t, o.Routes, "/ambassador/v0/", true)
		if r.Source != "Module/ambassador.default" || len(r.Targets) != 1 || r.Targets[0].Cluster != "cluster_127_0_0_1_8877_default" {
			t.Errorf("internal route = %+v", r)
		}
		if n := len(slices.DeleteFunc(slices.Clone(o.Routes), func(r Route) bool { return !r.Internal })); n != 3 {
			t.Errorf("%d internal routes, want 3", n)
		}
	})
	t.Run("every route links to an existing cluster", func(t *testing.T) {
		for _, r := range o.Routes {
			for _, tg := range r.Targets {
				clusterNamed(t, o.Clusters, tg.Cluster)
			}
			if r.Shadow != "" {
				clusterNamed(t, o.Clusters, r.Shadow)
			}
		}
	})
	t.Run("an overweight group is scaled to 100", func(t *testing.T) {
		r := routeFor(t, o.Routes, "/heavy/", false)
		if sum := weightSum(r); sum != 100 {
			t.Errorf("weights %+v sum to %d", r.Targets, sum)
		}
	})
	t.Run("clusters", func(t *testing.T) {
		good := clusterNamed(t, o.Clusters, "cluster_good_default")
		if good.Type != "STRICT_DNS" || good.Resolver != "KubernetesServiceResolver" || good.Service != "good" ||
			!slices.Equal(good.Endpoints, []string{"good:80"}) || !slices.Equal(good.ReferencedBy, []string{"Mapping/good.default"}) {
			t.Errorf("cluster_good_default = %+v", good)
		}
		ghost := clusterNamed(t, o.Clusters, "cluster_ghost_default")
		if ghost.Type != "EDS" || ghost.Resolver != "KubernetesEndpointResolver" || len(ghost.Endpoints) != 0 {
			t.Errorf("an EDS cluster of a missing service has no endpoints: %+v", ghost)
		}
	})
	t.Run("listeners and hosts", func(t *testing.T) {
		if len(o.Listeners) != 1 || o.Listeners[0].Key != "Listener/http-again.default" || o.Listeners[0].Port != 8080 {
			t.Errorf("listeners = %+v, want only http-again (http clashes with it)", o.Listeners)
		}
		if len(o.Hosts) != 1 || !o.Hosts[0].Implicit || o.Hosts[0].Hostname != "*" {
			t.Errorf("hosts = %+v, want the implicit default host (missing-secret is rejected)", o.Hosts)
		}
	})
	t.Run("resources with error counts", func(t *testing.T) {
		counts := map[string]int{}
		for _, r := range o.Resources {
			counts[r.Key] = r.Errors
		}
		for key, want := range map[string]int{"Mapping/good.default": 0, "Mapping/bad-regex.default": 1, "Listener/http.default": 1, "Listener/http-again.default": 0} {
			if got, ok := counts[key]; !ok || got != want {
				t.Errorf("resource %s: errors %d (listed %v), want %d", key, got, ok, want)
			}
		}
	})
	t.Run("no failed attempt, no failed errors", func(t *testing.T) {
		if o.FailedErrors != nil {
			t.Errorf("FailedErrors = %v", o.FailedErrors)
		}
	})
}

func weightSum(r Route) int {
	sum := 0
	for _, t := range r.Targets {
		sum += t.Weight
	}
	return sum
}

func TestOverviewOfACanary(t *testing.T) {
	o := BuildOverview(inputFrom(t, "../testdata/canary/in.yaml"))
	if len(o.Errors) != 0 {
		t.Errorf("errors: %v", o.Errors)
	}

	r := routeFor(t, o.Routes, "/quote/", false)
	weights := map[string]int{}
	for _, tg := range r.Targets {
		weights[tg.Cluster] = tg.Weight
	}
	if weights["cluster_quote_canary_default"] != 10 || weights["cluster_quote_stable_default"] != 90 || len(weights) != 2 {
		t.Errorf("canary weights = %v, want canary 10 and stable 90", weights)
	}
	if sum := weightSum(r); sum != 100 {
		t.Errorf("canary weights sum to %d", sum)
	}
	if r.Shadow != "cluster_shadow_quote_shadow_default" {
		t.Errorf("shadow = %q", r.Shadow)
	}

	beta, exact, regex, canary := -1, -1, -1, -1
	for i, r := range o.Routes {
		switch r.Match.Path {
		case "/quote/":
			if len(r.Match.Query) > 0 {
				beta = i
			} else {
				canary = i
			}
		case "/quote/health":
			exact = i
		case "/quote/v[0-9]+/":
			regex = i
		}
	}
	if beta < 0 || exact < 0 || regex < 0 {
		t.Fatalf("missing routes: beta %d, exact %d, regex %d", beta, exact, regex)
	}
	if m := o.Routes[beta].Match; !slices.Contains(m.Headers, "x-beta = true") || !slices.Equal(m.Query, []string{"debug = 1"}) {
		t.Errorf("header/query route = %+v", m)
	}
	if r := o.Routes[exact]; r.Match.Kind != "exact" || r.Precedence != 10 {
		t.Errorf("exact route = %+v", r)
	}
	if m := o.Routes[regex].Match; m.Kind != "regex" || !slices.Contains(m.Headers, "x-tenant ~ ^acme-.*$") {
		t.Errorf("regex route = %+v", m)
	}
	if beta > canary {
		t.Errorf("the more specific header route (#%d) must come before the canary group (#%d)", beta, canary)
	}
}

const edsConfig = `
apiVersion: getambassador.io/v3alpha1
kind: KubernetesEndpointResolver
metadata: {name: endpoint, namespace: default}
spec: {}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: cart, namespace: shop}
spec: {hostname: "*", prefix: /cart/, service: cart:8080, resolver: endpoint}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: cart-admin, namespace: shop}
spec: {hostname: "*", prefix: /cart-admin/, service: cart:9090, resolver: endpoint}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  ports:
  - {name: http, port: 8080, targetPort: 8081}
  - {name: admin, port: 9090, targetPort: admin}
---
apiVersion: v1
kind: Endpoints
metadata: {name: cart, namespace: shop}
subsets:
- addresses: [{ip: 10.1.0.2}, {ip: 10.1.0.1}]
  notReadyAddresses: [{ip: 10.1.0.9}]
  ports:
  - {name: http, port: 8081}
  - {name: admin, port: 9191}
`

func TestEDSClustersListTheirEndpoints(t *testing.T) {
	in := inputFromYAML(t, edsConfig)
	o := BuildOverview(in)
	if len(o.Errors) != 0 {
		t.Fatalf("errors: %v", o.Errors)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"numeric targetPort", "/cart/", []string{"10.1.0.1:8081", "10.1.0.2:8081"}},
		{"named targetPort", "/cart-admin/", []string{"10.1.0.1:9191", "10.1.0.2:9191"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := routeFor(t, o.Routes, tc.path, false)
			c := clusterNamed(t, o.Clusters, r.Targets[0].Cluster)
			if c.Type != "EDS" || c.Resolver != "KubernetesEndpointResolver" || c.Service != "cart" || c.Namespace != "shop" {
				t.Errorf("cluster = %+v", c)
			}
			if !slices.Equal(c.Endpoints, tc.want) {
				t.Errorf("endpoints = %v, want %v (ready addresses, on the Service's target port)", c.Endpoints, tc.want)
			}
		})
	}

	t.Run("without the snapshot there are no endpoints to show", func(t *testing.T) {
		o := BuildOverview(Input{IR: in.IR})
		for _, c := range o.Clusters {
			if c.Type == "EDS" && len(c.Endpoints) != 0 {
				t.Errorf("%s endpoints %v", c.Name, c.Endpoints)
			}
		}
	})
}

func TestResourcePage(t *testing.T) {
	in := inputFrom(t, "../testdata/errors/in.yaml")

	t.Run("a rejected mapping shows its error and nothing it made", func(t *testing.T) {
		p, ok := BuildResourcePage(in, "Mapping/bad-regex.default")
		if !ok {
			t.Fatal("no page")
		}
		if p.Resource.Kind != "Mapping" || p.Resource.Name != "bad-regex" || p.Resource.Errors != 1 {
			t.Errorf("resource = %+v", p.Resource)
		}
		if len(p.Errors) != 1 || !strings.Contains(p.Errors[0], `invalid regex "/bad/("`) {
			t.Errorf("errors = %v", p.Errors)
		}
		if len(p.Routes) != 0 || len(p.Clusters) != 0 {
			t.Errorf("a rejected Mapping has routes %v, clusters %v", p.Routes, p.Clusters)
		}
	})
	t.Run("a good mapping shows its route and cluster", func(t *testing.T) {
		p, ok := BuildResourcePage(in, "Mapping/good.default")
		if !ok {
			t.Fatal("no page")
		}
		if len(p.Errors) != 0 || len(p.Routes) != 1 || p.Routes[0].Match.Path != "/good/" {
			t.Errorf("errors %v, routes %+v", p.Errors, p.Routes)
		}
		if len(p.Clusters) != 1 || p.Clusters[0].Name != "cluster_good_default" {
			t.Errorf("clusters = %+v", p.Clusters)
		}
	})
	t.Run("the second mapping of a group shows the group's route and all its clusters", func(t *testing.T) {
		p, _ := BuildResourcePage(in, "Mapping/overweight-b.default")
		if len(p.Routes) != 1 || p.Routes[0].Match.Path != "/heavy/" {
			t.Fatalf("routes = %+v", p.Routes)
		}
		var names []string
		for _, c := range p.Clusters {
			names = append(names, c.Name)
		}
		if !slices.Equal(names, []string{"cluster_a_default", "cluster_b_default"}) {
			t.Errorf("clusters = %v", names)
		}
	})
	t.Run("a listener page shows the listener", func(t *testing.T) {
		p, _ := BuildResourcePage(in, "Listener/http-again.default")
		if len(p.Listeners) != 1 || p.Listeners[0].Port != 8080 || len(p.Routes) != 0 {
			t.Errorf("page = %+v", p)
		}
		p, _ = BuildResourcePage(in, "Listener/http.default")
		if len(p.Listeners) != 0 || len(p.Errors) != 1 {
			t.Errorf("the clashing listener: %+v", p)
		}
	})
	t.Run("unknown keys have no page", func(t *testing.T) {
		for _, key := range []string{"Mapping/nope.default", "Mapping/good.elsewhere", "", "Mapping"} {
			if _, ok := BuildResourcePage(in, key); ok {
				t.Errorf("%q has a page", key)
			}
		}
	})
	t.Run("before the first configuration nothing has a page", func(t *testing.T) {
		if _, ok := BuildResourcePage(Input{}, "Mapping/good.default"); ok {
			t.Error("page without an IR")
		}
	})
}

func TestOverviewBeforeAndAfterAFailure(t *testing.T) {
	t.Run("waiting", func(t *testing.T) {
		o := BuildOverview(Input{System: System{Version: "v1"}})
		if o.Routes != nil || o.Clusters != nil || o.Resources != nil || o.Errors != nil || o.System.Version != "v1" {
			t.Errorf("overview without an IR = %+v", o)
		}
	})
	t.Run("a failed attempt's errors are kept apart", func(t *testing.T) {
		good := inputFrom(t, "../testdata/canary/in.yaml")
		bad := inputFrom(t, "../testdata/errors/in.yaml")
		good.Failed = bad.IR
		o := BuildOverview(good)
		if len(o.Errors) != 0 {
			t.Errorf("the configuration in force has errors %v", o.Errors)
		}
		if len(o.FailedErrors) != 10 || !slices.ContainsFunc(o.FailedErrors, func(p Problem) bool { return p.Message == "resolver nope is unknown" }) {
			t.Errorf("failed errors = %v", o.FailedErrors)
		}
		routeFor(t, o.Routes, "/quote/", false)
	})
}

// The services every request may involve are listed with the resources
// that configure them and their clusters, and rendered.
func TestOverviewListsExternalServices(t *testing.T) {
	in := inputFromYAML(t, `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: AuthService
metadata: {name: auth, namespace: default}
spec: {auth_service: "auth:3000", path_prefix: /check}
---
apiVersion: getambassador.io/v3alpha1
kind: AuthService
metadata: {name: auth-b, namespace: default}
spec: {auth_service: "auth-b:3000", path_prefix: /check}
---
apiVersion: getambassador.io/v3alpha1
kind: RateLimitService
metadata: {name: rl, namespace: default}
spec: {service: "rl:8081", protocol_version: v3}
---
apiVersion: getambassador.io/v3alpha1
kind: LogService
metadata: {name: als, namespace: default}
spec: {service: "als:9001", protocol_version: v3, driver: http}
---
apiVersion: getambassador.io/v3alpha1
kind: TracingService
metadata: {name: zipkin, namespace: default}
spec: {service: "zipkin:9411", driver: zipkin}
`)
	o := BuildOverview(in)
	var got []string
	for _, s := range o.Services {
		got = append(got, s.Role+" "+strings.Join(s.Keys, ",")+" "+s.Cluster+" ("+s.Detail+")")
	}
	want := []string{
		"authorization AuthService/auth-b.default,AuthService/auth.default cluster_extauth_auth_b_3000_default (http, timeout 5000 ms, path prefix /check)", // the first by name decides
		"rate limits RateLimitService/rl.default cluster_rl_8081_default (domain ambassador, timeout 20 ms)",
		"access logs LogService/als.default cluster_logging_als_9001_default (http driver, flushed every 1 s)",
		"tracing TracingService/zipkin.default cluster_tracing_zipkin_9411_default (zipkin)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("services:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	page := renderOverview(t, in)
	for _, w := range []string{`id="services"`, "cluster_extauth_auth_b_3000_default", "domain ambassador", `href="/ambassador/v0/diag/AuthService/auth.default"`} {
		if !strings.Contains(page, w) {
			t.Errorf("the overview page lacks %s", w)
		}
	}
}
