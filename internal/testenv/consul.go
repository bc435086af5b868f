package testenv

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Consul is a running `consul agent -dev`.
type Consul struct {
	// Addr is the HTTP API's host:port, as consul/api's Config.Address wants it.
	Addr string
}

// StartConsul starts a Consul dev agent (an in-memory single-node server)
// on free loopback ports and stops it when the test ends. It fails the
// test, saying to run `make tools`, when the binary is missing.
func StartConsul(t testing.TB) *Consul {
	t.Helper()
	bin, err := ToolPath("consul")
	if err != nil {
		t.Fatal(err)
	}
	ports, err := freePorts(4)
	if err != nil {
		t.Fatal(err)
	}
	httpPort, serfLAN, serfWAN, server := ports[0], ports[1], ports[2], ports[3]

	var out lockedBuffer
	cmd := exec.Command(bin, "agent", "-dev",
		"-node", "testenv",
		"-bind", "127.0.0.1", "-client", "127.0.0.1",
		"-http-port", strconv.Itoa(httpPort),
		"-serf-lan-port", strconv.Itoa(serfLAN),
		"-serf-wan-port", strconv.Itoa(serfWAN),
		"-server-port", strconv.Itoa(server),
		// Nothing here uses DNS or gRPC; -1 keeps them off the machine's
		// fixed default ports so parallel agents cannot clash.
		"-dns-port", "-1", "-grpc-port", "-1", "-grpc-tls-port", "-1",
	)
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so that nothing it starts outlives the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { stopProcess(t, cmd, exited) })

	c := &Consul{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))}
	if err := c.waitForLeader(exited, time.Minute); err != nil {
		t.Fatalf("consul dev agent: %v\n--- its output ---\n%s", err, out.String())
	}
	return c
}

// waitForLeader polls until the agent has elected itself leader, the point
// from which the catalog accepts registrations.
func (c *Consul) waitForLeader(exited <-chan error, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	for {
		if leader, err := c.leader(ctx); err == nil && leader != "" {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited before it was ready: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("no leader after %s", timeout)
		case <-ticker.C:
		}
	}
}

func (c *Consul) leader(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.Addr+"/v1/status/leader", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %v", resp.StatusCode, err)
	}
	// The answer is a JSON string: "127.0.0.1:port", or "" before election.
	return strings.Trim(strings.TrimSpace(string(body)), `"`), nil
}

// stopProcess asks the process group to stop, and kills it if it does not.
func stopProcess(t testing.TB, cmd *exec.Cmd, exited <-chan error) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Logf("%s did not stop on SIGTERM; killing it", cmd.Path)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}

// freePorts finds n distinct loopback ports free for both TCP and UDP
// (Serf uses both on the same number). Every candidate is held open until
// all are chosen, so the n ports differ from each other.
func freePorts(n int) ([]int, error) {
	var held []io.Closer
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	var ports []int
	for attempts := 0; len(ports) < n; attempts++ {
		if attempts > 100 {
			return nil, fmt.Errorf("could not find %d free loopback ports", n)
		}
		tcp, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		held = append(held, tcp)
		port := tcp.Addr().(*net.TCPAddr).Port
		udp, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		held = append(held, udp)
		ports = append(ports, port)
	}
	return ports, nil
}
