package ir

import (
	"strings"
	"testing"
)

func TestHostGlobsOverlap(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"*", "anything.example.com", true},
		{"a.example.com", "a.example.com", true},
		{"a.example.com", "b.example.com", false},
		{"*.example.com", "a.example.com", true},
		{"*.example.com", "example.com", false}, // "*" is at least one character
		{"*.example.com", "*.b.example.com", true},
		{"*.example.com", "*.example.org", false},
		{"foo.*", "*.example.com", true}, // foo.example.com matches both
		{"foo.*", "foo.bar", true},
		{"foo.*", "bar.foo", false},
		{".example.com", "a.example.com", false},
	}
	for _, tc := range tests {
		if got := hostGlobsOverlap(tc.a, tc.b); got != tc.want {
			t.Errorf("hostGlobsOverlap(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := hostGlobsOverlap(tc.b, tc.a); got != tc.want {
			t.Errorf("hostGlobsOverlap(%q, %q) = %v, want %v (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestQualifyService(t *testing.T) {
	tests := []struct {
		svc, ns string
		k8s     bool
		want    string
	}{
		{"backoffice", "otherns", true, "backoffice.otherns"},
		{"http://backoffice:80", "otherns", true, "http://backoffice.otherns:80"},
		{"backoffice:80", "default", true, "backoffice:80"}, // the gateway's own namespace
		{"localhost:8080", "otherns", true, "localhost:8080"},
		{"already.qualified", "otherns", true, "already.qualified"},
		{"billing", "otherns", false, "billing"}, // Consul names are not Kubernetes names
	}
	for _, tc := range tests {
		if got := qualifyService(tc.svc, tc.ns, "default", tc.k8s); got != tc.want {
			t.Errorf("qualifyService(%q, %q) = %q, want %q", tc.svc, tc.ns, got, tc.want)
		}
	}
}

func TestParseService(t *testing.T) {
	tests := []struct {
		in      string
		scheme  string
		host    string
		port    int
		wantErr string
	}{
		{in: "quote", host: "quote"},
		{in: "quote.shop:8080", host: "quote.shop", port: 8080},
		{in: "https://Auth.Example.com", scheme: "https", host: "auth.example.com"},
		{in: "[::1]:9000", host: "::1", port: 9000},
		{in: "ftp://files", wantErr: "unknown scheme ftp"},
		{in: "quote:99999", wantErr: "invalid port"},
		{in: "quote/path", wantErr: "extra URL components"},
		{in: ":80", wantErr: "no hostname"},
		{in: "fe80::1", host: "fe80::1"},
		{in: "10.0.0.7:8080", host: "10.0.0.7", port: 8080},
		{in: "svc_underscored.ns", host: "svc_underscored.ns"},
		{in: "bücher.example", host: "bücher.example"},
		{in: "quote:80:90", wantErr: `"quote:80:90" is neither a host name nor an IPv6 address`},
		{in: "quote shop", wantErr: `host "quote shop" holds " "`},
		{in: "user@quote", wantErr: `holds "@"`},
		{in: "quote→shop", wantErr: `holds "→"`},
		{in: "quote\x00", wantErr: `holds "\x00"`},
	}
	for _, tc := range tests {
		s, err := parseService(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseService(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || s.Scheme != tc.scheme || s.Host != tc.host || s.Port != tc.port {
			t.Errorf("parseService(%q) = %+v, %v; want scheme %q host %q port %d", tc.in, s, err, tc.scheme, tc.host, tc.port)
		}
	}
}

// Emissary's cluster names, including the shortening of long ones, which
// Envoy stats and runtime keys depend on.
func TestClusterNames(t *testing.T) {
	if got := clusterName("cluster", "", "127.0.0.1:8877", "default"); got != "cluster_127_0_0_1_8877_default" {
		t.Errorf("got %s", got)
	}
	if got := clusterName("cluster", "shadow", "quote", "default"); got != "cluster_shadow_quote_default" {
		t.Errorf("got %s", got)
	}
	if got := clusterName("cluster", "https://café.example:8443", "prod"); got != "cluster_https___caf__example_8443_prod" {
		t.Errorf("one underscore per character, got %s", got)
	}
	long := "cluster_subway_staging_stable_staging_3000_staging_er_ring_hash_srcip"
	if got, want := shortClusterName(long)+"-0", "cluster_subway_staging_stable_staging_30-B478AAA2AED1C211-0"; got != want {
		t.Errorf("shortened %s = %s, want %s (Emissary's name for it)", long, got, want)
	}
	cs := &clusterSet{byName: map[string]*Cluster{}}
	for _, n := range []string{long, long + "_b", "cluster_short_default"} {
		cs.byName[n] = &Cluster{Name: n}
	}
	got := map[string]string{}
	for _, c := range cs.sorted() {
		got[c.Name] = c.EnvoyName
	}
	want := map[string]string{
		"cluster_short_default": "cluster_short_default",
		long:                    "cluster_subway_staging_stable_staging_30-B478AAA2AED1C211-0",
		long + "_b":             shortClusterName(long+"_b") + "-0",
	}
	for name, envoyName := range want {
		if got[name] != envoyName {
			t.Errorf("envoy name of %s = %s, want %s", name, got[name], envoyName)
		}
	}
}

// Canary weights become cumulative thresholds, weighted Mappings first.
func TestCanaryWeights(t *testing.T) {
	w := func(n int) *int { return &n }
	tests := []struct {
		name    string
		weights []*int
		want    []int // thresholds in route order
		order   []int // which input each route is
	}{
		{"one Mapping takes all", []*int{nil}, []int{100}, []int{0}},
		{"canary and main", []*int{nil, w(10)}, []int{10, 100}, []int{1, 0}},
		{"three unweighted", []*int{nil, nil, nil}, []int{33, 66, 100}, []int{0, 1, 2}},
		{"weights without a remainder taker", []*int{w(30), w(30)}, []int{30, 60}, []int{0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := &Group{Name: "g"}
			var in []*Mapping
			for i, wt := range tc.weights {
				m := &Mapping{Name: string(rune('a' + i)), Weight: wt}
				in = append(in, m)
				g.Mappings = append(g.Mappings, m)
			}
			if !g.normalizeWeights(newDiagnostics()) {
				t.Fatal("normalizeWeights failed")
			}
			for i, m := range g.Mappings {
				if m != in[tc.order[i]] || m.Cumulative != tc.want[i] {
					t.Errorf("route %d = %s@%d, want %s@%d", i, m.Name, m.Cumulative, in[tc.order[i]].Name, tc.want[i])
				}
			}
		})
	}
	// Weights over 100 are reported, and routed as Emissary routes them:
	// the first takes its share, the next what is left.
	g := &Group{Name: "heavy", Mappings: []*Mapping{{Key: "a", Weight: w(60)}, {Key: "b", Weight: w(60)}}}
	d := newDiagnostics()
	if !g.normalizeWeights(d) || !strings.Contains(d.Errors["a"][0], "exceeds 100") {
		t.Errorf("weights over 100 must be reported, got %v", d.Errors)
	}
	if g.Mappings[0].Cumulative != 60 || g.Mappings[1].Cumulative != 100 {
		t.Errorf("thresholds %d, %d; want 60, 100", g.Mappings[0].Cumulative, g.Mappings[1].Cumulative)
	}
}

// Route order: precedence, then longer prefixes, then more conditions.
func TestRouteWeightOrder(t *testing.T) {
	mk := func(prefix string, precedence int, headers ...Match) *Mapping {
		m := &Mapping{Prefix: prefix, Precedence: precedence, Headers: headers}
		m.RouteWeight = routeWeight(m)
		return m
	}
	ordered := []*Mapping{
		mk("/a/", 1),
		mk("/longer/prefix/", 0),
		mk("/b/", 0, Match{Name: "x-header", Value: "v"}),
		mk("/b/", 0),
		mk("/", 0),
	}
	for i := 0; i+1 < len(ordered); i++ {
		if compareWeights(ordered[i].RouteWeight, ordered[i+1].RouteWeight) <= 0 {
			t.Errorf("%v should sort before %v", ordered[i].RouteWeight, ordered[i+1].RouteWeight)
		}
	}
}

func TestCheckRegex(t *testing.T) {
	if err := checkRegex(`^/api/v[0-9]+/`, 200); err != nil {
		t.Errorf("a plain regex: %v", err)
	}
	if err := checkRegex(`/bad/(`, 200); err == nil {
		t.Error("a syntax error must be reported")
	}
	huge := strings.Repeat(`(abc|def|ghi)`, 40)
	if err := checkRegex(huge, 200); err == nil || !strings.Contains(err.Error(), "exceeds regex_max_size 200") {
		t.Errorf("an oversized regex must be reported, got %v", err)
	}
	if err := checkRegex(huge, 2000); err != nil {
		t.Errorf("a raised regex_max_size allows it: %v", err)
	}
	// The size is RE2's, which Envoy checks: counted in UTF-8 bytes, not
	// in runes as Go counts (Go's compiler makes 4 instructions of \p{L}+
	// and 68 of the 20 segments; RE2 1,198 and 203, see re2size's corpus).
	segments := func(n int) string { return "^/api" + strings.Repeat("/[^/]+", n) + "$" }
	for _, c := range []struct {
		expr    string
		refused bool
	}{
		{`\p{L}+`, true},
		{segments(20), true},
		{segments(19), false},
	} {
		err := checkRegex(c.expr, 200)
		if refused := err != nil && strings.Contains(err.Error(), "exceeds regex_max_size 200"); refused != c.refused {
			t.Errorf("checkRegex(%q, 200) = %v; refused should be %v", c.expr, err, c.refused)
		}
	}
}

func TestServiceIsIP(t *testing.T) {
	for host, want := range map[string]bool{
		"10.0.0.1": true, "127.0.0.1": true, "::1": true, "fe80::1": true, "2001:db8::8a2e:370:7334": true,
		"": false, "quote": false, "quote.default": false, "1password.default": false,
		"10.0.0": false, "10.0.0.1.nip.io": false, "svc:8080": false,
	} {
		if got := (Service{Host: host}).IsIP(); got != want {
			t.Errorf("IsIP(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestUnderscoredIsOnePerCharacter holds underscored to its rule: one
// "_" for each character that is not an ASCII letter, digit or
// underscore, however many bytes the character takes (and one for each
// byte of invalid UTF-8, as ranging over the string yields them).
func TestUnderscoredIsOnePerCharacter(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"quote_v1":           "quote_v1",
		"quote.shop:8080":    "quote_shop_8080",
		"https://a.b":        "https___a_b",
		"ca\u00efque.ns":     "ca_que_ns",
		"\u65e5\u672c.x":     "___x",
		"a\xff\xfeb":         "a__b",
		"\xe6\x97":           "__",
		"-leading-trailing-": "_leading_trailing_",
	} {
		if got := underscored(in); got != want {
			t.Errorf("underscored(%q) = %q, want %q", in, got, want)
		}
	}
}
