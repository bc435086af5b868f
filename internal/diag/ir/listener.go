package ir

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Listener is one port Envoy listens on.
type Listener struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// Namespace is the Listener's, for hostBinding from SELF.
	Namespace     string   `json:"namespace"`
	Port          int      `json:"port"`
	BindAddress   string   `json:"bind_address"`
	ProtocolStack []string `json:"protocol_stack"`
	SecurityModel string   `json:"security_model"`
	L7Depth       int      `json:"l7_depth,omitempty"`
	StatsPrefix   string   `json:"stats_prefix"`
	// HostsFrom is the hostBinding namespace rule: ALL or SELF.
	HostsFrom    string            `json:"hosts_from"`
	HostSelector map[string]string `json:"host_selector,omitempty"`
	// Hosts are the Hosts this Listener serves, by hostname.
	Hosts []string `json:"hosts"`
	// TCPOnly marks a listener made for TCPMappings alone (no Listener
	// resource claims its port): it serves no HTTP.
	TCPOnly bool `json:"tcp_only,omitempty"`
	// TCPSNIs are server names TCPMappings take on this listener: no
	// Host's TLS chain is made for them.
	TCPSNIs []string `json:"tcp_snis,omitempty"`
}

// HasTLS reports whether the listener terminates TLS.
func (l *Listener) HasTLS() bool { return slices.Contains(l.ProtocolStack, "TLS") }

// HasHTTP reports whether the listener speaks HTTP.
func (l *Listener) HasHTTP() bool { return slices.Contains(l.ProtocolStack, "HTTP") }

// protocolStacks are what each Listener protocol means, innermost last.
var protocolStacks = map[v3alpha1.ProtocolType][]string{
	"HTTP":       {"HTTP", "TCP"},
	"HTTPS":      {"TLS", "HTTP", "TCP"},
	"HTTPPROXY":  {"PROXY", "HTTP", "TCP"},
	"HTTPSPROXY": {"TLS", "PROXY", "HTTP", "TCP"},
	"TCP":        {"TCP"},
	"TLS":        {"TLS", "TCP"},
}

// newListener reads a Listener resource; nil (with errors) if unusable.
func newListener(l *v3alpha1.Listener, bindAddress string, d *Diagnostics) *Listener {
	key := Key("Listener", l.Name, l.Namespace)
	spec := &l.Spec
	out := &Listener{
		Key: key, Name: l.Name, Namespace: l.Namespace,
		Port: int(spec.Port), BindAddress: bindAddress,
		SecurityModel: string(spec.SecurityModel),
		StatsPrefix:   spec.StatsPrefix,
		HostsFrom:     "SELF",
	}
	if spec.L7Depth != nil {
		out.L7Depth = int(*spec.L7Depth)
	}
	switch {
	case len(spec.ProtocolStack) > 0:
		if spec.Protocol != "" {
			d.Error(key, "protocol and protocolStack are both set: using protocolStack")
		}
		for _, p := range spec.ProtocolStack {
			out.ProtocolStack = append(out.ProtocolStack, string(p))
		}
	case spec.Protocol != "":
		stack, ok := protocolStacks[spec.Protocol]
		if !ok {
			d.Error(key, "protocol %s is not supported", spec.Protocol)
			return nil
		}
		out.ProtocolStack = slices.Clone(stack)
	default:
		d.Error(key, "one of protocol and protocolStack is required")
		return nil
	}
	if last := out.ProtocolStack[len(out.ProtocolStack)-1]; last != "TCP" {
		d.Error(key, "protocol stack %v: only TCP listeners are supported", out.ProtocolStack)
		return nil
	}
	if out.SecurityModel == "" {
		d.Error(key, "securityModel is required")
		return nil
	}
	if ns := spec.HostBinding.Namespace; ns != nil && ns.From != "" {
		switch ns.From {
		case "ALL", "SELF":
			out.HostsFrom = string(ns.From)
		default:
			d.Error(key, "hostBinding.namespace.from %s is not supported: using SELF", ns.From)
		}
	}
	if sel := spec.HostBinding.Selector; sel != nil {
		if len(sel.MatchExpressions) > 0 {
			d.Error(key, "hostBinding.selector: only matchLabels is supported")
			return nil
		}
		out.HostSelector = sel.MatchLabels
	}
	if out.StatsPrefix == "" {
		out.StatsPrefix = defaultStatsPrefix(out)
	}
	return out
}

func defaultStatsPrefix(l *Listener) string {
	switch {
	case l.HasHTTP() && l.HasTLS():
		return "ingress_https"
	case l.HasHTTP():
		return "ingress_http"
	case l.HasTLS():
		return fmt.Sprintf("ingress_tls_%d", l.Port)
	default:
		return fmt.Sprintf("ingress_tcp_%d", l.Port)
	}
}

// binds reports whether the Listener takes the Host: by namespace (its
// own, or all) and by label selector.
func (l *Listener) binds(h *Host) bool {
	if l.HostsFrom != "ALL" && h.Namespace != l.Namespace {
		return false
	}
	return selectorMatches(l.HostSelector, h.Labels)
}

// selectorMatches: an empty selector matches everything, otherwise every
// label must match.
func selectorMatches(selector, have map[string]string) bool {
	if len(selector) == 0 {
		return true
	}
	return labels.SelectorFromSet(selector).Matches(labels.Set(have))
}

// labelSelector reads a LabelSelector's matchLabels.
func labelSelector(s *metav1.LabelSelector) map[string]string {
	if s == nil {
		return nil
	}
	return s.MatchLabels
}

// bindKey identifies a listening socket; two Listeners cannot share one.
func (l *Listener) bindKey() string {
	return strings.ToLower(l.ProtocolStack[len(l.ProtocolStack)-1]) + "-" + l.BindAddress + "-" + fmt.Sprint(l.Port)
}
