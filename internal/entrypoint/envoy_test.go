package entrypoint_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emissary-go/emissary/internal/echo"
	"github.com/emissary-go/emissary/internal/testenv"
)

// Real traffic through the gateway: Envoy started by the entrypoint with
// the first configuration, routing to echo backends.
func TestRoutesRealTrafficThroughEnvoy(t *testing.T) {
	envoy := testenv.Envoy(t, "the test that routes real HTTP through Envoy needs it")
	backend := func(name string) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go echo.Serve(ln, name)
		return ln.Addr().String()
	}
	quote, tenant, other := backend("quote"), backend("tenant"), backend("other")
	port := freePort(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config.yaml"), fmt.Sprintf(`apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: %d, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: quote, namespace: default}
spec: {hostname: "*", prefix: /quote/, service: "%s"}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: tenant, namespace: default}
spec: {hostname: "*", prefix: /quote/, service: "%s", headers: {x-tenant: acme}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: rewrite, namespace: default}
spec: {hostname: "*", prefix: /api/, rewrite: /v1/, service: "%s"}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: other-host, namespace: default}
spec: {hostname: "other.example.com", prefix: /, service: "%s"}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: moved, namespace: default}
spec: {hostname: "*", prefix: /moved/, service: "new.example.com", host_redirect: true}
`, port, quote, tenant, quote, other))
	g := startGatewayWith(t, dir, "--envoy", envoy)
	g.waitReady(t)

	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(host, path string, headers map[string]string) (*http.Response, echo.Request) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), nil)
		req.Host = host
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var seen echo.Request
		json.NewDecoder(resp.Body).Decode(&seen)
		return resp, seen
	}
	for _, tc := range []struct {
		name, host, path string
		headers          map[string]string
		backend, sawPath string
	}{
		{"prefix", "any.example.com", "/quote/x", nil, "quote", "/x"},
		{"header", "any.example.com", "/quote/x", map[string]string{"x-tenant": "acme"}, "tenant", "/x"},
		{"rewrite", "any.example.com", "/api/items", nil, "quote", "/v1/items"},
		{"host", "other.example.com", "/anything", nil, "other", "/anything"},
	} {
		_, seen := do(tc.host, tc.path, tc.headers)
		if seen.Backend != tc.backend || seen.Path != tc.sawPath {
			t.Errorf("%s: reached %q with path %q, want %q with %q", tc.name, seen.Backend, seen.Path, tc.backend, tc.sawPath)
		}
	}
	if resp, _ := do("any.example.com", "/moved/x", nil); resp.StatusCode != http.StatusMovedPermanently || !strings.Contains(resp.Header.Get("Location"), "new.example.com") {
		t.Errorf("redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
