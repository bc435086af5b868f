package diag

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
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emissary-go/emissary/internal/diag/ui"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// testDiagd is a diagd running in the test process on a free port, with
// its files in a temporary directory.
type testDiagd struct {
	url   string
	paths Paths
	d     *Diagd
}

func startDiagd(t *testing.T, tweak func(*Options)) *testDiagd {
	t.Helper()
	base := t.TempDir()
	opts := Options{
		Paths:         PathsFromEnv(func(k string) string { return map[string]string{"AMBASSADOR_CONFIG_BASE_DIR": base}[k] }),
		NotifyPID:     -1,
		SnapshotCount: 4,
	}
	if tweak != nil {
		tweak(&opts)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := New(opts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan error, 1)
	go func() { done <- d.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("diagd: %v", err)
		}
	})
	return &testDiagd{url: "http://" + ln.Addr().String(), paths: opts.Paths, d: d}
}

// snapshotServer serves snapshots as watt's snapshot server does, each
// at its own path.
type snapshotServer struct {
	*httptest.Server
	mu        sync.Mutex
	snapshots map[string][]byte
	fetches   atomic.Int64
	inFlight  atomic.Int64
	maxFlight atomic.Int64
	delay     time.Duration
}

func newSnapshotServer(t *testing.T) *snapshotServer {
	s := &snapshotServer{snapshots: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for {
			m := s.maxFlight.Load()
			if n <= m || s.maxFlight.CompareAndSwap(m, n) {
				break
			}
		}
		s.fetches.Add(1)
		time.Sleep(s.delay)
		s.mu.Lock()
		body, ok := s.snapshots[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.Error(w, "no such snapshot", http.StatusInternalServerError)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// add serves the snapshot of yaml at path and returns its URL.
func (s *snapshotServer) add(t *testing.T, path, yaml string) string {
	t.Helper()
	body, err := json.Marshal(snapshot.FromYAML("in.yaml", []byte(yaml), "default"))
	if err != nil {
		t.Fatal(err)
	}
	s.addRaw(path, body)
	return s.URL + path
}

func (s *snapshotServer) addRaw(path string, body []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snapshots[path] = body
	return s.URL + path
}

// config is a small valid configuration whose one Mapping has prefix.
func config(prefix string) string {
	return `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: quote, namespace: default}
spec: {hostname: "*", prefix: "` + prefix + `", service: quote}
`
}

// badMapping adds a Mapping that cannot be used to a configuration.
const badMapping = `---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: broken, namespace: default}
spec: {hostname: "*", prefix: "/broken/", prefix_regex: true, regex_rewrite: {pattern: "([a-", substitution: "x"}, service: broken}
`

func (d *testDiagd) post(t *testing.T, path string) *http.Response {
	t.Helper()
	resp, err := http.Post(d.url+path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (d *testDiagd) notify(t *testing.T, snapshotURL string) {
	t.Helper()
	if resp := d.post(t, "/_internal/v0/watt?url="+snapshotURL); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST watt: %s", resp.Status)
	}
}

func (d *testDiagd) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(d.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func (d *testDiagd) overview(t *testing.T) ui.Overview {
	t.Helper()
	code, body := d.get(t, "/ambassador/v0/diag/?json=true")
	if code != http.StatusOK {
		t.Fatalf("overview: %d %s", code, body)
	}
	var o ui.Overview
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// waitAttempts waits until diagd has made n reconfiguration attempts.
func (d *testDiagd) waitAttempts(t *testing.T, n int) ui.Overview {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		o := d.overview(t)
		if o.Status.Reconfigurations >= n {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d reconfigurations, saw %d", n, o.Status.Reconfigurations)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDiagdWritesTheConfigurationThenSignals(t *testing.T) {
	hup := make(chan os.Signal, 4)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	snaps := newSnapshotServer(t)
	d := startDiagd(t, func(o *Options) { o.NotifyPID = os.Getpid() })
	if code, _ := d.get(t, "/ambassador/v0/check_ready"); code != http.StatusServiceUnavailable {
		t.Errorf("ready before any configuration: %d", code)
	}
	if code, body := d.get(t, "/_internal/v0/ping"); code != http.StatusOK || body != "ACK\n" {
		t.Errorf("ping: %d %q", code, body)
	}
	if code, _ := d.get(t, "/_internal/v0/features"); code != http.StatusServiceUnavailable {
		t.Errorf("features before any configuration: %d", code)
	}
	if resp := d.post(t, "/_internal/v0/watt"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("watt without a URL: %s", resp.Status)
	}

	d.notify(t, snaps.add(t, "/1", config("/quote/")))
	select {
	case <-hup:
	case <-time.After(30 * time.Second):
		t.Fatal("no SIGHUP after a good configuration")
	}
	// Everything Envoy and ambex read is on disk by the time of the signal.
	envoyJSON := readFile(t, d.paths.EnvoyConfig)
	if !strings.Contains(envoyJSON, `"prefix":"/quote/"`) || !strings.Contains(envoyJSON, `"cluster":"cluster_quote_default"`) {
		t.Errorf("envoy.json lacks the Mapping's route:\n%.500s", envoyJSON)
	}
	if boot := readFile(t, d.paths.Bootstrap); !strings.Contains(boot, `"xds_cluster"`) {
		t.Errorf("bootstrap-ads.json lacks the ADS cluster:\n%.500s", boot)
	}
	if cm := readFile(t, d.paths.ClusterMap); !strings.Contains(cm, `"cluster_quote_default"`) {
		t.Errorf("clustermap.json lacks the cluster:\n%s", cm)
	}
	d.waitAttempts(t, 1)
	for _, name := range []string{"snapshot.yaml", "aconf.json", "ir.json", "econf.json"} {
		if _, err := os.Stat(filepath.Join(d.paths.SnapshotDir, name)); err != nil {
			t.Errorf("snapshots/%s: %v", name, err)
		}
	}
	if econf := readFile(t, filepath.Join(d.paths.SnapshotDir, "econf.json")); econf != envoyJSON {
		t.Error("snapshots/econf.json is not the envoy.json written")
	}
	if code, body := d.get(t, "/ambassador/v0/check_ready"); code != http.StatusOK {
		t.Errorf("not ready after a good configuration: %d %s", code, body)
	}
	if code, body := d.get(t, "/_internal/v0/features"); code != http.StatusOK || !strings.Contains(body, `"mapping_count": 1`) {
		t.Errorf("features: %d %s", code, body)
	}

	// The bootstrap is rewritten only when it changes.
	bootInfo, err := os.Stat(d.paths.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	d.notify(t, snaps.add(t, "/2", config("/quote/v2/")))
	select {
	case <-hup:
	case <-time.After(30 * time.Second):
		t.Fatal("no SIGHUP after the second configuration")
	}
	if !strings.Contains(readFile(t, d.paths.EnvoyConfig), `"prefix":"/quote/v2/"`) {
		t.Error("envoy.json was not replaced by the second configuration")
	}
	if again, err := os.Stat(d.paths.Bootstrap); err != nil || !again.ModTime().Equal(bootInfo.ModTime()) {
		t.Errorf("bootstrap-ads.json rewritten though unchanged (%v)", err)
	}
}

func TestDiagdRotatesSnapshots(t *testing.T) {
	snaps := newSnapshotServer(t)
	d := startDiagd(t, func(o *Options) { o.SnapshotCount = 2 })
	for i := 1; i <= 4; i++ {
		d.notify(t, snaps.add(t, fmt.Sprintf("/%d", i), config(fmt.Sprintf("/gen%d/", i))))
		d.waitAttempts(t, i)
	}
	dir := d.paths.SnapshotDir
	// econf.json is linked to each generation's envoy.json: older ones
	// keep their own.
	for file, gen := range map[string]int{"snapshot.yaml": 4, "snapshot-1.yaml": 3, "snapshot-2.yaml": 2, "econf.json": 4, "econf-1.json": 3, "econf-2.json": 2} {
		if s := readFile(t, filepath.Join(dir, file)); !strings.Contains(s, fmt.Sprintf("/gen%d/", gen)) {
			t.Errorf("%s is not generation %d", file, gen)
		}
	}
	for _, gone := range []string{"snapshot-3.yaml", "ir-3.json", "snapshot-tmp.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s should not exist (%v)", gone, err)
		}
	}
	if ir1 := readFile(t, filepath.Join(dir, "ir-1.json")); !strings.Contains(ir1, "/gen3/") {
		t.Error("ir-1.json is not the previous generation's")
	}
}

func TestDiagdKeepsTheLastGoodConfiguration(t *testing.T) {
	hup := make(chan os.Signal, 8)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	snaps := newSnapshotServer(t)
	d := startDiagd(t, func(o *Options) { o.NotifyPID = os.Getpid() })
	d.notify(t, snaps.add(t, "/good", config("/good/")))
	d.waitAttempts(t, 1)
	<-hup
	good := readFile(t, d.paths.EnvoyConfig)
	goodIR := readFile(t, filepath.Join(d.paths.SnapshotDir, "ir.json"))

	bad := []struct {
		name, url, wantErr string
	}{
		{"malformed snapshot", snaps.addRaw("/malformed", []byte(`{"Kubernetes": [`)), "reading the snapshot"},
		{"snapshot server error", snaps.URL + "/missing", "500"},
		// A Listener on Envoy's own readiness port (127.0.0.1:8006) could
		// never be bound: the whole generation is refused.
		{"invalid Envoy configuration", snaps.add(t, "/invalid", config("/invalid/")+`---
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: clash, namespace: default}
spec: {port: 8006, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
`), "invalid"},
	}
	for i, tc := range bad {
		d.notify(t, tc.url)
		o := d.waitAttempts(t, 2+i)
		a := o.Status.LastAttempt
		if a == nil || a.OK || !strings.Contains(a.Error, tc.wantErr) {
			t.Errorf("%s: last attempt %+v, want a failure mentioning %q", tc.name, a, tc.wantErr)
		}
		if o.Status.Failures != i+1 || o.Status.LastGood == nil || o.Status.LastGood.Source != snaps.URL+"/good" {
			t.Errorf("%s: status %+v", tc.name, o.Status)
		}
		if got := readFile(t, d.paths.EnvoyConfig); got != good {
			t.Fatalf("%s replaced envoy.json", tc.name)
		}
		if got := readFile(t, filepath.Join(d.paths.SnapshotDir, "ir.json")); got != goodIR {
			t.Fatalf("%s replaced the snapshots", tc.name)
		}
		// The configuration in force is still what the UI shows.
		if len(o.Routes) == 0 || !containsRoute(o, "/good/") {
			t.Errorf("%s: the overview lost the configuration in force", tc.name)
		}
	}
	select {
	case <-hup:
		t.Error("SIGHUP after a refused configuration")
	default:
	}
	o := d.overview(t)
	if !strings.Contains(o.Status.LastAttempt.Error, "address 127.0.0.1:8006 is already used by listener clash (0.0.0.0:8006)") {
		t.Errorf("the refused configuration's reasons are not shown: %+v %+v", o.FailedErrors, o.Status.LastAttempt)
	}
	_, metrics := d.get(t, "/metrics")
	for _, want := range []string{`diagd_reconfigurations_total{result="failed"} 3`, `diagd_reconfigurations_total{result="ok"} 1`, "diagd_last_successful_reconfiguration_timestamp_seconds", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A crash in a reconfiguration is one failure, not the end of diagd.
	d.d.Reconfigurer.cfg.Fetch = func(ctx context.Context, url string) ([]byte, error) {
		if strings.HasSuffix(url, "/panic") {
			panic("boom")
		}
		return httpFetch(ctx, url)
	}
	d.notify(t, snaps.URL+"/panic")
	if o := d.waitAttempts(t, 5); o.Status.LastAttempt.OK || !strings.Contains(o.Status.LastAttempt.Error, "crashed: boom") {
		t.Errorf("a crash: %+v", o.Status.LastAttempt)
	}
	d.notify(t, snaps.add(t, "/after", config("/after/")))
	if o := d.waitAttempts(t, 6); !o.Status.LastAttempt.OK || !containsRoute(o, "/after/") {
		t.Errorf("diagd did not recover after a crash: %+v", o.Status.LastAttempt)
	}
}

func containsRoute(o ui.Overview, prefix string) bool {
	for _, r := range o.Routes {
		if r.Match.Path == prefix {
			return true
		}
	}
	return false
}

// A burst of notifications: never two reconfigurations at once, far
// fewer reconfigurations than notifications, and the last snapshot is
// the one in force.
func TestDiagdCoalescesBursts(t *testing.T) {
	snaps := newSnapshotServer(t)
	snaps.delay = 5 * time.Millisecond
	d := startDiagd(t, nil)
	const burst = 100
	var urls []string
	for i := range burst {
		urls = append(urls, snaps.add(t, fmt.Sprintf("/%d", i), config(fmt.Sprintf("/burst%d/", i))))
	}
	for _, u := range urls {
		d.notify(t, u)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		o := d.overview(t)
		if a := o.Status.LastAttempt; a != nil && a.Source == urls[burst-1] {
			if !a.OK || !containsRoute(o, fmt.Sprintf("/burst%d/", burst-1)) {
				t.Fatalf("the last snapshot did not take: %+v", a)
			}
			if o.Status.Reconfigurations >= burst {
				t.Errorf("%d reconfigurations for %d notifications: nothing coalesced", o.Status.Reconfigurations, burst)
			}
			t.Logf("%d notifications, %d reconfigurations", burst, o.Status.Reconfigurations)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the last snapshot of the burst was never applied")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(readFile(t, d.paths.EnvoyConfig), fmt.Sprintf(`"prefix":"/burst%d/"`, burst-1)) {
		t.Error("envoy.json is not the last snapshot's")
	}
	if n := snaps.maxFlight.Load(); n != 1 {
		t.Errorf("%d snapshot fetches at once; reconfigurations must not overlap", n)
	}
	if n := snaps.fetches.Load(); n >= burst {
		t.Errorf("%d fetches for %d notifications", n, burst)
	}
}

// With the Module's diagnostics off, the pages are shown only to clients
// on the pod (as the health server reports them), unless
// allow_non_local says otherwise.
func TestDiagdPagesFollowTheModulesDiagnostics(t *testing.T) {
	snaps := newSnapshotServer(t)
	d := startDiagd(t, nil)
	module := func(diagnostics string) string {
		return config("/quote/") + `---
apiVersion: getambassador.io/v3alpha1
kind: Module
metadata: {name: ambassador, namespace: default}
spec: {config: {diagnostics: ` + diagnostics + `}}
`
	}
	status := func(path, client string) int {
		req, _ := http.NewRequest("GET", d.url+path, nil)
		if client != "" {
			req.Header.Set(DiagIPHeader, client)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i, tc := range []struct {
		diagnostics        string
		offPod, onPod, own int
	}{
		{"{enabled: true}", 200, 200, 200},
		{"{enabled: false}", 404, 200, 200},
		{"{enabled: false, allow_non_local: true}", 200, 200, 200},
	} {
		d.notify(t, snaps.add(t, fmt.Sprintf("/%d", i), module(tc.diagnostics)))
		d.waitAttempts(t, i+1)
		for _, path := range []string{"/ambassador/v0/diag/", "/ambassador/v0/diag/Mapping/quote.default"} {
			if got := status(path, "10.1.2.3"); got != tc.offPod {
				t.Errorf("%s: %s for an off-pod client: %d, want %d", tc.diagnostics, path, got, tc.offPod)
			}
			if got := status(path, "127.0.0.1"); got != tc.onPod {
				t.Errorf("%s: %s for an on-pod client: %d, want %d", tc.diagnostics, path, got, tc.onPod)
			}
			if got := status(path, ""); got != tc.own {
				t.Errorf("%s: %s straight to diagd: %d, want %d", tc.diagnostics, path, got, tc.own)
			}
		}
		if got := status("/ambassador/v0/check_ready", "10.1.2.3"); got != 200 {
			t.Errorf("%s: the probes must answer anyone: %d", tc.diagnostics, got)
		}
	}
}

func TestDiagdShowsResourcesAndTheirErrors(t *testing.T) {
	snaps := newSnapshotServer(t)
	d := startDiagd(t, nil)
	d.notify(t, snaps.add(t, "/1", config("/quote/")+badMapping))
	o := d.waitAttempts(t, 1)
	if !o.Status.LastAttempt.OK {
		t.Fatalf("one bad Mapping failed the whole configuration: %+v", o.Status.LastAttempt)
	}
	if !containsRoute(o, "/quote/") || containsRoute(o, "/broken/") {
		t.Errorf("routes: %+v", o.Routes)
	}
	var brokenErr *ui.Problem
	for i, p := range o.Errors {
		if p.Key == "Mapping/broken.default" {
			brokenErr = &o.Errors[i]
		}
	}
	if brokenErr == nil || brokenErr.Kind != "Mapping" || brokenErr.Name != "broken" || brokenErr.Namespace != "default" {
		t.Fatalf("the bad Mapping's error is not reported with its resource: %+v", o.Errors)
	}
	code, body := d.get(t, "/ambassador/v0/diag/Mapping/broken.default?json=true")
	if code != http.StatusOK || !strings.Contains(body, brokenErr.Message[:20]) {
		t.Errorf("resource page: %d %s", code, body)
	}
	code, body = d.get(t, "/ambassador/v0/diag/Mapping/quote.default?json=true")
	if code != http.StatusOK || !strings.Contains(body, "cluster_quote_default") {
		t.Errorf("resource page of a good Mapping: %d %s", code, body)
	}
	if code, _ := d.get(t, "/ambassador/v0/diag/Mapping/nope.default"); code != http.StatusNotFound {
		t.Errorf("unknown resource: %d", code)
	}
	code, body = d.get(t, "/ambassador/v0/diag/")
	if code != http.StatusOK || !strings.Contains(body, "/quote/") || !strings.Contains(body, "broken") {
		t.Errorf("overview page: %d %.300s", code, body)
	}
	_, metrics := d.get(t, "/metrics")
	for _, want := range []string{`diagd_resource_errors{kind="Mapping"} 1`, `diagd_resources{kind="Mapping"} 2`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestDiagdFilesMode(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(config("/files/")), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDiagd(t, func(o *Options) { o.ConfigDir = dir })
	if o := d.waitAttempts(t, 1); !o.Status.LastAttempt.OK || !containsRoute(o, "/files/") {
		t.Fatalf("files mode at start: %+v", o.Status.LastAttempt)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "config.yaml"), []byte(config("/other/")), 0o644); err != nil {
		t.Fatal(err)
	}
	if resp := d.post(t, "/_internal/v0/fs?path="+other); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST fs: %s", resp.Status)
	}
	if o := d.waitAttempts(t, 2); !containsRoute(o, "/other/") {
		t.Errorf("POST fs did not reconfigure from the directory: %+v", o.Routes)
	}
	if !strings.Contains(readFile(t, d.paths.EnvoyConfig), `"prefix":"/other/"`) {
		t.Error("envoy.json is not the directory's")
	}
}

func TestPathsFollowEmissarysEnvironment(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Paths
	}{
		{nil, Paths{Bootstrap: "/ambassador/bootstrap-ads.json", EnvoyConfig: "/ambassador/envoy/envoy.json", ClusterMap: "/ambassador/clustermap.json", SnapshotDir: "/ambassador/snapshots"}},
		{map[string]string{"ambassador_root": "/r"}, Paths{Bootstrap: "/r/bootstrap-ads.json", EnvoyConfig: "/r/envoy/envoy.json", ClusterMap: "/r/clustermap.json", SnapshotDir: "/r/snapshots"}},
		{map[string]string{"AMBASSADOR_CONFIG_BASE_DIR": "/b", "ambassador_root": "/r", "ENVOY_DIR": "/e"}, Paths{Bootstrap: "/b/bootstrap-ads.json", EnvoyConfig: "/e/envoy.json", ClusterMap: "/b/clustermap.json", SnapshotDir: "/b/snapshots"}},
		{map[string]string{"ENVOY_BOOTSTRAP_FILE": "/x/boot.json", "envoy_config_file": "/y/econf.json", "snapshot_dir": "/z"}, Paths{Bootstrap: "/x/boot.json", EnvoyConfig: "/y/econf.json", ClusterMap: "/x/clustermap.json", SnapshotDir: "/z"}},
	}
	for _, tc := range tests {
		if got := PathsFromEnv(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("%v: got %+v, want %+v", tc.env, got, tc.want)
		}
	}
}

// EDS clusters' endpoints go to endpoints.json, for ambex.
func TestDiagdWritesEndpointsForEDSClusters(t *testing.T) {
	snaps := newSnapshotServer(t)
	d := startDiagd(t, nil)
	d.notify(t, snaps.add(t, "/1", config("/quote/")+`---
apiVersion: getambassador.io/v3alpha1
kind: KubernetesEndpointResolver
metadata: {name: endpoint, namespace: default}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: eds, namespace: default}
spec: {hostname: "*", prefix: /eds/, service: eds, resolver: endpoint}
---
apiVersion: v1
kind: Service
metadata: {name: eds, namespace: default}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: eds, namespace: default}
subsets: [{addresses: [{ip: 10.1.2.3}, {ip: 10.1.2.4}], ports: [{port: 8080}]}]
`))
	if o := d.waitAttempts(t, 1); !o.Status.LastAttempt.OK {
		t.Fatalf("%+v", o.Status.LastAttempt)
	}
	got := readFile(t, filepath.Join(filepath.Dir(d.paths.EnvoyConfig), "endpoints.json"))
	for _, want := range []string{`"cluster_name":"k8s/default/eds/80"`, `"address":"10.1.2.3"`, `"address":"10.1.2.4"`, `"port_value":8080`} {
		if !strings.Contains(strings.ReplaceAll(got, " ", ""), want) {
			t.Errorf("endpoints.json lacks %s:\n%s", want, got)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(d.paths.EnvoyConfig), "envoy.pb")); err != nil {
		t.Errorf("no envoy.pb beside envoy.json: %v", err)
	}
}
