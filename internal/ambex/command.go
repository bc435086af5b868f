// Package ambex serves the generated Envoy configuration over ADS.
package ambex

import (
	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
)

// Options configure ambex.
type Options struct {
	ListenNetwork string
	ListenAddress string
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
		Long: `ambex loads envoy.json from each DIR (default: the current directory) at
start and on every SIGHUP, and serves it to Envoy over aggregated xDS v3.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			if len(opts.Dirs) == 0 {
				opts.Dirs = []string{"."}
			}
			return cli.NotImplemented("ambex", "issue 6")
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ListenNetwork, "ads-listen-network", "tcp", "network of the ADS listener (tcp or unix)")
	f.StringVar(&opts.ListenAddress, "ads-listen-address", "127.0.0.1:8003", "address of the ADS listener")
	f.BoolVar(&opts.Watch, "watch", false, "also reload when a watched file changes, not only on SIGHUP")
	f.BoolVar(&opts.Debug, "debug", false, "print each snapshot served")
	return cli.NewCommand(cmd)
}
