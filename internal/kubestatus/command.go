// Package kubestatus reads and writes the status of Kubernetes resources.
package kubestatus

import (
	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
)

// Options configure kubestatus.
type Options struct {
	Kind          string
	Name          string
	Namespace     string
	FieldSelector string
	LabelSelector string
	UpdateFile    string
	Kubeconfig    string
}

// Command returns `busy kubestatus`.
func Command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "kubestatus KIND [NAME]",
		Short: "get and set status of Kubernetes resources",
		Long: `kubestatus prints the status of the selected resources, or with -u writes
the status held in a JSON file to each of them.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kind = args[0]
			if len(args) == 2 {
				opts.Name = args[1]
			}
			return cli.NotImplemented("kubestatus", "no issue filed yet")
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Namespace, "namespace", "n", "", "namespace of the resources (default: the kubeconfig's)")
	f.StringVarP(&opts.FieldSelector, "field-selector", "f", "", "select resources by field")
	f.StringVarP(&opts.LabelSelector, "label-selector", "l", "", "select resources by label")
	f.StringVarP(&opts.UpdateFile, "update", "u", "", "write the status in this JSON file to the selected resources")
	f.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig file; in-cluster configuration when empty")
	return cli.NewCommand(cmd)
}
