// Package diag is the diagd process: it turns snapshots into Envoy
// configuration files, signals ambex, and serves the diagnostics UI.
package diag

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
	"github.com/emissary-go/emissary/internal/diag/envoy"
	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/diag/ui"
	"github.com/emissary-go/emissary/internal/logging"
	"github.com/emissary-go/emissary/internal/version"
)

// Options configure diagd.
type Options struct {
	Paths         Paths
	ConfigDir     string
	Host          string
	Port          int
	NotifyPID     int
	SnapshotCount int
	IR            ir.Options
}

// Command returns `busy diagd`.
func Command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "diagd [SNAPSHOT_DIR [BOOTSTRAP_PATH [ENVOY_CONFIG_PATH]]]",
		Short: "translate snapshots into Envoy configuration and serve diagnostics",
		Long: `diagd receives snapshots from watt (POST /_internal/v0/watt?url=...),
translates them into Envoy v3 configuration, validates it, writes it
atomically and signals --notify-pid (the entrypoint) with SIGHUP. An
invalid configuration never replaces the last good one. It serves the
diagnostics UI under /ambassador/v0/diag/, the probes
/ambassador/v0/check_alive and check_ready, and /metrics.

Paths follow Emissary's environment (AMBASSADOR_CONFIG_BASE_DIR, ENVOY_DIR,
snapshot_dir, envoy_config_file, ENVOY_BOOTSTRAP_FILE); the positional
arguments override the snapshot directory, the bootstrap file and
envoy.json. With --config-dir, diagd translates a directory of YAML at
start (and on POST /_internal/v0/fs?path=DIR), without watt.`,
		Args: cli.Args(cobra.MaximumNArgs(3)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = PathsFromEnv(os.Getenv)
			for i, p := range []*string{&opts.Paths.SnapshotDir, &opts.Paths.Bootstrap, &opts.Paths.EnvoyConfig} {
				if i < len(args) {
					*p = args[i]
				}
			}
			if len(args) >= 2 {
				// clustermap.json lives beside the bootstrap.
				opts.Paths.ClusterMap = filepath.Join(filepath.Dir(args[1]), "clustermap.json")
			}
			opts.IR.SingleNamespace = envBool(os.Getenv("AMBASSADOR_SINGLE_NAMESPACE"))
			opts.IR.FileExists = fileExists
			log := logging.New(cmd.ErrOrStderr(), logging.FromEnv(os.Getenv, "diagd"))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			return Run(ctx, opts, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ConfigDir, "config-dir", "", "files mode: translate this directory of YAML instead of waiting for watt")
	f.StringVar(&opts.ConfigDir, "config-path", "", "the same as --config-dir (Emissary's name)")
	f.StringVar(&opts.Host, "host", "127.0.0.1", "address the diagd server listens on")
	f.IntVar(&opts.Port, "port", 8004, "port the diagd server listens on")
	f.IntVar(&opts.NotifyPID, "notify-pid", 0, "process to SIGHUP after each new configuration (0: the parent, -1: none)")
	f.IntVar(&opts.SnapshotCount, "snapshot-count", 4, "older generations of snapshots/ to keep")
	f.StringVar(&opts.IR.AmbassadorID, "ambassador-id", "default", "only use resources for this ambassador_id")
	f.StringVar(&opts.IR.Namespace, "namespace", "default", "the gateway's own namespace")
	cli.BindEnv(cmd, "host", "AMBASSADOR_DIAGD_BIND_ADDREASS") // sic: Emissary's spelling
	cli.BindEnv(cmd, "port", "AMBASSADOR_DIAGD_BIND_PORT")
	cli.BindEnv(cmd, "snapshot-count", "AMBASSADOR_SNAPSHOT_COUNT")
	cli.BindEnv(cmd, "config-dir", "AMBASSADOR_CONFIG_DIR")
	cli.BindEnv(cmd, "ambassador-id", "AMBASSADOR_ID")
	cli.BindEnv(cmd, "namespace", "AMBASSADOR_NAMESPACE")
	return cli.NewCommand(cmd)
}

// Run is diagd: it serves until ctx is done.
func Run(ctx context.Context, opts Options, log *slog.Logger) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)))
	if err != nil {
		return err
	}
	d := New(opts, log)
	return d.Serve(ctx, ln)
}

// Diagd is one diagd: the reconfiguration loop and its server.
type Diagd struct {
	opts         Options
	log          *slog.Logger
	Reconfigurer *Reconfigurer
	Server       *Server
}

// New assembles a diagd.
func New(opts Options, log *slog.Logger) *Diagd {
	metrics := NewMetrics()
	boot := time.Now()
	hostname, _ := os.Hostname()
	r := NewReconfigurer(ReconfigurerConfig{
		Paths:         opts.Paths,
		Translate:     TranslateOptions{IR: opts.IR, Envoy: envoyOptionsFromEnv(opts.Paths.SnapshotDir, os.Getenv, lookupIP, log)},
		SnapshotCount: opts.SnapshotCount,
		Notify:        notifier(opts.NotifyPID),
		Log:           log,
		Metrics:       metrics,
	})
	system := func() ui.System {
		return ui.System{
			Version: version.Get().Version, Hostname: hostname,
			AmbassadorID: opts.IR.AmbassadorID, Namespace: opts.IR.Namespace,
			BootTime: boot, UptimeSeconds: int64(time.Since(boot).Seconds()),
		}
	}
	return &Diagd{opts: opts, log: log, Reconfigurer: r,
		Server: &Server{Reconfigurer: r, Metrics: metrics, System: system, Log: log}}
}

// Serve runs the loop and serves on ln until ctx is done.
func (d *Diagd) Serve(ctx context.Context, ln net.Listener) error {
	for _, dir := range []string{d.opts.Paths.SnapshotDir, filepath.Dir(d.opts.Paths.EnvoyConfig)} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		d.Reconfigurer.Run(ctx)
	}()
	if d.opts.ConfigDir != "" {
		d.Reconfigurer.Request(Source{Dir: d.opts.ConfigDir})
	}
	srv := &http.Server{Handler: d.Server.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	d.log.Info("diagd listening", "address", ln.Addr().String(), "envoy_config", d.opts.Paths.EnvoyConfig, "snapshots", d.opts.Paths.SnapshotDir)
	err := srv.Serve(ln)
	<-loopDone
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// notifier signals pid (the parent when 0, nobody when negative).
func notifier(pid int) func() error {
	if pid < 0 {
		return func() error { return nil }
	}
	return func() error {
		target := pid
		if target == 0 {
			target = os.Getppid()
		}
		if err := syscall.Kill(target, syscall.SIGHUP); err != nil {
			return fmt.Errorf("SIGHUP to %d: %w", target, err)
		}
		return nil
	}
}

func envBool(v string) bool {
	b, _ := strconv.ParseBool(v)
	return b
}

// envoyOptionsFromEnv reads Emissary's variables for the generated
// configuration: AMBASSADOR_READY_PORT (default 8006),
// AMBASSADOR_READY_LOG, and the statsd ones: STATSD_ENABLED, DOGSTATSD,
// STATSD_HOST (default statsd-sink, resolved once, here, as Emissary
// does: Envoy's sinks take an address), STATSD_PORT (default 8125;
// Emissary ignores it), STATSD_FLUSH_INTERVAL (seconds, default 1) and
// DD_ENTITY_ID.
func envoyOptionsFromEnv(secretDir string, getenv func(string) string, lookup func(string) (string, error), log *slog.Logger) envoy.Options {
	o := envoy.Options{SecretDir: secretDir, ReadyLog: envBool(getenv("AMBASSADOR_READY_LOG"))}
	if p, err := strconv.Atoi(getenv("AMBASSADOR_READY_PORT")); err == nil && p > 0 && p < 65536 {
		o.ReadyPort = p
	}
	if !strings.EqualFold(getenv("STATSD_ENABLED"), "true") {
		return o
	}
	host := cmp.Or(getenv("STATSD_HOST"), "statsd-sink")
	ip, err := lookup(host)
	if err != nil {
		log.Warn("stats will not be exported: cannot resolve STATSD_HOST", "host", host, "error", err)
		return o
	}
	s := &envoy.Statsd{DogStatsD: envBool(getenv("DOGSTATSD")), IP: ip, Port: 8125, FlushIntervalSec: 1, EntityID: getenv("DD_ENTITY_ID")}
	if p, err := strconv.Atoi(getenv("STATSD_PORT")); err == nil && p > 0 && p < 65536 {
		s.Port = p
	}
	if f, err := strconv.Atoi(getenv("STATSD_FLUSH_INTERVAL")); err == nil && f > 0 {
		s.FlushIntervalSec = f
	}
	o.Statsd = s
	return o
}

// lookupIP resolves a host name to its first IPv4 address (an address
// stays as it is).
func lookupIP(host string) (string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return ip.String(), nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return "", err
	}
	for _, ip := range ips {
		if ip.To4() != nil {
			return ip.String(), nil
		}
	}
	if len(ips) == 0 {
		return "", fmt.Errorf("no address for %s", host)
	}
	return ips[0].String(), nil
}
