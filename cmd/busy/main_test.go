package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/emissary-go/emissary/internal/cli"
)

func runBusy(t *testing.T, argv ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(argv, &out, &errOut)
	return code, out.String(), errOut.String()
}

var allCommands = []string{"entrypoint", "watt", "diagd", "ambex", "apiext", "kubestatus", "agent", "translate", "version", "install-links", "help"}

func TestHelpListsEveryCommand(t *testing.T) {
	for _, argv := range [][]string{{"busy", "help"}, {"busy", "--help"}, {"/usr/local/bin/busyambassador", "-h"}} {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			code, out, _ := runBusy(t, argv...)
			if code != cli.ExitOK {
				t.Fatalf("exit %d, want 0", code)
			}
			for _, name := range allCommands {
				if !strings.Contains(out, "\n  "+name+" ") {
					t.Errorf("help does not list %q:\n%s", name, out)
				}
			}
			if !strings.Contains(out, "serve Envoy configuration over ADS") {
				t.Errorf("help should carry each command's one-line description:\n%s", out)
			}
		})
	}
}

func TestHelpForOneCommandShowsItsFlags(t *testing.T) {
	code, out, _ := runBusy(t, "busy", "help", "ambex")
	if code != cli.ExitOK || !strings.Contains(out, "--ads-listen-address") || !strings.Contains(out, "127.0.0.1:8003") {
		t.Errorf("exit %d, want ambex's flags with the ADS default; got:\n%s", code, out)
	}
}

func TestUnknownCommandListsCommandsAndExits2(t *testing.T) {
	for _, argv := range [][]string{{"busy", "frobnicate"}, {"/bin/frobnicate"}, {"busy", "help", "frobnicate"}} {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			code, out, errOut := runBusy(t, argv...)
			if code != cli.ExitUsage {
				t.Errorf("exit %d, want %d", code, cli.ExitUsage)
			}
			if out != "" {
				t.Errorf("nothing should go to stdout, got %q", out)
			}
			if !strings.Contains(errOut, `unknown command "frobnicate"`) || !strings.Contains(errOut, "  diagd ") {
				t.Errorf("stderr should name the command and list the others:\n%s", errOut)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runBusy(t, "busy", "version")
	if code != cli.ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Version dev\n", "Go " + runtime.Version() + "\n", "go-control-plane "} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
}

// Every command is reached both through a link named after it and as the
// first argument to busy; unfinished ones fail plainly instead of
// pretending to work.
func TestDispatchReachesEachCommand(t *testing.T) {
	// What each command does with no arguments: the unfinished ones say
	// so; translate needs a path; diagd, ambex and watt, given a port
	// they cannot have, say why they cannot serve.
	want := map[string]struct {
		code int
		text string
	}{
		"translate":  {cli.ExitUsage, "requires at least 1 arg"},
		"diagd":      {cli.ExitFailure, "invalid port"},
		"ambex":      {cli.ExitFailure, "invalid port"},
		"watt":       {cli.ExitFailure, "invalid port"},
		"entrypoint": {cli.ExitFailure, "invalid port"},
	}
	for _, c := range commands {
		w, ok := want[c.name]
		if !ok {
			w.code, w.text = cli.ExitFailure, "not implemented yet"
		}
		for _, argv := range [][]string{{"/usr/bin/" + c.name}, {"busy", c.name}, {"busyambassador", c.name}} {
			args := argv
			switch c.name {
			case "kubestatus":
				args = append(args, "Service")
			case "diagd":
				args = append(args, "--port", "-1")
			case "ambex":
				args = append(args, "--ads-listen-address", "127.0.0.1:-1")
			case "watt":
				args = append(args, "--listen-address", "127.0.0.1:-1")
			case "entrypoint":
				args = append(args, "--health-address", "127.0.0.1:-1", "--config-dir", t.TempDir())
			}
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, _, errOut := runBusy(t, args...)
				if code != w.code || !strings.HasPrefix(errOut, c.name+": ") || !strings.Contains(errOut, w.text) {
					t.Errorf("exit %d stderr %q; want exit %d and %q's own %q", code, errOut, w.code, c.name, w.text)
				}
			})
		}
	}
}

func TestNoArgumentRunsEntrypoint(t *testing.T) {
	// A malformed variable of the entrypoint's stops it before it starts
	// anything, and shows it was the entrypoint that ran.
	t.Setenv("AMBASSADOR_DRAIN_TIME", "soon")
	code, _, errOut := runBusy(t, "busy")
	if code != cli.ExitUsage || !strings.HasPrefix(errOut, "entrypoint: ") || !strings.Contains(errOut, "AMBASSADOR_DRAIN_TIME") {
		t.Errorf("exit %d stderr %q; want the entrypoint to run", code, errOut)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"busy", "ambex", "--no-such-flag"}, nil, "unknown flag: --no-such-flag"},
		{"bad flag value", []string{"busy", "diagd", "--port", "eighty"}, nil, `invalid argument "eighty"`},
		{"too many args", []string{"busy", "kubestatus", "a", "b", "c"}, nil, "accepts between 1 and 2 arg(s)"},
		{"bad env value", []string{"busy", "diagd"}, map[string]string{"AMBASSADOR_DIAGD_BIND_PORT": "x"}, `$AMBASSADOR_DIAGD_BIND_PORT="x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, errOut := runBusy(t, tc.argv...)
			if code != cli.ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d stderr %q; want exit 2 mentioning %q", code, errOut, tc.want)
			}
		})
	}
}

func TestInstallLinks(t *testing.T) {
	dir := t.TempDir()
	// A stale link from an earlier install is replaced, not an error.
	if err := os.Symlink("/nonexistent", filepath.Join(dir, "ambex")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runBusy(t, "busy", "install-links", dir); code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		target, err := os.Readlink(filepath.Join(dir, c.name))
		if err != nil || target != self {
			t.Errorf("link %s -> %q (%v), want -> %q", c.name, target, err, self)
		}
	}
}

func TestInstallLinksRefusesToClobberAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "watt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runBusy(t, "busy", "install-links", dir)
	if code != cli.ExitFailure || !strings.Contains(errOut, "not a symlink") {
		t.Errorf("exit %d stderr %q; want a refusal", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "watt")); string(b) != "mine" {
		t.Errorf("the file was changed to %q", b)
	}
}

// TestBuiltBinary checks what unit tests cannot: the real argv[0] a kernel
// passes through a symlink, and the version stamped in at link time.
func TestBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "busy")
	build := exec.Command("go", "build", "-ldflags", "-X github.com/emissary-go/emissary/internal/version.Version=v9.8.7-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	wantCP, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/envoyproxy/go-control-plane/envoy").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}

	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("busy version: %v", err)
	}
	for _, want := range []string{"Version v9.8.7-test\n", "go-control-plane " + strings.TrimSpace(string(wantCP)) + "\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("busy version = %q, want it to contain %q", out, want)
		}
	}

	links := filepath.Join(dir, "links")
	if err := os.Mkdir(links, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "install-links", links).CombinedOutput(); err != nil {
		t.Fatalf("install-links: %v\n%s", err, out)
	}
	out, err = exec.Command(filepath.Join(links, "watt"), "--help").Output()
	if err != nil || !strings.Contains(string(out), "--listen-address") || !strings.Contains(string(out), "127.0.0.1:9696") {
		t.Errorf("watt --help through its link: %v\n%s", err, out)
	}
	out, err = exec.Command(filepath.Join(links, "ambex"), "--ads-listen-address", "127.0.0.1:-1").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != cli.ExitFailure || !strings.Contains(string(out), "invalid port") {
		t.Errorf("ambex through its link, on a port it cannot have: %v, want exit status 1 saying why\n%s", err, out)
	}
}
