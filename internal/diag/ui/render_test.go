package ui

import (
	"bytes"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	boot = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	sys  = System{Version: "3.9.1-test", Hostname: "emissary-7f9c", BootTime: boot, UptimeSeconds: 3725}
	good = &Attempt{Source: "/etc/emissary/config", Started: boot.Add(time.Minute), DurationMs: 8.2, OK: true}
)

func renderOverview(t *testing.T, in Input) string {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderOverview(&buf, BuildOverview(in)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func renderResource(t *testing.T, in Input, key string) string {
	t.Helper()
	p, ok := BuildResourcePage(in, key)
	if !ok {
		t.Fatalf("no page for %s", key)
	}
	var buf bytes.Buffer
	if err := RenderResource(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var tags = regexp.MustCompile(`<[^>]*>`)

// textOf is roughly what a reader sees: no tags, entities decoded,
// whitespace collapsed.
func textOf(page string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(page, " "))), " ")
}

// section is the HTML of the element with the id, up to its closing tag
// (sections do not nest).
func section(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no element with id %q", id)
	}
	end := strings.Index(page[start:], "</section>")
	if end < 0 {
		t.Fatalf("element %q is not closed", id)
	}
	return page[start : start+end]
}

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}

var (
	clusterLinks   = regexp.MustCompile(`href="#cluster-([^"]+)"`)
	resourceLinks  = regexp.MustCompile(`href="/ambassador/v0/diag/([^"?#]+)"`)
	clusterAnchors = regexp.MustCompile(`id="cluster-([^"]+)"`)
)

// checkLinks fails for a link to a cluster row the page does not have,
// or to a resource page that does not exist.
func checkLinks(t *testing.T, in Input, page string) {
	t.Helper()
	ids := map[string]bool{}
	for _, m := range clusterAnchors.FindAllStringSubmatch(page, -1) {
		ids[m[1]] = true
	}
	for _, m := range clusterLinks.FindAllStringSubmatch(page, -1) {
		if !ids[m[1]] {
			t.Errorf("link to #cluster-%s, which the page does not have", m[1])
		}
	}
	for _, m := range resourceLinks.FindAllStringSubmatch(page, -1) {
		key, err := url.PathUnescape(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := BuildResourcePage(in, key); !ok {
			t.Errorf("link to the page of %s, which does not exist", key)
		}
	}
}

func TestRenderOverview(t *testing.T) {
	in := inputFrom(t, "../testdata/errors/in.yaml")
	in.System = sys
	in.Status = Status{Reconfigurations: 3, LastAttempt: good, LastGood: good}
	page := renderOverview(t, in)

	for _, id := range []string{"status", "errors", "listeners", "hosts", "routes", "clusters", "notices", "resources"} {
		mustContain(t, "the overview", page, `id="`+id+`"`)
	}
	mustContain(t, "the header", textOf(page), "3.9.1-test", "emissary-7f9c", "1h 2m 5s")
	mustContain(t, "the status", textOf(section(t, page, "status")),
		"Reconfigurations 3", "2025-03-04 10:01:00 UTC (1h 1m 5s ago)", "took 8.2 ms", "/etc/emissary/config", "no failures")
	if strings.Contains(page, `id="failed"`) || strings.Contains(page, "Waiting for") {
		t.Error("a good configuration shows a failure banner or the waiting state")
	}

	errors := section(t, page, "errors")
	mustContain(t, "#errors", errors,
		`<a class="mono" href="/ambassador/v0/diag/Mapping/bad-regex.default">Mapping/bad-regex.default</a>`,
		`<a class="mono" href="/ambassador/v0/diag/Listener/http.default">`)
	mustContain(t, "#errors", textOf(errors),
		"Errors 10",
		`prefix: invalid regex "/bad/(": error parsing regexp: missing closing ): `+"`/bad/(`",
		"port 8080 is already used by Listener/http-again.default",
		"Mapping/no-service.default ../testdata/errors/in.yaml, document 6 (line 27)")
	// The resource failed to decode, so it is no source of the
	// configuration; its page still shows why.
	mustContain(t, "#errors", errors, `href="/ambassador/v0/diag/Mapping/no-service.default"`)
	if p, ok := BuildResourcePage(in, "Mapping/no-service.default"); !ok || len(p.Errors) == 0 || p.Resource.Kind != "Mapping" || p.Resource.Name != "no-service" {
		t.Errorf("the page of a resource that could not be read: %+v", p)
	}
	if strings.Index(page, `id="errors"`) > strings.Index(page, `id="routes"`) {
		t.Error("errors must come before the route table")
	}

	routes := section(t, page, "routes")
	mustContain(t, "#routes", routes,
		`<code>/good/</code>`,
		`<a class="mono" href="#cluster-cluster_good_default">cluster_good_default</a>`,
		`<a class="mono" href="/ambassador/v0/diag/Mapping/good.default">`,
		`<tr class="route internal">`,
		`<span class="badge">internal</span>`)
	mustContain(t, "#routes", textOf(routes), "60% cluster_a_default rewrite /", "40% cluster_b_default rewrite / from Mapping/overweight-b.default")

	clusters := section(t, page, "clusters")
	mustContain(t, "#clusters", clusters, `id="cluster-cluster_good_default"`, `<li>good:80</li>`, `<span class="badge bad">no endpoints</span>`)
	mustContain(t, "#clusters", textOf(clusters), "cluster_ghost_default EDS KubernetesEndpointResolver ghost in default no endpoints")

	mustContain(t, "#listeners", textOf(section(t, page, "listeners")), "Listener/http-again.default 8080 HTTP / TCP INSECURE")
	mustContain(t, "#hosts", textOf(section(t, page, "hosts")), "Host/default-host.default implicit")
	mustContain(t, "#notices", textOf(section(t, page, "notices")), "No TLS termination and no fallback cert -- defaulting to cleartext-only.")
	mustContain(t, "#resources", section(t, page, "resources"), `href="/ambassador/v0/diag/Mapping/unknown-resolver.default"`)

	checkLinks(t, in, page)
}

func TestRenderOverviewWithoutErrors(t *testing.T) {
	in := inputFrom(t, "../testdata/canary/in.yaml")
	page := renderOverview(t, in)
	mustContain(t, "#errors", textOf(section(t, page, "errors")), "No errors")
	mustContain(t, "#routes", textOf(section(t, page, "routes")),
		"10% cluster_quote_canary_default", "90% cluster_quote_stable_default", "shadow cluster_shadow_quote_shadow_default",
		"exact /quote/health", "header x-beta = true", "query debug = 1", "regex /quote/v[0-9]+/")
	// The header says what it does not know rather than showing nothing.
	mustContain(t, "the header", textOf(page), "version unknown", "none yet")
	checkLinks(t, in, page)
}

func TestRenderWaitingForTheFirstConfiguration(t *testing.T) {
	t.Run("nothing tried yet", func(t *testing.T) {
		page := renderOverview(t, Input{System: sys})
		mustContain(t, "the page", textOf(page), "Waiting for the first configuration", "Last reconfiguration none yet", "Configuration in force none yet")
		for _, id := range []string{"routes", "clusters", "failed"} {
			if strings.Contains(page, `id="`+id+`"`) {
				t.Errorf("the waiting page has #%s", id)
			}
		}
	})
	t.Run("the first attempt failed", func(t *testing.T) {
		failed := inputFrom(t, "../testdata/errors/in.yaml")
		page := renderOverview(t, Input{
			System: sys,
			Status: Status{Reconfigurations: 1, Failures: 1, LastAttempt: &Attempt{Source: "http://watt/snapshot", Started: boot, DurationMs: 1500, Error: "1 resource makes the configuration unsafe"}},
			Failed: failed.IR,
		})
		banner := textOf(section(t, page, "failed"))
		mustContain(t, "the banner", banner,
			"The last reconfiguration failed", "No configuration is in force yet",
			"1 resource makes the configuration unsafe", "http://watt/snapshot",
			"Errors in the rejected configuration (10)", "resolver nope is unknown")
		mustContain(t, "the page", textOf(page), "Waiting for the first configuration", "1 failure", "took 1.50 s")
		if strings.Contains(page, `href="/ambassador/v0/diag/Mapping`) {
			t.Error("links to resource pages, which do not exist before the first configuration")
		}
	})
}

func TestRenderFailedAttemptBanner(t *testing.T) {
	in := inputFrom(t, "../testdata/canary/in.yaml")
	in.System = sys
	in.Failed = inputFrom(t, "../testdata/errors/in.yaml").IR
	in.Status = Status{
		Reconfigurations: 5, Failures: 2, LastGood: good,
		LastAttempt: &Attempt{Source: "/etc/emissary/config", Started: boot.Add(time.Hour), DurationMs: 3, Error: "10 resources have errors"},
	}
	page := renderOverview(t, in)

	banner := section(t, page, "failed")
	mustContain(t, "the banner", textOf(banner),
		"The previous good configuration is still in force (loaded 2025-03-04 10:01:00 UTC",
		"Attempt at 2025-03-04 11:00:00 UTC (2m 5s ago) from /etc/emissary/config : 10 resources have errors",
		"Mapping/unknown-resolver.default resolver nope is unknown",
		"Listener/http.default port 8080 is already used")
	if strings.Index(page, `id="failed"`) > strings.Index(page, `id="errors"`) {
		t.Error("the banner must come before the sections")
	}
	mustContain(t, "the status", textOf(section(t, page, "status")), "2 failures", "failed")
	// The page still shows the configuration in force.
	mustContain(t, "#errors", textOf(section(t, page, "errors")), "No errors")
	mustContain(t, "#routes", textOf(section(t, page, "routes")), "cluster_quote_stable_default")
	checkLinks(t, in, page)
}

func TestRenderResource(t *testing.T) {
	in := inputFrom(t, "../testdata/errors/in.yaml")
	in.System = sys

	t.Run("rejected mapping", func(t *testing.T) {
		page := renderResource(t, in, "Mapping/bad-regex.default")
		mustContain(t, "the page", page, `<a id="back" href="/ambassador/v0/diag/">`, `href="/ambassador/v0/diag/Mapping/bad-regex.default?json=true"`, "emissary-7f9c")
		mustContain(t, "#resource", textOf(section(t, page, "resource")), "Mapping/bad-regex.default 1 error", "Kind Mapping", "Name bad-regex", "Namespace default")
		mustContain(t, "#errors", textOf(section(t, page, "errors")), `prefix: invalid regex "/bad/("`)
		mustContain(t, "#routes", textOf(section(t, page, "routes")), "No routes")
		checkLinks(t, in, page)
	})
	t.Run("good mapping", func(t *testing.T) {
		page := renderResource(t, in, "Mapping/good.default")
		mustContain(t, "#errors", textOf(section(t, page, "errors")), "No errors")
		mustContain(t, "#routes", section(t, page, "routes"), `<code>/good/</code>`, `href="#cluster-cluster_good_default"`)
		mustContain(t, "#clusters", section(t, page, "clusters"), `id="cluster-cluster_good_default"`)
		checkLinks(t, in, page)
	})
	t.Run("listener", func(t *testing.T) {
		page := renderResource(t, in, "Listener/http-again.default")
		mustContain(t, "#listeners", textOf(section(t, page, "listeners")), "8080 HTTP / TCP INSECURE")
	})
	t.Run("a route's shadow cluster not on the page is not linked", func(t *testing.T) {
		in := inputFrom(t, "../testdata/canary/in.yaml")
		page := renderResource(t, in, "Mapping/quote-stable.default")
		mustContain(t, "#routes", textOf(section(t, page, "routes")), "shadow cluster_shadow_quote_shadow_default")
		checkLinks(t, in, page)
	})
}

// A resource can make diagd report text it controls; it must stay text.
func TestRenderEscapesResourceText(t *testing.T) {
	in := inputFromYAML(t, `
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: xss, namespace: default}
spec: {hostname: "*", prefix: /x/, service: x, resolver: "<script>alert(1)</script>"}
`)
	in.Failed = in.IR
	pages := map[string]string{
		"overview": renderOverview(t, in),
		"resource": renderResource(t, in, "Mapping/xss.default"),
	}
	for name, page := range pages {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(page, "<script") {
				t.Errorf("unescaped <script> in the %s page", name)
			}
			mustContain(t, "the page", page, "resolver &lt;script&gt;alert(1)&lt;/script&gt; is unknown")
		})
	}
}

func TestResourcePath(t *testing.T) {
	tests := []struct{ key, want string }{
		{"Mapping/quote.default", "/ambassador/v0/diag/Mapping/quote.default"},
		{"Host/default-host.emissary", "/ambassador/v0/diag/Host/default-host.emissary"},
		{"Mapping/a b?c#d.default", "/ambassador/v0/diag/Mapping/a%20b%3Fc%23d.default"},
		{"Mapping/a/b.default", "/ambassador/v0/diag/Mapping/a%2Fb.default"},
		{"-global-", "/ambassador/v0/diag/-global-"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			got := ResourcePath(tc.key)
			if got != tc.want {
				t.Errorf("ResourcePath(%q) = %q, want %q", tc.key, got, tc.want)
			}
			// diagd reads the key back from the decoded path.
			u, err := url.Parse("http://diag" + got)
			if err != nil {
				t.Fatal(err)
			}
			if back := strings.TrimPrefix(u.Path, DiagPath); back != tc.key {
				t.Errorf("key read back as %q", back)
			}
		})
	}
}

func TestHumanDurations(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"seconds", uptime(42), "42s"},
		{"minutes", uptime(125), "2m 5s"},
		{"hours", uptime(3725), "1h 2m 5s"},
		{"days", uptime(2*86400 + 3*3600 + 4*60 + 5), "2d 3h 4m"},
		{"fast", milliseconds(0.34), "0.3 ms"},
		{"ms", milliseconds(42.4), "42 ms"},
		{"slow", milliseconds(2500), "2.50 s"},
		{"unknown now", when(boot, time.Time{}), "2025-03-04 10:00:00 UTC"},
		{"ago", when(boot, boot.Add(90*time.Second)), "2025-03-04 10:00:00 UTC (1m 30s ago)"},
		{"never", when(time.Time{}, boot), "never"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}
