package diag

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// request is what a client sends, as far as routing cares.
type request struct {
	port    uint32
	tls     bool   // arrived over TLS, with SNI = host (without port)
	host    string // :authority
	method  string
	path    string // may include ?query
	headers map[string]string
	// draw is the random number (0-99) Envoy draws for runtime fractions:
	// it picks among canaries.
	draw uint32
}

// outcome is where Envoy sends the request.
type outcome struct {
	cluster       string
	prefixRewrite string
	redirect      *routev3.RedirectAction
	notFound      bool
	reason        string
}

// simulate routes req through a generated configuration the way Envoy
// does: listener by port, filter chain by TLS and SNI, virtual host by
// :authority, then the first route whose conditions all match. It covers
// the matchers the translator emits and fails the test on anything else,
// so it cannot silently disagree with Envoy.
func simulate(t *testing.T, listeners []*listenerv3.Listener, req request) outcome {
	t.Helper()
	if req.method == "" {
		req.method = "GET"
	}
	var l *listenerv3.Listener
	for _, cand := range listeners {
		if cand.GetAddress().GetSocketAddress().GetPortValue() == req.port {
			l = cand
		}
	}
	if l == nil {
		return outcome{notFound: true, reason: "no listener"}
	}
	sni := req.host
	if i := strings.LastIndex(sni, ":"); i >= 0 {
		sni = sni[:i]
	}
	var chain *listenerv3.FilterChain
	for _, fc := range l.GetFilterChains() {
		m := fc.GetFilterChainMatch()
		isTLS := m.GetTransportProtocol() == "tls"
		if isTLS != req.tls {
			continue
		}
		if len(m.GetServerNames()) > 0 && !slices.ContainsFunc(m.GetServerNames(), func(name string) bool {
			// Envoy's server_names take a leading "*." wildcard.
			return name == sni || (strings.HasPrefix(name, "*.") && strings.HasSuffix(sni, name[1:]))
		}) {
			continue
		}
		chain = fc
		break
	}
	if chain == nil {
		return outcome{notFound: true, reason: "no filter chain"}
	}
	hcm := &hcmv3.HttpConnectionManager{}
	if err := chain.GetFilters()[0].GetTypedConfig().UnmarshalTo(hcm); err != nil {
		t.Fatal(err)
	}
	vh := pickVirtualHost(hcm.GetRouteConfig().GetVirtualHosts(), req.host)
	if vh == nil {
		return outcome{notFound: true, reason: "no virtual host"}
	}
	path, rawQuery, _ := strings.Cut(req.path, "?")
	query, _ := url.ParseQuery(rawQuery)
	headers := map[string]string{":authority": req.host, ":method": req.method, ":path": req.path}
	for k, v := range req.headers {
		headers[strings.ToLower(k)] = v
	}
	for _, r := range vh.GetRoutes() {
		if !routeMatches(t, r.GetMatch(), path, headers, query, req.draw) {
			continue
		}
		switch a := r.GetAction().(type) {
		case *routev3.Route_Route:
			return outcome{cluster: a.Route.GetCluster(), prefixRewrite: a.Route.GetPrefixRewrite()}
		case *routev3.Route_Redirect:
			return outcome{redirect: a.Redirect}
		default:
			t.Fatalf("route action %T is not simulated", a)
		}
	}
	return outcome{notFound: true, reason: "no route in " + vh.GetName()}
}

// pickVirtualHost: exact domain, then the longest "*.suffix", then the
// longest "prefix.*", then "*".
func pickVirtualHost(vhs []*routev3.VirtualHost, host string) *routev3.VirtualHost {
	var best *routev3.VirtualHost
	bestScore := -1
	for _, vh := range vhs {
		for _, d := range vh.GetDomains() {
			score := -1
			switch {
			case d == host:
				score = 3000
			case strings.HasPrefix(d, "*") && d != "*" && strings.HasSuffix(host, d[1:]) && len(host) > len(d)-1:
				score = 2000 + len(d)
			case strings.HasSuffix(d, "*") && d != "*" && strings.HasPrefix(host, d[:len(d)-1]) && len(host) > len(d)-1:
				score = 1000 + len(d)
			case d == "*":
				score = 0
			}
			if score > bestScore {
				best, bestScore = vh, score
			}
		}
	}
	return best
}

func routeMatches(t *testing.T, m *routev3.RouteMatch, path string, headers map[string]string, query url.Values, draw uint32) bool {
	caseSensitive := m.GetCaseSensitive() == nil || m.GetCaseSensitive().GetValue()
	p := path
	fold := func(s string) string {
		if caseSensitive {
			return s
		}
		return strings.ToLower(s)
	}
	switch spec := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		if !strings.HasPrefix(fold(p), fold(spec.Prefix)) {
			return false
		}
	case *routev3.RouteMatch_Path:
		if fold(p) != fold(spec.Path) {
			return false
		}
	case *routev3.RouteMatch_SafeRegex:
		if !regexp.MustCompile("^(?:" + spec.SafeRegex.GetRegex() + ")$").MatchString(p) {
			return false
		}
	default:
		t.Fatalf("path specifier %T is not simulated", spec)
	}
	for _, h := range m.GetHeaders() {
		v, present := headers[h.GetName()]
		switch spec := h.GetHeaderMatchSpecifier().(type) {
		case *routev3.HeaderMatcher_PresentMatch:
			if present != spec.PresentMatch {
				return false
			}
		case *routev3.HeaderMatcher_StringMatch:
			if !present || !stringMatches(t, spec.StringMatch, v) {
				return false
			}
		default:
			t.Fatalf("header matcher %T is not simulated", spec)
		}
	}
	for _, q := range m.GetQueryParameters() {
		vs, present := query[q.GetName()]
		switch spec := q.GetQueryParameterMatchSpecifier().(type) {
		case *routev3.QueryParameterMatcher_PresentMatch:
			if !present {
				return false
			}
		case *routev3.QueryParameterMatcher_StringMatch:
			if !present || !stringMatches(t, spec.StringMatch, vs[0]) {
				return false
			}
		default:
			t.Fatalf("query matcher %T is not simulated", spec)
		}
	}
	if rf := m.GetRuntimeFraction(); rf != nil {
		if rf.GetDefaultValue().GetDenominator() != 0 {
			t.Fatalf("only HUNDRED denominators are simulated")
		}
		if draw >= rf.GetDefaultValue().GetNumerator() {
			return false
		}
	}
	return true
}

func stringMatches(t *testing.T, sm *matcherv3.StringMatcher, v string) bool {
	switch p := sm.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		return v == p.Exact
	case *matcherv3.StringMatcher_Prefix:
		return strings.HasPrefix(v, p.Prefix)
	case *matcherv3.StringMatcher_Suffix:
		return strings.HasSuffix(v, p.Suffix)
	case *matcherv3.StringMatcher_SafeRegex:
		return regexp.MustCompile("^(?:" + p.SafeRegex.GetRegex() + ")$").MatchString(v)
	default:
		t.Fatalf("string matcher %T is not simulated", p)
		return false
	}
}
