package entrypoint_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emissary-go/emissary/internal/xdstest"
)

// busy is the binary under test, built once.
var busy string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "entrypoint-test-")
	if err != nil {
		panic(err)
	}
	busy = filepath.Join(dir, "busy")
	build := exec.Command("go", "build", "-o", busy, "../../cmd/busy")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building busy: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// gateway is a running `busy entrypoint` in files mode.
type gateway struct {
	cmd                 *exec.Cmd
	out                 *syncBuffer
	health, ads         string
	exited              chan struct{}
	exitErr             error
	configDir, stateDir string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startGateway starts the gateway without Envoy; startGatewayWith adds
// arguments.
func startGateway(t testing.TB, configDir string) *gateway {
	t.Helper()
	return startGatewayWith(t, configDir, "--no-envoy")
}

func startGatewayWith(t testing.TB, configDir string, extra ...string) *gateway {
	t.Helper()
	g := &gateway{out: &syncBuffer{}, exited: make(chan struct{}), configDir: configDir, stateDir: t.TempDir()}
	g.health = "127.0.0.1:" + strconv.Itoa(freePort(t))
	g.ads = "127.0.0.1:" + strconv.Itoa(freePort(t))
	g.cmd = exec.Command(busy, "entrypoint", "--config-dir", configDir,
		"--health-address", g.health, "--ads-address", g.ads,
		"--diagd-port", strconv.Itoa(freePort(t)),
		"--ambex-status-address", "127.0.0.1:"+strconv.Itoa(freePort(t)),
		"--snapshot-address", "127.0.0.1:"+strconv.Itoa(freePort(t)),
		"--external-snapshot-address", "")
	g.cmd.Args = append(g.cmd.Args, extra...)
	g.cmd.Env = append(os.Environ(), "AMBASSADOR_CONFIG_BASE_DIR="+g.stateDir)
	g.cmd.Stdout, g.cmd.Stderr = g.out, g.out
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		g.exitErr = g.cmd.Wait()
		close(g.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-g.exited:
		default:
			g.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-g.exited:
			case <-time.After(30 * time.Second):
				g.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			t.Logf("entrypoint output:\n%s", g.out.String())
		}
	})
	return g
}

// children are the pids of the entrypoint's child processes.
func (g *gateway) children(t testing.TB) map[string]int {
	t.Helper()
	out := map[string]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc here to find the child processes")
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 || fields[1] != strconv.Itoa(g.cmd.Process.Pid) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		args := strings.Split(string(cmdline), "\x00")
		if len(args) > 1 {
			out[args[1]] = pid
		}
	}
	return out
}

func (g *gateway) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + g.health + "/ambassador/v0/check_ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the gateway never became ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

const listener = `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
`

func mappingYAML(name, prefix, service string) string {
	return fmt.Sprintf(`apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: %s, namespace: default}
spec: {hostname: "*", prefix: %q, service: %s}
`, name, prefix, service)
}

func routeTo(s xdstest.State, prefix, cluster string) bool {
	for _, rc := range s.Routes {
		for _, vh := range rc.GetVirtualHosts() {
			for _, r := range vh.GetRoutes() {
				if r.GetMatch().GetPrefix() == prefix && r.GetRoute().GetCluster() == cluster {
					return true
				}
			}
		}
	}
	return false
}

func dial(t testing.TB, addr string) *xdstest.Client {
	t.Helper()
	return xdstest.DialT(t, addr, xdstest.Options{NodeID: "test-id", NodeCluster: "emissary-default"})
}

func wait(t testing.TB, c *xdstest.Client, what string, ok func(xdstest.State) bool) xdstest.State {
	t.Helper()
	return c.WaitT(t, what, 60*time.Second, ok)
}

func TestFilesModeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "listener.yaml"), listener)
	writeFile(t, filepath.Join(dir, "quote.yaml"), mappingYAML("quote", "/quote/", "quote"))
	// Diagnostics off: the pages are for clients on the pod only.
	writeFile(t, filepath.Join(dir, "module.yaml"), `apiVersion: getambassador.io/v3alpha1
kind: Module
metadata: {name: ambassador, namespace: default}
spec: {config: {diagnostics: {enabled: false}}}
`)
	g := startGateway(t, dir)
	g.waitReady(t)

	c := dial(t, g.ads)
	s := wait(t, c, "the configuration", func(s xdstest.State) bool { return routeTo(s, "/quote/", "cluster_quote_default") })
	if _, ok := s.Listeners["http"]; !ok {
		t.Errorf("listeners: %v", s.Listeners)
	}
	if _, ok := s.Clusters["cluster_quote_default"]; !ok {
		t.Errorf("clusters: %v", s.Clusters)
	}

	// Editing a Mapping changes the routes Envoy holds.
	start := time.Now()
	writeFile(t, filepath.Join(dir, "quote.yaml"), mappingYAML("quote", "/quote/v2/", "quote"))
	wait(t, c, "the edited Mapping", func(s xdstest.State) bool { return routeTo(s, "/quote/v2/", "cluster_quote_default") })
	t.Logf("from the file written to the client holding the route: %v", time.Since(start))

	// The diagnostics UI through the health port, to this (local)
	// client, whatever it claims to be: the health server says who the
	// client is to diagd, over any header the client sent.
	req, _ := http.NewRequest("GET", "http://"+g.health+"/ambassador/v0/diag/?json=true", nil)
	req.Header.Set("X-Ambassador-Diag-IP", "10.9.9.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("diag UI through :8877: %v %v", err, resp)
	}
	resp.Body.Close()
	if !strings.Contains(g.out.String(), "not running Envoy") {
		t.Error("running without Envoy is not said")
	}

	// SIGTERM: exit 0, no process left.
	children := g.children(t)
	if len(children) != 2 {
		t.Errorf("children: %v, want diagd and ambex", children)
	}
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if g.exitErr != nil {
		t.Errorf("exit after SIGTERM: %v, want 0", g.exitErr)
	}
	for name, pid := range children {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("%s (pid %d) is still there", name, pid)
		}
	}
}

func TestAChildDyingStopsTheGateway(t *testing.T) {
	for _, victim := range []string{"diagd", "ambex"} {
		t.Run(victim, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "listener.yaml"), listener)
			g := startGateway(t, dir)
			g.waitReady(t)
			children := g.children(t)
			pid, ok := children[victim]
			if !ok {
				t.Fatalf("no %s child: %v", victim, children)
			}
			syscall.Kill(pid, syscall.SIGKILL)
			select {
			case <-g.exited:
			case <-time.After(30 * time.Second):
				t.Fatal("the entrypoint did not stop")
			}
			if g.exitErr == nil {
				t.Error("exit 0 after a child died")
			}
			if !strings.Contains(g.out.String(), "a child exited") || !strings.Contains(g.out.String(), "child="+victim) {
				t.Errorf("the output does not name %s:\n%s", victim, g.out.String())
			}
			for name, pid := range children {
				if err := syscall.Kill(pid, 0); err == nil {
					t.Errorf("%s (pid %d) is still there", name, pid)
				}
			}
		})
	}
}
