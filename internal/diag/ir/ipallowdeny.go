package ir

import (
	"net/netip"
	"strings"
)

// IPAllowDeny is the Module's ip_allow or ip_deny: which client addresses
// may (or may not) use the gateway.
type IPAllowDeny struct {
	// Action is ALLOW or DENY.
	Action     string        `json:"action"`
	Principals []IPPrincipal `json:"principals"`
}

// IPPrincipal is one address range, matched against the client address
// as Envoy sees it (direct_remote_ip: the peer of the connection) or as
// X-Forwarded-For says (remote_ip).
type IPPrincipal struct {
	Kind      string `json:"kind"`
	Address   string `json:"address_prefix"`
	PrefixLen int    `json:"prefix_len"`
}

// ipAllowDeny reads ip_allow (allow) or ip_deny: a list of single-key
// maps, peer or remote, to an address or a CIDR range. Bad entries are
// reported on key and left out; nil when none is left.
func ipAllowDeny(list []map[string]string, allow bool, key string, d *Diagnostics) *IPAllowDeny {
	out := &IPAllowDeny{Action: "DENY"}
	what := "ip_deny"
	if allow {
		out.Action, what = "ALLOW", "ip_allow"
	}
	for _, entry := range list {
		if len(entry) != 1 {
			d.Error(key, "%s principals must be separate list elements", what)
			continue
		}
		for kind, spec := range entry {
			envoyKind := map[string]string{"peer": "direct_remote_ip", "remote": "remote_ip"}[kind]
			if envoyKind == "" {
				d.Error(key, "%s principal type %s unknown: must be peer or remote", what, kind)
				continue
			}
			prefix, err := parseCIDR(spec)
			if err != nil {
				d.Error(key, "%s principal %s is not valid: %v", what, spec, err)
				continue
			}
			out.Principals = append(out.Principals, IPPrincipal{Kind: envoyKind, Address: prefix.Addr().String(), PrefixLen: prefix.Bits()})
		}
	}
	if len(out.Principals) == 0 {
		return nil
	}
	return out
}

// parseCIDR reads an address (a whole-address range) or a CIDR range,
// its address masked to the prefix.
func parseCIDR(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
