package ir

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// LoadBalancer is how a cluster spreads requests over its endpoints, and
// what the hashing policies hash on.
type LoadBalancer struct {
	// Policy is round_robin, least_request, ring_hash or maglev.
	Policy string `json:"policy"`
	Cookie *struct {
		Name  string `json:"name"`
		Path  string `json:"path,omitempty"`
		TTLMs int    `json:"ttl_ms,omitempty"`
	} `json:"cookie,omitempty"`
	Header   string `json:"header,omitempty"`
	SourceIP bool   `json:"source_ip,omitempty"`
}

// Hashing reports whether the policy hashes requests (ring_hash, maglev).
func (lb *LoadBalancer) Hashing() bool {
	return lb != nil && (lb.Policy == "ring_hash" || lb.Policy == "maglev")
}

// nameField is what the load balancer adds to its cluster's name, as in
// Emissary: er-<policy>, then hdr-<header>, cookie-<name> or srcip.
func (lb *LoadBalancer) nameField() string {
	fields := []string{"er", strings.ToLower(lb.Policy)}
	switch {
	case lb.Header != "":
		fields = append(fields, "hdr", lb.Header)
	case lb.Cookie != nil:
		fields = append(fields, "cookie", lb.Cookie.Name)
	case lb.SourceIP:
		fields = append(fields, "srcip")
	}
	return strings.Join(fields, "-")
}

// loadBalancer checks a load_balancer as Emissary does: round_robin and
// least_request take nothing else; ring_hash and maglev exactly one of a
// cookie (with a name), a header or source_ip. false (reported on key)
// makes the Mapping unusable.
func loadBalancer(lb *v3alpha1.LoadBalancer, key string, d *Diagnostics) (*LoadBalancer, bool) {
	if lb == nil {
		return nil, true
	}
	keys := 0
	if lb.Cookie != nil {
		keys++
	}
	if lb.Header != "" {
		keys++
	}
	if lb.SourceIP != nil {
		keys++
	}
	valid := false
	switch lb.Policy {
	case v3alpha1.LoadBalancerRoundRobin, v3alpha1.LoadBalancerLeastRequest:
		valid = keys == 0
	case v3alpha1.LoadBalancerRingHash, v3alpha1.LoadBalancerMaglev:
		valid = keys == 1 && (lb.Cookie == nil || lb.Cookie.Name != "")
	}
	out := &LoadBalancer{Policy: string(lb.Policy), Header: lb.Header, SourceIP: lb.SourceIP != nil && *lb.SourceIP}
	if lb.Cookie != nil {
		out.Cookie = &struct {
			Name  string `json:"name"`
			Path  string `json:"path,omitempty"`
			TTLMs int    `json:"ttl_ms,omitempty"`
		}{Name: lb.Cookie.Name, Path: lb.Cookie.Path}
		if lb.Cookie.TTL != "" {
			ttl, err := time.ParseDuration(lb.Cookie.TTL)
			if err != nil || ttl < 0 {
				valid = false
			}
			out.Cookie.TTLMs = int(ttl / time.Millisecond)
		}
	}
	if !valid {
		raw, _ := json.Marshal(lb)
		d.Error(key, "Invalid load_balancer specified: %s, invalidating mapping", raw)
		return nil, false
	}
	return out, true
}

// moduleLoadBalancer reads the ambassador Module's default.
func moduleLoadBalancer(raw json.RawMessage, key string, d *Diagnostics) *LoadBalancer {
	if len(raw) == 0 {
		return nil
	}
	var lb v3alpha1.LoadBalancer
	if err := json.Unmarshal(raw, &lb); err != nil {
		d.Error(key, "load_balancer: %v", err)
		return nil
	}
	out, _ := loadBalancer(&lb, key, d)
	return out
}
