package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func portCommand(got *int) *cobra.Command {
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	cmd.Flags().IntVar(got, "port", 8004, "port")
	BindEnv(cmd, "port", "TEST_PORT")
	return NewCommand(cmd)
}

func TestBindEnvPrecedence(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want int
	}{
		{"default", "", nil, 8004},
		{"environment", "9000", nil, 9000},
		{"flag beats environment", "9000", []string{"--port", "9100"}, 9100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TEST_PORT", tc.env)
			var got int
			cmd := portCommand(&got)
			cmd.SetArgs(tc.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("port = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestBindEnvNamesTheVariableInHelp(t *testing.T) {
	var got int
	if usage := portCommand(&got).Flags().Lookup("port").Usage; !strings.Contains(usage, "$TEST_PORT") {
		t.Errorf("usage %q should name $TEST_PORT", usage)
	}
}

func TestMalformedEnvironmentIsAUsageError(t *testing.T) {
	t.Setenv("TEST_PORT", "eighty")
	var got int
	cmd := portCommand(&got)
	cmd.SetArgs(nil)
	err := cmd.Execute()
	if !IsUsage(err) || !strings.Contains(err.Error(), `$TEST_PORT="eighty"`) {
		t.Errorf("err = %v, want a usage error naming $TEST_PORT", err)
	}
}

func TestFailureIsNotUsage(t *testing.T) {
	cmd := NewCommand(&cobra.Command{Use: "x", Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error {
		return NotImplemented("x", "issue 1")
	}})
	cmd.SetArgs(nil)
	err := cmd.Execute()
	if err == nil || IsUsage(err) || err.Error() != "x is not implemented yet (issue 1)" {
		t.Errorf("err = %v, want a plain failure", err)
	}

	cmd.SetArgs([]string{"extra"})
	if err := cmd.Execute(); !IsUsage(err) {
		t.Errorf("an unexpected argument should be a usage error, got %v", err)
	}
	if !IsUsage(errors.Join(errors.New("a"), &UsageError{Err: errors.New("b")})) {
		t.Error("IsUsage should see through wrapping")
	}
}
