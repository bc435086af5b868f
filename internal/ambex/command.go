// Package ambex serves the generated Envoy configuration over ADS.
package ambex

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
	"github.com/emissary-go/emissary/internal/logging"
)

// Options configure ambex.
type Options struct {
	ListenNetwork string
	ListenAddress string
	StatusAddress string
	Watch         bool
	Debug         bool
	Dirs          []string
}

// Command returns `busy ambex`.
func Command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "ambex [DIR...]",
		Short: "serve Envoy configuration over ADS (xDS v3)",
		Long: `ambex loads envoy.json (and endpoints.json) from the first DIR that has it
(default: $ENVOY_DIR, else /ambassador/envoy) at start and on every SIGHUP,
and serves it to Envoy over aggregated xDS v3 (state of the world and
delta). A file that does not parse or validate leaves the configuration
served in place.

Endpoint fast path: endpoints.json ({"endpoints": [ClusterLoadAssignment,
...]}, Envoy's JSON) is watched; when it changes, only endpoints are
served anew, without a diagd cycle. --watch also reloads on changes to
envoy.json, not only on SIGHUP.

GET /status on --status-listen-address shows the version served and, per
Envoy node, the versions it accepted and its last refusal.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			if len(opts.Dirs) == 0 {
				opts.Dirs = []string{defaultDir()}
			}
			log := logging.New(cmd.ErrOrStderr(), logging.FromEnv(os.Getenv, "ambex"))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			return Run(ctx, opts, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ListenNetwork, "ads-listen-network", "tcp", "network of the ADS listener (tcp or unix)")
	f.StringVar(&opts.ListenAddress, "ads-listen-address", "127.0.0.1:8003", "address of the ADS listener")
	f.StringVar(&opts.StatusAddress, "status-listen-address", "127.0.0.1:8002", "address of the status endpoint (empty: none)")
	f.BoolVar(&opts.Watch, "watch", false, "also reload when envoy.json changes, not only on SIGHUP")
	f.BoolVar(&opts.Debug, "debug", false, "log each snapshot served")
	return cli.NewCommand(cmd)
}

func defaultDir() string {
	if d := os.Getenv("ENVOY_DIR"); d != "" {
		return d
	}
	base := os.Getenv("AMBASSADOR_CONFIG_BASE_DIR")
	if base == "" {
		base = os.Getenv("ambassador_root")
	}
	if base == "" {
		base = "/ambassador"
	}
	return filepath.Join(base, "envoy")
}

// Run is ambex: it serves until ctx is done.
func Run(ctx context.Context, opts Options, log *slog.Logger) error {
	if opts.Debug {
		log = logging.New(os.Stderr, logging.Options{Level: "debug", Command: "ambex"})
	}
	ln, err := net.Listen(opts.ListenNetwork, opts.ListenAddress)
	if err != nil {
		return err
	}
	a := New(opts.Dirs, log, opts.Debug)
	if opts.StatusAddress != "" {
		statusLn, err := net.Listen("tcp", opts.StatusAddress)
		if err != nil {
			ln.Close()
			return err
		}
		srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(statusLn)
		defer srv.Close()
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	go a.watch(ctx, hup, opts.Watch)
	log.Info("ambex serving ADS", "address", ln.Addr().String(), "dirs", opts.Dirs)
	err = a.Serve(ctx, ln)
	if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
		return nil
	}
	return err
}

// watch reloads at start, on SIGHUP, and when the watched files change.
func (a *Ambex) watch(ctx context.Context, hup <-chan os.Signal, watchConfig bool) {
	reload := func(why string) {
		switch err := a.Reload(ctx); {
		case errors.Is(err, ErrNoConfig):
			a.log.Info("waiting for diagd's first configuration", "trigger", why)
		case err != nil:
			a.log.Error("not reloading; still serving the previous configuration", "trigger", why, "error", err)
		}
	}
	reload("start")
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		a.log.Error("cannot watch files; reloading on SIGHUP only", "error", err)
	} else {
		defer watcher.Close()
		for _, dir := range a.dirs {
			if err := watcher.Add(dir); err != nil {
				a.log.Warn("cannot watch a directory", "dir", dir, "error", err)
			}
		}
	}
	var events <-chan fsnotify.Event
	if watcher != nil {
		events = watcher.Events
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			reload("SIGHUP")
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			// Writers replace files by renaming a temporary one over
			// them: a Create (or Write) of the final name is the change.
			if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) {
				continue
			}
			switch filepath.Base(ev.Name) {
			case EndpointsFile:
				// Before the first configuration, endpoints wait for it.
				if err := a.ReloadEndpoints(ctx); err != nil && !errors.Is(err, ErrNoConfig) {
					a.log.Error("not applying endpoints.json", "error", err)
				}
			case ConfigFile:
				if watchConfig {
					reload("envoy.json changed")
				}
			}
		}
	}
}
