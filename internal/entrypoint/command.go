// Package entrypoint is the container's main process: it runs watt, the
// snapshot server and the health server in-process and supervises diagd,
// ambex and Envoy as child processes.
package entrypoint

import (
	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
)

// Options configure the entrypoint.
type Options struct {
	// ConfigDir selects files mode: watch this directory of YAML instead
	// of a Kubernetes cluster.
	ConfigDir string
}

// Command returns `busy entrypoint`.
func Command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "entrypoint",
		Short: "run the gateway: watt, diagd, ambex and Envoy under one supervisor",
		Long: `entrypoint is the container's main process (the default command). It runs
watt, the snapshot server and the health server (:8877) in-process, and
starts diagd, ambex and Envoy as supervised child processes that share the
configuration directory. With --config-dir it needs no cluster.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cli.NotImplemented("entrypoint", "issue 8")
		},
	}
	cmd.Flags().StringVar(&opts.ConfigDir, "config-dir", "", "files mode: read resources from this directory of YAML instead of Kubernetes")
	cli.BindEnv(cmd, "config-dir", "AMBASSADOR_CONFIG_DIR")
	return cli.NewCommand(cmd)
}
