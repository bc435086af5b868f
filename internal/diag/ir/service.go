package ir

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Service is a Mapping's `service`, taken apart: [scheme://]host[:port].
type Service struct {
	// Written is the service string as the cluster name uses it: scheme
	// included, namespace-qualified where that applies.
	Written string
	Scheme  string // "", "http" or "https"
	Host    string // lower-cased
	Port    int    // 0 when not given
}

// qualifyService appends the Mapping's namespace to a bare Kubernetes
// service name, as Emissary does, so `quote` in namespace shop means
// quote.shop: only for Kubernetes resolvers, only outside the gateway's own
// namespace, and only for names without a dot, a colon or `localhost`.
func qualifyService(svc, namespace, ambassadorNamespace string, kubernetesResolver bool) string {
	if !kubernetesResolver || namespace == "" || namespace == ambassadorNamespace {
		return svc
	}
	scheme, rest := "", svc
	if i := strings.Index(svc, "://"); i >= 0 {
		scheme, rest = svc[:i+3], svc[i+3:]
	}
	host, port := rest, ""
	if i := strings.LastIndex(rest, ":"); i >= 0 && !strings.Contains(rest, "]") {
		host, port = rest[:i], rest[i:]
	}
	if host == "" || host == "localhost" || strings.ContainsAny(host, ".:[") {
		return svc
	}
	return scheme + host + "." + namespace + port
}

// parseService reads a service string. An unknown scheme, a path, or a
// bad port is an error the Mapping reports.
func parseService(svc string) (Service, error) {
	s := Service{Written: svc}
	rest := svc
	if i := strings.Index(rest, "://"); i >= 0 {
		s.Scheme = strings.ToLower(rest[:i])
		rest = rest[i+3:]
		if s.Scheme != "http" && s.Scheme != "https" {
			return s, fmt.Errorf("service %s has unknown scheme %s", svc, s.Scheme)
		}
	}
	if strings.ContainsAny(rest, "/?#") {
		return s, fmt.Errorf("service %s has extra URL components; only the host and port are used", svc)
	}
	host, port := rest, ""
	if h, p, err := net.SplitHostPort(rest); err == nil {
		host, port = h, p
	} else if strings.Count(rest, ":") == 1 {
		i := strings.Index(rest, ":")
		host, port = rest[:i], rest[i+1:]
	}
	if host == "" {
		return s, fmt.Errorf("service %s has no hostname", svc)
	}
	// Envoy resolves whatever it is given, so a service that is no host
	// name would be a cluster that never has an endpoint: said here.
	if strings.Contains(host, ":") {
		if _, err := netip.ParseAddr(host); err != nil {
			return s, fmt.Errorf("service %s: %q is neither a host name nor an IPv6 address (the port goes after the last colon; an IPv6 address with a port goes in brackets)", svc, host)
		}
	} else if bad, ok := notHostName(host); ok {
		return s, fmt.Errorf("service %s: host %q holds %q, which no host name does", svc, host, bad)
	}
	s.Host = strings.ToLower(host)
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return s, fmt.Errorf("service %s has an invalid port %q", svc, port)
		}
		s.Port = n
	}
	return s, nil
}

// notHostName finds a character no DNS name (nor IPv4 address) holds.
// Letters beyond ASCII are let through: an internationalized name is the
// resolver's to refuse. (Bytes are checked one by one: this runs for
// every Mapping.)
func notHostName(host string) (string, bool) {
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(host[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return string(r), true
			}
			i += size - 1
		default:
			return string(c), true
		}
	}
	return "", false
}

// EffectivePort is the port a cluster connects to: the service's own, or
// 443 when originating TLS and 80 otherwise.
func (s Service) EffectivePort(originateTLS bool) int {
	switch {
	case s.Port != 0:
		return s.Port
	case originateTLS:
		return 443
	default:
		return 80
	}
}

// IsIP reports whether the service names an address rather than a host.
func (s Service) IsIP() bool {
	// An IPv4 address starts with a digit and an IPv6 one holds a colon:
	// names, by far the most common, are told apart without parsing
	// (a failed parse allocates its error).
	h := s.Host
	if h == "" || (h[0] < '0' || h[0] > '9') && !strings.Contains(h, ":") {
		return false
	}
	return net.ParseIP(h) != nil
}

// clusterName is Emissary's cluster name: "cluster", an optional marker
// (a cluster_tag, "shadow"), the service as written, TLS origination
// markers, the namespace, circuit breaker and load balancer markers,
// with everything that is not a letter, digit or underscore made "_".
func clusterName(fields ...string) string {
	n := 0
	for _, f := range fields {
		n += len(f) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		if f == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		writeUnderscored(&b, f)
	}
	return b.String()
}

// underscored replaces every character that is not an ASCII letter, digit
// or underscore with "_", one per character as Emissary's regex does.
func underscored(s string) string {
	if !strings.ContainsFunc(s, notNameChar) {
		return s // the usual case, kept without a copy
	}
	var b strings.Builder
	b.Grow(len(s))
	writeUnderscored(&b, s)
	return b.String()
}

func writeUnderscored(b *strings.Builder, s string) {
	// Runs of name characters are written whole; anything else, a
	// multi-byte character included, is one underscore.
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && !notNameChar(rune(c)) {
			i++
			continue
		}
		b.WriteString(s[start:i])
		b.WriteByte('_')
		if c < utf8.RuneSelf {
			i++
		} else {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
		}
		start = i
	}
	b.WriteString(s[start:])
}

func notNameChar(c rune) bool {
	return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_')
}

// maxClusterName is the longest name used as is; longer ones are
// shortened (Envoy stats names grow with cluster names).
const maxClusterName = 60

// shortClusterName is the prefix that long names sharing it are numbered
// under: the first 40 characters and 16 hex digits of the name's SHA-1.
func shortClusterName(name string) string {
	sum := sha1.Sum([]byte(name))
	return name[:40] + "-" + strings.ToUpper(hex.EncodeToString(sum[:])[:16])
}
