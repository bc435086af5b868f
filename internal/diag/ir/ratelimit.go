package ir

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// RateLimit is the external rate limit service every route with labels
// in its domain asks (Envoy's ratelimit filter), from the
// RateLimitService.
type RateLimit struct {
	Key string `json:"key"`
	// Cluster is the rate limit service's gRPC cluster.
	Cluster         string `json:"cluster"`
	Domain          string `json:"domain"`
	TimeoutMs       int    `json:"timeout_ms"`
	FailureModeDeny bool   `json:"failure_mode_deny,omitempty"`
	// ResourceExhausted answers rate-limited gRPC calls with
	// RESOURCE_EXHAUSTED rather than UNAVAILABLE.
	ResourceExhausted bool `json:"rate_limited_as_resource_exhausted,omitempty"`

	cluster *Cluster
}

// RateLimitAction is one entry of a label group: what the route sends
// the rate limit service as one descriptor entry.
type RateLimitAction struct {
	// Kind is source_cluster, destination_cluster, remote_address,
	// generic_key or request_headers.
	Kind   string `json:"kind"`
	Key    string `json:"key,omitempty"`
	Value  string `json:"value,omitempty"`
	Header string `json:"header_name,omitempty"`
	// SkipIfAbsent (omit_if_not_present) leaves the entry out, rather
	// than the whole descriptor, when the header is missing.
	SkipIfAbsent bool `json:"omit_if_not_present,omitempty"`
}

// buildRateLimit makes the RateLimit of the RateLimitServices: the first
// by key; others are reported. Emissary drops all of them when there are
// several; keeping one keeps the limits users set up.
func buildRateLimit(list []*v3alpha1.RateLimitService, cs *clusterSet, s Settings, d *Diagnostics) *RateLimit {
	if len(list) == 0 {
		return nil
	}
	r := list[0]
	key := Key("RateLimitService", r.Name, r.Namespace)
	for _, other := range list[1:] {
		d.Error(Key("RateLimitService", other.Name, other.Namespace), "only one RateLimitService is supported: %s is used", key)
	}
	spec := &r.Spec
	switch {
	case spec.Service == "":
		d.Error(key, "service is required in RateLimitService: no rate limiting")
		return nil
	case spec.ProtocolVersion != "v3":
		d.Error(key, "RateLimitService: protocol_version %s is unsupported, protocol_version must be \"v3\": no rate limiting", firstNonEmpty(string(spec.ProtocolVersion), "v2"))
		return nil
	}
	out := &RateLimit{
		Key:             key,
		Domain:          firstNonEmpty(spec.Domain, s.DefaultLabelDomain, "ambassador"),
		TimeoutMs:       msOr(spec.Timeout, 20),
		FailureModeDeny: spec.FailureModeDeny != nil && *spec.FailureModeDeny,
		// Emissary reads another name for this and so never sets it.
		ResourceExhausted: spec.GRPC != nil && spec.GRPC.UseResourceExhaustedCode != nil && *spec.GRPC.UseResourceExhaustedCode,
	}
	if problem := millisProblem("timeout_ms", out.TimeoutMs, 0); problem != "" {
		d.Error(key, "RateLimitService: %s: no rate limiting", problem)
		return nil
	}
	m := &Mapping{
		Key: key, Name: r.Name, Namespace: r.Namespace, Service: spec.Service, Resolver: firstNonEmpty(s.Resolver, "kubernetes-service"),
		TLS: spec.TLS, GRPC: true, ConnectTimeoutMs: 3000, StatsName: spec.StatsName,
		EnableIPv4: boolOr(nil, s.EnableIPv4), EnableIPv6: boolOr(nil, s.EnableIPv6), CircuitBreakers: s.CircuitBreakers,
	}
	if out.cluster = cs.clusterFor(m, "", d); out.cluster == nil {
		d.Error(key, "no rate limiting: the service's cluster cannot be made")
		return nil
	}
	return out
}

// rateLimits turns a Mapping's labels in the rate limit domain into its
// route's rate limit descriptors, one per label group, with the Module's
// default labels for the domain first. A label that cannot be used is
// reported and left out; a group left empty is dropped.
func rateLimits(m *Mapping, domain string, s Settings, d *Diagnostics) [][]RateLimitAction {
	labels := m.RateLimitLabels
	defaults := s.DefaultLabels[domain]
	if len(labels) == 0 {
		// With no labels at all, a Mapping takes the default domain's
		// defaults (Emissary's rule), built-in routes too.
		if domain != firstNonEmpty(s.DefaultLabelDomain, "ambassador") || len(defaults) == 0 {
			return nil
		}
		labels = v3alpha1.DomainMap{domain: {{"defaults": nil}}}
	}
	var out [][]RateLimitAction
	for i, group := range labels[domain] {
		if len(group) != 1 {
			d.Error(m.Key, "labels.%s[%d]: a label group is a map with one name, not %d: group ignored", domain, i, len(group))
			continue
		}
		var actions []RateLimitAction
		for _, spec := range defaults {
			if a, err := rateLimitAction(spec); err == nil {
				actions = append(actions, a)
			}
		}
		for name, specs := range group {
			for j, spec := range specs {
				a, err := rateLimitAction(spec)
				if err != nil {
					d.Error(m.Key, "labels.%s[%d].%s[%d]: %v: label ignored", domain, i, name, j, err)
					continue
				}
				actions = append(actions, a)
			}
		}
		if len(actions) > 0 {
			out = append(out, actions)
		}
	}
	return out
}

// rateLimitAction reads one label specifier (exactly one of its forms).
func rateLimitAction(s v3alpha1.MappingLabelSpecifier) (RateLimitAction, error) {
	var found []RateLimitAction
	if s.SourceCluster != nil {
		found = append(found, RateLimitAction{Kind: "source_cluster"})
	}
	if s.DestinationCluster != nil {
		found = append(found, RateLimitAction{Kind: "destination_cluster"})
	}
	if s.RemoteAddress != nil {
		found = append(found, RateLimitAction{Kind: "remote_address"})
	}
	if g := s.GenericKey; g != nil {
		if g.Value == "" {
			return RateLimitAction{}, fmt.Errorf("generic_key needs a value")
		}
		found = append(found, RateLimitAction{Kind: "generic_key", Key: firstNonEmpty(g.Key, "generic_key"), Value: g.Value})
	}
	if h := s.RequestHeaders; h != nil {
		if h.Key == "" || h.HeaderName == "" {
			return RateLimitAction{}, fmt.Errorf("request_headers needs a key and a header_name")
		}
		found = append(found, RateLimitAction{Kind: "request_headers", Key: h.Key, Header: h.HeaderName, SkipIfAbsent: h.OmitIfNotPresent != nil && *h.OmitIfNotPresent})
	}
	if len(found) != 1 {
		return RateLimitAction{}, fmt.Errorf("a label is exactly one of source_cluster, destination_cluster, remote_address, generic_key and request_headers, not %d", len(found))
	}
	return found[0], nil
}

// moduleDefaultLabels reads the Module's default_labels:
// {<domain>: {defaults: [<label>, ...]}}. Bad labels are reported and
// left out.
func moduleDefaultLabels(raw json.RawMessage, key string, d *Diagnostics) map[string][]v3alpha1.MappingLabelSpecifier {
	if len(raw) == 0 {
		return nil
	}
	var in map[string]struct {
		Defaults []json.RawMessage `json:"defaults"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		d.Error(key, "default_labels: %v", err)
		return nil
	}
	out := map[string][]v3alpha1.MappingLabelSpecifier{}
	for _, domain := range sortedKeys(in) {
		for i, raw := range in[domain].Defaults {
			var s v3alpha1.MappingLabelSpecifier
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			err := dec.Decode(&s)
			if err == nil {
				_, err = rateLimitAction(s)
			}
			if err != nil {
				d.Error(key, "default_labels.%s.defaults[%d]: %v: label ignored", domain, i, err)
				continue
			}
			out[domain] = append(out[domain], s)
		}
	}
	return out
}
