package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Envoy is the Envoy binary (ENVOY_BIN, else envoy on PATH). Envoy
// cannot be installed on every machine this project is built on: without
// it the test skips, saying so and why it needs Envoy (need).
func Envoy(t testing.TB, need string) string {
	t.Helper()
	if bin := os.Getenv("ENVOY_BIN"); bin != "" {
		return bin
	}
	bin, err := exec.LookPath("envoy")
	if err != nil {
		t.Skip("envoy is not on PATH (nor ENVOY_BIN): " + need)
	}
	return bin
}
