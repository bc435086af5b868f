package ir

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Auth is the external authorization every request passes (Envoy's
// ext_authz), from the AuthService.
type Auth struct {
	Key string `json:"key"`
	// Sources are the AuthServices whose services take the checks, in
	// turn; the first (Key) decides every setting.
	Sources []string `json:"sources"`
	Proto   string   `json:"proto"`
	// Cluster is the authorization service's cluster; OriginateTLS says
	// it speaks TLS (an https server URI).
	Cluster      string `json:"cluster"`
	OriginateTLS bool   `json:"originate_tls,omitempty"`
	// LinkerdDstOverride is the l5d-dst-override header sent with each
	// check (add_linkerd_headers), so a Linkerd sidecar routes it.
	LinkerdDstOverride string `json:"l5d_dst_override,omitempty"`
	PathPrefix         string `json:"path_prefix,omitempty"`
	TimeoutMs          int    `json:"timeout_ms"`
	// AllowedRequestHeaders go to the service; AllowedAuthorizationHeaders
	// come back from it to the upstream and the client. Both include
	// Emissary's built-in lists, lower-cased and sorted.
	AllowedRequestHeaders       []string          `json:"allowed_request_headers"`
	AllowedAuthorizationHeaders []string          `json:"allowed_authorization_headers"`
	AddAuthHeaders              map[string]string `json:"add_auth_headers,omitempty"`
	IncludeBody                 *struct {
		MaxBytes     int  `json:"max_bytes"`
		AllowPartial bool `json:"allow_partial"`
	} `json:"include_body,omitempty"`
	StatusOnError    int  `json:"status_on_error,omitempty"`
	FailureModeAllow bool `json:"failure_mode_allow,omitempty"`
	// Misconfigured AuthServices fail closed: every request but the
	// probes is answered 500 (as in Emissary), never let through.
	Misconfigured bool `json:"misconfigured,omitempty"`

	cluster *Cluster
}

// The headers Emissary always lets through to and back from the
// authorization service.
var (
	authRequestHeaders       = []string{"authorization", "cookie", "from", "proxy-authorization", "user-agent", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"}
	authAuthorizationHeaders = []string{"location", "authorization", "proxy-authenticate", "set-cookie", "www-authenticate"}
)

// buildAuth makes the Auth of the AuthServices (the first, by key, is
// used; others are reported).
func buildAuth(list []*v3alpha1.AuthService, cs *clusterSet, s Settings, d *Diagnostics) *Auth {
	if len(list) == 0 {
		return nil
	}
	a := list[0]
	key := Key("AuthService", a.Name, a.Namespace)
	spec := &a.Spec
	out := &Auth{Key: key, Sources: []string{key}, Proto: firstNonEmpty(string(spec.Proto), "http"), PathPrefix: spec.PathPrefix,
		TimeoutMs: msOr(spec.Timeout, 5000), AddAuthHeaders: spec.AddAuthHeaders}
	fail := func(format string, args ...any) {
		d.Error(key, format, args...)
		out.Misconfigured = true
	}
	if problem := millisProblem("timeout_ms", out.TimeoutMs, 0); problem != "" {
		fail("AuthService: %s", problem)
	}
	switch {
	case out.Proto != "http" && out.Proto != "grpc":
		fail("AuthService: proto %s is not http or grpc", out.Proto)
	case out.Proto == "grpc" && spec.ProtocolVersion != "v3":
		fail("AuthService: protocol_version %s is unsupported, protocol_version must be \"v3\"", firstNonEmpty(string(spec.ProtocolVersion), "v2"))
	}
	lower := func(extra, builtin []string) []string {
		out := slices.Clone(builtin)
		for _, h := range extra {
			out = append(out, strings.ToLower(h))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	out.AllowedRequestHeaders = lower(spec.AllowedRequestHeaders, authRequestHeaders)
	out.AllowedAuthorizationHeaders = lower(spec.AllowedAuthorizationHeaders, authAuthorizationHeaders)
	switch {
	case spec.IncludeBody != nil && spec.AllowRequestBody != nil:
		d.Error(key, "AuthService: allow_request_body and include_body are both set: using include_body")
		fallthrough
	case spec.IncludeBody != nil && outOfUint32(spec.IncludeBody.MaxBytes):
		fail("AuthService: include_body.max_bytes %d is out of range", spec.IncludeBody.MaxBytes)
	case spec.IncludeBody != nil:
		out.IncludeBody = &struct {
			MaxBytes     int  `json:"max_bytes"`
			AllowPartial bool `json:"allow_partial"`
		}{spec.IncludeBody.MaxBytes, spec.IncludeBody.AllowPartial}
	case spec.AllowRequestBody != nil && *spec.AllowRequestBody:
		out.IncludeBody = &struct {
			MaxBytes     int  `json:"max_bytes"`
			AllowPartial bool `json:"allow_partial"`
		}{4096, true}
	}
	if spec.StatusOnError != nil && spec.StatusOnError.Code != nil {
		out.StatusOnError = *spec.StatusOnError.Code
	}
	out.FailureModeAllow = spec.FailureModeAllow != nil && *spec.FailureModeAllow

	cbs := s.CircuitBreakers
	if spec.CircuitBreakers != nil {
		var valid bool
		if cbs, valid = circuitBreakers(spec.CircuitBreakers, key, d); !valid {
			out.Misconfigured = true
		}
	}
	m := &Mapping{
		Key: key, Name: a.Name, Namespace: a.Namespace, Service: spec.AuthService, Resolver: firstNonEmpty(s.Resolver, "kubernetes-service"),
		TLS: spec.TLS, GRPC: out.Proto == "grpc", ConnectTimeoutMs: 3000, StatsName: spec.StatsName,
		EnableIPv4: boolOr(nil, s.EnableIPv4), EnableIPv6: boolOr(nil, s.EnableIPv6), CircuitBreakers: cbs,
	}
	if out.cluster = cs.clusterFor(m, "extauth", d); out.cluster == nil {
		out.Misconfigured = true
	}
	if out.cluster != nil && boolOr(spec.AddLinkerdHeaders, s.AddLinkerdHeaders) {
		out.LinkerdDstOverride = fmt.Sprintf("%s:%d", out.cluster.Host, out.cluster.Port)
	}
	for _, other := range list[1:] {
		out.join(a, other, d)
	}
	return out
}

// Settings that make the authorization service's cluster: AuthServices
// that differ in one of them cannot share it.
var authClusterFields = map[string]bool{"proto": true, "protocol_version": true, "tls": true, "stats_name": true, "circuit_breakers": true, "v2ExplicitTLS": true}

// join adds another AuthService's service to the one in use, so that
// checks round-robin between them (as Emissary documents). The first
// AuthService's settings win; each one the other sets differently is
// reported on it, and one that would change the cluster keeps it out.
func (out *Auth) join(first, other *v3alpha1.AuthService, d *Diagnostics) {
	key := Key("AuthService", other.Name, other.Namespace)
	diffs := differingFields(first.Spec, other.Spec, "auth_service", "ambassador_id")
	var clusterDiffs []string
	for _, field := range diffs {
		if authClusterFields[field] {
			clusterDiffs = append(clusterDiffs, field)
		}
	}
	c := out.cluster
	switch {
	case len(clusterDiffs) > 0:
		d.Error(key, "AuthService not used: its %s differ from %s's, which every AuthService shares", strings.Join(clusterDiffs, ", "), out.Key)
		return
	case c == nil:
		d.Error(key, "AuthService not used: %s, whose cluster it would share, cannot be used", out.Key)
		return
	case c.Type == "EDS":
		d.Error(key, "AuthService not used: the %s resolver's cluster takes the endpoints of one service, %s's", c.ResolverKind, out.Key)
		return
	}
	svc, err := parseService(other.Spec.AuthService)
	if err != nil {
		d.Error(key, "%v", err)
		return
	}
	for _, field := range diffs {
		d.Error(key, "AuthService cannot support multiple %s values; using %s's", field, out.Key)
	}
	e := HostPort{Host: svc.Host, Port: svc.EffectivePort(c.OriginateTLS)}
	if e != (HostPort{Host: c.Host, Port: c.Port}) && !slices.Contains(c.MoreEndpoints, e) {
		c.MoreEndpoints = append(c.MoreEndpoints, e)
	}
	c.Users = appendUnique(c.Users, key)
	out.Sources = append(out.Sources, key)
}

// differingFields names the top-level fields (as written in YAML) that
// two specs set differently, ignoring some; sorted.
func differingFields(a, b any, ignore ...string) []string {
	fields := func(v any) map[string]string {
		raw, _ := json.Marshal(v)
		var m map[string]json.RawMessage
		_ = json.Unmarshal(raw, &m)
		out := map[string]string{}
		for k, v := range m {
			if !slices.Contains(ignore, k) {
				out[k] = string(v)
			}
		}
		return out
	}
	fa, fb := fields(a), fields(b)
	var diff []string
	for k := range fa {
		if fa[k] != fb[k] {
			diff = append(diff, k)
		}
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			diff = append(diff, k)
		}
	}
	slices.Sort(diff)
	return diff
}
