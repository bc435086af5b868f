// Package apiext is the conversion webhook for the getambassador.io CRDs.
package apiext

import (
	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/cli"
)

// Options configure apiext.
type Options struct {
	ServiceName      string
	Namespace        string
	CRDLabelSelector map[string]string
	WebhookPort      int
	ProbePort        int
}

// Command returns `busy apiext`.
func Command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "apiext [SERVICE_NAME]",
		Short: "serve the getambassador.io CRD conversion webhook",
		Long: `apiext converts getambassador.io resources between API versions for the
Kubernetes API server. It keeps a self-signed CA in a Secret, patches each
CRD's conversion caBundle, and serves /webhooks/crd-convert. SERVICE_NAME is
the Service in front of it (default emissary-apiext).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ServiceName = "emissary-apiext"
			if len(args) == 1 {
				opts.ServiceName = args[0]
			}
			return cli.NotImplemented("apiext", "no issue filed yet")
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Namespace, "namespace", "emissary-system", "namespace of the Service and the CA Secret")
	f.StringToStringVar(&opts.CRDLabelSelector, "crd-label-selector", nil, "only patch CRDs with these labels (k=v,...)")
	f.IntVar(&opts.WebhookPort, "webhook-port", 8443, "HTTPS port of the conversion webhook")
	f.IntVar(&opts.ProbePort, "probe-port", 8080, "HTTP port of /probes/ready and /probes/live")
	cli.BindEnv(cmd, "namespace", "POD_NAMESPACE")
	return cli.NewCommand(cmd)
}
