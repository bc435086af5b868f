package ir

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Cluster is an upstream Envoy connects to.
type Cluster struct {
	// Name is Emissary's full name; EnvoyName is what Envoy sees (long
	// names are shortened).
	Name      string `json:"name"`
	EnvoyName string `json:"envoy_name"`
	// Type is STRICT_DNS, LOGICAL_DNS or EDS.
	Type string `json:"type"`
	// Host and Port are where a DNS cluster connects.
	Host string `json:"host"`
	Port int    `json:"port"`
	// MoreEndpoints share a DNS cluster's load round-robin (several
	// AuthServices, say).
	MoreEndpoints []HostPort `json:"more_endpoints,omitempty"`
	// EDSName names the endpoints an EDS cluster takes (k8s/ns/svc/port,
	// consul/dc/svc).
	EDSName string `json:"eds_service_name,omitempty"`

	// Resolver and where the endpoints come from, for clustermap.json.
	ResolverKind string `json:"resolver_kind"`
	Service      string `json:"service"`
	Namespace    string `json:"namespace"`
	Datacenter   string `json:"datacenter,omitempty"`

	StatName         string      `json:"alt_stat_name"`
	ConnectTimeoutMs int         `json:"connect_timeout_ms"`
	IdleTimeoutMs    int         `json:"idle_timeout_ms,omitempty"`
	MaxLifetimeMs    int         `json:"max_connection_lifetime_ms,omitempty"`
	DNSLookupFamily  string      `json:"dns_lookup_family"`
	RespectDNSTTL    bool        `json:"respect_dns_ttl,omitempty"`
	HTTP2            bool        `json:"http2,omitempty"`
	OriginateTLS     bool        `json:"originate_tls,omitempty"`
	TLS              *TLSContext `json:"tls,omitempty"`
	KeepAlive        *KeepAlive  `json:"keepalive,omitempty"`
	// CircuitBreakers limit the load on the upstream, per priority.
	CircuitBreakers []CircuitBreaker `json:"circuit_breakers,omitempty"`
	// LoadBalancer is the policy, round_robin when nil.
	LoadBalancer *LoadBalancer `json:"load_balancer,omitempty"`
	// HealthChecks are active checks of each endpoint (EDS clusters).
	HealthChecks []HealthCheck `json:"health_checks,omitempty"`
	// Users are the resources whose routes use this cluster.
	Users []string `json:"referenced_by"`
}

// HostPort is a host and port a DNS cluster resolves and connects to.
type HostPort struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

// resolver says how a Mapping's service becomes endpoints.
type resolver struct {
	Kind       string // KubernetesServiceResolver, KubernetesEndpointResolver, ConsulResolver
	Datacenter string
}

// builtinResolvers are the resolvers that always exist.
var builtinResolvers = map[string]resolver{
	"kubernetes-service":  {Kind: "KubernetesServiceResolver"},
	"kubernetes-endpoint": {Kind: "KubernetesEndpointResolver"},
	"endpoint":            {Kind: "KubernetesEndpointResolver"},
	"consul":              {Kind: "ConsulResolver", Datacenter: "dc1"},
	"consul-endpoint":     {Kind: "ConsulResolver", Datacenter: "dc1"},
}

// clusterSet builds clusters, sharing one among Mappings that name the
// same one (the first one created wins, as in Emissary).
type clusterSet struct {
	byName map[string]*Cluster
	tls    map[string]*TLSContext // origination contexts by name
	res    map[string]resolver
}

// clusterFor returns the cluster a Mapping routes to (marker is its
// cluster_tag, or "shadow"), creating it when new.
func (cs *clusterSet) clusterFor(m *Mapping, marker string, d *Diagnostics) *Cluster {
	return cs.adopt(m, cs.candidate(m, marker), d)
}

// candidate is the cluster a Mapping asks for, worked out without the
// clusters already made (so, for many Mappings, on every core), and what
// to report about it.
type candidate struct {
	cluster *Cluster // nil when the Mapping cannot have one
	res     resolver
	errors  []string // reported with the Mapping
	// notices are reported only by the Mapping that creates the cluster.
	notices []string
}

// candidate reads only the Mapping and the set's resolvers and TLS
// contexts: it is safe to call from many goroutines.
func (cs *clusterSet) candidate(m *Mapping, marker string) candidate {
	var out candidate
	res, ok := cs.res[m.Resolver]
	if !ok {
		out.errors = append(out.errors, fmt.Sprintf("resolver %s is unknown", m.Resolver))
		return out
	}
	out.res = res
	svc, err := parseService(m.Service)
	if err != nil {
		out.errors = append(out.errors, err.Error())
		return out
	}
	var room [8]string // the name's parts, on the stack
	fields := append(room[:0], "cluster", marker, m.Service)
	originate := false
	var ctx *TLSContext
	if m.TLS != "" {
		ctx, ok = cs.tls[m.TLS]
		if !ok {
			out.errors = append(out.errors, fmt.Sprintf("Originate-TLS context %s is not defined", m.TLS))
			return out
		}
	}
	switch {
	case svc.Scheme == "https":
		originate = true
		fields = append(fields, "otls")
	case svc.Scheme == "http" && ctx != nil:
		out.errors = append(out.errors, fmt.Sprintf("TLSContext %s is being used even though service %s lists HTTP", m.TLS, m.Service))
		originate = true
		fields = append(fields, "otls")
	case ctx != nil:
		originate = true
		fields = append(fields, "otls", ctx.Name)
	}
	if originate && m.HostRewrite != "" {
		fields = append(fields, "hr-"+m.HostRewrite)
	}
	fields = append(fields, m.Namespace)
	for _, cb := range m.CircuitBreakers {
		fields = append(fields, cb.Name)
	}
	if m.LoadBalancer != nil {
		fields = append(fields, m.LoadBalancer.nameField())
	}
	// The cluster and its first user in one allocation.
	made := &struct {
		cluster Cluster
		users   [1]string
	}{users: [1]string{m.Key}}
	c := &made.cluster
	*c = Cluster{
		Name:             clusterName(fields...),
		Type:             "STRICT_DNS",
		Host:             svc.Host,
		Port:             svc.EffectivePort(originate),
		ResolverKind:     res.Kind,
		StatName:         m.StatsName,
		ConnectTimeoutMs: m.ConnectTimeoutMs,
		IdleTimeoutMs:    m.ClusterIdleTimeoutMs,
		MaxLifetimeMs:    m.ClusterMaxLifetimeMs,
		DNSLookupFamily:  dnsLookupFamily(m.EnableIPv4, m.EnableIPv6),
		RespectDNSTTL:    m.RespectDNSTTL,
		HTTP2:            m.GRPC,
		OriginateTLS:     originate,
		TLS:              ctx,
		KeepAlive:        m.KeepAlive,
		CircuitBreakers:  m.CircuitBreakers,
		LoadBalancer:     m.LoadBalancer,
		Users:            made.users[:],
	}
	if c.StatName == "" {
		c.StatName = underscored(strings.TrimPrefix(strings.TrimPrefix(m.Service, svc.Scheme+"://"), "//"))
	}
	if dns := strings.ToUpper(m.DNSType); dns == "LOGICAL_DNS" {
		c.Type = dns
	} else if dns != "" && dns != "STRICT_DNS" {
		out.notices = append(out.notices, fmt.Sprintf("dns_type %s is not supported: using strict_dns", m.DNSType))
	}
	service, namespace := c.Host, m.Namespace
	if parts := strings.SplitN(c.Host, ".", 3); len(parts) >= 2 && !svc.IsIP() {
		service, namespace = parts[0], parts[1]
	}
	c.Service, c.Namespace = service, namespace
	if !svc.IsIP() {
		switch res.Kind {
		case "KubernetesEndpointResolver":
			c.Type = "EDS"
			c.EDSName = fmt.Sprintf("k8s/%s/%s/%d", namespace, service, c.Port)
		case "ConsulResolver":
			c.Type = "EDS"
			c.Service, c.Datacenter = c.Host, res.Datacenter
			c.EDSName = fmt.Sprintf("consul/%s/%s", res.Datacenter, c.Host)
		}
	}
	out.cluster = c
	return out
}

// adopt gives a Mapping its candidate cluster, or the one of that name
// an earlier Mapping created, and reports what there is to report.
func (cs *clusterSet) adopt(m *Mapping, cand candidate, d *Diagnostics) *Cluster {
	for _, e := range cand.errors {
		d.Error(m.Key, "%s", e)
	}
	if cand.cluster == nil {
		return nil
	}
	name := cand.cluster.Name
	if c, ok := cs.byName[name]; ok {
		c.Users = appendUnique(c.Users, m.Key)
		// Health checks are not part of the name (as in Emissary): the
		// first Mapping's hold for the cluster.
		switch {
		case len(m.HealthChecks) == 0:
		case c.Type != "EDS":
			healthChecksNeedEDS(m, cand.res, d)
		case !reflect.DeepEqual(m.HealthChecks, c.HealthChecks):
			d.Error(m.Key, "health_checks differ from those of %s, whose cluster %s this Mapping shares: using theirs", c.Users[0], name)
		}
		return c
	}
	c := cand.cluster
	for _, n := range cand.notices {
		d.Notice(m.Key, "%s", n)
	}
	if len(m.HealthChecks) > 0 {
		if c.Type == "EDS" {
			c.HealthChecks = m.HealthChecks
		} else {
			healthChecksNeedEDS(m, cand.res, d)
		}
	}
	cs.byName[name] = c
	return c
}

// healthChecksNeedEDS reports health checks on a DNS cluster: checking a
// DNS name (a Kubernetes Service's one address) says nothing about the
// endpoints behind it, so Emissary ignores them too.
func healthChecksNeedEDS(m *Mapping, res resolver, d *Diagnostics) {
	d.Error(m.Key, "health_checks need a resolver that gives Envoy the endpoints (KubernetesEndpointResolver or ConsulResolver), not %s: health_checks ignored", res.Kind)
}

func dnsLookupFamily(v4, v6 bool) string {
	switch {
	case v4 && v6:
		return "AUTO"
	case v6:
		return "V6_ONLY"
	default:
		return "V4_ONLY"
	}
}

// sorted returns the clusters by Envoy name, with long names shortened:
// names sharing a shortened prefix are numbered in name order.
func (cs *clusterSet) sorted() []*Cluster {
	names := make([]string, 0, len(cs.byName))
	for n := range cs.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	counts := map[string]int{}
	out := make([]*Cluster, 0, len(names))
	for _, n := range names {
		c := cs.byName[n]
		c.EnvoyName = n
		if len(n) > maxClusterName {
			short := shortClusterName(n)
			c.EnvoyName = fmt.Sprintf("%s-%d", short, counts[short])
			counts[short]++
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Cluster) int { return strings.Compare(a.EnvoyName, b.EnvoyName) })
	return out
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
