package ir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/emissary-go/emissary/internal/diag/diagtest"
	"github.com/emissary-go/emissary/internal/parallel"
	"github.com/emissary-go/emissary/internal/snapshot"
)

const twoNamespaces = `
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: home, namespace: emissary}
spec: {hostname: "*", prefix: /home/, service: home}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: away, namespace: elsewhere}
spec: {hostname: "*", prefix: /away/, service: away}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: blue-only, namespace: emissary}
spec: {ambassador_id: [blue], hostname: "*", prefix: /blue/, service: blue}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: no-namespace}
spec: {hostname: "*", prefix: /nons/, service: nons}
`

// mappingNames lists the user Mappings in route order.
func mappingNames(x *IR) string {
	var names []string
	for _, g := range x.Groups {
		for _, m := range g.Mappings {
			if !m.Internal {
				names = append(names, m.Namespace+"/"+m.Name)
			}
		}
	}
	return strings.Join(names, " ")
}

func TestNamespacesAndAmbassadorID(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"all namespaces, default id", Options{Namespace: "emissary"}, "emissary/no-namespace emissary/home elsewhere/away"},
		{"single namespace", Options{Namespace: "emissary", SingleNamespace: true}, "emissary/no-namespace emissary/home"},
		{"another ambassador_id", Options{Namespace: "emissary", AmbassadorID: "blue"}, "emissary/blue-only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The files reader gives namespace-less resources the
			// gateway's namespace, as watt does.
			x := Build(snapshot.FromYAML("in.yaml", []byte(twoNamespaces), tc.opts.Namespace), tc.opts)
			if got := mappingNames(x); got != tc.want {
				t.Errorf("mappings = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNodeNameAndInternalRoutesFollowTheNamespace(t *testing.T) {
	x := Build(snapshot.FromYAML("in.yaml", nil, "emissary"), Options{Namespace: "emissary"})
	if x.Identity.NodeName != "ambassador-emissary" {
		t.Errorf("node name %q, want ambassador-emissary", x.Identity.NodeName)
	}
	var clusters []string
	for _, c := range x.Clusters {
		clusters = append(clusters, c.EnvoyName)
	}
	if strings.Join(clusters, " ") != "cluster_127_0_0_1_8877_emissary" {
		t.Errorf("clusters %v, want only the diagd cluster in the gateway's namespace", clusters)
	}
	if len(x.Hosts) != 1 || !x.Hosts[0].Implicit || x.Hosts[0].InsecureAction != "Route" {
		t.Errorf("without Hosts or a fallback cert there is one cleartext default Host, got %+v", x.Hosts)
	}
}

func TestDuplicateResourceIsReported(t *testing.T) {
	in := `
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: twin, namespace: default}
spec: {hostname: "*", prefix: /a/, service: a}
---
apiVersion: getambassador.io/v2
kind: Mapping
metadata: {name: twin, namespace: default}
spec: {prefix: /b/, service: b}
`
	x := Build(snapshot.FromYAML("in.yaml", []byte(in), "default"), Options{})
	if errs := x.Diagnostics.Errors["Mapping/twin.default"]; len(errs) != 1 || !strings.Contains(errs[0], "already defined") {
		t.Errorf("errors = %v, want the second twin reported", x.Diagnostics.Errors)
	}
	if got := mappingNames(x); got != "default/twin" {
		t.Errorf("mappings = %q, want the first twin only", got)
	}
}

// TestHostnamesDifferingOnlyInCaseAreOneName keeps the first Host of a
// name however it is capitalized: Envoy would refuse the route table
// with a virtual host for each.
func TestHostnamesDifferingOnlyInCaseAreOneName(t *testing.T) {
	in := `
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: a, namespace: default}
spec: {hostname: shop.example.com}
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: b, namespace: default}
spec: {hostname: Shop.Example.COM}
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: c, namespace: default}
spec: {hostname: shop.example.com}
`
	x := Build(snapshot.FromYAML("in.yaml", []byte(in), "default"), Options{})
	var names []string
	for _, h := range x.Hosts {
		names = append(names, h.Name+"="+h.Hostname)
	}
	if got := strings.Join(names, " "); got != "a=shop.example.com c=shop.example.com" {
		t.Errorf("hosts = %q, want a and c (the same name exactly), not b", got)
	}
	if errs := x.Diagnostics.Errors["Host/b.default"]; len(errs) != 1 || !strings.Contains(errs[0], "only in case") {
		t.Errorf("errors = %v, want Host b reported", x.Diagnostics.Errors)
	}
}

func TestHostTLSContextMustAgreeWithTheHost(t *testing.T) {
	in := `
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: good, namespace: default}
spec: {hostname: good.example.com, tlsSecret: {name: cert-a}, tlsContext: {name: ctx-a}}
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: wrong-secret, namespace: default}
spec: {hostname: bad.example.com, tlsSecret: {name: cert-b}, tlsContext: {name: ctx-a}}
---
apiVersion: getambassador.io/v3alpha1
kind: TLSContext
metadata: {name: ctx-a, namespace: default}
spec: {secret: cert-a, hosts: [good.example.com], min_tls_version: v1.2}
---
apiVersion: v1
kind: Secret
metadata: {name: cert-a, namespace: default}
type: kubernetes.io/tls
data: {tls.crt: YQ==, tls.key: YQ==}
---
apiVersion: v1
kind: Secret
metadata: {name: cert-b, namespace: default}
type: kubernetes.io/tls
data: {tls.crt: Yg==, tls.key: Yg==}
`
	x := Build(snapshot.FromYAML("in.yaml", []byte(in), "default"), Options{})
	if len(x.Hosts) != 1 || x.Hosts[0].Name != "good" || x.Hosts[0].TLS.MinVersion != "v1.2" {
		t.Fatalf("hosts = %+v, want only good, with ctx-a's settings", x.Hosts)
	}
	if errs := x.Diagnostics.Errors["Host/wrong-secret.default"]; len(errs) != 1 || !strings.Contains(errs[0], "not the Host's tlsSecret") {
		t.Errorf("errors = %v", x.Diagnostics.Errors)
	}
}

// The pre-Host `tls` Module is read as the TLSContext "server"; Hosts use
// it by name, and without Hosts it is reported as ignored, as in Emissary.
func TestLegacyTLSModule(t *testing.T) {
	module := `
apiVersion: getambassador.io/v3alpha1
kind: Module
metadata: {name: tls, namespace: default}
spec:
  config:
    server: {enabled: true, secret: site-cert, alpn_protocols: h2}
    client: {enabled: true, secret: client-ca, cert_required: true}
---
apiVersion: v1
kind: Secret
metadata: {name: site-cert, namespace: default}
type: kubernetes.io/tls
data: {tls.crt: YQ==, tls.key: YQ==}
---
apiVersion: v1
kind: Secret
metadata: {name: client-ca, namespace: default}
type: kubernetes.io/tls
data: {tls.crt: Yw==, tls.key: Yw==}
`
	x := Build(snapshot.FromYAML("in.yaml", []byte(module), "default"), Options{})
	if errs := x.Diagnostics.Errors["TLSContext/server.default"]; len(errs) != 1 || !strings.Contains(errs[0], "being ignored") {
		t.Errorf("without Hosts the server context is ignored with an error, got %v", x.Diagnostics.Errors)
	}
	host := `---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: site, namespace: default}
spec: {hostname: site.example.com, tlsSecret: {name: site-cert}, tlsContext: {name: server}}
`
	x = Build(snapshot.FromYAML("in.yaml", []byte(module+host), "default"), Options{})
	if len(x.Hosts) != 1 || x.Hosts[0].TLS == nil {
		t.Fatalf("hosts = %+v, diagnostics %v", x.Hosts, x.Diagnostics.Errors)
	}
	tls := x.Hosts[0].TLS
	if tls.Name != "server" || tls.ALPN != "h2" || tls.CASecret == nil || tls.CASecret.Name != "client-ca" || tls.CertRequired == nil || !*tls.CertRequired {
		t.Errorf("the Host should take the tls Module's settings, got %+v", tls)
	}
}

// The parallel parts report problems in chunks, merged in order: the IR,
// diagnostics included, is the same on one core and on a crew.
func TestBuildIsTheSameOnAnyNumberOfCores(t *testing.T) {
	snap := diagtest.Snapshot(300)
	for i, m := range snap.Kubernetes.Mappings {
		switch i % 7 {
		case 1:
			m.Spec.RegexHeaders = map[string]string{"x-broken": "(unclosed"}
		case 3:
			m.Spec.Service = fmt.Sprintf("missing-%d:80", i)
		case 5:
			yes := true
			m.Spec.PrefixRegex = &yes
			m.Spec.Prefix = "/also[broken"
		}
	}
	build := func(crew *parallel.Crew) []byte {
		out, err := json.Marshal(Build(snap, Options{Crew: crew}))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	prev := runtime.GOMAXPROCS(1)
	one := build(nil)
	runtime.GOMAXPROCS(max(prev, 2))
	defer runtime.GOMAXPROCS(prev)
	crew := parallel.StartCrew()
	defer crew.Stop()
	for range 3 {
		if got := build(crew); !bytes.Equal(got, one) {
			t.Fatalf("the IR built on a crew differs from the one built on one core")
		}
	}
	var errs int
	for _, list := range Build(snap, Options{}).Diagnostics.Errors {
		errs += len(list)
	}
	if errs < 100 {
		t.Errorf("only %d errors: the broken Mappings were not reported", errs)
	}
}
