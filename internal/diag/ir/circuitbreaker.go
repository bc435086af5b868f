package ir

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// CircuitBreaker is one priority's limits on an upstream cluster.
type CircuitBreaker struct {
	// Priority is DEFAULT or HIGH.
	Priority           string `json:"priority"`
	MaxConnections     *int   `json:"max_connections,omitempty"`
	MaxPendingRequests *int   `json:"max_pending_requests,omitempty"`
	MaxRequests        *int   `json:"max_requests,omitempty"`
	MaxRetries         *int   `json:"max_retries,omitempty"`
	// Name is Emissary's short name for these limits, part of the
	// cluster's name: cb, the priority's initial (n when unset), then
	// c, p, r and t with each limit given.
	Name string `json:"name"`
}

// circuitBreakers checks circuit breakers; false (reported on key) makes
// the resource unusable, as in Emissary.
func circuitBreakers(list []v3alpha1.CircuitBreaker, key string, d *Diagnostics) ([]CircuitBreaker, bool) {
	var out []CircuitBreaker
	for _, cb := range list {
		c := CircuitBreaker{Priority: "DEFAULT", MaxConnections: cb.MaxConnections, MaxPendingRequests: cb.MaxPendingRequests,
			MaxRequests: cb.MaxRequests, MaxRetries: cb.MaxRetries}
		name := []string{"cb"}
		switch p := strings.ToLower(string(cb.Priority)); p {
		case "":
			name = append(name, "n")
		case "default", "high":
			c.Priority = strings.ToUpper(p)
			name = append(name, p[:1])
		default:
			raw, _ := json.Marshal(list)
			d.Error(key, "Invalid circuit_breakers specified: %s, invalidating mapping", raw)
			return nil, false
		}
		for _, f := range []struct {
			v      *int
			abbrev string
		}{{cb.MaxConnections, "c"}, {cb.MaxPendingRequests, "p"}, {cb.MaxRequests, "r"}, {cb.MaxRetries, "t"}} {
			if f.v != nil {
				if outOfUint32(*f.v) {
					raw, _ := json.Marshal(list)
					d.Error(key, "Invalid circuit_breakers specified: %s, invalidating mapping", raw)
					return nil, false
				}
				name = append(name, f.abbrev+strconv.Itoa(*f.v))
			}
		}
		c.Name = strings.Join(name, "")
		out = append(out, c)
	}
	return out, true
}

// moduleCircuitBreakers reads the ambassador Module's default.
func moduleCircuitBreakers(raw json.RawMessage, key string, d *Diagnostics) []CircuitBreaker {
	if len(raw) == 0 {
		return nil
	}
	var list []v3alpha1.CircuitBreaker
	if err := json.Unmarshal(raw, &list); err != nil {
		d.Error(key, "circuit_breakers: %v", err)
		return nil
	}
	out, _ := circuitBreakers(list, key, d)
	return out
}
