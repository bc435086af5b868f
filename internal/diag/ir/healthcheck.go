package ir

import (
	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// HealthCheck is an active health check Envoy runs against each of a
// cluster's endpoints (a Mapping's health_checks).
type HealthCheck struct {
	TimeoutMs          int              `json:"timeout_ms"`
	IntervalMs         int              `json:"interval_ms"`
	HealthyThreshold   int              `json:"healthy_threshold"`
	UnhealthyThreshold int              `json:"unhealthy_threshold"`
	HTTP               *HTTPHealthCheck `json:"http,omitempty"`
	GRPC               *GRPCHealthCheck `json:"grpc,omitempty"`
}

// HTTPHealthCheck probes with an HTTP request.
type HTTPHealthCheck struct {
	Path                 string        `json:"path"`
	Host                 string        `json:"host,omitempty"`
	AddRequestHeaders    []AddedHeader `json:"add_request_headers,omitempty"`
	RemoveRequestHeaders []string      `json:"remove_request_headers,omitempty"`
	// ExpectedStatuses are [start, end) ranges, as Envoy takes them.
	ExpectedStatuses [][2]int `json:"expected_statuses,omitempty"`
}

// GRPCHealthCheck probes with the gRPC health checking protocol.
type GRPCHealthCheck struct {
	ServiceName string `json:"service_name"`
	Authority   string `json:"authority,omitempty"`
}

// healthChecks checks a Mapping's health_checks; each that cannot be
// used is reported and left out, the others kept. Defaults are
// Emissary's: 3s timeout, 5s interval, healthy after 1 good probe,
// unhealthy after 2 bad ones.
func healthChecks(in []v3alpha1.HealthCheck, key string, d *Diagnostics) []HealthCheck {
	var out []HealthCheck
	for i, hc := range in {
		bad := func(format string, args ...any) {
			d.Error(key, "health_checks[%d]: "+format+": this health check is ignored", append([]any{i}, args...)...)
		}
		h := HealthCheck{TimeoutMs: 3000, IntervalMs: 5000, HealthyThreshold: 1, UnhealthyThreshold: 2}
		if hc.Timeout != nil {
			h.TimeoutMs = int(hc.Timeout.Milliseconds())
		}
		if hc.Interval != nil {
			h.IntervalMs = int(hc.Interval.Milliseconds())
		}
		if hc.HealthyThreshold != nil {
			h.HealthyThreshold = *hc.HealthyThreshold
		}
		if hc.UnhealthyThreshold != nil {
			h.UnhealthyThreshold = *hc.UnhealthyThreshold
		}
		loc := hc.HealthCheck
		switch {
		case h.TimeoutMs <= 0 || h.IntervalMs <= 0:
			bad("timeout and interval must be longer than a millisecond")
			continue
		case outOfUint32(h.HealthyThreshold) || outOfUint32(h.UnhealthyThreshold):
			bad("thresholds must be from 0 to 4294967295")
			continue
		case (loc.HTTP == nil) == (loc.GRPC == nil):
			bad("health_check needs exactly one of http and grpc")
			continue
		case loc.GRPC != nil:
			if loc.GRPC.UpstreamName == "" {
				bad("grpc.upstream_name is required")
				continue
			}
			h.GRPC = &GRPCHealthCheck{ServiceName: loc.GRPC.UpstreamName, Authority: loc.GRPC.Authority}
		default:
			p := loc.HTTP
			if p.Path == "" || p.Path[0] != '/' {
				bad("http.path %q must start with /", p.Path)
				continue
			}
			h.HTTP = &HTTPHealthCheck{Path: p.Path, Host: p.Hostname, AddRequestHeaders: addedHeaders(p.AddRequestHeaders), RemoveRequestHeaders: p.RemoveRequestHeaders}
			for j, r := range p.ExpectedStatuses {
				if r.Min < 100 || r.Max > 599 || r.Min > r.Max {
					// Emissary drops just the range.
					d.Error(key, "health_checks[%d]: expected_statuses[%d]: %d-%d is not a range of HTTP statuses (100-599, min <= max): range ignored", i, j, r.Min, r.Max)
					continue
				}
				h.HTTP.ExpectedStatuses = append(h.HTTP.ExpectedStatuses, [2]int{r.Min, r.Max + 1})
			}
		}
		out = append(out, h)
	}
	return out
}
