// Package watt watches Kubernetes, Consul and files, coalesces changes and
// publishes snapshots for diagd.
package watt

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
)

// Options configure watt.
type Options struct {
	Kubeconfig      string
	ConfigDir       string
	Namespace       string
	SingleNamespace bool
	AmbassadorID    string
	LabelSelector   string
	FieldSelector   string
	ListenAddress   string
	NotifyURL       string
	MaxDelay        time.Duration
}

// Command returns `busy watt`.
func Command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "watt",
		Short: "watch Kubernetes, Consul and files, and publish snapshots",
		Long: `watt watches the Kubernetes API (or, in files mode, a directory of YAML) and
the Consul catalog, coalesces bursts of changes into snapshots, serves the
latest one on --listen-address and notifies diagd of each new one. The
entrypoint runs it in-process; run it alone to debug what it sees.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cli.NotImplemented("watt", "issue 7")
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
	f.StringVar(&opts.NotifyURL, "notify", "http://127.0.0.1:8004/_internal/v0/watt", "POST here (with ?url=<snapshot URL>) after each new snapshot")
	f.DurationVar(&opts.MaxDelay, "max-delay", time.Second, "longest a change waits to be coalesced with others")
	cli.BindEnv(cmd, "config-dir", "AMBASSADOR_CONFIG_DIR")
	cli.BindEnv(cmd, "namespace", "AMBASSADOR_NAMESPACE")
	cli.BindEnv(cmd, "single-namespace", "AMBASSADOR_SINGLE_NAMESPACE")
	cli.BindEnv(cmd, "ambassador-id", "AMBASSADOR_ID")
	cli.BindEnv(cmd, "label-selector", "AMBASSADOR_LABEL_SELECTOR")
	cli.BindEnv(cmd, "field-selector", "AMBASSADOR_FIELD_SELECTOR")
	return cli.NewCommand(cmd)
}
