package ambex_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"

	"github.com/emissary-go/emissary/internal/ambex"
	"github.com/emissary-go/emissary/internal/xds"
	"github.com/emissary-go/emissary/internal/xdstest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The command as the entrypoint runs it: a configuration at start,
// another on SIGHUP, endpoints through the watched endpoints.json.
func TestRunReloadsOnSIGHUPAndWatchesEndpoints(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, config("/quote/", "quote"))
	opts := ambex.Options{ListenNetwork: "tcp", ListenAddress: freeAddr(t), StatusAddress: freeAddr(t), Dirs: []string{dir}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ambex.Run(ctx, opts, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ambex: %v", err)
		}
	}()
	var c *xdstest.Client
	deadline := time.Now().Add(10 * time.Second)
	for c == nil {
		if conn, err := net.Dial("tcp", opts.ListenAddress); err == nil {
			conn.Close()
			c = dial(t, opts.ListenAddress, "test-id", nil)
		} else if time.Now().After(deadline) {
			t.Fatal("ambex never listened")
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	wait(t, c, "the configuration at start", func(st xdstest.State) bool { return complete(st) && hasRoute(st, "/quote/", "cluster_quote_default") })

	writeConfig(t, dir, config("/quote/", "quote", "/hup/", "hup"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	wait(t, c, "the configuration after SIGHUP", func(st xdstest.State) bool { return hasRoute(st, "/hup/", "cluster_hup_default") })

	data, err := xds.MarshalEndpoints([]*endpointv3.ClusterLoadAssignment{{ClusterName: "k8s/default/eds/80", Endpoints: []*endpointv3.LocalityLbEndpoints{{}}}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ambex.EndpointsFile), data)
	wait(t, c, "endpoints from the watched file", func(st xdstest.State) bool {
		return len(st.Endpoints["k8s/default/eds/80"].GetEndpoints()) == 1
	})

	resp, err := http.Get("http://" + opts.StatusAddress + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var status struct {
		Version string
		Nodes   []ambex.NodeStatus
	}
	if err := json.NewDecoder(resp.Body).Decode(&status); err != nil {
		t.Fatal(err)
	}
	if status.Version != "v3" || len(status.Nodes) != 1 || status.Nodes[0].ID != "test-id" {
		t.Errorf("status: %+v", status)
	}
}
