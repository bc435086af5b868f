package entrypoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/http/pprof"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/emissary-go/emissary/internal/diag"
	"github.com/emissary-go/emissary/internal/logging"
	"github.com/emissary-go/emissary/internal/watt"
)

// Options configure the entrypoint.
type Options struct {
	// ConfigDir selects files mode: watch this directory of YAML instead
	// of a Kubernetes cluster.
	ConfigDir  string
	Kubeconfig string
	// HealthAddress serves check_alive, check_ready, pprof and the
	// diagnostics UI (Emissary: :8877).
	HealthAddress string
	// EnvoyBin is Envoy ("" to look for envoy on PATH); NoEnvoy runs
	// without one even if there is (Envoy runs elsewhere, or not yet).
	EnvoyBin string
	NoEnvoy  bool
	// DrainTime is Envoy's --drain-time-s, and the longest a shutdown
	// waits for Envoy to drain.
	DrainTime time.Duration
	BaseID    string
	// Concurrency is Envoy's --concurrency ("" for Envoy's default).
	Concurrency string
	// Busy is the busy binary the children run (default: this one).
	Busy string
	// The children's addresses.
	DiagdPort   int
	ADSAddr     string
	AmbexStatus string
	// Watt configures the in-process watcher (namespace, selectors,
	// delays); its ConfigDir and Kubeconfig come from above.
	Watt watt.Options
}

// Run is the entrypoint: it returns nil after a clean shutdown (ctx
// done), an error naming the child when one exits on its own.
func Run(ctx context.Context, opts Options, out io.Writer, log *slog.Logger) error {
	if opts.Busy == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		opts.Busy = self
	}
	e := &entrypoint{opts: opts, paths: diag.PathsFromEnv(os.Getenv), log: log, out: out, exited: make(chan *child, 4),
		wattLog: logging.New(out, logging.FromEnv(os.Getenv, "watt"))}
	return e.run(ctx)
}

// findEnvoy is the Envoy to run, or "" (said once) when there is none.
func (e *entrypoint) findEnvoy() string {
	if e.opts.NoEnvoy {
		e.log.Info("not running Envoy (--no-envoy): the configuration is served over ADS for an Envoy started elsewhere")
		return ""
	}
	if e.opts.EnvoyBin != "" {
		return e.opts.EnvoyBin
	}
	if p, err := exec.LookPath("envoy"); err == nil {
		return p
	}
	e.log.Warn("envoy is not on PATH (nor in ENVOY_BIN): running everything else; the configuration is served over ADS for an Envoy started elsewhere")
	return ""
}

type entrypoint struct {
	opts     Options
	paths    diag.Paths
	log      *slog.Logger
	out      io.Writer
	envoyBin string
	exited   chan *child
	wattLog  *slog.Logger

	mu       sync.Mutex
	children []*child // in start order
	envoy    *child
}

func (e *entrypoint) run(ctx context.Context) error {
	// SIGHUP is diagd's "new configuration": caught before diagd runs.
	hup := make(chan os.Signal, 8)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	health, err := e.serveHealth()
	if err != nil {
		return err
	}
	defer health.Close()
	for _, dir := range []string{e.paths.SnapshotDir, filepath.Dir(e.paths.EnvoyConfig)} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	envoyBin := e.findEnvoy()
	e.mu.Lock()
	e.envoyBin = envoyBin
	e.mu.Unlock()

	diagdURL := "http://127.0.0.1:" + strconv.Itoa(e.opts.DiagdPort)
	if _, err := e.start("diagd", e.opts.Busy, "diagd", e.paths.SnapshotDir, e.paths.Bootstrap, e.paths.EnvoyConfig,
		"--port", strconv.Itoa(e.opts.DiagdPort), "--notify-pid", strconv.Itoa(os.Getpid())); err != nil {
		e.stopAll()
		return err
	}
	if _, err := e.start("ambex", e.opts.Busy, "ambex", "--ads-listen-address", e.opts.ADSAddr,
		"--status-listen-address", e.opts.AmbexStatus, filepath.Dir(e.paths.EnvoyConfig)); err != nil {
		e.stopAll()
		return err
	}

	wattCtx, stopWatt := context.WithCancel(context.Background())
	wattDone := make(chan error, 1)
	wopts := e.opts.Watt
	wopts.ConfigDir, wopts.Kubeconfig = e.opts.ConfigDir, e.opts.Kubeconfig
	wopts.NotifyURL = diagdURL + "/_internal/v0/watt"
	go func() { wattDone <- watt.Run(wattCtx, wopts, e.wattLog) }()
	e.log.Info("gateway starting", "mode", e.mode(), "diagnostics", "http://"+e.healthURLHost()+"/ambassador/v0/diag/")

	var failure error
loop:
	for {
		select {
		case <-ctx.Done():
			e.log.Info("shutting down")
			break loop
		case err := <-wattDone:
			failure = fmt.Errorf("watt stopped: %v", err)
			e.log.Error("watt stopped; stopping the gateway", "error", err)
			break loop
		case c := <-e.exited:
			failure = fmt.Errorf("%s exited (%v)", c.name, c.err)
			e.log.Error("a child exited; stopping the gateway", "child", c.name, "status", fmt.Sprint(c.err), "last_lines", c.lastLines())
			break loop
		case <-hup:
			e.newConfiguration()
		}
	}
	stopWatt()
	if failure == nil {
		<-wattDone
		e.drainEnvoy()
	}
	e.stopAll()
	return failure
}

// newConfiguration: diagd wrote a good configuration. ambex reloads it;
// Envoy starts with the first.
func (e *entrypoint) newConfiguration() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.children {
		if c.name == "ambex" {
			c.signal(syscall.SIGHUP)
		}
	}
	if e.envoy != nil || e.envoyBin == "" {
		return
	}
	args := []string{"-c", e.paths.Bootstrap, "--base-id", e.opts.BaseID,
		"--drain-time-s", strconv.Itoa(int(e.opts.DrainTime.Seconds())), "-l", "error"}
	if e.opts.Concurrency != "" {
		args = append(args, "--concurrency", e.opts.Concurrency)
	}
	c, err := startChild("envoy", append([]string{e.envoyBin}, args...), e.out, e.exited)
	if err != nil {
		e.log.Error("cannot start Envoy", "error", err)
		return
	}
	e.envoy = c
	e.children = append(e.children, c)
	e.log.Info("Envoy started with the first configuration", "bootstrap", e.paths.Bootstrap)
}

func (e *entrypoint) start(name string, argv ...string) (*child, error) {
	c, err := startChild(name, argv, e.out, e.exited)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.children = append(e.children, c)
	e.mu.Unlock()
	return c, nil
}

// drainEnvoy asks Envoy to drain its listeners gracefully, then waits
// until it has no downstream connections or the drain time is up.
func (e *entrypoint) drainEnvoy() {
	e.mu.Lock()
	envoy := e.envoy
	e.mu.Unlock()
	if envoy == nil || !envoy.running() {
		return
	}
	e.log.Info("draining Envoy", "up_to", e.opts.DrainTime.String())
	resp, err := http.Post("http://127.0.0.1:8001/drain_listeners?graceful", "", nil)
	if err != nil {
		e.log.Warn("could not ask Envoy to drain", "error", err)
		return
	}
	resp.Body.Close()
	deadline := time.Now().Add(e.opts.DrainTime)
	for time.Now().Before(deadline) && envoy.running() {
		if active, err := envoyDownstreamConnections(); err == nil && active == 0 {
			return
		}
		time.Sleep(time.Second)
	}
}

// envoyDownstreamConnections is the number of open client connections.
func envoyDownstreamConnections() (int, error) {
	resp, err := http.Get("http://127.0.0.1:8001/stats?filter=downstream_cx_active$&format=json")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var stats struct {
		Stats []struct {
			Name  string `json:"name"`
			Value int    `json:"value"`
		} `json:"stats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		return 0, err
	}
	total := 0
	for _, s := range stats.Stats {
		total += s.Value
	}
	return total, nil
}

// stopAll stops the children in the reverse of their start order.
func (e *entrypoint) stopAll() {
	e.mu.Lock()
	children := append([]*child(nil), e.children...)
	e.mu.Unlock()
	for i := len(children) - 1; i >= 0; i-- {
		children[i].stop(10 * time.Second)
	}
}

func (e *entrypoint) mode() string {
	if e.opts.ConfigDir != "" {
		return "files (" + e.opts.ConfigDir + ")"
	}
	return "kubernetes"
}

func (e *entrypoint) healthURLHost() string {
	host, port, err := net.SplitHostPort(e.opts.HealthAddress)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		return "localhost:" + port
	}
	return e.opts.HealthAddress
}

// serveHealth serves :8877: the probes, pprof and diagd's UI.
func (e *entrypoint) serveHealth() (*http.Server, error) {
	ln, err := net.Listen("tcp", e.opts.HealthAddress)
	if err != nil {
		return nil, err
	}
	diagdURL, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(e.opts.DiagdPort))
	proxy := httputil.NewSingleHostReverseProxy(diagdURL)
	direct := proxy.Director
	proxy.Director = func(r *http.Request) {
		direct(r)
		// diagd shows its pages to off-pod clients only when the Module
		// says so: it learns who the client is from this header, which
		// a client cannot set for itself (it is always overwritten).
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		r.Header.Set(diag.DiagIPHeader, host)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ambassador/v0/check_alive", e.checkAlive)
	mux.HandleFunc("GET /ambassador/v0/check_ready", e.checkReady)
	mux.Handle("/ambassador/v0/", proxy)
	mux.Handle("/metrics", proxy)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return srv, nil
}

// checkAlive: every child is running.
func (e *entrypoint) checkAlive(w http.ResponseWriter, _ *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.children {
		if !c.running() {
			http.Error(w, c.name+" is not running", http.StatusServiceUnavailable)
			return
		}
	}
	w.Write([]byte("ambassador liveness check OK\n"))
}

// checkReady: a good configuration exists (diagd), and Envoy is ready
// when it runs; without Envoy, ambex serves a configuration.
func (e *entrypoint) checkReady(w http.ResponseWriter, _ *http.Request) {
	if err := get("http://127.0.0.1:" + strconv.Itoa(e.opts.DiagdPort) + "/ambassador/v0/check_ready"); err != nil {
		http.Error(w, "waiting for a good configuration: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	e.mu.Lock()
	envoy, envoyBin := e.envoy, e.envoyBin
	e.mu.Unlock()
	switch {
	case envoy != nil:
		if err := get("http://127.0.0.1:8001/ready"); err != nil {
			http.Error(w, "Envoy is not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	case envoyBin != "":
		http.Error(w, "Envoy has not started yet", http.StatusServiceUnavailable)
		return
	default:
		// No Envoy here: ready means ambex serves a configuration.
		if version, err := ambexVersion(e.opts.AmbexStatus); err != nil || version == "v0" {
			http.Error(w, fmt.Sprintf("ambex serves no configuration yet (%s, %v)", version, err), http.StatusServiceUnavailable)
			return
		}
	}
	w.Write([]byte("ambassador readiness check OK\n"))
}

// ambexVersion is the configuration version ambex serves.
func ambexVersion(addr string) (string, error) {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + addr + "/status")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var status struct{ Version string }
	err = json.NewDecoder(resp.Body).Decode(&status)
	return status.Version, err
}

func get(u string) error {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}
