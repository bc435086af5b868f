package diag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/diag/ui"
	"github.com/emissary-go/emissary/internal/gcburst"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// Source is where a reconfiguration's snapshot comes from: watt's
// snapshot server (a URL) or a directory of YAML (files mode).
type Source struct {
	URL string
	Dir string
}

func (s Source) String() string {
	if s.Dir != "" {
		return s.Dir
	}
	return s.URL
}

// Reconfigurer turns snapshots into the files Envoy and ambex read, one
// at a time. Requests that arrive while one runs coalesce: only the
// latest is done next, so a burst costs at most two reconfigurations and
// the newest snapshot is never lost.
type Reconfigurer struct {
	cfg ReconfigurerConfig

	mu      sync.Mutex
	pending *Source
	wake    chan struct{}

	// current is what the diagnostics show; replaced whole.
	current atomic.Pointer[current]
	// Only the loop touches these.
	status       ui.Status
	lastProblems map[string]bool
}

// ReconfigurerConfig is what a Reconfigurer needs from outside.
type ReconfigurerConfig struct {
	Paths         Paths
	Translate     TranslateOptions
	SnapshotCount int
	// Notify tells the world a new configuration is on disk (SIGHUP).
	Notify func() error
	// Fetch gets a snapshot from watt; nil uses an HTTP GET.
	Fetch   func(ctx context.Context, url string) ([]byte, error)
	Log     *slog.Logger
	Metrics *Metrics
}

// current is the configuration in force and the last attempt's outcome.
type current struct {
	status   ui.Status
	good     *Output
	snapshot *snapshot.Snapshot
	failed   *ir.IR
}

// NewReconfigurer makes a Reconfigurer; Run does the work.
func NewReconfigurer(cfg ReconfigurerConfig) *Reconfigurer {
	if cfg.Fetch == nil {
		cfg.Fetch = httpFetch
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Notify == nil {
		cfg.Notify = func() error { return nil }
	}
	r := &Reconfigurer{cfg: cfg, wake: make(chan struct{}, 1)}
	r.current.Store(&current{})
	return r
}

// Request queues a reconfiguration from src, replacing any queued one.
func (r *Reconfigurer) Request(src Source) {
	r.mu.Lock()
	r.pending = &src
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default: // already woken: the loop will take the latest
	}
}

// Run reconfigures on request until ctx is done.
func (r *Reconfigurer) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		r.mu.Lock()
		src := r.pending
		r.pending = nil
		r.mu.Unlock()
		if src != nil {
			r.reconfigure(ctx, *src)
		}
	}
}

// Ready reports whether a good configuration has been written.
func (r *Reconfigurer) Ready() bool { return r.current.Load().good != nil }

// View is what the diagnostics show.
func (r *Reconfigurer) View(system ui.System) ui.Input {
	c := r.current.Load()
	in := ui.Input{System: system, Status: c.status, Snapshot: c.snapshot, Failed: c.failed}
	if c.good != nil {
		in.IR = c.good.IR
	}
	return in
}

// reconfigure does one reconfiguration. Whatever goes wrong, including a
// panic in the translator, the last good files stay and the loop goes on.
func (r *Reconfigurer) reconfigure(ctx context.Context, src Source) {
	log := r.cfg.Log.With("source", src.String())
	attempt := &ui.Attempt{Source: src.String(), Started: time.Now()}
	var failedIR *ir.IR
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				log.Error("reconfiguration crashed", "panic", p, "stack", string(debug.Stack()))
				err = fmt.Errorf("reconfiguration crashed: %v", p)
			}
		}()
		// The garbage of reading, translating and writing is collected
		// once Envoy has been told, not in the middle.
		endBurst := gcburst.Begin()
		defer endBurst()
		raw, snap, err := r.load(ctx, src)
		if err != nil {
			return err
		}
		out, err := Translate(snap, r.cfg.Translate)
		if err != nil {
			failedIR = out.IR
			return err
		}
		if err := r.write(out, snap); err != nil {
			return err
		}
		attempt.DurationMs = msSince(attempt.Started)
		if err := r.cfg.Notify(); err != nil {
			log.Error("could not signal the new configuration", "error", err)
		}
		endBurst()
		r.logProblems(log, out.IR)
		// Diagnostics after the signal: Envoy does not wait for them.
		if err := r.writeSnapshots(raw, out); err != nil {
			log.Warn("could not write the diagnostics snapshots", "dir", r.cfg.Paths.SnapshotDir, "error", err)
		}
		r.succeeded(attempt, out, snap)
		log.Info("reconfigured", "duration_ms", attempt.DurationMs, "resource_errors", out.IR.Diagnostics.Count())
		return nil
	}()
	if err != nil {
		attempt.DurationMs = msSince(attempt.Started)
		attempt.Error = err.Error()
		args := []any{"error", err}
		if failedIR != nil {
			args = append(args, "resource_errors", failedIR.Diagnostics.Sorted())
		}
		log.Error("reconfiguration failed; the last good configuration stays in force", args...)
		r.failed(attempt, failedIR)
	}
}

// load reads the snapshot: raw is what snapshot.yaml keeps.
func (r *Reconfigurer) load(ctx context.Context, src Source) ([]byte, *snapshot.Snapshot, error) {
	if src.Dir != "" {
		snap, err := snapshot.FromFiles([]string{src.Dir}, r.cfg.Translate.IR.Namespace)
		if err != nil {
			return nil, nil, err
		}
		raw, err := json.Marshal(snap)
		return raw, snap, err
	}
	raw, err := r.cfg.Fetch(ctx, src.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching the snapshot: %w", err)
	}
	snap, err := snapshot.Decode(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the snapshot: %w", err)
	}
	return raw, snap, nil
}

// write puts a good configuration where Envoy and ambex read it: the
// certificates first, then the endpoints of EDS clusters, envoy.json last
// but the bootstrap (which Envoy reads only when it starts), each file
// replaced atomically.
func (r *Reconfigurer) write(out *Output, snap *snapshot.Snapshot) error {
	p := r.cfg.Paths
	// envoy.pb is encoded on the other cores while the files before it,
	// and envoy.json under a temporary name, are written.
	var pb []byte
	encoded := make(chan error, 1)
	go func() {
		// A panic here would not reach reconfigure's recover.
		defer func() {
			if p := recover(); p != nil {
				encoded <- fmt.Errorf("encoding envoy.pb crashed: %v\n%s", p, debug.Stack())
			}
		}()
		var err error
		pb, err = out.XDSBinary()
		encoded <- err
	}()
	err := r.writeBeforeEnvoy(out, snap)
	var envoyJSON *stagedFile
	if err == nil {
		envoyJSON, err = stageFile(p.EnvoyConfig, out.Envoy, 0o644)
	}
	if pbErr := <-encoded; err == nil && pbErr != nil {
		err = pbErr
		envoyJSON.discard()
	}
	if err != nil {
		return err
	}
	// envoy.pb before envoy.json: a reader that finds the new pb beside
	// the old json sees they do not belong together and reads the json.
	if err := writeFile(filepath.Join(filepath.Dir(p.EnvoyConfig), "envoy.pb"), pb, 0o644); err != nil {
		envoyJSON.discard()
		return err
	}
	if err := envoyJSON.commit(); err != nil {
		return err
	}
	_, err = writeIfChanged(p.Bootstrap, out.BootstrapJSON, 0o644)
	return err
}

// writeBeforeEnvoy writes what envoy.json refers to: the certificates,
// the endpoints of EDS clusters and the cluster map.
func (r *Reconfigurer) writeBeforeEnvoy(out *Output, snap *snapshot.Snapshot) error {
	p := r.cfg.Paths
	if err := out.WriteSecrets(p.SnapshotDir); err != nil {
		return err
	}
	endpoints, err := endpointsJSON(out.IR, snap)
	if err != nil {
		return err
	}
	// Unchanged files are left alone: ambex reloads endpoints.json when
	// it changes, and a synced write is not free.
	if _, err := writeIfChanged(filepath.Join(filepath.Dir(p.EnvoyConfig), "endpoints.json"), endpoints, 0o644); err != nil {
		return err
	}
	_, err = writeIfChanged(p.ClusterMap, out.ClusterMapJSON, 0o644)
	return err
}

// writeSnapshots writes this generation's snapshot, aconf, IR and Envoy
// configuration, then rotates the older ones.
func (r *Reconfigurer) writeSnapshots(raw []byte, out *Output) error {
	irJSON, err := out.IRJSON()
	if err != nil {
		return err
	}
	aconfJSON, err := out.AConfJSON()
	if err != nil {
		return err
	}
	dir := r.cfg.Paths.SnapshotDir
	for name, data := range map[string][]byte{
		"snapshot-tmp.yaml": raw,
		"aconf-tmp.json":    aconfJSON,
		"ir-tmp.json":       irJSON,
	} {
		if err := writeFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	// econf.json is the envoy.json just written: linked, not written
	// again (envoy.json is always replaced, never changed in place, so
	// the link keeps this generation), unless links cannot be made there.
	econf := filepath.Join(dir, "econf-tmp.json")
	if err := os.Remove(econf); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if os.Link(r.cfg.Paths.EnvoyConfig, econf) != nil {
		if err := writeFileFrom(econf, out.Envoy, 0o644); err != nil {
			return err
		}
	}
	return rotateSnapshots(dir, r.cfg.SnapshotCount)
}

// logProblems logs the resource errors that are new since the last
// reconfiguration: each is worth one line, not one per reconfiguration.
func (r *Reconfigurer) logProblems(log *slog.Logger, x *ir.IR) {
	seen := map[string]bool{}
	for _, line := range x.Diagnostics.Sorted() {
		seen[line] = true
		if !r.lastProblems[line] {
			log.Warn("resource error", "error", line)
		}
	}
	r.lastProblems = seen
}

func (r *Reconfigurer) succeeded(a *ui.Attempt, out *Output, snap *snapshot.Snapshot) {
	a.OK = true
	r.status.Reconfigurations++
	r.status.LastAttempt, r.status.LastGood = a, a
	r.current.Store(&current{status: r.status, good: out, snapshot: snap})
	r.cfg.Metrics.succeeded(a, out.IR)
}

func (r *Reconfigurer) failed(a *ui.Attempt, failedIR *ir.IR) {
	r.status.Reconfigurations++
	r.status.Failures++
	r.status.LastAttempt = a
	prev := r.current.Load()
	r.current.Store(&current{status: r.status, good: prev.good, snapshot: prev.snapshot, failed: failedIR})
	r.cfg.Metrics.failed(a)
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}

// httpFetch gets a snapshot from watt's snapshot server.
func httpFetch(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	if len(body) == 0 {
		return nil, errors.New(url + ": empty snapshot")
	}
	return body, nil
}
