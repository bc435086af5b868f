package logging

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestLevelFilters(t *testing.T) {
	tests := []struct {
		level      string
		wantDebug  bool
		wantInfo   bool
		wantErrors bool
	}{
		{level: "", wantInfo: true, wantErrors: true},
		{level: "debug", wantDebug: true, wantInfo: true, wantErrors: true},
		{level: "WARNING", wantErrors: true},
		{level: "error", wantErrors: true},
		{level: "nonsense", wantInfo: true, wantErrors: true},
	}
	for _, tc := range tests {
		t.Run("level="+tc.level, func(t *testing.T) {
			var buf bytes.Buffer
			log := New(&buf, Options{Level: tc.level})
			log.Debug("d-line")
			log.Info("i-line")
			log.Error("e-line")
			out := buf.String()
			for msg, want := range map[string]bool{"d-line": tc.wantDebug, "i-line": tc.wantInfo, "e-line": tc.wantErrors} {
				if got := strings.Contains(out, msg); got != want {
					t.Errorf("%s logged = %v, want %v; output:\n%s", msg, got, want, out)
				}
			}
		})
	}
}

func TestJSONLoggingCarriesCommand(t *testing.T) {
	var buf bytes.Buffer
	env := map[string]string{"AMBASSADOR_JSON_LOGGING": "true"}
	New(&buf, FromEnv(func(k string) string { return env[k] }, "diagd")).Info("hello", "n", 3)

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("AMBASSADOR_JSON_LOGGING=true should log JSON, got %q: %v", buf.String(), err)
	}
	if rec["cmd"] != "diagd" || rec["msg"] != "hello" || rec["n"] != float64(3) {
		t.Errorf("record = %v, want cmd=diagd msg=hello n=3", rec)
	}
}

func TestTextLoggingByDefault(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, Options{Command: "ambex"}).Info("hello")
	if !strings.Contains(buf.String(), "cmd=ambex") || strings.HasPrefix(buf.String(), "{") {
		t.Errorf("want a text record with cmd=ambex, got %q", buf.String())
	}
}
