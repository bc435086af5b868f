package ir

import (
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

	EnableIPv4 bool `json:"enable_ipv4"`
	EnableIPv6 bool `json:"enable_ipv6"`

	Resolver string `json:"resolver"`
	// UseAmbassadorNamespace resolves bare service names in the gateway's
	// namespace rather than the Mapping's.
	UseAmbassadorNamespace bool `json:"use_ambassador_namespace_for_service_resolution"`

	DefaultLabelDomain string `json:"default_label_domain"`
	AddLinkerdHeaders  bool   `json:"add_linkerd_headers"`
	// KeepAlive is the default TCP keepalive for upstream connections.
	KeepAlive *KeepAlive `json:"keepalive,omitempty"`
}

// KeepAlive is TCP keepalive for upstream connections.
type KeepAlive struct {
	Probes   *int `json:"probes,omitempty"`
	IdleTime *int `json:"idle_time,omitempty"`
	Interval *int `json:"interval,omitempty"`
}

func keepAliveFrom(k *v3alpha1.KeepAlive) *KeepAlive {
	if k == nil {
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

	Resolver               *string             `json:"resolver"`
	UseAmbassadorNamespace *bool               `json:"use_ambassador_namespace_for_service_resolution"`
	DefaultLabelDomain     *string             `json:"default_label_domain"`
	AddLinkerdHeaders      *bool               `json:"add_linkerd_headers"`
	KeepAlive              *v3alpha1.KeepAlive `json:"keepalive"`
}

type probeConfig struct {
	Enabled *bool  `json:"enabled"`
	Prefix  string `json:"prefix"`
	Rewrite string `json:"rewrite"`
	Service string `json:"service"`
}

// diagdService is where the built-in routes go: diagd's port as the
// entrypoint exposes it.
const diagdService = "127.0.0.1:8877"

func defaultSettings() Settings {
	probe := func(prefix string) Probe {
		return Probe{Enabled: true, Prefix: prefix, Rewrite: prefix, Service: diagdService}
	}
	return Settings{
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
	set(&s.ServerName, c.ServerName)
	set(&s.StripMatchingHostPort, c.StripMatchingHostPort)
	set(&s.MergeSlashes, c.MergeSlashes)
	set(&s.EnableHTTP10, c.EnableHTTP10)
	set(&s.UseProxyProto, c.UseProxyProto)
	set(&s.XForwardedProtoRedirect, c.XForwardedProtoRedirect)
	set(&s.RegexMaxSize, c.RegexMaxSize)
	set(&s.ClusterRequestTimeoutMs, c.ClusterRequestTimeoutMs)
	set(&s.ClusterIdleTimeoutMs, c.ClusterIdleTimeoutMs)
	set(&s.ClusterMaxConnectionLifetimeMs, c.ClusterMaxConnectionLifetimeMs)
	set(&s.ListenerIdleTimeoutMs, c.ListenerIdleTimeoutMs)
	set(&s.EnableIPv4, c.EnableIPv4)
	set(&s.EnableIPv6, c.EnableIPv6)
	set(&s.Resolver, c.Resolver)
	set(&s.UseAmbassadorNamespace, c.UseAmbassadorNamespace)
	set(&s.DefaultLabelDomain, c.DefaultLabelDomain)
	set(&s.AddLinkerdHeaders, c.AddLinkerdHeaders)
	s.KeepAlive = keepAliveFrom(c.KeepAlive)
	return s
}

// applyProbe replaces a built-in route's settings. As in Emissary, giving
// the key replaces all of it: `diagnostics: {}` turns the route off.
func applyProbe(p *Probe, c *probeConfig) {
	if c == nil {
		return
	}
	def := *p
	*p = Probe{Enabled: c.Enabled != nil && *c.Enabled, Prefix: c.Prefix, Rewrite: c.Rewrite, Service: c.Service}
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

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
