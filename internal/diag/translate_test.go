package diag

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/emissary-go/emissary/internal/diag/envoy"
	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
	"github.com/emissary-go/emissary/internal/xds"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/*/")

func translateDir(t *testing.T, dir string) *Output {
	t.Helper()
	snap, err := snapshot.FromFiles([]string{filepath.Join("testdata", dir, "in.yaml")}, "default")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Translate(snap, TranslateOptions{IR: ir.Options{}, Envoy: envoy.Options{SecretDir: "/ambassador/snapshots"}})
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return out
}

// Each testdata/<feature>/in.yaml translates to the reviewed
// envoy.json and errors.json beside it, and to the same bytes every time.
func TestGolden(t *testing.T) {
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			out := translateDir(t, d.Name())
			again := translateDir(t, d.Name())
			irA, errA := out.IRJSON()
			irB, errB := again.IRJSON()
			if errA != nil || errB != nil {
				t.Fatal(errA, errB)
			}
			if string(out.EnvoyJSON()) != string(again.EnvoyJSON()) || string(irA) != string(irB) {
				t.Fatal("the same input translated to different bytes")
			}
			errs, err := marshalIndent(map[string]any{"errors": out.IR.Diagnostics.Errors, "notices": out.IR.Diagnostics.Notices})
			if err != nil {
				t.Fatal(err)
			}
			// envoy.json is compact; the golden copy is indented for review.
			var readable bytes.Buffer
			if err := json.Indent(&readable, out.EnvoyJSON(), "", "  "); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", d.Name(), "envoy.json"), readable.Bytes())
			golden(t, filepath.Join("testdata", d.Name(), "diagnostics.json"), errs)
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the translation; review the change and run go test -update:\n%s", path, diffLines(string(want), string(got)))
	}
}

// diffLines shows the first lines that differ, enough to see what changed.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n want: %.200s\n  got: %.200s", i+1, a, b)
		}
	}
	return ""
}

// Which request reaches which cluster: the routing semantics users rely
// on, checked by sending requests through the generated configuration.
func TestRouting(t *testing.T) {
	type want struct {
		cluster  string
		rewrite  string
		redirect string // "https" for an https redirect, else the host redirected to
		notFound bool
	}
	tests := []struct {
		dir  string
		name string
		req  request
		want want
	}{
		{"basic", "prefix to a service in the gateway's namespace", request{port: 8080, host: "anything.example", path: "/backend/quotes"}, want{cluster: "cluster_quote_default", rewrite: "/"}},
		{"basic", "a bare service name in another namespace is that namespace's", request{port: 8080, host: "x", path: "/orders/7"}, want{cluster: "cluster_orders_shop_8080_shop", rewrite: "/api/orders/"}},
		{"basic", "the diagnostics route", request{port: 8080, host: "x", path: "/ambassador/v0/diag/"}, want{cluster: "cluster_127_0_0_1_8877_default", rewrite: "/ambassador/v0/"}},
		{"basic", "unrouted path", request{port: 8080, host: "x", path: "/nope"}, want{notFound: true}},

		{"canary", "canary takes the first 10%", request{port: 8080, host: "x", path: "/quote/a", draw: 9}, want{cluster: "cluster_quote_canary_default", rewrite: "/"}},
		{"canary", "stable takes the rest", request{port: 8080, host: "x", path: "/quote/a", draw: 10}, want{cluster: "cluster_quote_stable_default", rewrite: "/"}},
		{"canary", "header and query route beats the plain prefix", request{port: 8080, host: "x", path: "/quote/a?debug=1", headers: map[string]string{"x-beta": "true"}, draw: 5}, want{cluster: "cluster_quote_beta_default", rewrite: "/"}},
		{"canary", "header without the query parameter falls back", request{port: 8080, host: "x", path: "/quote/a", headers: map[string]string{"x-beta": "true"}, draw: 50}, want{cluster: "cluster_quote_stable_default", rewrite: "/"}},
		{"canary", "regex prefix with method and regex header", request{port: 8080, host: "x", method: "POST", path: "/quote/v2/", headers: map[string]string{"x-tenant": "acme-1"}}, want{cluster: "cluster_quote_versioned_default", rewrite: "/"}},
		{"canary", "regex route needs its method", request{port: 8080, host: "x", method: "GET", path: "/quote/v2/", headers: map[string]string{"x-tenant": "acme-1"}, draw: 50}, want{cluster: "cluster_quote_stable_default", rewrite: "/"}},
		{"canary", "exact path with higher precedence", request{port: 8080, host: "x", path: "/quote/health", draw: 1}, want{cluster: "cluster_quote_health_default", rewrite: "/"}},

		{"security-models", "XFP: https traffic is routed", request{port: 8080, host: "api.example.com", path: "/api/x", headers: map[string]string{"x-forwarded-proto": "https"}}, want{cluster: "cluster_api_default", rewrite: "/"}},
		{"security-models", "XFP: the rest is redirected", request{port: 8080, host: "api.example.com", path: "/api/x"}, want{redirect: "https"}},
		{"security-models", "SECURE: everything is routed", request{port: 8081, host: "api.example.com", path: "/api/x"}, want{cluster: "cluster_api_default", rewrite: "/"}},
		{"security-models", "INSECURE: everything gets the insecure action", request{port: 8082, host: "api.example.com", path: "/api/x", headers: map[string]string{"x-forwarded-proto": "https"}}, want{redirect: "https"}},

		{"tls-host", "TLS for shop.example.com", request{port: 8443, tls: true, host: "shop.example.com", path: "/cart", headers: map[string]string{"x-forwarded-proto": "https"}}, want{cluster: "cluster_shop_web_default", rewrite: "/"}},
		{"tls-host", "cleartext for shop.example.com is redirected", request{port: 8443, host: "shop.example.com", path: "/cart"}, want{redirect: "https"}},
		{"tls-host", "the wildcard Host picks its Mapping by label, originating TLS", request{port: 8443, tls: true, host: "admin.internal.example.com", path: "/admin/", headers: map[string]string{"x-forwarded-proto": "https"}}, want{cluster: "cluster_https___admin_8443_otls_default", rewrite: "/"}},
		{"tls-host", "cleartext for a Reject Host gets nothing", request{port: 8443, host: "admin.internal.example.com", path: "/admin/"}, want{notFound: true}},
		{"tls-host", "the shop Mapping is not on the internal Host", request{port: 8443, tls: true, host: "admin.internal.example.com", path: "/cart", headers: map[string]string{"x-forwarded-proto": "https"}}, want{notFound: true}},

		{"redirects-rewrites", "host redirect with a path", request{port: 8080, host: "x", path: "/docs/intro"}, want{redirect: "docs.example.com"}},
		{"redirects-rewrites", "rewrite \"\" keeps the path", request{port: 8080, host: "x", path: "/keep/this"}, want{cluster: "cluster_keep_default", rewrite: ""}},

		{"errors", "the good Mapping still routes", request{port: 8080, host: "x", path: "/good/"}, want{cluster: "cluster_good_default", rewrite: "/"}},
		{"errors", "the bad ones do not", request{port: 8080, host: "x", path: "/none/"}, want{notFound: true}},
		{"errors", "an unknown field is reported and dropped, the Mapping still routes", request{port: 8080, host: "x", path: "/typo/"}, want{cluster: "cluster_typo_default", rewrite: "/"}},

		{"annotations-v2", "a v2 annotation Mapping with tls: true originates TLS", request{port: 8080, host: "x", path: "/quote/", headers: map[string]string{"x-quote": "anything", "x-forwarded-proto": "https"}}, want{cluster: "cluster_https___quote_shop_otls_shop", rewrite: "/"}},
		{"annotations-v2", "v2 `header: true` means the header must be present", request{port: 8080, host: "x", path: "/quote/", headers: map[string]string{"x-forwarded-proto": "https"}}, want{notFound: true}},
		{"annotations-v2", "v2 host is the hostname", request{port: 8080, host: "legacy.example.com", path: "/legacy/", headers: map[string]string{"x-forwarded-proto": "https"}}, want{cluster: "cluster_legacy_8080_default", rewrite: "/"}},
		{"annotations-v2", "and only that hostname", request{port: 8080, host: "other.example.com", path: "/legacy/", headers: map[string]string{"x-forwarded-proto": "https"}}, want{notFound: true}},

		{"ambassador-id", "our Mapping", request{port: 8080, host: "x", path: "/mine/"}, want{cluster: "cluster_mine_default", rewrite: "/"}},
		{"ambassador-id", "another installation's Mapping is ignored", request{port: 8080, host: "x", path: "/theirs/"}, want{notFound: true}},
		{"ambassador-id", "_automatic_ is everyone's", request{port: 8080, host: "x", path: "/everyone/"}, want{cluster: "cluster_everyone_default", rewrite: "/"}},

		{"ingress", "an Ingress rule, its named port resolved", request{port: 8080, tls: true, host: "shop.example.com", path: "/cart/1", headers: map[string]string{"x-forwarded-proto": "https"}}, want{cluster: "cluster_cart_web_8081_web", rewrite: "/"}},
		{"ingress", "an Exact path is exact", request{port: 8080, tls: true, host: "shop.example.com", path: "/healthz", headers: map[string]string{"x-forwarded-proto": "https"}}, want{cluster: "cluster_cart_web_9090_web", rewrite: "/"}},
		{"ingress", "Ingress TLS Hosts route cleartext too", request{port: 8080, host: "shop.example.com", path: "/cart/1"}, want{cluster: "cluster_cart_web_8081_web", rewrite: "/"}},
		{"ingress", "Ingress TLS Hosts only take their own Ingress's Mappings (by label)", request{port: 8080, host: "shop.example.com", path: "/whatever"}, want{notFound: true}},
		{"ingress", "no Host for other names once Ingress TLS made one", request{port: 8080, host: "anything", path: "/whatever"}, want{notFound: true}},
		{"ingress-plain", "the default backend takes what nothing else does", request{port: 8080, host: "anything", path: "/x", headers: map[string]string{"x-forwarded-proto": "https"}}, want{cluster: "cluster_fallback_default_8080_default", rewrite: "/"}},
		{"ingress-plain", "a rule by host", request{port: 8080, host: "docs.example.com", path: "/guide/intro", headers: map[string]string{"x-forwarded-proto": "https"}}, want{cluster: "cluster_docs_default_80_default", rewrite: "/"}},
		{"module-settings", "diagnostics disabled removes its route", request{port: 8080, host: "x", path: "/ambassador/v0/diag/"}, want{notFound: true}},
		{"module-settings", "probes stay", request{port: 8080, host: "x", path: "/ambassador/v0/check_ready"}, want{cluster: "cluster_127_0_0_1_8877_default", rewrite: "/ambassador/v0/check_ready"}},
	}
	// Requests are routed through envoy.json read back, as Envoy (via
	// ambex) gets it.
	configs := map[string][]*listenerv3.Listener{}
	for _, tc := range tests {
		t.Run(tc.dir+"/"+tc.name, func(t *testing.T) {
			cfg, ok := configs[tc.dir]
			if !ok {
				var b bootstrapv3.Bootstrap
				if err := protojson.Unmarshal(translateDir(t, tc.dir).EnvoyJSON(), &b); err != nil {
					t.Fatalf("envoy.json does not read back: %v", err)
				}
				cfg = b.GetStaticResources().GetListeners()
				configs[tc.dir] = cfg
			}
			got := simulate(t, cfg, tc.req)
			switch {
			case tc.want.notFound:
				if !got.notFound {
					t.Errorf("want no route, got %+v", got)
				}
			case tc.want.redirect == "https":
				if got.redirect == nil || !got.redirect.GetHttpsRedirect() {
					t.Errorf("want an https redirect, got %+v", got)
				}
			case tc.want.redirect != "":
				if got.redirect == nil || got.redirect.GetHostRedirect() != tc.want.redirect {
					t.Errorf("want a redirect to %s, got %+v", tc.want.redirect, got)
				}
			default:
				if got.cluster != tc.want.cluster || got.prefixRewrite != tc.want.rewrite {
					t.Errorf("want cluster %s rewrite %q, got %+v", tc.want.cluster, tc.want.rewrite, got)
				}
			}
		})
	}
}

// busy translate --output-dir writes Emissary's file layout, with the TLS
// certificates where the generated configuration says they are.
func TestTranslateCommandWritesFiles(t *testing.T) {
	dir := t.TempDir()
	cmd := TranslateCommand()
	var stderr bytes.Buffer
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"--output-dir", dir, filepath.Join("testdata", "tls-host", "in.yaml")})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, f := range []string{"bootstrap-ads.json", "clustermap.json", "envoy/envoy.json", "snapshots/ir.json", "snapshots/aconf.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	envoyJSON, err := os.ReadFile(filepath.Join(dir, "envoy", "envoy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		StaticResources struct {
			Listeners []json.RawMessage `json:"listeners"`
		} `json:"static_resources"`
	}
	if err := json.Unmarshal(envoyJSON, &cfg); err != nil {
		t.Fatal(err)
	}
	// Every certificate file the configuration names exists, holding the
	// Secret's bytes.
	names := regexpFilenames(string(envoyJSON))
	if len(names) == 0 {
		t.Fatal("the TLS Hosts should name certificate files")
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Errorf("config names %s: %v", n, err)
			continue
		}
		if !strings.HasPrefix(string(data), "shop-") && !strings.HasPrefix(string(data), "internal-") {
			t.Errorf("%s holds %q, not the Secret's data", n, data)
		}
	}
}

func regexpFilenames(s string) []string {
	var out []string
	for _, part := range strings.Split(s, `"filename":"`)[1:] {
		out = append(out, part[:strings.Index(part, `"`)])
	}
	return out
}

// A snapshot in watt's JSON form translates to the same configuration as
// the YAML it was made from.
func TestTranslateCommandReadsSnapshots(t *testing.T) {
	in := filepath.Join("testdata", "tls-host", "in.yaml")
	snap, err := snapshot.FromFiles([]string{in}, "default")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	snapFile := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(snapFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		var out, errOut bytes.Buffer
		cmd := TranslateCommand()
		cmd.SetOut(&out)
		cmd.SetErr(&errOut)
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut.String())
		}
		return out.String()
	}
	if fromYAML, fromSnapshot := run(in), run("--snapshot", snapFile); fromYAML != fromSnapshot || len(fromYAML) < 1000 {
		t.Errorf("YAML and its snapshot translate differently (%d vs %d bytes)", len(fromYAML), len(fromSnapshot))
	}
}

// Kinds the translator does not handle yet are reported, not dropped in
// silence, and the rest of the configuration still flows.
func TestUnsupportedKinds(t *testing.T) {
	base := `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: DevPortal
metadata: {name: portal, namespace: default}
spec: {default: true}
`
	out, err := Translate(snapshot.FromYAML("in.yaml", []byte(base), "default"), TranslateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := out.IR.Diagnostics.Errors["DevPortal/portal.default"]; len(errs) != 1 || !strings.Contains(errs[0], "not supported") {
		t.Errorf("DevPortal should be reported as unsupported, errors: %v", out.IR.Diagnostics.Errors)
	}

}

// TCPMappings, read back from envoy.json as Envoy gets them: which
// connection goes where, and with what share.
func TestTCPMappingsRouteConnections(t *testing.T) {
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(translateDir(t, "tcpmapping").EnvoyJSON(), &b); err != nil {
		t.Fatal(err)
	}
	// proxies: listener -> chain's server name ("" for any) -> cluster -> weight.
	proxies := map[string]map[string]map[string]uint32{}
	for _, l := range b.GetStaticResources().GetListeners() {
		for _, fc := range l.GetFilterChains() {
			for _, f := range fc.GetFilters() {
				proxy := &tcpproxyv3.TcpProxy{}
				if f.GetTypedConfig().UnmarshalTo(proxy) != nil {
					continue
				}
				sni := strings.Join(fc.GetFilterChainMatch().GetServerNames(), ",")
				if sni != "" && (fc.GetTransportSocket() == nil || fc.GetFilterChainMatch().GetTransportProtocol() != "tls") {
					t.Errorf("chain %s matches %s without terminating TLS", fc.GetName(), sni)
				}
				if proxies[l.GetName()] == nil {
					proxies[l.GetName()] = map[string]map[string]uint32{}
				}
				proxies[l.GetName()][sni] = map[string]uint32{}
				for _, wc := range proxy.GetWeightedClusters().GetClusters() {
					proxies[l.GetName()][sni][wc.GetName()] = wc.GetWeight()
				}
			}
		}
	}
	want := map[string]map[string]map[string]uint32{
		// No Listener claims 6379: a TCP listener is made for it.
		"listener-0.0.0.0-6379": {"": {"cluster_other_6379_default": 100}},
		"https": {
			"db.example.com":    {"cluster_postgres_5432_default": 90, "cluster_postgres_canary_5432_default": 10},
			"queue.example.com": {"cluster_queue_5672_default": 100},
		},
	}
	if fmt.Sprint(proxies) != fmt.Sprint(want) {
		t.Errorf("tcp proxies:\n%v\nwant\n%v", proxies, want)
	}
}

// retry_policy, read back from envoy.json: a Mapping's own, else the
// Module's, on every route including the built-in ones.
func TestRetryPolicies(t *testing.T) {
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(translateDir(t, "retries").EnvoyJSON(), &b); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range b.GetStaticResources().GetListeners() {
		for _, fc := range l.GetFilterChains() {
			hcm := &hcmv3.HttpConnectionManager{}
			if fc.GetFilters()[0].GetTypedConfig().UnmarshalTo(hcm) != nil {
				continue
			}
			for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
				for _, r := range vh.GetRoutes() {
					p := r.GetRoute().GetRetryPolicy()
					got[r.GetMatch().GetPrefix()] = fmt.Sprintf("%s/%d/%v", p.GetRetryOn(), p.GetNumRetries().GetValue(), p.GetPerTryTimeout().AsDuration())
				}
			}
		}
	}
	want := map[string]string{
		"/own/":                      "5xx/3/500ms",
		"/default/":                  "gateway-error/2/0s",
		"/bad-timeout/":              "gateway-error/2/0s", // its own was invalid
		"/ambassador/v0/":            "gateway-error/2/0s",
		"/ambassador/v0/check_alive": "gateway-error/2/0s",
		"/ambassador/v0/check_ready": "gateway-error/2/0s",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("retry policies:\n%v\nwant\n%v", got, want)
	}
}

// A Mapping whose route Envoy would refuse (here, strings the CRD
// allows and Envoy does not) loses its group, canaries and all, with an
// error saying why; everything else is still generated.
func TestARouteEnvoyWouldRefuseDropsOnlyItsGroup(t *testing.T) {
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
metadata: {name: bad-rewrite, namespace: default}
spec: {hostname: "*", prefix: /bad/, service: bad, rewrite: "/a\0b/"}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: bad-rewrite-canary, namespace: default}
spec: {hostname: "*", prefix: /bad/, service: bad-canary, weight: 10}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: bad-upgrade, namespace: default}
spec: {hostname: "*", prefix: /ws/, service: ws, allow_upgrade: ["web\nsocket"]}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: bad-headers, namespace: default}
spec: {hostname: "*", prefix: /h/, service: h, add_request_headers: {host: {value: x}, x-a: {value: "a\rb"}}, remove_response_headers: [":status"]}
`
	out, err := Translate(snapshot.FromYAML("in.yaml", []byte(in), "default"), TranslateOptions{})
	if err != nil {
		t.Fatalf("one bad Mapping failed the whole configuration: %v", err)
	}
	_, hcm := mainConnectionManager(t, out)
	var prefixes []string
	for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			prefixes = append(prefixes, r.GetMatch().GetPrefix())
		}
	}
	if got := strings.Join(prefixes, " "); strings.Contains(got, "/bad/") || strings.Contains(got, "/ws/") || strings.Contains(got, "/h/") || !strings.Contains(got, "/good/") {
		t.Errorf("routes %s: want /good/ and none of /bad/, /ws/, /h/", got)
	}
	// Headers are checked on the Mapping itself, before any route.
	errs := fmt.Sprint(out.IR.Diagnostics.Errors["Mapping/bad-headers.default"])
	for _, want := range []string{"header host cannot be modified by a route", "the value of header x-a has NUL, CR or LF", "header :status cannot be modified"} {
		if !strings.Contains(errs, want) {
			t.Errorf("bad-headers: errors %s lack %q", errs, want)
		}
	}
	for key, want := range map[string]string{
		"Mapping/bad-rewrite.default":        "RouteAction.PrefixRewrite",
		"Mapping/bad-rewrite-canary.default": "RouteAction.PrefixRewrite", // its group's fault
		"Mapping/bad-upgrade.default":        "UpgradeConfigs",
	} {
		errs := fmt.Sprint(out.IR.Diagnostics.Errors[key])
		if !strings.Contains(errs, "Envoy would refuse this Mapping's route, so it is not used") || !strings.Contains(errs, want) {
			t.Errorf("%s: errors %s, want the refusal naming %s", key, errs, want)
		}
	}
	if errs := out.IR.Sources["Mapping/bad-upgrade.default"].Errors; len(errs) == 0 {
		t.Error("the resource's own errors (as the diagnostics show them) lack the refusal")
	}
}

// header_case_overrides keeps HTTP/1 header names' case on the listener
// and on HTTP/1 clusters; gRPC (HTTP/2) clusters have no case to keep.
func TestHeaderCaseOverridesPreserveCase(t *testing.T) {
	out := translateDir(t, "header-case")
	b, hcm := mainConnectionManager(t, out)
	if f := hcm.GetHttpProtocolOptions().GetHeaderKeyFormat().GetStatefulFormatter(); f.GetName() != "preserve_case" {
		t.Errorf("listener header key format %v", hcm.GetHttpProtocolOptions().GetHeaderKeyFormat())
	}
	for _, c := range b.GetStaticResources().GetClusters() {
		preserved := c.GetHttpProtocolOptions().GetHeaderKeyFormat().GetStatefulFormatter().GetName() == "preserve_case"
		if grpc := c.GetHttp2ProtocolOptions() != nil; preserved == grpc {
			t.Errorf("cluster %s: preserve_case %v, gRPC %v", c.GetName(), preserved, grpc)
		}
	}
	if n := fmt.Sprint(out.IR.Diagnostics.Notices["Module/ambassador.default"]); !strings.Contains(n, "keep the case they arrive in") {
		t.Errorf("the Module's notice is missing: %s", n)
	}
}

// envoy.pb names the envoy.json it goes with, which diagd writes from
// its pieces: ambex must find the two belong together.
func TestEnvoyPBNamesTheEnvoyJSONWritten(t *testing.T) {
	out := translateDir(t, "auth")
	pb, err := out.XDSBinary()
	if err != nil {
		t.Fatal(err)
	}
	var written bytes.Buffer
	if _, err := out.Envoy.WriteTo(&written); err != nil {
		t.Fatal(err)
	}
	if written.Len() != out.Envoy.Len() || !bytes.Equal(written.Bytes(), out.EnvoyJSON()) {
		t.Fatal("the written envoy.json differs from the document")
	}
	if _, _, err := xds.ReadBinary(pb, written.Bytes()); err != nil {
		t.Errorf("envoy.pb does not go with the envoy.json written: %v", err)
	}
}

// clustermap.json is written by hand; encoding/json is the reference.
func TestClusterMapJSONIsMarshalIndent(t *testing.T) {
	dc, ns, port := "dc1", "default", 8080
	odd := "a\"b\\c<d>&e\u2028f\x01é"
	maps := []map[string]clusterSource{
		{},
		{
			"cluster_consul": {Kind: "ConsulResolver", Service: "svc", EndpointPath: "k8s/x", Datacenter: &dc},
			"cluster_" + odd: {Kind: "KubernetesServiceResolver", Service: odd, Namespace: &ns, Port: &port},
			"cluster_a":      {Kind: "KubernetesEndpointResolver", Service: "a", Namespace: &odd, Port: &port},
		},
	}
	out, err := Translate(generatedSnapshot(100), TranslateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.IR.Clusters) < 100 {
		t.Fatalf("the generated input has %d clusters", len(out.IR.Clusters))
	}
	maps = append(maps, clusterMap(out.IR))
	// resolvers has Consul and endpoint clusters.
	for _, dir := range []string{"basic", "resolvers", "ingress"} {
		maps = append(maps, clusterMap(translateDir(t, dir).IR))
	}
	for i, m := range maps {
		want, err := marshalIndent(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := clusterMapJSON(m); string(got) != string(want) {
			t.Errorf("map %d: clusterMapJSON differs from json.MarshalIndent:\n%s", i, diffLines(string(want), string(got)))
		}
	}
}

// envoy.pb reads back as the configuration it was made from (each route
// message, shown in many virtual hosts, encoded once and copied), and the
// same configuration gives the same bytes.
func TestEnvoyPBReadsBackAsTheConfiguration(t *testing.T) {
	outs := map[string]*Output{"auth": translateDir(t, "auth"), "security-models": translateDir(t, "security-models")}
	var err error
	if outs["generated"], err = Translate(generatedSnapshot(100), TranslateOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, out := range outs {
		want, err := xds.Split(out.Config.Listeners, out.Config.Clusters, out.Config.HCM)
		if err != nil {
			t.Fatal(err)
		}
		pb, err := out.XDSBinary()
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := out.XDSBinary(); !bytes.Equal(pb, again) {
			t.Errorf("%s: envoy.pb differs between two encodings", name)
		}
		got, _, err := xds.ReadBinary(pb, out.EnvoyJSON())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		routes := 0
		for _, rc := range want.Routes {
			for _, vh := range rc.GetVirtualHosts() {
				routes += len(vh.GetRoutes())
			}
		}
		if routes == 0 {
			t.Errorf("%s: no route in the configuration: the test proves little", name)
		}
		for kind, pair := range map[string][2][]proto.Message{
			"listeners": {messages(want.Listeners), messages(got.Listeners)},
			"routes":    {messages(want.Routes), messages(got.Routes)},
			"clusters":  {messages(want.Clusters), messages(got.Clusters)},
		} {
			if len(pair[0]) != len(pair[1]) {
				t.Errorf("%s: %d %s read back, want %d", name, len(pair[1]), kind, len(pair[0]))
				continue
			}
			for i := range pair[0] {
				if !proto.Equal(pair[0][i], pair[1][i]) {
					t.Errorf("%s: %s %d reads back different", name, kind, i)
				}
			}
		}
	}
}

func messages[M proto.Message](list []M) []proto.Message {
	out := make([]proto.Message, len(list))
	for i, m := range list {
		out[i] = m
	}
	return out
}

// Settings the CRDs take and Envoy refuses, from resources other than a
// Mapping's route (testdata/envoy-refuses): each is left out with an
// error on its resource, and the rest of the configuration is generated.
func TestWhatEnvoyWouldRefuseIsLeftOutWhereItComesFrom(t *testing.T) {
	out := translateDir(t, "envoy-refuses") // fails on a translation error
	wantErrors(t, out, map[string][]string{
		"AuthService/auth.default":           {"every request is refused until it is fixed"},
		"TracingService/tracing.default":     {"requests are not traced"},
		"Mapping/bad-check.default":          {"health_checks[0], so it is left out"},
		"Mapping/no-connect-timeout.default": {"connect_timeout_ms 0 is less than 1"},
		"Mapping/forever.default":            {"timeout_ms 9223372036854775807 is more than Envoy takes"},
		"Module/ambassador.default":          {"envoy.filters.http.gzip filter these settings make, so it is left out"},
		"LogService/als.default":             {"no access logs are sent"},
		"TLSContext/origin.default":          {"this context cannot originate TLS"},
		"Mapping/long-sni.default":           {"Originate-TLS context origin is not defined"},
	})
	_, hcm := mainConnectionManager(t, out)
	var filters []string
	for _, f := range hcm.GetHttpFilters() {
		filters = append(filters, f.GetName())
	}
	// The AuthService fails closed (the Lua stand-in), never open.
	if got := strings.Join(filters, " "); got != "envoy.filters.http.cors envoy.filters.http.lua envoy.filters.http.router" {
		t.Errorf("HTTP filters %s: want cors, the fail-closed lua and the router only", got)
	}
	if hcm.GetTracing() != nil {
		t.Error("the refused tracing is still configured")
	}
	var prefixes []string
	for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			if p := r.GetMatch().GetPrefix(); !strings.HasPrefix(p, "/ambassador/") {
				prefixes = append(prefixes, p)
			}
		}
	}
	if got := strings.Join(prefixes, " "); got != "/checked/ /good/" {
		t.Errorf("routes %s: want /checked/ (without its health check) and /good/", got)
	}
	for _, c := range out.Config.Clusters {
		if c.GetName() == "cluster_checked_default" && len(c.GetHealthChecks()) != 0 {
			t.Errorf("cluster %s keeps the refused health check", c.GetName())
		}
	}
}

// Numbers that do not fit the unsigned 32-bit fields Envoy keeps them in
// (testdata/out-of-range) are reported, never wrapped around.
func TestOutOfRangeNumbersAreReportedNotWrapped(t *testing.T) {
	out := translateDir(t, "out-of-range")
	wantErrors(t, out, map[string][]string{
		"Mapping/cb.default":        {"Invalid circuit_breakers", "num_retries must be from 0 to 4294967295", "keepalive: probes -1 is out of range"},
		"AuthService/auth.default":  {"include_body.max_bytes -1 is out of range"},
		"Module/ambassador.default": {"gzip: min_content_length -5 is out of range", "regex_max_size -1 is out of range", "buffer: max_request_bytes 4294967296 is out of range"},
		"LogService/als.default":    {"flush_interval_byte_size from 0 to 4294967295"},
		"Mapping/urgent.default":    {`priority "URGENT" is not default or high: ignored`},
	})
	for _, wrapped := range []string{"4294967295", "4294967291", `"max_connections":0`} {
		if strings.Contains(string(out.EnvoyJSON()), wrapped) {
			t.Errorf("envoy.json holds %s, a number wrapped around", wrapped)
		}
	}
}

// wantErrors checks that each resource's errors say each of the things
// listed for it.
func wantErrors(t *testing.T, out *Output, wants map[string][]string) {
	t.Helper()
	for key, list := range wants {
		errs := fmt.Sprint(out.IR.Diagnostics.Errors[key])
		for _, want := range list {
			if !strings.Contains(errs, want) {
				t.Errorf("%s: errors %s lack %q", key, errs, want)
			}
		}
	}
}
