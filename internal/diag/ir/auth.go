package ir

import (
	"slices"
	"strings"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Auth is the external authorization every request passes (Envoy's
// ext_authz), from the AuthService.
type Auth struct {
	Key   string `json:"key"`
	Proto string `json:"proto"`
	// Cluster is the authorization service's cluster.
	Cluster    string `json:"cluster"`
	PathPrefix string `json:"path_prefix,omitempty"`
	TimeoutMs  int    `json:"timeout_ms"`
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
	for _, other := range list[1:] {
		d.Error(Key("AuthService", other.Name, other.Namespace), "only one AuthService is used: %s", key)
	}
	spec := &a.Spec
	out := &Auth{Key: key, Proto: firstNonEmpty(string(spec.Proto), "http"), PathPrefix: spec.PathPrefix,
		TimeoutMs: msOr(spec.Timeout, 5000), AddAuthHeaders: spec.AddAuthHeaders}
	fail := func(format string, args ...any) {
		d.Error(key, format, args...)
		out.Misconfigured = true
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
	return out
}
