package ir

import (
	"encoding/json"
	"math"
	"slices"
	"time"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// RetryPolicy is when and how often Envoy retries a request upstream.
type RetryPolicy struct {
	RetryOn    string `json:"retry_on"`
	NumRetries *int   `json:"num_retries,omitempty"`
	// PerTryTimeoutMs bounds each attempt (0: the route's timeout).
	PerTryTimeoutMs int `json:"per_try_timeout_ms,omitempty"`
}

// retryConditions are the retry_on values Emissary accepts.
var retryConditions = []string{"5xx", "gateway-error", "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes"}

// retryPolicy checks a retry_policy; an invalid one is reported on key
// and not used (the Mapping still is, as in Emissary).
func retryPolicy(p *v3alpha1.RetryPolicy, key string, d *Diagnostics) *RetryPolicy {
	if p == nil {
		return nil
	}
	// The policy as written, for errors only (it costs a marshal).
	raw := func() []byte { b, _ := json.Marshal(p); return b }
	if !slices.Contains(retryConditions, string(p.RetryOn)) {
		d.Error(key, "Invalid retry policy specified: %s (retry_on must be one of %v)", raw(), retryConditions)
		return nil
	}
	out := &RetryPolicy{RetryOn: string(p.RetryOn)}
	if p.NumRetries != nil {
		if outOfUint32(*p.NumRetries) {
			d.Error(key, "Invalid retry policy specified: %s (num_retries must be from 0 to %d)", raw(), uint32(math.MaxUint32))
			return nil
		}
		n := *p.NumRetries
		out.NumRetries = &n
	}
	if p.PerTryTimeout != "" {
		dur, err := time.ParseDuration(p.PerTryTimeout)
		if err != nil || dur <= 0 {
			d.Error(key, "Invalid retry policy specified: %s (per_try_timeout %q is not a duration such as \"0.5s\")", raw(), p.PerTryTimeout)
			return nil
		}
		out.PerTryTimeoutMs = int(dur / time.Millisecond)
	}
	return out
}

// moduleRetryPolicy reads the ambassador Module's default retry_policy.
func moduleRetryPolicy(raw json.RawMessage, key string, d *Diagnostics) *RetryPolicy {
	if len(raw) == 0 {
		return nil
	}
	var p v3alpha1.RetryPolicy
	if err := json.Unmarshal(raw, &p); err != nil {
		d.Error(key, "retry_policy: %v", err)
		return nil
	}
	return retryPolicy(&p, key, d)
}
