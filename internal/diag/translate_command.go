package diag

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// TranslateCommand returns `busy translate`: the translator offline, for
// a user's CI before they apply their YAML.
func TranslateCommand() *cobra.Command {
	var (
		outputDir    string
		showIR       bool
		opts         ir.Options
		single       bool
		secretDir    string
		failOnError  bool
		snapshotFile string
	)
	cmd := &cobra.Command{
		Use:   "translate [flags] PATH... | --snapshot FILE",
		Short: "translate YAML files offline into Envoy configuration, reporting every problem",
		Long: `translate reads getambassador.io resources, Services, Secrets and Ingresses
from YAML files and directories (as kubectl apply -f would), prints every
problem with the resource it belongs to, and writes the configuration:
envoy.json to stdout, or with --output-dir the files diagd writes. It exits
1 when the generated configuration is invalid (or, with --strict, when any
resource has an error).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if snapshotFile == "" && len(args) == 0 {
				return fmt.Errorf("requires at least 1 arg (or --snapshot)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var snap *snapshot.Snapshot
			var err error
			if snapshotFile != "" {
				snap, err = readSnapshot(snapshotFile)
			} else {
				snap, err = snapshot.FromFiles(args, opts.Namespace)
			}
			if err != nil {
				return err
			}
			opts.SingleNamespace = single
			if outputDir != "" && !cmd.Flags().Changed("secret-dir") {
				// Certificates go beside the rest, where the config says.
				abs, err := filepath.Abs(filepath.Join(outputDir, "snapshots"))
				if err != nil {
					return err
				}
				secretDir = abs
			}
			opts.FileExists = fileExists
			out, err := Translate(snap, TranslateOptions{IR: opts, Envoy: envoyOptionsFromEnv(secretDir, os.Getenv, lookupIP, slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)))})
			for _, line := range out.IR.Diagnostics.Sorted() {
				fmt.Fprintln(cmd.ErrOrStderr(), "error:", line)
			}
			if err != nil {
				return err
			}
			switch {
			case outputDir != "":
				if err := out.WriteFiles(outputDir, secretDir); err != nil {
					return err
				}
			case showIR:
				b, err := out.IRJSON()
				if err != nil {
					return err
				}
				cmd.OutOrStdout().Write(b)
			default:
				out.Envoy.WriteTo(cmd.OutOrStdout())
			}
			if n := out.IR.Diagnostics.Count(); n > 0 && failOnError {
				return fmt.Errorf("%d resource errors", n)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&outputDir, "output-dir", "", "write bootstrap-ads.json, envoy/envoy.json, clustermap.json and snapshots/ here")
	f.BoolVar(&showIR, "ir", false, "print the IR instead of envoy.json")
	f.StringVar(&opts.AmbassadorID, "ambassador-id", "default", "only resources for this ambassador_id")
	f.StringVar(&opts.Namespace, "namespace", "default", "the gateway's namespace (resources without one go here)")
	f.BoolVar(&single, "single-namespace", false, "ignore resources outside --namespace")
	f.StringVar(&secretDir, "secret-dir", "/ambassador/snapshots", "where Envoy will find TLS certificates (default with --output-dir: DIR/snapshots)")
	f.BoolVar(&failOnError, "strict", false, "exit 1 when any resource has an error")
	f.StringVar(&snapshotFile, "snapshot", "", "translate a watt snapshot (JSON, as served on :9696/snapshot or kept in snapshots/) instead of YAML files")
	cli.BindEnv(cmd, "ambassador-id", "AMBASSADOR_ID")
	cli.BindEnv(cmd, "namespace", "AMBASSADOR_NAMESPACE")
	cli.BindEnv(cmd, "single-namespace", "AMBASSADOR_SINGLE_NAMESPACE")
	return cli.NewCommand(cmd)
}

// readSnapshot reads a snapshot in watt's JSON form.
func readSnapshot(path string) (*snapshot.Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s snapshot.Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}
