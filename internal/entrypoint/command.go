// Package entrypoint is the container's main process: it runs watt, the
// snapshot server and the health server in-process and supervises diagd,
// ambex and Envoy as child processes.
package entrypoint

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
	"github.com/emissary-go/emissary/internal/logging"
	"github.com/emissary-go/emissary/internal/watt"
)

// Command returns `busy entrypoint`.
func Command() *cobra.Command {
	opts := Options{Watt: watt.Options{MaxDelay: watt.Seconds(time.Second), Debounce: 50 * time.Millisecond,
		ListenAddress: "127.0.0.1:9696"}}
	var drainSeconds int
	cmd := &cobra.Command{
		Use:   "entrypoint",
		Short: "run the gateway: watt, diagd, ambex and Envoy under one supervisor",
		Long: `entrypoint is the container's main process (the default command). It runs
the health server (:8877: check_alive, check_ready, /debug/pprof/ and the
diagnostics UI), watt and its snapshot server in-process, and starts
diagd, ambex and Envoy as supervised child processes sharing the
configuration directory ($AMBASSADOR_CONFIG_BASE_DIR). Envoy starts with
the first good configuration; each later one is relayed to ambex (SIGHUP).
If a child exits, everything stops and entrypoint exits 1 naming it;
SIGTERM drains Envoy, stops the children in reverse order and exits 0.
With --config-dir it needs no cluster. Without envoy on PATH (or
ENVOY_BIN) it says so and serves the configuration over ADS.`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.DrainTime = time.Duration(drainSeconds) * time.Second
			log := logging.New(cmd.ErrOrStderr(), logging.FromEnv(os.Getenv, "entrypoint"))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			return Run(ctx, opts, cmd.ErrOrStderr(), log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ConfigDir, "config-dir", "", "files mode: read resources from this directory of YAML instead of Kubernetes")
	f.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig file; in-cluster configuration when empty")
	f.StringVar(&opts.HealthAddress, "health-address", ":8877", "address of the health server and the diagnostics UI")
	f.StringVar(&opts.EnvoyBin, "envoy", "", "the Envoy binary (default: envoy on PATH)")
	f.BoolVar(&opts.NoEnvoy, "no-envoy", false, "do not run Envoy even if there is one; serve the configuration over ADS")
	f.IntVar(&drainSeconds, "drain-time", 600, "Envoy's --drain-time-s, and the longest a shutdown waits for Envoy to drain")
	f.StringVar(&opts.BaseID, "base-id", "0", "Envoy's --base-id")
	f.StringVar(&opts.Concurrency, "concurrency", "", "Envoy's --concurrency (default: Envoy's)")
	f.IntVar(&opts.DiagdPort, "diagd-port", 8004, "diagd's port on 127.0.0.1")
	f.StringVar(&opts.ADSAddr, "ads-address", "127.0.0.1:8003", "ambex's ADS address")
	f.StringVar(&opts.AmbexStatus, "ambex-status-address", "127.0.0.1:8002", "ambex's status address")
	f.StringVar(&opts.Watt.ListenAddress, "snapshot-address", "127.0.0.1:9696", "watt's snapshot server")
	f.StringVar(&opts.Watt.Namespace, "namespace", "default", "the namespace the gateway runs in")
	f.BoolVar(&opts.Watt.SingleNamespace, "single-namespace", false, "watch only --namespace")
	f.StringVar(&opts.Watt.AmbassadorID, "ambassador-id", "default", "only resources for this ambassador_id")
	f.StringVar(&opts.Watt.LabelSelector, "label-selector", "", "only Kubernetes resources matching this label selector")
	f.StringVar(&opts.Watt.FieldSelector, "field-selector", "", "only Kubernetes resources matching this field selector")
	f.Var(&opts.Watt.MaxDelay, "max-delay", "longest a change waits to be coalesced with others (seconds, or a duration)")
	f.StringVar(&opts.Watt.IstioSecretDir, "istio-secret-dir", "", "make the istio-certs Secret from key.pem and cert-chain.pem here")
	f.StringVar(&opts.Watt.ExternalListenAddress, "external-snapshot-address", ":8005", "serve /snapshot-external (no Secret data) here (empty: not at all)")
	cli.BindEnv(cmd, "config-dir", "AMBASSADOR_CONFIG_DIR")
	cli.BindEnv(cmd, "envoy", "ENVOY_BIN")
	cli.BindEnv(cmd, "drain-time", "AMBASSADOR_DRAIN_TIME")
	cli.BindEnv(cmd, "base-id", "AMBASSADOR_ENVOY_BASE_ID")
	cli.BindEnv(cmd, "concurrency", "ENVOY_CONCURRENCY")
	cli.BindEnv(cmd, "diagd-port", "AMBASSADOR_DIAGD_BIND_PORT")
	cli.BindEnv(cmd, "namespace", "AMBASSADOR_NAMESPACE")
	cli.BindEnv(cmd, "single-namespace", "AMBASSADOR_SINGLE_NAMESPACE")
	cli.BindEnv(cmd, "ambassador-id", "AMBASSADOR_ID")
	cli.BindEnv(cmd, "label-selector", "AMBASSADOR_LABEL_SELECTOR")
	cli.BindEnv(cmd, "field-selector", "AMBASSADOR_FIELD_SELECTOR")
	cli.BindEnv(cmd, "max-delay", "AMBASSADOR_RECONFIG_MAX_DELAY")
	cli.BindEnv(cmd, "istio-secret-dir", "AMBASSADOR_ISTIO_SECRET_DIR")
	return cli.NewCommand(cmd)
}
