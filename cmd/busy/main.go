// Command busy is the one binary of emissary-go. It runs the command named
// by the basename it was invoked as (a link named ambex runs ambex) or, when
// invoked as busy or busyambassador, the command named by its first
// argument. Alone, it runs the entrypoint, as the container image does.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/emissary-go/emissary/internal/agent"
	"github.com/emissary-go/emissary/internal/ambex"
	"github.com/emissary-go/emissary/internal/apiext"
	"github.com/emissary-go/emissary/internal/cli"
	"github.com/emissary-go/emissary/internal/diag"
	"github.com/emissary-go/emissary/internal/entrypoint"
	"github.com/emissary-go/emissary/internal/kubestatus"
	"github.com/emissary-go/emissary/internal/logging"
	"github.com/emissary-go/emissary/internal/version"
	"github.com/emissary-go/emissary/internal/watt"
)

// commands are the programs a link may be named after, in the order the
// help lists them. Each builds a fresh cobra command, so nothing is shared
// between runs.
var commands = []struct {
	name string
	new  func() *cobra.Command
}{
	{"entrypoint", entrypoint.Command},
	{"watt", watt.Command},
	{"diagd", diag.Command},
	{"ambex", ambex.Command},
	{"apiext", apiext.Command},
	{"kubestatus", kubestatus.Command},
	{"agent", agent.Command},
	{"translate", diag.TranslateCommand},
}

// multiCallNames are the names under which the binary acts as a dispatcher
// rather than as one command. busyambassador is Emissary's name for it.
var multiCallNames = []string{"busy", "busyambassador"}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run dispatches argv and returns the exit code.
func run(argv []string, stdout, stderr io.Writer) int {
	name := filepath.Base(argv[0])
	args := argv[1:]
	if slices.Contains(multiCallNames, name) {
		if len(args) == 0 {
			name = "entrypoint"
		} else {
			name, args = args[0], args[1:]
		}
		switch name {
		case "help", "--help", "-h":
			return help(args, stdout, stderr)
		case "version", "--version":
			if err := version.Get().Write(stdout); err != nil {
				return cli.ExitFailure
			}
			return cli.ExitOK
		case "install-links":
			return installLinks(argv[0], args, stderr)
		}
	}

	newCommand := lookup(name)
	if newCommand == nil {
		fmt.Fprintf(stderr, "busy: unknown command %q\n\n", name)
		listCommands(stderr)
		return cli.ExitUsage
	}
	cmd := newCommand()
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	slog.SetDefault(logging.New(stderr, logging.FromEnv(os.Getenv, name)))

	err := cmd.ExecuteContext(context.Background())
	switch {
	case err == nil:
		return cli.ExitOK
	case cli.IsUsage(err):
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", name, err, name)
		return cli.ExitUsage
	default:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return cli.ExitFailure
	}
}

func lookup(name string) func() *cobra.Command {
	for _, c := range commands {
		if c.name == name {
			return c.new
		}
	}
	return nil
}

// help lists the commands, or shows one command's own help.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		listCommands(stdout)
		return cli.ExitOK
	}
	newCommand := lookup(args[0])
	if newCommand == nil {
		fmt.Fprintf(stderr, "busy: unknown command %q\n\n", args[0])
		listCommands(stderr)
		return cli.ExitUsage
	}
	cmd := newCommand()
	cmd.SetOut(stdout)
	if err := cmd.Help(); err != nil {
		return cli.ExitFailure
	}
	return cli.ExitOK
}

func listCommands(w io.Writer) {
	var b strings.Builder
	b.WriteString("busy is the emissary-go multi-call binary: a link named after a command runs\n")
	b.WriteString("that command, or name it as the first argument. With no argument, busy runs\n")
	b.WriteString("entrypoint.\n\n")
	b.WriteString("Usage: busy COMMAND [arguments]\n   or: COMMAND [arguments]    (through a link made by install-links)\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-15s %s\n", c.name, c.new().Short)
	}
	fmt.Fprintf(&b, "  %-15s %s\n", "version", "print the version of busy, Go and go-control-plane")
	fmt.Fprintf(&b, "  %-15s %s\n", "install-links", "install-links DIR: make a link named after each command in DIR")
	fmt.Fprintf(&b, "  %-15s %s\n", "help", "help [COMMAND]: this list, or one command's flags")
	io.WriteString(w, b.String())
}

// installLinks makes DIR/<command> a symlink to this binary for every
// command, replacing links left by an earlier install.
func installLinks(self string, args []string, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: busy install-links DIR")
		return cli.ExitUsage
	}
	target, err := executable(self)
	if err != nil {
		fmt.Fprintf(stderr, "install-links: %v\n", err)
		return cli.ExitFailure
	}
	for _, c := range commands {
		link := filepath.Join(args[0], c.name)
		if err := replaceSymlink(target, link); err != nil {
			fmt.Fprintf(stderr, "install-links: %v\n", err)
			return cli.ExitFailure
		}
	}
	return cli.ExitOK
}

// executable resolves the running binary to an absolute path, so that the
// links work from any directory.
func executable(self string) (string, error) {
	if exe, err := os.Executable(); err == nil {
		return exe, nil
	}
	return filepath.Abs(self)
}

// replaceSymlink points link at target, creating it beside link and
// renaming it into place so that an existing link is swapped atomically;
// a regular file in the way is an error rather than silently clobbered.
func replaceSymlink(target, link string) error {
	if fi, err := os.Lstat(link); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		return fmt.Errorf("%s exists and is not a symlink", link)
	}
	tmp := link + ".tmp"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, link)
}
