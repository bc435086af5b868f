// Package watt watches Kubernetes, Consul and files, coalesces changes and
// publishes snapshots for diagd.
package watt

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/emissary-go/emissary/internal/cli"
	"github.com/emissary-go/emissary/internal/logging"
	"github.com/emissary-go/emissary/internal/snapshot"
	"github.com/emissary-go/emissary/internal/version"
)

// Options configure watt.
type Options struct {
	Kubeconfig            string
	ConfigDir             string
	Namespace             string
	SingleNamespace       bool
	AmbassadorID          string
	LabelSelector         string
	FieldSelector         string
	ListenAddress         string
	ExternalListenAddress string
	NotifyURL             string
	MaxDelay              Seconds
	Debounce              time.Duration
	IstioSecretDir        string
}

// Command returns `busy watt`.
func Command() *cobra.Command {
	opts := Options{MaxDelay: Seconds(time.Second)}
	cmd := &cobra.Command{
		Use:   "watt",
		Short: "watch Kubernetes, Consul and files, and publish snapshots",
		Long: `watt watches the Kubernetes API (or, in files mode, a directory of YAML) and
the Consul catalog, coalesces bursts of changes into snapshots, serves the
latest one on --listen-address (/snapshot; /snapshot-external without
Secret data on --external-listen-address) and notifies diagd of each new
one. The entrypoint runs it in-process; run it alone to debug what it sees.`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := logging.New(cmd.ErrOrStderr(), logging.FromEnv(os.Getenv, "watt"))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			return Run(ctx, opts, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig file; in-cluster configuration when empty")
	f.StringVar(&opts.ConfigDir, "config-dir", "", "files mode: watch this directory of YAML instead of Kubernetes")
	f.StringVar(&opts.Namespace, "namespace", "default", "the namespace Emissary runs in")
	f.BoolVar(&opts.SingleNamespace, "single-namespace", false, "watch only --namespace")
	f.StringVar(&opts.AmbassadorID, "ambassador-id", "default", "only resources for this ambassador_id")
	f.StringVar(&opts.LabelSelector, "label-selector", "", "only Kubernetes resources matching this label selector")
	f.StringVar(&opts.FieldSelector, "field-selector", "", "only Kubernetes resources matching this field selector")
	f.StringVar(&opts.ListenAddress, "listen-address", "127.0.0.1:9696", "serve the latest snapshot on this address at /snapshot")
	f.StringVar(&opts.ExternalListenAddress, "external-listen-address", "", "serve /snapshot-external (no Secret data) here too (Emissary: :8005)")
	f.StringVar(&opts.NotifyURL, "notify", "http://127.0.0.1:8004/_internal/v0/watt", "POST here (with ?url=<snapshot URL>) after each new snapshot; empty: nobody")
	f.Var(&opts.MaxDelay, "max-delay", "longest a change waits to be coalesced with others (seconds, or a duration)")
	f.DurationVar(&opts.Debounce, "debounce", 50*time.Millisecond, "quiet time after a change before a snapshot is taken")
	f.StringVar(&opts.IstioSecretDir, "istio-secret-dir", "", "make the istio-certs Secret from key.pem and cert-chain.pem here")
	cli.BindEnv(cmd, "config-dir", "AMBASSADOR_CONFIG_DIR")
	cli.BindEnv(cmd, "namespace", "AMBASSADOR_NAMESPACE")
	cli.BindEnv(cmd, "single-namespace", "AMBASSADOR_SINGLE_NAMESPACE")
	cli.BindEnv(cmd, "ambassador-id", "AMBASSADOR_ID")
	cli.BindEnv(cmd, "label-selector", "AMBASSADOR_LABEL_SELECTOR")
	cli.BindEnv(cmd, "field-selector", "AMBASSADOR_FIELD_SELECTOR")
	cli.BindEnv(cmd, "max-delay", "AMBASSADOR_RECONFIG_MAX_DELAY")
	cli.BindEnv(cmd, "istio-secret-dir", "AMBASSADOR_ISTIO_SECRET_DIR")
	return cli.NewCommand(cmd)
}

// Seconds is a duration given as Emissary gives it (a number of seconds)
// or as Go does ("500ms").
type Seconds time.Duration

func (s *Seconds) String() string { return time.Duration(*s).String() }
func (s *Seconds) Type() string   { return "seconds" }
func (s *Seconds) Set(v string) error {
	if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 {
		*s = Seconds(time.Duration(f * float64(time.Second)))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is neither seconds nor a duration", v)
	}
	*s = Seconds(d)
	return nil
}

// kubeConfig is the kubeconfig file's configuration, or the in-cluster
// one when there is no file.
func kubeConfig(path string) (*rest.Config, error) {
	if path == "" {
		if c, err := rest.InClusterConfig(); err == nil {
			return c, nil
		} else if os.Getenv("KUBECONFIG") == "" {
			return nil, fmt.Errorf("not in a cluster, and no --kubeconfig or $KUBECONFIG: %w (files mode is --config-dir)", err)
		}
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if path != "" {
		rules.ExplicitPath = path
	}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, nil).ClientConfig()
}

// Run is watt: it serves until ctx is done.
func Run(ctx context.Context, opts Options, log *slog.Logger) error {
	ln, err := net.Listen("tcp", opts.ListenAddress)
	if err != nil {
		return err
	}
	var source Source
	if opts.ConfigDir != "" {
		source = &Files{Dir: opts.ConfigDir, Namespace: opts.Namespace, Log: log}
	} else {
		config, err := kubeConfig(opts.Kubeconfig)
		if err != nil {
			ln.Close()
			return err
		}
		source = &Kube{Config: config, Namespace: opts.Namespace, SingleNamespace: opts.SingleNamespace,
			LabelSelector: opts.LabelSelector, FieldSelector: opts.FieldSelector, Log: log}
	}
	pub := &Publisher{SnapshotURL: "http://" + ln.Addr().String() + "/snapshot", NotifyURL: opts.NotifyURL, Log: log}
	servers := []*http.Server{{Handler: pub.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go servers[0].Serve(ln)
	if opts.ExternalListenAddress != "" {
		extLn, err := net.Listen("tcp", opts.ExternalListenAddress)
		if err != nil {
			servers[0].Close()
			return err
		}
		servers = append(servers, &http.Server{Handler: pub.ExternalHandler(), ReadHeaderTimeout: 10 * time.Second})
		go servers[1].Serve(extLn)
	}
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	w := &Watt{
		Source:    source,
		Publisher: pub,
		Coalescer: &Coalescer{Debounce: opts.Debounce, MaxDelay: time.Duration(opts.MaxDelay)},
		Meta:      snapshot.AmbassadorMeta{AmbassadorID: opts.AmbassadorID, AmbassadorVersion: version.Get().Version},
		Log:       log,
		Consul:    &Consul{AmbassadorID: opts.AmbassadorID, Log: log},
	}
	if opts.IstioSecretDir != "" {
		w.Istio = &IstioCerts{Dir: opts.IstioSecretDir, Namespace: opts.Namespace, Log: log}
	}
	log.Info("watt serving snapshots", "address", ln.Addr().String(), "config_dir", opts.ConfigDir)
	return w.Run(ctx)
}
