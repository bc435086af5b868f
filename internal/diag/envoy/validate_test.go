package envoy

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/emissary-go/emissary/internal/diag/diagtest"
	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
)

func mustAny(t *testing.T, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// validConfig is a small but complete configuration: one listener on
// 8080 routing /quote/ to cluster_quote_default.
func validConfig(t *testing.T) *Config {
	t.Helper()
	hcm := &hcmv3.HttpConnectionManager{
		StatPrefix: "ingress_http",
		RouteSpecifier: &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: &routev3.RouteConfiguration{
			Name: "ambassador-listener-8080-routeconfig-0",
			VirtualHosts: []*routev3.VirtualHost{{
				Name:    "ambassador-listener-8080-*",
				Domains: []string{"*"},
				Routes: []*routev3.Route{{
					Match:  &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/quote/"}},
					Action: &routev3.Route_Route{Route: &routev3.RouteAction{ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: "cluster_quote_default"}}},
				}},
			}},
		}},
		HttpFilters: []*hcmv3.HttpFilter{{Name: "envoy.filters.http.router", ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: mustAny(t, &routerv3.Router{})}}},
	}
	return &Config{
		Bootstrap: &bootstrapv3.Bootstrap{Node: &corev3.Node{Id: "test-id", Cluster: "ambassador-default"}},
		Listeners: []*listenerv3.Listener{{
			Name:    "ambassador-listener-8080",
			Address: socket("0.0.0.0", 8080),
			FilterChains: []*listenerv3.FilterChain{{Filters: []*listenerv3.Filter{{
				Name:       "envoy.filters.network.http_connection_manager",
				ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: mustAny(t, hcm)},
			}}}},
		}},
		Clusters: []*clusterv3.Cluster{{
			Name:                 "cluster_quote_default",
			ConnectTimeout:       durationpb.New(3e9),
			ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STRICT_DNS},
		}},
	}
}

func socket(addr string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: addr, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

func TestValidateAcceptsAValidConfig(t *testing.T) {
	if err := Validate(validConfig(t)); err != nil {
		t.Fatal(err)
	}
}

// TestFilterChainsMatchingDifferentConnectionsPass: a server name, a
// transport or an ALPN protocol apart is not a clash.
func TestFilterChainsMatchingDifferentConnectionsPass(t *testing.T) {
	c := validConfig(t)
	l := c.Listeners[0]
	base := l.FilterChains[0]
	for i, m := range []*listenerv3.FilterChainMatch{
		{ServerNames: []string{"a.example.com"}, TransportProtocol: "tls"},
		{ServerNames: []string{"b.example.com"}, TransportProtocol: "tls"},
		{ServerNames: []string{"b.example.com"}, TransportProtocol: "tls", ApplicationProtocols: []string{"h2"}},
		{TransportProtocol: "tls"},
		{},
	} {
		fc := proto.Clone(base).(*listenerv3.FilterChain)
		fc.Name, fc.FilterChainMatch = "chain-"+strconv.Itoa(i), m
		if i == 0 {
			l.FilterChains = nil
		}
		l.FilterChains = append(l.FilterChains, fc)
	}
	if err := Validate(c); err != nil {
		t.Fatal(err)
	}
}

func TestValidateFindsEveryKindOfProblem(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, c *Config)
		want   string
	}{
		{"route to a missing cluster", func(t *testing.T, c *Config) { c.Clusters = nil },
			`cluster "cluster_quote_default" does not exist`},
		{"duplicate cluster", func(t *testing.T, c *Config) { c.Clusters = append(c.Clusters, c.Clusters[0]) },
			"cluster cluster_quote_default: defined twice"},
		{"duplicate listener address", func(t *testing.T, c *Config) {
			l := proto.Clone(c.Listeners[0]).(*listenerv3.Listener)
			l.Name = "another"
			c.Listeners = append(c.Listeners, l)
		}, "address 0.0.0.0:8080 is already used by listener ambassador-listener-8080"},
		{"wildcard listener on a loopback listener's port", func(t *testing.T, c *Config) {
			l := proto.Clone(c.Listeners[0]).(*listenerv3.Listener)
			l.Name = "loopback"
			l.Address = socketAddress("127.0.0.1", 8080)
			c.Listeners = append(c.Listeners, l)
		}, "listener loopback: address 127.0.0.1:8080 is already used by listener ambassador-listener-8080 (0.0.0.0:8080)"},
		{"Envoy constraint violated", func(t *testing.T, c *Config) { c.Clusters[0].Name = "" },
			"Name: value length must be at least 1"},
		{"Any that does not resolve", func(t *testing.T, c *Config) {
			c.Listeners[0].FilterChains[0].Filters[0].GetTypedConfig().TypeUrl = "type.googleapis.com/envoy.nope.v3.Nope"
		}, `typed config "type.googleapis.com/envoy.nope.v3.Nope"`},
		{"invalid message inside an Any", func(t *testing.T, c *Config) {
			editHCM(t, c, func(hcm *hcmv3.HttpConnectionManager) { hcm.StatPrefix = "" })
		}, "StatPrefix: value length must be at least 1"},
		{"a domain in two virtual hosts, differing in case", secondVirtualHost("shouting", "quote.example.com", "QUOTE.EXAMPLE.COM"),
			`virtual host shouting: domain "QUOTE.EXAMPLE.COM" is already in virtual host`},
		{"two wildcard virtual hosts", secondVirtualHost("second", "*", "*"),
			`virtual host second: domain "*" is already in virtual host`},
		{"two filter chains with the same match", func(t *testing.T, c *Config) {
			l := c.Listeners[0]
			twin := proto.Clone(l.FilterChains[0]).(*listenerv3.FilterChain)
			twin.Name = "twin"
			l.FilterChains = append(l.FilterChains, twin)
		}, `filter chain twin matches the same connections as filter chain`},
		{"filter chains sharing one of their server names", func(t *testing.T, c *Config) {
			l := c.Listeners[0]
			l.FilterChains[0].FilterChainMatch = &listenerv3.FilterChainMatch{ServerNames: []string{"a.example.com", "b.example.com"}, TransportProtocol: "tls"}
			other := proto.Clone(l.FilterChains[0]).(*listenerv3.FilterChain)
			other.Name = "other"
			other.FilterChainMatch.ServerNames = []string{"c.example.com", "b.example.com"}
			l.FilterChains = append(l.FilterChains, other)
		}, `filter chain other matches the same connections as filter chain 0 (server name "b.example.com")`},
		{"Any in a route's map that does not resolve", func(t *testing.T, c *Config) {
			editRoute(t, c, func(r *routev3.Route) {
				r.TypedPerFilterConfig = map[string]*anypb.Any{"b": mustAny(t, &routerv3.Router{}), "a": {TypeUrl: "type.googleapis.com/envoy.nope.v3.InAMap"}}
			})
		}, `typed config "type.googleapis.com/envoy.nope.v3.InAMap"`},
		{"invalid message in an Any in a route's oneof", func(t *testing.T, c *Config) {
			editRoute(t, c, func(r *routev3.Route) {
				r.GetRoute().ClusterSpecifier = &routev3.RouteAction_InlineClusterSpecifierPlugin{InlineClusterSpecifierPlugin: &routev3.ClusterSpecifierPlugin{
					Extension: &corev3.TypedExtensionConfig{Name: "x", TypedConfig: mustAny(t, &hcmv3.HttpConnectionManager{})},
				}}
			})
		}, "StatPrefix: value length must be at least 1"},
		{"Any nested in an Any that does not resolve", func(t *testing.T, c *Config) {
			editRoute(t, c, func(r *routev3.Route) {
				r.TypedPerFilterConfig = map[string]*anypb.Any{"x": mustAny(t, &routev3.FilterConfig{Config: &anypb.Any{TypeUrl: "type.googleapis.com/envoy.nope.v3.Nested"}})}
			})
		}, `typed config "type.googleapis.com/envoy.nope.v3.Nested"`},
		{"missing bootstrap", func(t *testing.T, c *Config) { c.Bootstrap = nil }, "bootstrap: missing"},
		{"TCP proxy to a missing cluster", func(t *testing.T, c *Config) {
			proxy := &tcpproxyv3.TcpProxy{StatPrefix: "tcp", ClusterSpecifier: &tcpproxyv3.TcpProxy_Cluster{Cluster: "cluster_gone"}}
			a := mustAny(t, proxy)
			c.Listeners[0].FilterChains = append(c.Listeners[0].FilterChains, &listenerv3.FilterChain{Name: "tcp", Filters: []*listenerv3.Filter{
				{Name: "envoy.filters.network.tcp_proxy", ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: a}},
			}})
		}, `filter chain tcp: tcp_proxy: cluster "cluster_gone" does not exist`},
		{"rate limit service cluster missing", func(t *testing.T, c *Config) {
			addHTTPFilter(t, c, "envoy.filters.http.ratelimit", rateLimitFilter(&ir.RateLimit{Domain: "ambassador", Cluster: "cluster_rls_gone", TimeoutMs: 20}))
		}, `http filter envoy.filters.http.ratelimit: cluster "cluster_rls_gone" does not exist`},
		{"authorization service cluster missing", func(t *testing.T, c *Config) {
			addHTTPFilter(t, c, "envoy.filters.http.ext_authz", extAuthz(&ir.Auth{Proto: "http", Cluster: "cluster_extauth_gone", TimeoutMs: 5000}))
		}, `http filter envoy.filters.http.ext_authz: cluster "cluster_extauth_gone" does not exist`},
		{"tracing collector cluster missing", func(t *testing.T, c *Config) {
			tr := &translator{decoded: map[*anypb.Any]proto.Message{}}
			editHCM(t, c, func(hcm *hcmv3.HttpConnectionManager) {
				hcm.Tracing = tr.tracing(&ir.Tracing{Driver: "zipkin", Cluster: "cluster_tracing_gone", CollectorEndpoint: "/api/v2/spans", CollectorEndpointVersion: "HTTP_JSON"})
			})
		}, `tracing envoy.tracers.zipkin: cluster "cluster_tracing_gone" does not exist`},
		{"invalid route", func(t *testing.T, c *Config) {
			editRoute(t, c, func(r *routev3.Route) { r.Match = nil })
		}, "route 0: invalid Route.Match: value is required"},
		{"regex over its max_program_size", func(t *testing.T, c *Config) {
			editRoute(t, c, func(r *routev3.Route) {
				r.Match.PathSpecifier = &routev3.RouteMatch_SafeRegex{SafeRegex: &matcherv3.RegexMatcher{
					EngineType: &matcherv3.RegexMatcher_GoogleRe2{GoogleRe2: &matcherv3.RegexMatcher_GoogleRE2{MaxProgramSize: wrapperspb.UInt32(1000)}},
					Regex:      `/\p{L}+`,
				}}
			})
		}, `regex "/\\p{L}+": RE2 program size 1199 exceeds max_program_size 1000`}, // RE2 says 1199
		{"header regex over the runtime's limit", func(t *testing.T, c *Config) {
			editRoute(t, c, func(r *routev3.Route) {
				r.Match.Headers = append(r.Match.Headers, &routev3.HeaderMatcher{Name: "x-name", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
					StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: &matcherv3.RegexMatcher{Regex: `\pL`}}},
				}})
			})
		}, "RE2 program size 1197 exceeds max_program_size 200"}, // RE2 says 1197
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig(t)
			tc.break_(t, c)
			err := Validate(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// addHTTPFilter puts a filter first in the first listener's connection
// manager.
func addHTTPFilter(t *testing.T, c *Config, name string, m proto.Message) {
	t.Helper()
	editHCM(t, c, func(hcm *hcmv3.HttpConnectionManager) {
		hcm.HttpFilters = append([]*hcmv3.HttpFilter{{Name: name, ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: mustAny(t, m)}}}, hcm.HttpFilters...)
	})
}

// editRoute changes the first route of the first listener's connection
// manager.
func editRoute(t *testing.T, c *Config, edit func(*routev3.Route)) {
	t.Helper()
	editRouteConfig(t, c, func(rc *routev3.RouteConfiguration) { edit(rc.VirtualHosts[0].Routes[0]) })
}

// editRouteConfig changes the first listener's route table.
func editRouteConfig(t *testing.T, c *Config, edit func(*routev3.RouteConfiguration)) {
	t.Helper()
	editHCM(t, c, func(hcm *hcmv3.HttpConnectionManager) { edit(hcm.GetRouteConfig()) })
}

// editHCM changes the first listener's HTTP connection manager.
func editHCM(t *testing.T, c *Config, edit func(*hcmv3.HttpConnectionManager)) {
	t.Helper()
	hcm := &hcmv3.HttpConnectionManager{}
	if err := c.Listeners[0].FilterChains[0].Filters[0].GetTypedConfig().UnmarshalTo(hcm); err != nil {
		t.Fatal(err)
	}
	edit(hcm)
	c.Listeners[0].FilterChains[0].Filters[0].ConfigType = &listenerv3.Filter_TypedConfig{TypedConfig: mustAny(t, hcm)}
}

// secondVirtualHost gives the first route table's virtual host the
// domain first, and adds a copy of it named name for the domain second.
func secondVirtualHost(name, first, second string) func(*testing.T, *Config) {
	return func(t *testing.T, c *Config) {
		editRouteConfig(t, c, func(rc *routev3.RouteConfiguration) {
			vh := proto.Clone(rc.VirtualHosts[0]).(*routev3.VirtualHost)
			vh.Name, vh.Domains = name, []string{second}
			rc.VirtualHosts[0].Domains = []string{first}
			rc.VirtualHosts = append(rc.VirtualHosts, vh)
		})
	}
}

func TestMarshalIsStable(t *testing.T) {
	c := validConfig(t)
	a, err := c.EnvoyJSON()
	if err != nil {
		t.Fatal(err)
	}
	b, err := validConfig(t).EnvoyJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("the same config marshalled to different bytes")
	}
	if !strings.HasPrefix(string(a), `{"static_resources":{"listeners":[{"name":"ambassador-listener-8080"`) {
		t.Errorf("want compact JSON with proto field names:\n%s", a)
	}
	boot, err := c.BootstrapJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(boot), "\n  \"node\": {") {
		t.Errorf("want the bootstrap indented, with proto field names:\n%s", boot)
	}
}

// envoy.json is assembled from separately marshalled parts; it must be
// exactly what marshalling the whole Bootstrap gives.
func TestEnvoyJSONEqualsWholeMarshal(t *testing.T) {
	c := validConfig(t)
	multi := proto.Clone(c.Listeners[0]).(*listenerv3.Listener)
	multi.Name = "three-chains"
	for i := 0; i < 2; i++ {
		fc := proto.Clone(multi.FilterChains[0]).(*listenerv3.FilterChain)
		fc.Name = fmt.Sprintf("chain-%d", i)
		multi.FilterChains = append(multi.FilterChains, fc)
	}
	c.Listeners = append(c.Listeners, multi)
	c.Clusters = append(c.Clusters, c.Clusters[0])
	got, err := c.EnvoyJSON()
	if err != nil {
		t.Fatal(err)
	}
	want, err := marshal(&bootstrapv3.Bootstrap{StaticResources: &bootstrapv3.Bootstrap_StaticResources{
		Listeners: c.Listeners, Clusters: c.Clusters,
	}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("assembled:\n%s\nwhole:\n%s", got, want)
	}
	empty, err := (&Config{}).EnvoyJSON()
	if err != nil || string(empty) != "{\"static_resources\":{}}\n" {
		t.Errorf("empty config: %q, %v", empty, err)
	}
}

// The same for a configuration the translator made (its routes are cut
// out of the connection managers and shared between virtual hosts).
func TestTranslatedEnvoyJSONEqualsWholeMarshal(t *testing.T) {
	for _, in := range goldenInputs(t) {
		t.Run(filepath.Base(filepath.Dir(in)), func(t *testing.T) {
			snap, err := snapshot.FromFiles([]string{in}, "default")
			if err != nil {
				t.Fatal(err)
			}
			c, err := Translate(ir.Build(snap, ir.Options{}), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, want, err := assembledAndWhole(c)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("assembled envoy.json differs from the whole marshal:\n%.300s\n%.300s", got, want)
			}
		})
	}
}

func TestDropCommaSpaces(t *testing.T) {
	in := `{"a":"x, y","b":[1, 2],"c":"q\", r", "d":{}}`
	want := `{"a":"x, y","b":[1,2],"c":"q\", r","d":{}}`
	if got := string(dropCommaSpaces([]byte(in))); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Validate walks only typed_per_filter_config for the routes the
// translator built and checked; this holds every golden route to that:
// any Any anywhere else in a route would fail here.
func TestPrecheckedRoutesHoldAnysOnlyPerFilter(t *testing.T) {
	seen := 0
	for _, in := range goldenInputs(t) {
		snap, err := snapshot.FromFiles([]string{in}, "default")
		if err != nil {
			t.Fatal(err)
		}
		c, err := Build(ir.Build(snap, ir.Options{}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.checked {
			allowed := map[*anypb.Any]bool{}
			for _, a := range r.GetTypedPerFilterConfig() {
				allowed[a] = true
			}
			walkAnys(r, func(a *anypb.Any) proto.Message {
				seen++
				if !allowed[a] {
					t.Errorf("%s: route %v holds an Any (%s) outside typed_per_filter_config", in, r.GetMatch(), a.GetTypeUrl())
				}
				return nil // nested Anys belong to the per-filter config
			})
		}
	}
	if seen == 0 {
		t.Error("no golden route holds an Any: the test proves nothing")
	}
}

// A bad Any in a checked route's per-filter settings is still caught.
func TestValidateChecksPrecheckedRoutesAnys(t *testing.T) {
	snap, err := snapshot.FromFiles([]string{filepath.Join("..", "testdata", "auth", "in.yaml")}, "default")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Build(ir.Build(snap, ir.Options{}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	broken := false
	for _, r := range c.checked {
		if a := r.GetTypedPerFilterConfig()["envoy.filters.http.ext_authz"]; a != nil && !broken {
			r.TypedPerFilterConfig["envoy.filters.http.ext_authz"] = &anypb.Any{TypeUrl: "type.googleapis.com/envoy.nope.v3.Checked"}
			broken = true
		}
	}
	if !broken {
		t.Fatal("no checked route with ext_authz settings")
	}
	if err := Validate(c); err == nil || !strings.Contains(err.Error(), "envoy.nope.v3.Checked") {
		t.Errorf("Validate = %v, want the unresolvable Any reported", err)
	}
}

// Routes built as checked, XFP and redirect variants included, are valid
// by Envoy's rules: Validate skips them (see translator.variants).
func TestPrecheckedRoutesAreValid(t *testing.T) {
	if err := xfpHTTPS.ValidateAll(); err != nil {
		t.Errorf("the XFP header condition: %v", err)
	}
	if err := httpsRedirect.Redirect.ValidateAll(); err != nil {
		t.Errorf("the https redirect: %v", err)
	}
	snaps := goldenSnapshots(t)
	variants := 0
	for name, snap := range snaps {
		c, err := Build(ir.Build(snap, ir.Options{}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		built := map[*routev3.Route]bool{}
		for _, r := range c.checked {
			built[r] = true
			if err := r.ValidateAll(); err != nil {
				t.Errorf("%s: route %v: %v", name, r.GetMatch(), err)
			}
			if r.GetRedirect() == httpsRedirect.Redirect || slices.Contains(r.GetMatch().GetHeaders(), xfpHTTPS) {
				variants++
			}
		}
		// Every route a virtual host shows is valid.
		for _, l := range c.Listeners {
			for _, fc := range l.GetFilterChains() {
				for _, f := range fc.GetFilters() {
					hcm, _ := c.decoded[f.GetTypedConfig()].(*hcmv3.HttpConnectionManager)
					for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
						for _, r := range vh.GetRoutes() {
							if err := r.ValidateAll(); err != nil {
								t.Errorf("%s: %s: route %v: %v", name, vh.GetName(), r.GetMatch(), err)
							}
						}
					}
				}
			}
		}
	}
	if variants == 0 {
		t.Error("no variant among the routes: the test proves nothing")
	}
}

// Validate walks only a built cluster's transport socket and HTTP/1
// options for Anys: the translator puts them nowhere else in a cluster.
func TestBuiltClustersHoldAnysOnlyWhereWalked(t *testing.T) {
	snaps := goldenSnapshots(t)
	walked := map[string]int{}
	for name, snap := range snaps {
		c, err := Build(ir.Build(snap, ir.Options{}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, cl := range c.Clusters {
			allowed := map[*anypb.Any]string{}
			for part, m := range map[string]proto.Message{"transport socket": cl.GetTransportSocket(), "HTTP/1 options": cl.GetHttpProtocolOptions()} {
				walkAnys(m, func(a *anypb.Any) proto.Message { allowed[a] = part; return nil })
			}
			walkAnys(cl, func(a *anypb.Any) proto.Message {
				if part, ok := allowed[a]; ok {
					walked[part]++
				} else {
					t.Errorf("%s: cluster %s holds an Any (%s) Validate does not walk", name, cl.GetName(), a.GetTypeUrl())
				}
				return nil // what an Any holds is walked from it
			})
		}
	}
	if walked["transport socket"] == 0 || walked["HTTP/1 options"] == 0 {
		t.Errorf("Anys found where Validate walks: %v; without both kinds the test proves little", walked)
	}
}

// A cluster Envoy would refuse, made from settings the IR let through,
// is left out with the route groups that send to it, each Mapping told
// why; the rest is generated. One a TCPMapping uses is kept, and the
// configuration refused: a refused cluster never passes unnoticed.
func TestARefusedClusterDropsOnlyTheGroupsSendingToIt(t *testing.T) {
	in := `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: good, namespace: default}
spec: {hostname: "*", prefix: /good/, service: good}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: refused, namespace: default}
spec: {hostname: "*", prefix: /refused/, service: refused}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: refused-canary, namespace: default}
spec: {hostname: "*", prefix: /refused/, service: canary, weight: 10}
---
apiVersion: getambassador.io/v3alpha1
kind: TCPMapping
metadata: {name: tcp, namespace: default}
spec: {port: 9000, service: "tcp-up:443"}
`
	build := func(broken string) (*Config, error) {
		x := ir.Build(snapshot.FromYAML("in.yaml", []byte(in), "default"), ir.Options{})
		for _, c := range x.Clusters {
			if c.EnvoyName == broken {
				c.ConnectTimeoutMs = 0 // what the IR now refuses, as a cluster setting it missed would be
			}
		}
		return Translate(x, Options{})
	}
	c, err := build("cluster_refused_default")
	if err != nil {
		t.Fatalf("a cluster only Mappings use sank the whole configuration: %v", err)
	}
	for _, cl := range c.Clusters {
		if cl.GetName() == "cluster_refused_default" {
			t.Error("the refused cluster is still configured")
		}
	}
	var problems []string
	for _, p := range c.Dropped {
		problems = append(problems, p.Key+": "+p.Message)
	}
	got := strings.Join(problems, "\n")
	for _, key := range []string{"Mapping/refused.default", "Mapping/refused-canary.default"} {
		if !strings.Contains(got, key+": Envoy would refuse cluster cluster_refused_default") {
			t.Errorf("problems %s: want one for %s (its whole canary group is left out)", got, key)
		}
	}
	if strings.Contains(got, "Mapping/good.default") {
		t.Errorf("the good Mapping is reported: %s", got)
	}
	json, err := c.EnvoyJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(json), `"prefix":"/good/"`) || strings.Contains(string(json), `"prefix":"/refused/"`) {
		t.Error("want /good/ routed and /refused/ left out")
	}

	if _, err := build("cluster_tcp_up_443_default"); err == nil || !strings.Contains(err.Error(), "ConnectTimeout") {
		t.Errorf("a refused cluster a TCPMapping uses: err %v, want the configuration refused", err)
	}
}

// goldenInputs are the feature tests' inputs (testdata/*/in.yaml).
func goldenInputs(t *testing.T) []string {
	t.Helper()
	inputs, err := filepath.Glob(filepath.Join("..", "testdata", "*", "in.yaml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	return inputs
}

// goldenSnapshots are the feature tests' inputs, by path, and the
// benchmark's generated one for 100 Mappings.
func goldenSnapshots(t *testing.T) map[string]*snapshot.Snapshot {
	t.Helper()
	snaps := map[string]*snapshot.Snapshot{"generated": diagtest.Snapshot(100)}
	for _, in := range goldenInputs(t) {
		snap, err := snapshot.FromFiles([]string{in}, "default")
		if err != nil {
			t.Fatal(err)
		}
		snaps[in] = snap
	}
	return snaps
}

// assembledAndWhole are envoy.json as it is assembled from its pieces,
// and what protojson writes for the whole configuration.
func assembledAndWhole(c *Config) (got, want []byte, err error) {
	if got, err = c.EnvoyJSON(); err != nil {
		return nil, nil, err
	}
	if err := c.Pack(); err != nil {
		return nil, nil, err
	}
	want, err = marshal(&bootstrapv3.Bootstrap{StaticResources: &bootstrapv3.Bootstrap_StaticResources{
		Listeners: c.Listeners, Clusters: c.Clusters,
	}}, false)
	return got, want, err
}
