package testenv

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Kube is a running kube-apiserver backed by its own etcd.
type Kube struct {
	// Config reaches the API server as an administrator.
	Config *rest.Config
	// Env is the envtest environment, for its CRD and webhook helpers.
	Env *envtest.Environment
}

// KubeOptions tune StartKube.
type KubeOptions struct {
	// CRDPaths are files or directories of CustomResourceDefinitions to
	// install (and wait for) before StartKube returns.
	CRDPaths []string
	// Scheme, when set, tells envtest which CRDs' kinds are convertible:
	// their conversion webhook is pointed at the test process (see
	// Kube.Env.WebhookInstallOptions for where to serve it).
	Scheme *runtime.Scheme
	// Webhooks, when set, are served by the test process and registered
	// with the API server.
	Webhooks envtest.WebhookInstallOptions
}

// StartKube starts a real kube-apiserver and etcd on free loopback ports
// and stops them when the test ends. It fails the test, saying to run
// `make tools`, when the binaries are missing.
func StartKube(t testing.TB, opts KubeOptions) *Kube {
	t.Helper()
	apiserver, err := ToolPath("kube-apiserver")
	if err != nil {
		t.Fatal(err)
	}
	etcd, err := ToolPath("etcd")
	if err != nil {
		t.Fatal(err)
	}

	var out lockedBuffer
	env := &envtest.Environment{
		ControlPlane: envtest.ControlPlane{
			APIServer: &envtest.APIServer{Path: apiserver, Out: &out, Err: &out},
			Etcd:      &envtest.Etcd{Path: etcd, Out: &out, Err: &out},
		},
		CRDDirectoryPaths:     opts.CRDPaths,
		CRDInstallOptions:     envtest.CRDInstallOptions{Scheme: opts.Scheme},
		ErrorIfCRDPathMissing: len(opts.CRDPaths) > 0,
		WebhookInstallOptions: opts.Webhooks,
		// A cold start on a loaded 2-core machine takes far longer than
		// envtest's 20 s default.
		ControlPlaneStartTimeout: 2 * time.Minute,
		ControlPlaneStopTimeout:  time.Minute,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting kube-apiserver (%s) and etcd (%s): %v\n--- their output ---\n%s", apiserver, etcd, err, out.String())
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping kube-apiserver and etcd: %v", err)
		}
	})
	return &Kube{Config: cfg, Env: env}
}
