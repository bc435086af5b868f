// Package diag is the diagd process: it turns snapshots into Envoy
// configuration files, signals ambex, and serves the diagnostics UI.
package diag

import (
	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
)

// Options configure diagd.
type Options struct {
	SnapshotDir     string
	BootstrapPath   string
	EnvoyConfigPath string
	ConfigDir       string
	Host            string
	Port            int
	NotifyPID       int
	SnapshotCount   int
	NoEnvoy         bool
	Debug           bool
}

// Command returns `busy diagd`.
func Command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "diagd [SNAPSHOT_DIR [BOOTSTRAP_PATH [ENVOY_CONFIG_PATH]]]",
		Short: "translate snapshots into Envoy configuration and serve diagnostics",
		Long: `diagd receives snapshots from watt (POST /_internal/v0/watt?url=...),
translates them into Envoy v3 configuration, validates it, writes it
atomically and signals --notify-pid (the entrypoint) with SIGHUP. It serves
the diagnostics UI under /ambassador/v0/diag/. The positional arguments
override the snapshot directory, the bootstrap file and envoy.json paths.`,
		Args: cobra.MaximumNArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cli.NotImplemented("diagd", "issue 5")
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ConfigDir, "config-dir", "", "files mode: translate this directory of YAML instead of waiting for watt")
	f.StringVar(&opts.Host, "host", "127.0.0.1", "address the diagd server listens on")
	f.IntVar(&opts.Port, "port", 8004, "port the diagd server listens on")
	f.IntVar(&opts.NotifyPID, "notify-pid", 0, "process to SIGHUP after each new configuration (0: the parent)")
	f.IntVar(&opts.SnapshotCount, "snapshot-count", 4, "generations of snapshots/ to keep")
	f.BoolVar(&opts.NoEnvoy, "no-envoy", false, "do not expect an Envoy to be running")
	f.BoolVar(&opts.Debug, "debug", false, "log every reconfiguration in detail")
	cli.BindEnv(cmd, "port", "AMBASSADOR_DIAGD_BIND_PORT")
	cli.BindEnv(cmd, "snapshot-count", "AMBASSADOR_SNAPSHOT_COUNT")
	return cli.NewCommand(cmd)
}
