package ir

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// TCPGroup is the TCPMappings that share a port, bind address and SNI
// host: one filter chain of one listener, proxying connections to their
// clusters by weight.
type TCPGroup struct {
	ID   string `json:"group_id"`
	Name string `json:"name"`
	// Key is the first TCPMapping's.
	Key      string `json:"key"`
	Listener string `json:"listener"`
	Port     int    `json:"port"`
	Address  string `json:"address"`
	// Host is the SNI name the chain matches ("" for any connection);
	// with it the chain terminates TLS with TLS.
	Host    string      `json:"host,omitempty"`
	TLS     *TLSContext `json:"tls,omitempty"`
	Targets []TCPTarget `json:"targets"`
}

// TCPTarget is one TCPMapping's cluster and share of connections.
type TCPTarget struct {
	Key     string `json:"key"`
	Cluster string `json:"cluster"`
	Weight  int    `json:"weight"`
	// cluster is named (Cluster) once every cluster is known.
	cluster *Cluster
}

// tcpMapping is a TCPMapping as grouping needs it.
type tcpMapping struct {
	src     *v3alpha1.TCPMapping
	key     string
	address string
	groupID string
	mapping *Mapping // what clusterFor needs
}

// buildTCP groups TCPMappings, gives them clusters and listeners (making
// a TCP or TLS listener for a port no Listener resource claims), and
// finds the TLS each SNI host terminates with.
func buildTCP(list []*v3alpha1.TCPMapping, out *IR, cs *clusterSet, contexts []*v3alpha1.TLSContext, opts Options, d *Diagnostics) []*TCPGroup {
	var groups []*TCPGroup
	byID := map[string]*TCPGroup{}
	members := map[*TCPGroup][]*tcpMapping{}
	for _, m := range list {
		tm := newTCPMapping(m, out.Settings, opts, d)
		if tm == nil {
			continue
		}
		g, ok := byID[tm.groupID]
		if !ok {
			g = &TCPGroup{ID: tm.groupID, Name: "GROUP: " + m.Name, Key: tm.key, Port: m.Spec.Port, Address: tm.address, Host: m.Spec.Host}
			byID[tm.groupID] = g
			groups = append(groups, g)
		} else if field, a, b := tcpMismatch(members[g][0].src, m); field != "" {
			d.Error(tm.key, "cannot accept new mapping %s with mismatched %s: %s != %s", m.Name, field, a, b)
			continue
		}
		members[g] = append(members[g], tm)
	}

	var kept []*TCPGroup
	chains := map[string]string{} // listener/host -> group holding it
	for _, g := range groups {
		if g.Host != "" {
			if g.TLS = tcpTLS(g.Host, out.Hosts, contexts, cs); g.TLS == nil {
				d.Error(g.Key, "no Host or TLSContext terminates TLS for %s: TCPMapping ignored", g.Host)
				continue
			}
		}
		for _, tm := range members[g] {
			c := cs.clusterFor(tm.mapping, tm.src.Spec.ClusterTag, d)
			if c == nil {
				continue
			}
			weight := -1
			if tm.src.Spec.Weight != nil {
				weight = *tm.src.Spec.Weight
			}
			g.Targets = append(g.Targets, TCPTarget{Key: tm.key, Weight: weight, cluster: c})
		}
		if len(g.Targets) == 0 || !tcpWeights(g, d) {
			continue
		}
		l := tcpListener(g, out, d)
		g.Listener = l.Name
		chain := l.Name + "/" + g.Host
		if other, taken := chains[chain]; taken {
			d.Error(g.Key, "TCPMapping %s: discarding because it conflicts with TCPMapping %s", g.Name, other)
			continue
		}
		chains[chain] = g.Name
		kept = append(kept, g)
	}
	return kept
}

// tcpConflicts settles what TCPMappings and HTTP Hosts both claim on a
// listener, once Hosts are bound: a TCPMapping's SNI name is its own (the
// Host's TLS chain for it is dropped, as in Emissary), and a TCPMapping
// without one cannot share a listener that serves HTTP (Envoy would get
// two chains matching every connection).
func tcpConflicts(out *IR, d *Diagnostics) {
	listeners := map[string]*Listener{}
	for _, l := range out.Listeners {
		listeners[l.Name] = l
	}
	out.TCPGroups = slices.DeleteFunc(out.TCPGroups, func(g *TCPGroup) bool {
		l := listeners[g.Listener]
		if g.Host == "" && !l.TCPOnly && len(l.Hosts) > 0 {
			d.Error(g.Key, "TCPMapping %s: listener %s also serves HTTP to Hosts; a TCPMapping on it needs a host (SNI) to tell its connections apart: ignored", g.Name, l.Name)
			return true
		}
		for _, h := range out.Hosts {
			if h.TLS != nil && h.SNI() == g.Host && slices.Contains(l.Hosts, h.Hostname) {
				d.Error(h.Key, "TLS Host %s: discarding its TLS chain on listener %s because it conflicts with TCPMapping %s", h.Name, l.Name, g.Name)
				l.TCPSNIs = append(l.TCPSNIs, g.Host)
			}
		}
		return false
	})
}

func newTCPMapping(m *v3alpha1.TCPMapping, s Settings, opts Options, d *Diagnostics) *tcpMapping {
	key := Key("TCPMapping", m.Name, m.Namespace)
	spec := &m.Spec
	if spec.Port <= 0 || spec.Port > 65535 {
		d.Error(key, "port %d is not a TCP port", spec.Port)
		return nil
	}
	if spec.Weight != nil && (*spec.Weight < 0 || *spec.Weight > 100) {
		d.Error(key, "TCPMapping %s has invalid weight %d", m.Name, *spec.Weight)
		return nil
	}
	if spec.IdleTimeoutMs != "" {
		if _, err := strconv.Atoi(spec.IdleTimeoutMs); err != nil {
			d.Error(key, "idle_timeout_ms %q is not a number of milliseconds", spec.IdleTimeoutMs)
			return nil
		}
	}
	cbs := s.CircuitBreakers
	if spec.CircuitBreakers != nil {
		var valid bool
		if cbs, valid = circuitBreakers(spec.CircuitBreakers, key, d); !valid {
			return nil
		}
	}
	resolver := firstNonEmpty(spec.Resolver, s.Resolver)
	ns := m.Namespace
	if s.UseAmbassadorNamespace {
		ns = opts.Namespace
	}
	service := qualifyService(spec.Service, ns, opts.Namespace, resolver != "consul" && resolver != "consul-endpoint")
	if _, err := parseService(service); err != nil {
		d.Error(key, "%v", err)
		return nil
	}
	address := firstNonEmpty(spec.Address, "0.0.0.0")
	sum := sha1.Sum([]byte("TCP-" + firstNonEmpty(spec.Address, "*") + strconv.Itoa(spec.Port) + firstNonEmpty(spec.Host, "*")))
	return &tcpMapping{
		src: m, key: key, address: address, groupID: hex.EncodeToString(sum[:]),
		mapping: &Mapping{
			Key: key, Name: m.Name, Namespace: m.Namespace,
			Service: service, Resolver: resolver, TLS: spec.TLS,
			ConnectTimeoutMs: 3000,
			EnableIPv4:       boolOr(spec.EnableIPv4, s.EnableIPv4),
			EnableIPv6:       boolOr(spec.EnableIPv6, s.EnableIPv6),
			CircuitBreakers:  cbs,
		},
	}
}

// nameTCPClusters fills in the clusters' Envoy names, known once every
// cluster is.
func nameTCPClusters(groups []*TCPGroup) {
	for _, g := range groups {
		for i := range g.Targets {
			g.Targets[i].Cluster = g.Targets[i].cluster.EnvoyName
		}
	}
}

// tcpMismatch is the first field two TCPMappings of one group disagree
// on (they must share a connection's handling).
func tcpMismatch(a, b *v3alpha1.TCPMapping) (field, av, bv string) {
	for _, f := range []struct {
		name string
		a, b any
	}{
		{"address", a.Spec.Address, b.Spec.Address},
		{"host", a.Spec.Host, b.Spec.Host},
		{"port", a.Spec.Port, b.Spec.Port},
		{"tls", a.Spec.TLS, b.Spec.TLS},
		{"idle_timeout_ms", a.Spec.IdleTimeoutMs, b.Spec.IdleTimeoutMs},
		{"enable_ipv4", fmt.Sprint(ptrOr(a.Spec.EnableIPv4)), fmt.Sprint(ptrOr(b.Spec.EnableIPv4))},
		{"enable_ipv6", fmt.Sprint(ptrOr(a.Spec.EnableIPv6)), fmt.Sprint(ptrOr(b.Spec.EnableIPv6))},
		{"circuit_breakers", circuitBreakersJSON(a.Spec.CircuitBreakers), circuitBreakersJSON(b.Spec.CircuitBreakers)},
	} {
		if fmt.Sprint(f.a) != fmt.Sprint(f.b) {
			return f.name, fmt.Sprint(f.a), fmt.Sprint(f.b)
		}
	}
	return "", "", ""
}

func circuitBreakersJSON(list []v3alpha1.CircuitBreaker) string {
	b, _ := json.Marshal(list)
	return string(b)
}

func ptrOr[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// tcpWeights gives each target its share: weighted ones theirs, the rest
// an even split of what remains (the last taking the rounding).
func tcpWeights(g *TCPGroup, d *Diagnostics) bool {
	total, unweighted := 0, 0
	for _, t := range g.Targets {
		if t.Weight >= 0 {
			total += t.Weight
		} else {
			unweighted++
		}
	}
	if total > 100 || (unweighted == 0 && len(g.Targets) > 1 && total != 100) {
		d.Error(g.Key, "Total weight of mappings in %s is %d, not 100: please reconfigure for correct behavior", g.Name, total)
		return false
	}
	if len(g.Targets) == 1 {
		g.Targets[0].Weight = 100
		return true
	}
	remaining, left := 100-total, unweighted
	for i := range g.Targets {
		if g.Targets[i].Weight >= 0 {
			continue
		}
		share := remaining / left
		if left == 1 {
			share = remaining
		}
		g.Targets[i].Weight = share
		remaining -= share
		left--
	}
	return true
}

// tcpTLS is the TLS an SNI host terminates with: that of the first Host
// (by hostname) whose name matches it, else that of a TLSContext listing
// it.
func tcpTLS(host string, hosts []*Host, contexts []*v3alpha1.TLSContext, cs *clusterSet) *TLSContext {
	for _, h := range hosts {
		if h.TLS != nil && hostGlobsOverlap(h.Hostname, host) {
			return h.TLS
		}
	}
	for _, tc := range contexts {
		if slices.Contains(tc.Spec.Hosts, host) {
			if ctx := cs.tls[tc.Name]; ctx != nil && ctx.Secret != nil {
				return ctx
			}
		}
	}
	return nil
}

// tcpListener is the listener a group's port and address bind: the
// Listener resource that does, or a new one.
func tcpListener(g *TCPGroup, out *IR, d *Diagnostics) *Listener {
	bind := "tcp-" + g.Address + "-" + strconv.Itoa(g.Port)
	for _, l := range out.Listeners {
		if l.bindKey() == bind {
			if l.TCPOnly && g.Host != "" && !l.HasTLS() {
				l.ProtocolStack = append([]string{"TLS"}, l.ProtocolStack...)
			}
			return l
		}
	}
	l := &Listener{
		Key: g.Key, Name: "listener-" + g.Address + "-" + strconv.Itoa(g.Port),
		Port: g.Port, BindAddress: g.Address, SecurityModel: "SECURE", HostsFrom: "SELF", TCPOnly: true,
		ProtocolStack: []string{"TCP"}, StatsPrefix: "ingress_tcp_" + strconv.Itoa(g.Port),
	}
	if g.Host != "" {
		l.ProtocolStack = []string{"TLS", "TCP"}
		l.StatsPrefix = "ingress_tls_" + strconv.Itoa(g.Port)
	}
	out.Listeners = append(out.Listeners, l)
	return l
}
