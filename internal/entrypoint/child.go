package entrypoint

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is one supervised process: its output goes to ours, each line
// prefixed with its name, and its last lines are kept to say why it died.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // once done

	mu   sync.Mutex
	tail []string
}

// tailLines is how many of a child's last lines are kept.
const tailLines = 20

// startChild starts argv as name. exited receives the child when it ends.
func startChild(name string, argv []string, out io.Writer, exited chan<- *child) (*child, error) {
	c := &child{name: name, done: make(chan struct{})}
	c.cmd = exec.Command(argv[0], argv[1:]...)
	// Files mode is watt's job: diagd must not also read the directory.
	c.cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "AMBASSADOR_CONFIG_DIR=") })
	// A child must not outlive the entrypoint, however it ends: no
	// orphans.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	var copying sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		copying.Go(func() { c.copyLines(r, out) })
	}
	go func() {
		copying.Wait() // all output read before Wait closes the pipes
		c.err = c.cmd.Wait()
		close(c.done)
		if exited != nil {
			exited <- c
		}
	}()
	return c, nil
}

func (c *child) copyLines(r io.Reader, out io.Writer) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := s.Text()
		fmt.Fprintf(out, "[%s] %s\n", c.name, line)
		c.mu.Lock()
		c.tail = append(c.tail, line)
		if len(c.tail) > tailLines {
			c.tail = c.tail[len(c.tail)-tailLines:]
		}
		c.mu.Unlock()
	}
}

// lastLines are the child's last lines of output.
func (c *child) lastLines() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.tail, "\n")
}

// running reports whether the child has not ended.
func (c *child) running() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// signal sends sig to the child, if it still runs.
func (c *child) signal(sig os.Signal) {
	if c.running() {
		c.cmd.Process.Signal(sig)
	}
}

// stop asks the child to end (SIGTERM), and kills it after grace.
func (c *child) stop(grace time.Duration) {
	c.signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		c.cmd.Process.Kill()
		<-c.done
	}
}
