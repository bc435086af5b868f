package ir

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

func TestCircuitBreakerNamesAndValidation(t *testing.T) {
	n := func(v int) *int { return &v }
	d := newDiagnostics()
	got, ok := circuitBreakers([]v3alpha1.CircuitBreaker{
		{MaxConnections: n(1)},
		{Priority: "High", MaxPendingRequests: n(2), MaxRequests: n(3), MaxRetries: n(4)},
		{Priority: "default"},
	}, "Mapping/m.default", d)
	if !ok || len(got) != 3 || got[0].Name != "cbnc1" || got[1].Name != "cbhp2r3t4" || got[2].Name != "cbd" ||
		got[0].Priority != "DEFAULT" || got[1].Priority != "HIGH" {
		t.Errorf("got %+v, %v", got, ok)
	}
	for name, bad := range map[string]v3alpha1.CircuitBreaker{
		"unknown priority": {Priority: "urgent"},
		"negative limit":   {MaxRetries: n(-1)},
	} {
		d := newDiagnostics()
		if _, ok := circuitBreakers([]v3alpha1.CircuitBreaker{bad}, "Mapping/m.default", d); ok ||
			!strings.Contains(strings.Join(d.Errors["Mapping/m.default"], ""), "Invalid circuit_breakers specified") {
			t.Errorf("%s: accepted (errors %v)", name, d.Errors)
		}
	}
}

func TestModuleFilterSettingsAreChecked(t *testing.T) {
	for name, tc := range map[string]struct {
		config string
		want   string
	}{
		"gzip level":     {`{"gzip": {"compression_level": "BEST"}}`, `compression_level "BEST" is not one of`},
		"gzip strategy":  {`{"gzip": {"compression_strategy": "FAST"}}`, `compression_strategy "FAST" is not one of`},
		"buffer size":    {`{"buffer": {}}`, "missing required field: max_request_bytes"},
		"allow and deny": {`{"ip_allow": [{"peer": "127.0.0.1"}], "ip_deny": [{"peer": "10.0.0.1"}]}`, "ip_allow and ip_deny may not both be set"},
	} {
		t.Run(name, func(t *testing.T) {
			m := &v3alpha1.Module{}
			m.Name, m.Namespace = "ambassador", "default"
			if err := json.Unmarshal([]byte(`{"config": `+tc.config+`}`), &m.Spec); err != nil {
				t.Fatal(err)
			}
			d := newDiagnostics()
			s := settingsFrom(m, d)
			if !strings.Contains(strings.Join(d.Errors["Module/ambassador.default"], ""), tc.want) || s.Gzip != nil || s.BufferMaxRequestBytes != 0 {
				t.Errorf("errors %v, gzip %v, buffer %d", d.Errors, s.Gzip, s.BufferMaxRequestBytes)
			}
		})
	}
}
