// Package agent reports sanitized snapshots to a Director service.
package agent

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
)

// Options configure the agent.
type Options struct {
	SnapshotURL     string
	DiagnosticsURL  string
	DirectorAddress string
	ReportingPeriod time.Duration
}

// Command returns `busy agent`.
func Command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "report sanitized snapshots to a Director service",
		Long: `agent fetches the external snapshot (no Secret data) and diagnostics and
reports them to a Director over gRPC, with backoff, obeying its directives.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cli.NotImplemented("agent", "no issue filed yet")
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.SnapshotURL, "snapshot-url", "http://ambassador-admin:8005/snapshot-external", "where to read the sanitized snapshot")
	f.StringVar(&opts.DiagnosticsURL, "diagnostics-url", "http://ambassador-admin:8877/ambassador/v0/diag/?json=true", "where to read diagnostics")
	f.StringVar(&opts.DirectorAddress, "director-address", "", "gRPC address of the Director service")
	f.DurationVar(&opts.ReportingPeriod, "reporting-period", 30*time.Second, "how often to report (at least 30s)")
	cli.BindEnv(cmd, "snapshot-url", "AES_SNAPSHOT_URL")
	cli.BindEnv(cmd, "diagnostics-url", "AES_DIAGNOSTICS_URL")
	cli.BindEnv(cmd, "director-address", "RPC_CONNECTION_ADDRESS")
	cli.BindEnv(cmd, "reporting-period", "AGENT_REPORTING_PERIOD")
	return cli.NewCommand(cmd)
}
