package watt

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emissary-go/emissary/internal/snapshot"
)

func TestCoalescerBatchesABurstAndPublishesTheEnd(t *testing.T) {
	var (
		published atomic.Int64
		lastSeen  atomic.Int64
		changes   atomic.Int64
	)
	c := &Coalescer{Debounce: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}
	c.Publish = func() {
		published.Add(1)
		lastSeen.Store(changes.Load())
	}
	defer c.Stop()
	// 1,000 changes over about half a second.
	for range 1000 {
		changes.Add(1)
		c.Changed()
		time.Sleep(500 * time.Microsecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for lastSeen.Load() != 1000 {
		if time.Now().After(deadline) {
			t.Fatalf("the last change was never published (last published saw %d)", lastSeen.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := published.Load(); n < 2 || n > 20 {
		t.Errorf("%d publications for 1,000 changes over ~0.5 s with a 100 ms maximum delay", n)
	}
	t.Logf("%d publications", published.Load())

	// A lone change after a quiet time is published after the debounce.
	before := published.Load()
	start := time.Now()
	changes.Add(1)
	c.Changed()
	for published.Load() == before {
		time.Sleep(time.Millisecond)
	}
	if took := time.Since(start); took > 90*time.Millisecond {
		t.Errorf("a lone change took %v to publish", took)
	}
}

// filesWatt runs watt in files mode on dir, with diagd's notifications
// going to a test server.
type filesWatt struct {
	url      string
	notified atomic.Int64
}

func startFilesWatt(t *testing.T, dir string, tweak ...func(*Options)) *filesWatt {
	t.Helper()
	fw := &filesWatt{}
	diagd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_internal/v0/watt" || !strings.HasPrefix(r.URL.Query().Get("url"), "http://127.0.0.1:") {
			t.Errorf("notified at %s", r.URL)
		}
		fw.notified.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(diagd.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	fw.url = "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts := Options{ConfigDir: dir, Namespace: "default", AmbassadorID: "default", ListenAddress: addr,
		NotifyURL: diagd.URL + "/_internal/v0/watt", Debounce: 10 * time.Millisecond, MaxDelay: Seconds(200 * time.Millisecond)}
	for _, f := range tweak {
		f(&opts)
	}
	go func() { done <- Run(ctx, opts, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watt: %v", err)
		}
	})
	return fw
}

// snapshot waits for a snapshot satisfying ok.
func (fw *filesWatt) snapshot(t *testing.T, what string, ok func(*snapshot.Snapshot) bool) *snapshot.Snapshot {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(fw.url + "/snapshot")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s := &snapshot.Snapshot{}
				if err := json.Unmarshal(body, s); err != nil {
					t.Fatal(err)
				}
				if ok(s) {
					return s
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot with %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mapping(name, prefix string) string {
	return fmt.Sprintf(`apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: %s, namespace: default}
spec: {hostname: "*", prefix: %q, service: quote}
`, name, prefix)
}

func prefixes(s *snapshot.Snapshot) []string {
	var out []string
	for _, m := range s.Kubernetes.Mappings {
		out = append(out, m.Name+"="+m.Spec.Prefix)
	}
	slices.Sort(out)
	return out
}

func has(s *snapshot.Snapshot, want ...string) bool {
	return slices.Equal(prefixes(s), want)
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func hasDelta(s *snapshot.Snapshot, kind, name string, typ snapshot.DeltaType) bool {
	return slices.ContainsFunc(s.Deltas, func(d snapshot.Delta) bool {
		return d.Kind == kind && d.Name == name && d.DeltaType == typ
	})
}

func TestFilesModeSeesEveryKindOfChange(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), mapping("a", "/a/"))
	fw := startFilesWatt(t, dir)
	s := fw.snapshot(t, "the first file", func(s *snapshot.Snapshot) bool { return has(s, "a=/a/") })
	if !hasDelta(s, "Mapping", "a", snapshot.DeltaAdd) || s.AmbassadorMeta == nil || s.AmbassadorMeta.AmbassadorID == "" {
		t.Errorf("first snapshot: deltas %+v meta %+v", s.Deltas, s.AmbassadorMeta)
	}

	// Written in place.
	write(t, filepath.Join(dir, "a.yaml"), mapping("a", "/a2/"))
	s = fw.snapshot(t, "a file written", func(s *snapshot.Snapshot) bool { return has(s, "a=/a2/") })
	if !hasDelta(s, "Mapping", "a", snapshot.DeltaUpdate) {
		t.Errorf("deltas %+v, want an update of a", s.Deltas)
	}

	// An editor's atomic save: a temporary file renamed over.
	write(t, filepath.Join(dir, ".a.yaml.swp"), mapping("a", "/a3/"))
	if err := os.Rename(filepath.Join(dir, ".a.yaml.swp"), filepath.Join(dir, "a.yaml")); err != nil {
		t.Fatal(err)
	}
	fw.snapshot(t, "an atomic save", func(s *snapshot.Snapshot) bool { return has(s, "a=/a3/") })

	// A new directory with a file in it.
	write(t, filepath.Join(dir, "team", "b.yaml"), mapping("b", "/b/"))
	fw.snapshot(t, "a file in a new directory", func(s *snapshot.Snapshot) bool { return has(s, "a=/a3/", "b=/b/") })

	// Deleted.
	if err := os.Remove(filepath.Join(dir, "a.yaml")); err != nil {
		t.Fatal(err)
	}
	s = fw.snapshot(t, "a file deleted", func(s *snapshot.Snapshot) bool { return has(s, "b=/b/") })
	if !hasDelta(s, "Mapping", "a", snapshot.DeltaDelete) {
		t.Errorf("deltas %+v, want a deleted", s.Deltas)
	}

	// Malformed YAML is reported in the snapshot, the rest stays.
	write(t, filepath.Join(dir, "bad.yaml"), "kind: Mapping\n  spec: [\n")
	s = fw.snapshot(t, "a malformed file", func(s *snapshot.Snapshot) bool { return len(s.Invalid) > 0 })
	if !has(s, "b=/b/") {
		t.Errorf("a malformed file lost the others: %v", prefixes(s))
	}
	if fw.notified.Load() == 0 {
		t.Error("diagd was never notified")
	}
}

// Kubernetes updates a mounted ConfigMap by pointing its ..data link at a
// new directory; the visible files are links through ..data.
func TestFilesModeFollowsAConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	v1 := filepath.Join(dir, "..2026_v1")
	write(t, filepath.Join(v1, "m.yaml"), mapping("m", "/v1/"))
	if err := os.Symlink("..2026_v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/m.yaml", filepath.Join(dir, "m.yaml")); err != nil {
		t.Fatal(err)
	}
	fw := startFilesWatt(t, dir)
	fw.snapshot(t, "the ConfigMap", func(s *snapshot.Snapshot) bool { return has(s, "m=/v1/") })

	v2 := filepath.Join(dir, "..2026_v2")
	write(t, filepath.Join(v2, "m.yaml"), mapping("m", "/v2/"))
	if err := os.Symlink("..2026_v2", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	fw.snapshot(t, "the swapped ConfigMap", func(s *snapshot.Snapshot) bool { return has(s, "m=/v2/") })
}

func TestExternalSnapshotHasNoSecretData(t *testing.T) {
	p := &Publisher{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	snap := snapshot.FromYAML("in.yaml", []byte(`apiVersion: v1
kind: Secret
metadata: {name: cert, namespace: default}
type: kubernetes.io/tls
data: {tls.crt: c2VjcmV0, tls.key: c2VjcmV0}
`), "default")
	if err := p.Publish(snap); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.ExternalHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/snapshot-external")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "c2VjcmV0") || !strings.Contains(string(body), `"cert"`) {
		t.Errorf("external snapshot: %d %s", resp.StatusCode, body)
	}
	if resp, err := http.Get(srv.URL + "/snapshot"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the full snapshot is served outside: %v %v", resp.StatusCode, err)
	}
	if !strings.Contains(string(p.Latest()), "c2VjcmV0") {
		t.Error("the internal snapshot lost the Secret's data")
	}
}

// Istio's mounted certificates become the istio-certs Secret, and follow
// rotation.
func TestIstioCertificatesBecomeASecret(t *testing.T) {
	dir, certs := t.TempDir(), t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), mapping("a", "/a/"))
	fw := startFilesWatt(t, dir, func(o *Options) { o.IstioSecretDir = certs })
	istio := func(s *snapshot.Snapshot) string {
		for _, sec := range s.Kubernetes.Secrets {
			if sec.Name == "istio-certs" && sec.Namespace == "default" && sec.Type == "kubernetes.io/tls" {
				return string(sec.Data["tls.crt"]) + "|" + string(sec.Data["tls.key"])
			}
		}
		return ""
	}
	fw.snapshot(t, "no Secret without the files", func(s *snapshot.Snapshot) bool { return has(s, "a=/a/") && istio(s) == "" })
	write(t, filepath.Join(certs, "key.pem"), "key-1")
	write(t, filepath.Join(certs, "cert-chain.pem"), "chain-1")
	fw.snapshot(t, "the istio-certs Secret", func(s *snapshot.Snapshot) bool { return istio(s) == "chain-1|key-1" })
	write(t, filepath.Join(certs, "cert-chain.pem"), "chain-2")
	write(t, filepath.Join(certs, "key.pem"), "key-2")
	fw.snapshot(t, "the rotated Secret", func(s *snapshot.Snapshot) bool { return istio(s) == "chain-2|key-2" })
}

// diagd may start after watt: the notification is retried until it
// arrives.
func TestNotificationIsRetriedUntilDiagdListens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody there yet
	p := &Publisher{SnapshotURL: "http://127.0.0.1:9696/snapshot", NotifyURL: "http://" + addr + "/_internal/v0/watt", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.RunNotifier(ctx)
	if err := p.Publish(snapshot.FromYAML("in.yaml", []byte(mapping("a", "/a/")), "default")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	got := make(chan string, 1)
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query().Get("url")
		w.WriteHeader(http.StatusAccepted)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	select {
	case u := <-got:
		if u != "http://127.0.0.1:9696/snapshot" {
			t.Errorf("notified of %q", u)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("diagd was never told once it listened")
	}
}
