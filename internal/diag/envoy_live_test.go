package diag

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emissary-go/emissary/internal/diag/envoy"
	"github.com/emissary-go/emissary/internal/snapshot"
	"github.com/emissary-go/emissary/internal/testenv"
)

// Envoy itself accepts every golden configuration.
func TestEnvoyValidatesGoldenConfigs(t *testing.T) {
	bin := testenv.Envoy(t, "the generated configuration is checked with the Envoy protos instead (TestGolden, envoy.Validate)")
	dirs, _ := filepath.Glob(filepath.Join("testdata", "*", "in.yaml"))
	for _, in := range dirs {
		name := filepath.Base(filepath.Dir(in))
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			secrets := filepath.Join(dir, "snapshots")
			snap, err := snapshot.FromFiles([]string{in}, "default")
			if err != nil {
				t.Fatal(err)
			}
			out, err := Translate(snap, TranslateOptions{Envoy: envoy.Options{SecretDir: secrets}})
			if err != nil {
				t.Fatal(err)
			}
			if err := out.WriteFiles(dir, secrets); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "--mode", "validate", "-c", filepath.Join(dir, "envoy", "envoy.json"))
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("envoy --mode validate: %v\n%s", err, b)
			}
		})
	}
}

// Real traffic through a real Envoy running the generated configuration.
func TestEnvoyRoutesRealTraffic(t *testing.T) {
	bin := testenv.Envoy(t, "the generated configuration is checked with the Envoy protos instead (TestGolden, envoy.Validate)")
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend saw %s", r.URL.Path)
	}))
	defer backend.Close()
	port := freePort(t)
	yaml := fmt.Sprintf(`
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: live, namespace: default}
spec: {port: %d, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: live, namespace: default}
spec: {hostname: "*", requestPolicy: {insecure: {action: Route}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: live, namespace: default}
spec: {hostname: "*", prefix: /live/, rewrite: /inside/, service: "%s"}
`, port, strings.TrimPrefix(backend.URL, "http://"))
	out, err := Translate(snapshot.FromYAML("live.yaml", []byte(yaml), "default"), TranslateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := out.WriteFiles(dir, filepath.Join(dir, "snapshots")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-c", filepath.Join(dir, "envoy", "envoy.json"), "--base-id", fmt.Sprint(port), "-l", "error")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	url := fmt.Sprintf("http://127.0.0.1:%d/live/thing", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(body) != "backend saw /inside/thing" {
				t.Fatalf("status %d body %q", resp.StatusCode, body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Envoy never answered on %s: %v", url, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
