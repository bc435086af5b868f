package ir

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Settings are the global settings of the `ambassador` Module, with
// Emissary's defaults for what it leaves out.
type Settings struct {
	// Source is the Module's key, "" when there is none.
	Source string `json:"source,omitempty"`

	Diagnostics    Probe `json:"diagnostics"`
	LivenessProbe  Probe `json:"liveness_probe"`
	ReadinessProbe Probe `json:"readiness_probe"`

	UseRemoteAddress      bool   `json:"use_remote_address"`
	XFFNumTrustedHops     int    `json:"xff_num_trusted_hops"`
	ServerName            string `json:"server_name"`
	StripMatchingHostPort bool   `json:"strip_matching_host_port"`
	MergeSlashes          bool   `json:"merge_slashes"`
	EnableHTTP10          bool   `json:"enable_http10"`
	UseProxyProto         bool   `json:"use_proxy_proto"`
	// XForwardedProtoRedirect redirects requests whose X-Forwarded-Proto
	// is not https (the pre-Host way to force TLS).
	XForwardedProtoRedirect bool `json:"x_forwarded_proto_redirect"`
	RegexMaxSize            int  `json:"regex_max_size"`

	ClusterRequestTimeoutMs        int `json:"cluster_request_timeout_ms"`
	ClusterIdleTimeoutMs           int `json:"cluster_idle_timeout_ms,omitempty"`
	ClusterMaxConnectionLifetimeMs int `json:"cluster_max_connection_lifetime_ms,omitempty"`
	ListenerIdleTimeoutMs          int `json:"listener_idle_timeout_ms,omitempty"`
	// BufferLimitBytes caps what each downstream connection buffers
	// (buffer_limit_bytes), on every listener.
	BufferLimitBytes int `json:"buffer_limit_bytes,omitempty"`

	EnableIPv4 bool `json:"enable_ipv4"`
	EnableIPv6 bool `json:"enable_ipv6"`

	Resolver string `json:"resolver"`
	// UseAmbassadorNamespace resolves bare service names in the gateway's
	// namespace rather than the Mapping's.
	UseAmbassadorNamespace bool `json:"use_ambassador_namespace_for_service_resolution"`

	DefaultLabelDomain string `json:"default_label_domain"`
	// AccessLog is the file access log of the HTTP listeners.
	AccessLog AccessLog `json:"access_log"`
	// DefaultLabels come first in every rate limit label group of their
	// domain (the Module's default_labels).
	DefaultLabels     map[string][]v3alpha1.MappingLabelSpecifier `json:"default_labels,omitempty"`
	AddLinkerdHeaders bool                                        `json:"add_linkerd_headers"`
	// KeepAlive is the default TCP keepalive for upstream connections.
	KeepAlive *KeepAlive `json:"keepalive,omitempty"`
	// RetryPolicy is the retry_policy of Mappings that have none.
	RetryPolicy *RetryPolicy `json:"retry_policy,omitempty"`
	// CircuitBreakers are the circuit_breakers of Mappings that have none.
	CircuitBreakers []CircuitBreaker `json:"circuit_breakers,omitempty"`
	// LoadBalancer is the load_balancer of Mappings that have none.
	LoadBalancer *LoadBalancer `json:"load_balancer,omitempty"`
	// CORS is the cors policy of Mappings that have none.
	CORS *CORS `json:"cors,omitempty"`
	// ErrorResponses replace the bodies of error responses on every
	// route but those that bypass them or have their own.
	ErrorResponses    []ErrorResponse `json:"error_response_overrides,omitempty"`
	errorResponsesRaw json.RawMessage

	// HTTP filters the Module turns on; Envoy runs them, in this order,
	// before cors and the router, as Emissary orders them.
	GRPCHTTP11Bridge bool       `json:"enable_grpc_http11_bridge,omitempty"`
	GRPCWeb          bool       `json:"enable_grpc_web,omitempty"`
	GRPCStats        *GRPCStats `json:"grpc_stats,omitempty"`
	LuaScripts       string     `json:"lua_scripts,omitempty"`
	Gzip             *Gzip      `json:"gzip,omitempty"`
	// BufferMaxRequestBytes turns on request buffering (the buffer
	// filter) up to this size.
	BufferMaxRequestBytes int `json:"buffer_max_request_bytes,omitempty"`
	// IPAllowDeny is the ip_allow or ip_deny rule (RBAC filter).
	IPAllowDeny *IPAllowDeny `json:"ip_allow_deny,omitempty"`

	// HTTP connection manager settings, as Emissary names them.
	HeadersWithUnderscoresAction string                       `json:"headers_with_underscores_action,omitempty"`
	MaxRequestHeadersKb          int                          `json:"max_request_headers_kb,omitempty"`
	AllowChunkedLength           bool                         `json:"allow_chunked_length,omitempty"`
	PreserveExternalRequestID    bool                         `json:"preserve_external_request_id,omitempty"`
	ForwardClientCertDetails     string                       `json:"forward_client_cert_details,omitempty"`
	SetCurrentClientCertDetails  *SetCurrentClientCertDetails `json:"set_current_client_cert_details,omitempty"`
	ProperCase                   bool                         `json:"proper_case,omitempty"`
	// PreserveHeaderCase keeps HTTP/1 header names as they were written,
	// both ways (header_case_overrides, see headerCaseOverrides).
	PreserveHeaderCase   bool `json:"preserve_header_case,omitempty"`
	SuppressEnvoyHeaders bool `json:"suppress_envoy_headers,omitempty"`
	// MappingDefaults fill in Mapping fields the Mapping leaves out
	// (the Module's `defaults`).
	MappingDefaults MappingDefaults `json:"mapping_defaults"`
}

// MappingDefaults are the Module's defaults for Mappings: `defaults.httpmapping.<key>`, else `defaults.<key>`.
type MappingDefaults struct {
	AddRequestHeaders     []AddedHeader `json:"add_request_headers,omitempty"`
	AddResponseHeaders    []AddedHeader `json:"add_response_headers,omitempty"`
	RemoveRequestHeaders  []string      `json:"remove_request_headers,omitempty"`
	RemoveResponseHeaders []string      `json:"remove_response_headers,omitempty"`
	StatsName             string        `json:"stats_name,omitempty"`
}

// mappingDefaultsConfig is how the Module writes them: header values are a
// string or {value, append}; removals a string or a list.
type mappingDefaultsConfig struct {
	AddRequestHeaders     map[string]any `json:"add_request_headers"`
	AddResponseHeaders    map[string]any `json:"add_response_headers"`
	RemoveRequestHeaders  any            `json:"remove_request_headers"`
	RemoveResponseHeaders any            `json:"remove_response_headers"`
	StatsName             string         `json:"stats_name"`
}

// mappingDefaults reads `defaults`: the httpmapping section wins over the
// general one, key by key.
func mappingDefaults(defaults map[string]json.RawMessage, key string, d *Diagnostics) MappingDefaults {
	var general, specific mappingDefaultsConfig
	if err := decodeDefaults(defaults, &general); err != nil {
		d.Error(key, "config.defaults: %v", err)
	}
	if raw, ok := defaults["httpmapping"]; ok {
		if err := json.Unmarshal(raw, &specific); err != nil {
			d.Error(key, "config.defaults.httpmapping: %v", err)
		}
	}
	pick := func(a, b mappingDefaultsConfig) mappingDefaultsConfig {
		if a.AddRequestHeaders == nil {
			a.AddRequestHeaders = b.AddRequestHeaders
		}
		if a.AddResponseHeaders == nil {
			a.AddResponseHeaders = b.AddResponseHeaders
		}
		if a.RemoveRequestHeaders == nil {
			a.RemoveRequestHeaders = b.RemoveRequestHeaders
		}
		if a.RemoveResponseHeaders == nil {
			a.RemoveResponseHeaders = b.RemoveResponseHeaders
		}
		if a.StatsName == "" {
			a.StatsName = b.StatsName
		}
		return a
	}
	c := pick(specific, general)
	return MappingDefaults{
		AddRequestHeaders:     defaultHeaders(c.AddRequestHeaders),
		AddResponseHeaders:    defaultHeaders(c.AddResponseHeaders),
		RemoveRequestHeaders:  stringOrList(c.RemoveRequestHeaders),
		RemoveResponseHeaders: stringOrList(c.RemoveResponseHeaders),
		StatsName:             c.StatsName,
	}
}

// decodeDefaults reads the general keys of `defaults`, ignoring the
// per-kind sections (httpmapping, tcpmapping, ...).
func decodeDefaults(defaults map[string]json.RawMessage, out *mappingDefaultsConfig) error {
	general := map[string]json.RawMessage{}
	for k, v := range defaults {
		switch k {
		case "add_request_headers", "add_response_headers", "remove_request_headers", "remove_response_headers", "stats_name":
			general[k] = v
		}
	}
	b, err := json.Marshal(general)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func defaultHeaders(in map[string]any) []AddedHeader {
	var out []AddedHeader
	for _, name := range sortedKeys(in) {
		switch v := in[name].(type) {
		case string:
			out = append(out, AddedHeader{Name: name, Value: v, Append: true})
		case map[string]any:
			value, _ := v["value"].(string)
			appendIt := true
			if a, ok := v["append"].(bool); ok {
				appendIt = a
			}
			out = append(out, AddedHeader{Name: name, Value: value, Append: appendIt})
		}
	}
	return out
}

func stringOrList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, item := range v {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// KeepAlive is TCP keepalive for upstream connections.
type KeepAlive struct {
	Probes   *int `json:"probes,omitempty"`
	IdleTime *int `json:"idle_time,omitempty"`
	Interval *int `json:"interval,omitempty"`
}

func keepAliveFrom(k *v3alpha1.KeepAlive, key string, d *Diagnostics) *KeepAlive {
	if k == nil {
		return nil
	}
	if field, v := firstOutOfUint32(map[string]*int{"probes": k.Probes, "idle_time": (*int)(k.IdleTime), "interval": (*int)(k.Interval)}); field != "" {
		d.Error(key, "keepalive: %s %d is out of range: keepalive ignored", field, v)
		return nil
	}
	out := &KeepAlive{Probes: k.Probes}
	if k.IdleTime != nil {
		v := int(*k.IdleTime)
		out.IdleTime = &v
	}
	if k.Interval != nil {
		v := int(*k.Interval)
		out.Interval = &v
	}
	return out
}

// Probe is one of the built-in routes to diagd.
type Probe struct {
	Enabled bool   `json:"enabled"`
	Prefix  string `json:"prefix"`
	Rewrite string `json:"rewrite"`
	Service string `json:"service"`
	// AllowNonLocal (diagnostics only) shows the diagnostics pages to
	// clients off the pod even when the route to them is off.
	AllowNonLocal bool `json:"allow_non_local,omitempty"`
}

// moduleConfig is the part of the ambassador Module's config this package
// reads. Fields are pointers so that "not set" keeps the default.
type moduleConfig struct {
	Diagnostics    *probeConfig `json:"diagnostics"`
	LivenessProbe  *probeConfig `json:"liveness_probe"`
	ReadinessProbe *probeConfig `json:"readiness_probe"`

	UseRemoteAddress        *bool   `json:"use_remote_address"`
	XFFNumTrustedHops       *int    `json:"xff_num_trusted_hops"`
	ServerName              *string `json:"server_name"`
	StripMatchingHostPort   *bool   `json:"strip_matching_host_port"`
	MergeSlashes            *bool   `json:"merge_slashes"`
	EnableHTTP10            *bool   `json:"enable_http10"`
	UseProxyProto           *bool   `json:"use_proxy_proto"`
	XForwardedProtoRedirect *bool   `json:"x_forwarded_proto_redirect"`
	RegexMaxSize            *int    `json:"regex_max_size"`

	ClusterRequestTimeoutMs        *int `json:"cluster_request_timeout_ms"`
	ClusterIdleTimeoutMs           *int `json:"cluster_idle_timeout_ms"`
	ClusterMaxConnectionLifetimeMs *int `json:"cluster_max_connection_lifetime_ms"`
	ListenerIdleTimeoutMs          *int `json:"listener_idle_timeout_ms"`

	EnableIPv4 *bool `json:"enable_ipv4"`
	EnableIPv6 *bool `json:"enable_ipv6"`

	Resolver               *string                      `json:"resolver"`
	UseAmbassadorNamespace *bool                        `json:"use_ambassador_namespace_for_service_resolution"`
	DefaultLabelDomain     *string                      `json:"default_label_domain"`
	AddLinkerdHeaders      *bool                        `json:"add_linkerd_headers"`
	KeepAlive              *v3alpha1.KeepAlive          `json:"keepalive"`
	RetryPolicy            json.RawMessage              `json:"retry_policy"`
	CircuitBreakers        json.RawMessage              `json:"circuit_breakers"`
	LoadBalancer           json.RawMessage              `json:"load_balancer"`
	CORS                   json.RawMessage              `json:"cors"`
	EnableGRPCHTTP11Bridge *bool                        `json:"enable_grpc_http11_bridge"`
	EnableGRPCWeb          *bool                        `json:"enable_grpc_web"`
	GRPCStats              *GRPCStats                   `json:"grpc_stats"`
	LuaScripts             *string                      `json:"lua_scripts"`
	Gzip                   *Gzip                        `json:"gzip"`
	IPAllow                []map[string]string          `json:"ip_allow"`
	HeadersWithUnderscores *string                      `json:"headers_with_underscores_action"`
	MaxRequestHeadersKb    *int                         `json:"max_request_headers_kb"`
	AllowChunkedLength     *bool                        `json:"allow_chunked_length"`
	PreserveExternalReqID  *bool                        `json:"preserve_external_request_id"`
	ForwardClientCert      *string                      `json:"forward_client_cert_details"`
	SetCurrentClientCert   *SetCurrentClientCertDetails `json:"set_current_client_cert_details"`
	ProperCase             *bool                        `json:"proper_case"`
	HeaderCaseOverrides    json.RawMessage              `json:"header_case_overrides"`
	SuppressEnvoyHeaders   *bool                        `json:"suppress_envoy_headers"`
	IPDeny                 []map[string]string          `json:"ip_deny"`
	Buffer                 *struct {
		MaxRequestBytes *int            `json:"max_request_bytes"`
		MaxRequestTime  json.RawMessage `json:"max_request_time"`
	} `json:"buffer"`
	Defaults               map[string]json.RawMessage `json:"defaults"`
	ErrorResponseOverrides json.RawMessage            `json:"error_response_overrides"`
	EnvoyLogType           *string                    `json:"envoy_log_type"`
	EnvoyLogFormat         json.RawMessage            `json:"envoy_log_format"`
	EnvoyLogPath           *string                    `json:"envoy_log_path"`
	BufferLimitBytes       *int                       `json:"buffer_limit_bytes"`
	DefaultLabels          json.RawMessage            `json:"default_labels"`
}

type probeConfig struct {
	Enabled       *bool  `json:"enabled"`
	AllowNonLocal *bool  `json:"allow_non_local"`
	Prefix        string `json:"prefix"`
	Rewrite       string `json:"rewrite"`
	Service       string `json:"service"`
}

// diagdService is where the built-in routes go: diagd's port as the
// entrypoint exposes it.
const diagdService = "127.0.0.1:8877"

func defaultSettings() Settings {
	probe := func(prefix string) Probe {
		return Probe{Enabled: true, Prefix: prefix, Rewrite: prefix, Service: diagdService}
	}
	return Settings{
		AccessLog:               AccessLog{Path: "/dev/fd/1", Type: "text", Text: DefaultAccessLogText},
		Diagnostics:             probe("/ambassador/v0/"),
		LivenessProbe:           probe("/ambassador/v0/check_alive"),
		ReadinessProbe:          probe("/ambassador/v0/check_ready"),
		UseRemoteAddress:        true,
		ServerName:              "envoy",
		RegexMaxSize:            200,
		ClusterRequestTimeoutMs: 3000,
		EnableIPv4:              true,
		Resolver:                "kubernetes-service",
		DefaultLabelDomain:      "ambassador",
	}
}

// settingsFrom applies the ambassador Module (nil for none) to the
// defaults. A problem with one key is reported and that key ignored.
func settingsFrom(m *v3alpha1.Module, d *Diagnostics) Settings {
	s := defaultSettings()
	if m == nil {
		return s
	}
	key := Key("Module", m.Name, m.Namespace)
	s.Source = key
	var c moduleConfig
	if err := m.Spec.Config.Decode(&c); err != nil {
		d.Error(key, "config: %v", err)
		return s
	}
	applyProbe(&s.Diagnostics, c.Diagnostics)
	applyProbe(&s.LivenessProbe, c.LivenessProbe)
	applyProbe(&s.ReadinessProbe, c.ReadinessProbe)
	set(&s.UseRemoteAddress, c.UseRemoteAddress)
	set(&s.XFFNumTrustedHops, c.XFFNumTrustedHops)
	if c.ServerName != nil && strings.ContainsAny(*c.ServerName, "\x00\r\n") {
		d.Error(key, "server_name %q has NUL, CR or LF: ignored", *c.ServerName)
	} else {
		set(&s.ServerName, c.ServerName)
	}
	set(&s.StripMatchingHostPort, c.StripMatchingHostPort)
	set(&s.MergeSlashes, c.MergeSlashes)
	set(&s.EnableHTTP10, c.EnableHTTP10)
	set(&s.UseProxyProto, c.UseProxyProto)
	set(&s.XForwardedProtoRedirect, c.XForwardedProtoRedirect)
	if r := c.RegexMaxSize; r != nil && (*r < 1 || outOfUint32(*r)) {
		d.Error(key, "regex_max_size %d is out of range: ignored", *r)
	} else {
		set(&s.RegexMaxSize, c.RegexMaxSize)
	}
	for _, f := range []struct {
		name     string
		dst, src *int
	}{
		{"cluster_request_timeout_ms", &s.ClusterRequestTimeoutMs, c.ClusterRequestTimeoutMs},
		{"cluster_idle_timeout_ms", &s.ClusterIdleTimeoutMs, c.ClusterIdleTimeoutMs},
		{"cluster_max_connection_lifetime_ms", &s.ClusterMaxConnectionLifetimeMs, c.ClusterMaxConnectionLifetimeMs},
		{"listener_idle_timeout_ms", &s.ListenerIdleTimeoutMs, c.ListenerIdleTimeoutMs},
	} {
		if f.src == nil {
			continue
		}
		if problem := millisProblem(f.name, *f.src, 0); problem != "" {
			d.Error(key, "%s: ignored", problem)
			continue
		}
		*f.dst = *f.src
	}
	if b := c.BufferLimitBytes; b != nil {
		if outOfUint32(*b) {
			d.Error(key, "buffer_limit_bytes %d is out of range: ignored", *b)
		} else {
			s.BufferLimitBytes = *b
		}
	}
	set(&s.EnableIPv4, c.EnableIPv4)
	set(&s.EnableIPv6, c.EnableIPv6)
	set(&s.Resolver, c.Resolver)
	set(&s.UseAmbassadorNamespace, c.UseAmbassadorNamespace)
	set(&s.DefaultLabelDomain, c.DefaultLabelDomain)
	set(&s.AddLinkerdHeaders, c.AddLinkerdHeaders)
	s.KeepAlive = keepAliveFrom(c.KeepAlive, key, d)
	s.RetryPolicy = moduleRetryPolicy(c.RetryPolicy, key, d)
	s.CircuitBreakers = moduleCircuitBreakers(c.CircuitBreakers, key, d)
	s.LoadBalancer = moduleLoadBalancer(c.LoadBalancer, key, d)
	s.CORS = moduleCORS(c.CORS, key, d)
	s.errorResponsesRaw = c.ErrorResponseOverrides
	s.DefaultLabels = moduleDefaultLabels(c.DefaultLabels, key, d)
	s.AccessLog = accessLogFrom(c.EnvoyLogType, c.EnvoyLogFormat, c.EnvoyLogPath, key, d)
	set(&s.GRPCHTTP11Bridge, c.EnableGRPCHTTP11Bridge)
	set(&s.GRPCWeb, c.EnableGRPCWeb)
	s.GRPCStats = c.GRPCStats
	if g := s.GRPCStats; g != nil {
		for i, svc := range g.Services {
			if svc.Name == "" {
				d.Error(key, "grpc_stats.services[%d]: a service needs a name: grpc_stats ignored", i)
				s.GRPCStats = nil
				break
			}
			if len(svc.MethodNames) == 0 {
				d.Error(key, "grpc_stats.services[%d] (%s): method_names needs at least one method: grpc_stats ignored", i, svc.Name)
				s.GRPCStats = nil
				break
			}
		}
	}
	set(&s.LuaScripts, c.LuaScripts)
	if g := c.Gzip; g != nil {
		if g.CompressionLevel != "" && !slices.Contains(gzipLevels, g.CompressionLevel) {
			d.Error(key, "gzip: compression_level %q is not one of %v: gzip not enabled", g.CompressionLevel, gzipLevels)
		} else if g.CompressionStrategy != "" && !slices.Contains(gzipStrategies, g.CompressionStrategy) {
			d.Error(key, "gzip: compression_strategy %q is not one of %v: gzip not enabled", g.CompressionStrategy, gzipStrategies)
		} else if field, v := firstOutOfUint32(map[string]*int{"memory_level": g.MemoryLevel, "window_bits": g.WindowBits, "min_content_length": g.MinContentLength}); field != "" {
			d.Error(key, "gzip: %s %d is out of range: gzip not enabled", field, v)
		} else {
			s.Gzip = g
		}
	}
	switch {
	case c.IPAllow != nil && c.IPDeny != nil:
		d.Error(key, "ip_allow and ip_deny may not both be set")
		s.IPAllowDeny = ipAllowDeny(c.IPAllow, true, key, d)
	case c.IPAllow != nil:
		s.IPAllowDeny = ipAllowDeny(c.IPAllow, true, key, d)
	case c.IPDeny != nil:
		s.IPAllowDeny = ipAllowDeny(c.IPDeny, false, key, d)
	}
	if v := c.HeadersWithUnderscores; v != nil {
		if slices.Contains([]string{"ALLOW", "REJECT_REQUEST", "DROP_HEADER"}, *v) {
			s.HeadersWithUnderscoresAction = *v
		} else {
			d.Error(key, "headers_with_underscores_action %q is not ALLOW, REJECT_REQUEST or DROP_HEADER: ignored", *v)
		}
	}
	if v := c.ForwardClientCert; v != nil {
		if slices.Contains([]string{"SANITIZE", "FORWARD_ONLY", "APPEND_FORWARD", "SANITIZE_SET", "ALWAYS_FORWARD_ONLY"}, *v) {
			s.ForwardClientCertDetails = *v
		} else {
			d.Error(key, "forward_client_cert_details %q is not one of SANITIZE, FORWARD_ONLY, APPEND_FORWARD, SANITIZE_SET, ALWAYS_FORWARD_ONLY: ignored", *v)
		}
	}
	if k := c.MaxRequestHeadersKb; k != nil && (*k < 1 || *k > 8192) {
		d.Error(key, "max_request_headers_kb %d is not from 1 to 8192 (Envoy's limit): ignored", *k)
	} else {
		set(&s.MaxRequestHeadersKb, c.MaxRequestHeadersKb)
	}
	set(&s.AllowChunkedLength, c.AllowChunkedLength)
	set(&s.PreserveExternalRequestID, c.PreserveExternalReqID)
	s.SetCurrentClientCertDetails = c.SetCurrentClientCert
	set(&s.ProperCase, c.ProperCase)
	set(&s.SuppressEnvoyHeaders, c.SuppressEnvoyHeaders)
	s.PreserveHeaderCase = headerCaseOverrides(c.HeaderCaseOverrides, s.ProperCase, key, d)
	if b := c.Buffer; b != nil {
		switch {
		case b.MaxRequestBytes == nil || *b.MaxRequestBytes <= 0:
			d.Error(key, "buffer: missing required field: max_request_bytes")
		case outOfUint32(*b.MaxRequestBytes):
			d.Error(key, "buffer: max_request_bytes %d is out of range: buffer not enabled", *b.MaxRequestBytes)
		default:
			s.BufferMaxRequestBytes = *b.MaxRequestBytes
		}
		if len(b.MaxRequestTime) > 0 {
			d.Notice(key, "buffer: 'max_request_time' is no longer supported, ignoring")
		}
	}
	s.MappingDefaults = mappingDefaults(c.Defaults, key, d)
	return s
}

// applyProbe replaces a built-in route's settings. As in Emissary, giving
// the key replaces all of it: `diagnostics: {}` turns the route off.
func applyProbe(p *Probe, c *probeConfig) {
	if c == nil {
		return
	}
	def := *p
	*p = Probe{Enabled: c.Enabled != nil && *c.Enabled, Prefix: c.Prefix, Rewrite: c.Rewrite, Service: c.Service, AllowNonLocal: c.AllowNonLocal != nil && *c.AllowNonLocal}
	if p.Prefix == "" {
		p.Prefix = def.Prefix
	}
	if p.Rewrite == "" {
		p.Rewrite = def.Rewrite
	}
	if p.Service == "" {
		p.Service = def.Service
	}
}

// firstOutOfUint32 is the first field, by name, whose value does not fit
// an unsigned 32-bit number, with the value ("" when all fit).
func firstOutOfUint32(fields map[string]*int) (string, int) {
	for _, name := range sortedKeys(fields) {
		if v := fields[name]; v != nil && outOfUint32(*v) {
			return name, *v
		}
	}
	return "", 0
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// GRPCStats is the Module's grpc_stats: per-method stats for all methods,
// or for the services (and methods) listed, and upstream stats.
type GRPCStats struct {
	AllMethods bool `json:"all_methods,omitempty"`
	Services   []struct {
		Name        string   `json:"name"`
		MethodNames []string `json:"method_names,omitempty"`
	} `json:"services,omitempty"`
	UpstreamStats bool `json:"upstream_stats,omitempty"`
}

// Gzip is the Module's gzip: response compression.
type Gzip struct {
	MemoryLevel                *int     `json:"memory_level,omitempty"`
	MinContentLength           *int     `json:"min_content_length,omitempty"`
	CompressionLevel           string   `json:"compression_level,omitempty"`
	CompressionStrategy        string   `json:"compression_strategy,omitempty"`
	WindowBits                 *int     `json:"window_bits,omitempty"`
	ContentType                []string `json:"content_type,omitempty"`
	DisableOnEtagHeader        bool     `json:"disable_on_etag_header,omitempty"`
	RemoveAcceptEncodingHeader bool     `json:"remove_accept_encoding_header,omitempty"`
}

// The values Envoy's gzip compressor takes.
var (
	gzipLevels     = []string{"DEFAULT_COMPRESSION", "BEST_SPEED", "COMPRESSION_LEVEL_1", "COMPRESSION_LEVEL_2", "COMPRESSION_LEVEL_3", "COMPRESSION_LEVEL_4", "COMPRESSION_LEVEL_5", "COMPRESSION_LEVEL_6", "COMPRESSION_LEVEL_7", "COMPRESSION_LEVEL_8", "COMPRESSION_LEVEL_9", "BEST_COMPRESSION"}
	gzipStrategies = []string{"DEFAULT_STRATEGY", "FILTERED", "HUFFMAN_ONLY", "RLE", "FIXED"}
)

// SetCurrentClientCertDetails says which parts of the client certificate
// go in the x-forwarded-client-cert header.
type SetCurrentClientCertDetails struct {
	Subject bool `json:"subject,omitempty"`
	Cert    bool `json:"cert,omitempty"`
	Chain   bool `json:"chain,omitempty"`
	DNS     bool `json:"dns,omitempty"`
	URI     bool `json:"uri,omitempty"`
}

// headerCaseOverrides reads the Module's header_case_overrides: header
// names to be written to HTTP/1 peers in the given case. Emissary's
// Envoy has a formatter that rewrites just those names; upstream Envoy
// has none, and its nearest is to keep every header name in the case it
// arrived in (preserve_case), which gives listed headers their case
// whenever the other side wrote it so. That is what is done, and said.
func headerCaseOverrides(raw json.RawMessage, properCase bool, key string, d *Diagnostics) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return false
	}
	var names []any
	if err := json.Unmarshal(raw, &names); err != nil {
		d.Error(key, "header_case_overrides must be a list of header names: ignored")
		return false
	}
	valid := 0
	for _, n := range names {
		if s, ok := n.(string); ok && s != "" {
			valid++
		} else {
			d.Error(key, "header_case_overrides: %v is not a header name: skipped", n)
		}
	}
	switch {
	case valid == 0:
		return false
	case properCase:
		d.Error(key, "Only one of 'proper_case' or 'header_case_overrides' fields may be set on the Ambassador module. Honoring proper_case and ignoring header_case_overrides.")
		return false
	}
	d.Notice(key, "header_case_overrides: this Envoy cannot rewrite chosen header names, so HTTP/1 header names keep the case they arrive in (Envoy's preserve_case), both to clients and to upstreams; headers Envoy adds itself are lower case")
	return true
}
