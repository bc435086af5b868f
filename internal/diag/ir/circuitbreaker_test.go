package ir

import (
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
