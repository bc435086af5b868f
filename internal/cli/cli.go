// Package cli holds the conventions every busy command shares: how a
// command reports a usage mistake versus a failure, how flags take their
// defaults from Emissary's environment variables, and how an unfinished
// command says so.
package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes shared by every command.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and failed
	ExitUsage   = 2 // the command line was wrong
)

// UsageError marks a mistake in the command line (unknown flag, wrong
// number of arguments), as opposed to a failure while running.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// IsUsage reports whether err came from a bad command line.
func IsUsage(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}

// Args wraps a cobra argument check so that its complaint is a UsageError.
func Args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &UsageError{Err: err}
		}
		return nil
	}
}

// NewCommand applies the shared conventions to a command: errors are
// returned to the dispatcher (which prints them once and picks the exit
// code) instead of being printed by cobra, and flag mistakes are usage
// errors.
func NewCommand(cmd *cobra.Command) *cobra.Command {
	cmd.SilenceErrors = true
	cmd.SilenceUsage = true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &UsageError{Err: err}
	})
	if cmd.Args != nil {
		cmd.Args = Args(cmd.Args)
	}
	cmd.PreRunE = chain(applyEnv, cmd.PreRunE)
	return cmd
}

func chain(first, then func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	if then == nil {
		return first
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := first(cmd, args); err != nil {
			return err
		}
		return then(cmd, args)
	}
}

// envAnnotation marks a flag whose default comes from an environment variable.
const envAnnotation = "emissary-go/env"

// BindEnv makes flag name take its value from the environment variable key
// when the flag is not given on the command line. Precedence is the usual
// one: command line, then environment, then the flag's default. The value
// is parsed by the flag itself, so a malformed variable is reported exactly
// like a malformed flag.
func BindEnv(cmd *cobra.Command, name, key string) {
	f := cmd.Flags().Lookup(name)
	if f == nil {
		panic(fmt.Sprintf("cli.BindEnv: command %s has no flag --%s", cmd.Name(), name))
	}
	f.Usage += fmt.Sprintf(" [$%s]", key)
	if err := cmd.Flags().SetAnnotation(name, envAnnotation, []string{key}); err != nil {
		panic(err)
	}
}

func applyEnv(cmd *cobra.Command, _ []string) error {
	var errs []error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		keys := f.Annotations[envAnnotation]
		if f.Changed || len(keys) == 0 {
			return
		}
		v := os.Getenv(keys[0])
		if v == "" {
			return
		}
		if err := f.Value.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("invalid $%s=%q for --%s: %w", keys[0], v, f.Name, err))
		}
	})
	if len(errs) > 0 {
		return &UsageError{Err: errors.Join(errs...)}
	}
	return nil
}

// NotImplemented is what a command returns until the work that builds it
// is done: a clear failure, never a pretend success.
func NotImplemented(command, tracking string) error {
	return fmt.Errorf("%s is not implemented yet (%s)", command, tracking)
}
