package envoy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tracev3 "github.com/envoyproxy/go-control-plane/envoy/config/trace/v3"
	grpcaccesslogv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/grpc/v3"
	extauthzv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	ratelimitv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ratelimit/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/emissary-go/emissary/internal/re2size"
	"github.com/emissary-go/emissary/internal/xds"
)

// validator is what go-control-plane's protoc-gen-validate code adds to
// every Envoy message.
type validator interface {
	ValidateAll() error
}

// Validate checks a configuration before anything may be written: every
// message satisfies Envoy's own constraints (the generated ValidateAll),
// every typed_config Any names a type this binary knows and decodes, every
// route's cluster exists, and no two listeners, clusters or listener
// addresses collide. It reports every problem it finds, not just the first.
func Validate(c *Config) error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	check := &checker{decoded: c.decoded, routes: make(map[*routev3.Route]routeState, len(c.checked)), seenAnys: map[*anypb.Any]bool{}}
	for _, r := range c.checked {
		check.routes[r] = prechecked
	}
	add(check.message("bootstrap", c.Bootstrap, nil))
	clusters := map[string]bool{}
	for _, cl := range c.Clusters {
		if clusters[cl.GetName()] {
			add(fmt.Errorf("cluster %s: defined twice", cl.GetName()))
		}
		clusters[cl.GetName()] = true
		// The translator puts a cluster's Anys only in its transport
		// socket and HTTP/1 options (TestBuiltClustersHoldAnysOnlyWhereWalked):
		// only those are walked, not every endpoint of every cluster.
		// Clusters the translator checked as it built them are not
		// checked again.
		if !c.clustersChecked {
			add(check.walking("cluster "+cl.GetName(), cl, nil, cl.GetTransportSocket(), cl.GetHttpProtocolOptions()))
		}
	}
	for _, cl := range c.Bootstrap.GetStaticResources().GetClusters() {
		clusters[cl.GetName()] = true
	}
	check.clusters = clusters

	listeners := map[string]bool{}
	// bound: port -> address -> listener. A wildcard address takes the
	// port on every address, so it clashes with any other on that port.
	bound := map[uint32]map[string]string{}
	for _, l := range c.Listeners {
		name := "listener " + l.GetName()
		if listeners[l.GetName()] {
			add(fmt.Errorf("%s: defined twice", name))
		}
		listeners[l.GetName()] = true
		if sa := l.GetAddress().GetSocketAddress(); sa != nil {
			port, host := sa.GetPortValue(), sa.GetAddress()
			wildcard := func(h string) bool { return h == "0.0.0.0" || h == "::" }
			for _, other := range slices.Sorted(maps.Keys(bound[port])) {
				if other == host || wildcard(other) || wildcard(host) {
					add(fmt.Errorf("%s: address %s:%d is already used by listener %s (%s:%d)", name, host, port, bound[port][other], other, port))
					break
				}
			}
			if bound[port] == nil {
				bound[port] = map[string]string{}
			}
			bound[port][host] = l.GetName()
		}
		add(check.message(name, l, func(hcm *hcmv3.HttpConnectionManager) {
			if rc := hcm.GetRouteConfig(); rc != nil {
				add(domainClashes(name, rc))
			}
			// What calls out (authorization, rate limits, access log
			// and tracing services) must call clusters that exist.
			calls := func(what string, a *anypb.Any) {
				inner, ok := c.decoded[a]
				if !ok {
					var err error
					if inner, err = a.UnmarshalNew(); err != nil {
						return // reported by check.message
					}
				}
				for _, n := range calledClusters(inner) {
					if !clusters[n] {
						add(fmt.Errorf("%s: %s: cluster %q does not exist", name, what, n))
					}
				}
			}
			for _, f := range hcm.GetHttpFilters() {
				calls("http filter "+f.GetName(), f.GetTypedConfig())
			}
			for _, l := range hcm.GetAccessLog() {
				calls("access log "+l.GetName(), l.GetTypedConfig())
			}
			if p := hcm.GetTracing().GetProvider(); p != nil {
				calls("tracing "+p.GetName(), p.GetTypedConfig())
			}
		}))
		add(sameMatchChains(name, l))
		// TCP proxies, like routes, must send to clusters that exist.
		for _, fc := range l.GetFilterChains() {
			for _, f := range fc.GetFilters() {
				a := f.GetTypedConfig()
				if !a.MessageIs((*tcpproxyv3.TcpProxy)(nil)) {
					continue // not a TCP proxy
				}
				proxy, ok := c.decoded[a].(*tcpproxyv3.TcpProxy)
				if !ok {
					proxy = &tcpproxyv3.TcpProxy{}
					if a.UnmarshalTo(proxy) != nil {
						continue // reported as undecodable
					}
				}
				names := []string{proxy.GetCluster()}
				for _, wc := range proxy.GetWeightedClusters().GetClusters() {
					names = append(names, wc.GetName())
				}
				for _, n := range names {
					if n != "" && !clusters[n] {
						add(fmt.Errorf("%s: filter chain %s: tcp_proxy: cluster %q does not exist", name, fc.GetName(), n))
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

// checker validates messages, each shared route only once: the
// translator shows one route message in every virtual host that serves
// it, and validating it again finds nothing new.
type checker struct {
	decoded map[*anypb.Any]proto.Message
	// routes are the routes met so far, and those validated as they
	// were built (whose Anys are still to be walked).
	routes map[*routev3.Route]routeState
	// seenAnys are the translator's shared Anys (one per-route setting
	// on thousands of routes) already checked.
	seenAnys map[*anypb.Any]bool
	// clusters, once every cluster is known, are those routes may send
	// to: each route is then also checked against them, and for regexes
	// Envoy would refuse (see routeProblems).
	clusters map[string]bool
}

func (c *checker) message(name string, m proto.Message, onHCM func(*hcmv3.HttpConnectionManager)) error {
	return c.walking(name, m, onHCM, m)
}

// walking validates m and the Anys found in walk, parts of m (or m).
func (c *checker) walking(name string, m proto.Message, onHCM func(*hcmv3.HttpConnectionManager), walk ...proto.Message) error {
	if m == nil || !m.ProtoReflect().IsValid() {
		return fmt.Errorf("%s: missing", name)
	}
	var errs []error
	if v, ok := m.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	var decode func(a *anypb.Any) proto.Message
	decode = func(a *anypb.Any) proto.Message {
		inner, known := c.decoded[a]
		if known {
			if c.seenAnys[a] {
				return nil
			}
			c.seenAnys[a] = true
		}
		if !known || !a.MessageIs(inner) {
			var err error
			if inner, err = a.UnmarshalNew(); err != nil {
				errs = append(errs, fmt.Errorf("%s: typed config %q: %w", name, a.GetTypeUrl(), err))
				return nil
			}
		}
		if hcm, ok := inner.(*hcmv3.HttpConnectionManager); ok && hcm.GetRouteConfig() != nil {
			// The connection manager without its routes, then each
			// route not seen before.
			skeleton := withoutRoutes(hcm)
			if err := skeleton.ValidateAll(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", name, a.GetTypeUrl(), err))
			}
			for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
				for i, r := range vh.GetRoutes() {
					state := c.routes[r]
					if state == checked {
						continue
					}
					c.routes[r] = checked
					if c.clusters != nil {
						for _, err := range routeProblems(r, c.clusters) {
							errs = append(errs, fmt.Errorf("%s: route config %s: virtual host %s: route %d: %w", name, hcm.GetRouteConfig().GetName(), vh.GetName(), i, err))
						}
					}
					if state == prechecked {
						// The translator's routes hold Anys only in
						// typed_per_filter_config (TestPrecheckedRoutesHoldAnysOnlyPerFilter
						// holds it to that), so only those are walked.
						perFilter := r.GetTypedPerFilterConfig()
						if len(perFilter) == 1 { // no order to keep
							for _, a := range perFilter {
								walkAnys(a, decode)
							}
							continue
						}
						for _, k := range sortedKeys(perFilter) {
							walkAnys(perFilter[k], decode)
						}
						continue
					}
					if err := r.ValidateAll(); err != nil {
						errs = append(errs, fmt.Errorf("%s: virtual host %s: route %d: %w", name, vh.GetName(), i, err))
					}
					walkAnys(r, decode)
				}
			}
			if onHCM != nil {
				onHCM(hcm)
			}
			return skeleton
		}
		if v, ok := inner.(validator); ok {
			if err := v.ValidateAll(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", name, a.GetTypeUrl(), err))
			}
		}
		return inner
	}
	for _, w := range walk {
		walkAnys(w, decode)
	}
	return errors.Join(errs...)
}

// routeState is where Validate is with a route message (one message is
// shown in many virtual hosts).
type routeState uint8

const (
	unseen     routeState = iota
	prechecked            // validated by the translator, Anys aside
	checked               // done
)

// withoutRoutes is hcm with virtual hosts that have no routes (sharing
// everything else).
func withoutRoutes(hcm *hcmv3.HttpConnectionManager) *hcmv3.HttpConnectionManager {
	rc := xds.Without(hcm.GetRouteConfig(), "virtual_hosts")
	for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
		rc.VirtualHosts = append(rc.VirtualHosts, xds.Without(vh, "routes"))
	}
	out := xds.Without(hcm, "route_config")
	out.RouteSpecifier = &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: rc}
	return out
}

// sameMatchChains reports filter chains of one listener that match the
// same connections, which Envoy refuses the listener for. Envoy expands
// a match's lists into single conditions; two chains clash when any
// expansion is the same. Server names and ALPN protocols are expanded
// here; a chain's other conditions must be the same as a whole, so a
// clash found is always one Envoy would find too.
func sameMatchChains(listener string, l *listenerv3.Listener) error {
	var errs []error
	opts := proto.MarshalOptions{Deterministic: true}
	taken := map[string]string{} // condition -> chain
	for i, fc := range l.GetFilterChains() {
		m := fc.GetFilterChainMatch()
		rest := &listenerv3.FilterChainMatch{}
		if m != nil {
			rest = xds.Without(xds.Without(m, "server_names"), "application_protocols")
		}
		others, err := opts.Marshal(rest)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: filter chain %d: %w", listener, i, err))
			continue
		}
		names, alpns := m.GetServerNames(), m.GetApplicationProtocols()
		if len(names) == 0 {
			names = []string{""}
		}
		if len(alpns) == 0 {
			alpns = []string{""}
		}
		chain := fc.GetName()
		if chain == "" {
			chain = strconv.Itoa(i)
		}
		for _, sni := range names {
			for _, alpn := range alpns {
				key := sni + "\x00" + alpn + "\x00" + string(others)
				if other, ok := taken[key]; ok {
					errs = append(errs, fmt.Errorf("%s: filter chain %s matches the same connections as filter chain %s (server name %q)", listener, chain, other, sni))
					continue
				}
				taken[key] = chain
			}
		}
	}
	return errors.Join(errs...)
}

// domainClashes reports what Envoy refuses a whole route table for: a
// domain in two of its virtual hosts (or twice in one). Envoy compares
// domains ignoring case, so "A.example.com" clashes with "a.example.com".
func domainClashes(listener string, rc *routev3.RouteConfiguration) error {
	var errs []error
	in := map[string]string{} // lower-cased domain -> virtual host
	for _, vh := range rc.GetVirtualHosts() {
		for _, domain := range vh.GetDomains() {
			key := strings.ToLower(domain)
			if other, ok := in[key]; ok {
				errs = append(errs, fmt.Errorf("%s: virtual host %s: domain %q is already in virtual host %s (Envoy compares domains ignoring case)", listener, vh.GetName(), domain, other))
				continue
			}
			in[key] = vh.GetName()
		}
	}
	return errors.Join(errs...)
}

// routeProblems are what is wrong with a route beyond its own fields: a
// cluster it sends to that does not exist (Envoy would answer 503s), and
// a regex whose RE2 program is larger than its max_program_size (or,
// without one, the runtime's error level the bootstrap sets), over which
// Envoy refuses the whole route table. The translator leaves such
// Mappings out; this is the net under it. A route shown in many virtual
// hosts is checked once.
func routeProblems(r *routev3.Route, clusters map[string]bool) []error {
	var errs []error
	if ra := r.GetRoute(); ra != nil { // not a redirect or a direct response
		check := func(n string) {
			if !clusters[n] {
				errs = append(errs, fmt.Errorf("cluster %q does not exist", n))
			}
		}
		if c := ra.GetCluster(); c != "" {
			check(c)
		}
		for _, wc := range ra.GetWeightedClusters().GetClusters() {
			check(wc.GetName())
		}
		for _, m := range ra.GetRequestMirrorPolicies() {
			check(m.GetCluster())
		}
	}
	for _, re := range routeRegexes(r) {
		limit := regexErrorLevel
		if m := re.GetGoogleRe2().GetMaxProgramSize(); m != nil {
			limit = int(m.GetValue())
		}
		size, err := re2size.ProgramSize(re.GetRegex())
		if err == nil && size > limit {
			err = fmt.Errorf("RE2 program size %d exceeds max_program_size %d", size, limit)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("regex %q: %w", re.GetRegex(), err))
		}
	}
	return errs
}

// routeRegexes are the regexes a route's match and action hold.
func routeRegexes(r *routev3.Route) []*matcherv3.RegexMatcher {
	var out []*matcherv3.RegexMatcher
	add := func(re *matcherv3.RegexMatcher) {
		if re != nil {
			out = append(out, re)
		}
	}
	m := r.GetMatch()
	add(m.GetSafeRegex())
	for _, h := range m.GetHeaders() {
		add(h.GetSafeRegexMatch())
		add(h.GetStringMatch().GetSafeRegex())
	}
	for _, q := range m.GetQueryParameters() {
		add(q.GetStringMatch().GetSafeRegex())
	}
	add(r.GetRoute().GetRegexRewrite().GetPattern())
	add(r.GetRedirect().GetRegexRewrite().GetPattern())
	return out
}

// calledClusters are the clusters a filter's, access log's or tracer's
// config calls.
func calledClusters(m proto.Message) []string {
	var out []string
	grpc := func(g *corev3.GrpcService) {
		if n := g.GetEnvoyGrpc().GetClusterName(); n != "" {
			out = append(out, n)
		}
	}
	switch f := m.(type) {
	case *extauthzv3.ExtAuthz:
		grpc(f.GetGrpcService())
		if n := f.GetHttpService().GetServerUri().GetCluster(); n != "" {
			out = append(out, n)
		}
	case *ratelimitv3.RateLimit:
		grpc(f.GetRateLimitService().GetGrpcService())
	case *grpcaccesslogv3.HttpGrpcAccessLogConfig:
		grpc(f.GetCommonConfig().GetGrpcService())
	case *grpcaccesslogv3.TcpGrpcAccessLogConfig:
		grpc(f.GetCommonConfig().GetGrpcService())
	case *tracev3.ZipkinConfig:
		out = append(out, f.GetCollectorCluster())
	case *tracev3.DatadogConfig:
		out = append(out, f.GetCollectorCluster())
	case *tracev3.OpenTelemetryConfig:
		grpc(f.GetGrpcService())
	}
	return out
}
