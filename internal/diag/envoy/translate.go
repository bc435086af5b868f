package envoy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/config/accesslog/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbacconfigv3 "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	gzipv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/compression/gzip/compressor/v3"
	bufferv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/buffer/v3"
	compressorv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/compressor/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	customresponsev3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/custom_response/v3"
	extauthzv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	grpchttp1bridgev3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/grpc_http1_bridge/v3"
	grpcstatsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/grpc_stats/v3"
	grpcwebv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/grpc_web/v3"
	healthcheckv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/health_check/v3"
	luav3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/lua/v3"
	rbacv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	proxyprotocolv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/proxy_protocol/v3"
	tlsinspectorv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	preservecasev3 "github.com/envoyproxy/go-control-plane/envoy/extensions/http/header_formatters/preserve_case/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/parallel"
)

// Options are the paths and settings outside the IR that shape the
// configuration.
type Options struct {
	// SecretDir is where diagd writes TLS certificates for Envoy to read
	// (the snapshot directory).
	SecretDir string
	// ReadyPort is AMBASSADOR_READY_PORT, the Envoy readiness listener.
	ReadyPort int
	// ReadyLog is AMBASSADOR_READY_LOG: the readiness listener writes
	// the file access log too.
	ReadyLog bool
	// Statsd, when set, sends Envoy's stats to a statsd or DogStatsD
	// agent (STATSD_ENABLED and friends).
	Statsd *Statsd
	// Crew runs the parallel parts, envoy.json's too (nil: goroutines of
	// their own).
	Crew *parallel.Crew
}

// Statsd is where Envoy's stats go. Envoy's statsd sinks take an IP
// address, so the host is resolved before it gets here.
type Statsd struct {
	// DogStatsD sends DogStatsD (tagged) lines.
	DogStatsD bool
	IP        string
	Port      int
	// FlushIntervalSec is how often stats are sent.
	FlushIntervalSec int
	// EntityID is DD_ENTITY_ID, tagged on every stat (DogStatsD).
	EntityID string
}

// Translate builds the Envoy configuration for an IR and validates it.
func Translate(x *ir.IR, opts Options) (*Config, error) {
	c, err := Build(x, opts)
	if err != nil {
		return nil, err
	}
	if err := Validate(c); err != nil {
		return nil, fmt.Errorf("generated configuration is invalid: %w", err)
	}
	return c, nil
}

// Build builds the Envoy configuration for an IR without validating it;
// the caller must Validate it before using it.
func Build(x *ir.IR, opts Options) (*Config, error) {
	if opts.ReadyPort == 0 {
		opts.ReadyPort = 8006
	}
	if opts.SecretDir == "" {
		opts.SecretDir = "/ambassador/snapshots"
	}
	t := &translator{ir: x, opts: opts, decoded: map[*anypb.Any]proto.Message{}}
	c := &Config{Bootstrap: bootstrap(x.Identity.NodeName, opts.Statsd), decoded: t.decoded, crew: opts.Crew}
	defer func() { c.unpacked = t.unpacked }()
	// Clusters and listeners are built on the cores the routes leave
	// idle: a cluster reads only the IR, and a listener's virtual hosts
	// get their routes once all are built (fillVirtualHosts). A refused
	// cluster that is kept is for Validate to refuse: then it checks
	// every cluster again.
	t.findVHostKinds()
	var keptRefused bool
	others := opts.Crew.Group()
	others.Go(func() error {
		c.Clusters, keptRefused = t.buildCheckedClusters()
		return nil
	})
	others.Go(func() error {
		for _, l := range x.Listeners {
			if el := t.listener(l); el != nil {
				c.Listeners = append(c.Listeners, el)
			}
		}
		c.Listeners = append(c.Listeners, t.readyListener())
		return nil
	})
	c.checked = t.buildAllRoutes()
	others.Wait()
	c.clustersChecked = !keptRefused
	t.dropGroupsOfRefusedClusters()
	t.fillVirtualHosts()
	if t.err != nil {
		return nil, t.err
	}
	// Problems are recorded on every core: sorted, they come out the same
	// every time.
	c.Dropped = t.problems
	slices.SortFunc(c.Dropped, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), strings.Compare(a.Message, b.Message))
	})
	return c, nil
}

type translator struct {
	ir   *ir.IR
	opts Options
	err  error
	// shown[group index][kind index] are the routes of a group as one
	// kind of virtual host shows them (see buildAllRoutes).
	shown [][][]*routev3.Route
	// kinds index kindList, the kinds of virtual host there are.
	kinds    map[vhostKind]int
	kindList []vhostKind
	// unfilled are the virtual hosts built, waiting for their routes.
	unfilled []unfilledVHost
	// decoded remembers what each Any holds (see Config.decoded).
	decoded map[*anypb.Any]proto.Message
	anyMu   sync.Mutex
	// moduleErrorResponses is the Module's custom_response config, the
	// same Any on every route that uses it.
	moduleErrorResponses     *anypb.Any
	moduleErrorResponsesOnce sync.Once
	authDisabledAny          *anypb.Any
	// authDisabledOnly is per-filter config with only authDisabledAny.
	authDisabledOnly map[string]*anypb.Any
	authDisabledOnce sync.Once
	// served caches servedGroups.
	served map[*ir.Host][]int
	// Every user HTTP connection manager has the same filters and access
	// logs: the same messages, built once (envoy.json writes them once).
	filters    []*hcmv3.HttpFilter
	accessLogs []*accesslogv3.AccessLog
	// unpacked are the Anys left for Config.Pack.
	unpacked []*anypb.Any
	// problems are the parts left out because Envoy would refuse them,
	// by the resource at fault (see leaveOut).
	problemsMu  sync.Mutex
	problems    []Problem
	tracingOnce sync.Once
	tracingConf *hcmv3.HttpConnectionManager_Tracing
	// refusedClusters are the clusters left out, by name, with why
	// (see buildCheckedClusters); refusedGroups are the groups (by
	// index) left out, for a refused route or cluster.
	refusedClusters map[string]error
	refusedGroups   []bool
}

// refused is why Envoy would refuse m, the Anys in it included, or nil.
// Settings reach Envoy from many resources' fields that the CRDs allow
// and Envoy does not take (a header name with a newline, a window size
// out of range): such a part is checked as it is built and left out,
// instead of sinking the whole configuration when it is validated.
func refused(m proto.Message) error {
	return newChecker().message(string(m.ProtoReflect().Descriptor().Name()), m, nil)
}

// newChecker checks parts on their own: it decodes their Anys itself,
// needing no record of what they were packed from.
func newChecker() *checker {
	return &checker{decoded: map[*anypb.Any]proto.Message{}, routes: map[*routev3.Route]routeState{}, seenAnys: map[*anypb.Any]bool{}}
}

// accepted says whether Envoy would take m, a part built from the
// resource key; if not, key is told what is done instead (instead, with
// its args) and why.
func (t *translator) accepted(key string, m proto.Message, instead string, args ...any) bool {
	err := refused(m)
	if err != nil {
		t.leaveOut(key, "Envoy would refuse "+instead+": %v", append(args, err)...)
	}
	return err == nil
}

// leaveOut records that a part built from the resource key is left out.
func (t *translator) leaveOut(key, format string, args ...any) {
	t.problemsMu.Lock()
	defer t.problemsMu.Unlock()
	t.problems = append(t.problems, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

// leaveOutGroup records that route group i is left out, all of it (so
// that canary shares stay right), and tells each of its Mappings why.
func (t *translator) leaveOutGroup(i int, format string, args ...any) {
	t.refusedGroups[i] = true
	g := t.ir.Groups[i]
	for _, m := range append(slices.Clone(g.Mappings), g.Redirect, g.Shadow) {
		if m != nil {
			t.leaveOut(m.Key, format, args...)
		}
	}
}

// any packs a message; only a programming error can make it fail.
func (t *translator) any(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	// Routes are built on every core: the record is shared.
	t.anyMu.Lock()
	defer t.anyMu.Unlock()
	if err != nil && t.err == nil {
		t.err = err
	}
	t.decoded[a] = m
	return a
}

// routeTable is an Any for a connection manager with its route table,
// packed only when Config.Pack is called: every virtual host's routes,
// encoded, are megabytes that neither envoy.json nor validation reads.
func (t *translator) routeTable(hcm *hcmv3.HttpConnectionManager) *anypb.Any {
	a := &anypb.Any{TypeUrl: "type.googleapis.com/" + string(hcm.ProtoReflect().Descriptor().FullName())}
	t.anyMu.Lock() // clusters are being built meanwhile
	defer t.anyMu.Unlock()
	t.decoded[a] = hcm
	t.unpacked = append(t.unpacked, a)
	return a
}

func millis(ms int) *durationpb.Duration {
	return durationpb.New(time.Duration(ms) * time.Millisecond)
}

// setMillis makes d what millis(ms) is, in a message allocated with
// others.
func setMillis(d *durationpb.Duration, ms int) {
	nanos := (time.Duration(ms) * time.Millisecond).Nanoseconds()
	d.Seconds, d.Nanos = nanos/1e9, int32(nanos%1e9)
}

// listener builds one Envoy listener: a TLS filter chain per server name
// and one shared cleartext chain, each with a virtual host per Host.
func (t *translator) listener(l *ir.Listener) *listenerv3.Listener {
	hosts := t.hostsFor(l)
	type chain struct {
		name  string
		tls   *ir.TLSContext
		snis  []string
		hosts []*ir.Host
	}
	var chains []*chain
	var cleartext *chain
	bySNI := map[string]*chain{}
	if l.TCPOnly {
		hosts = nil
	}
	for _, h := range hosts {
		if l.HasTLS() && h.TLS != nil && !slices.Contains(l.TCPSNIs, h.SNI()) {
			c, ok := bySNI[h.SNI()]
			if !ok {
				c = &chain{name: "httpshost-" + h.Name, tls: h.TLS, snis: []string{h.SNI()}}
				bySNI[h.SNI()] = c
				chains = append(chains, c)
			}
			c.hosts = append(c.hosts, h)
		}
		if !(l.SecurityModel == "INSECURE" && h.InsecureAction == "Reject") {
			if cleartext == nil {
				cleartext = &chain{name: "httphost-shared"}
				chains = append(chains, cleartext)
			}
			cleartext.hosts = append(cleartext.hosts, h)
		}
	}
	tcp := t.tcpChains(l)
	if len(chains) == 0 && len(tcp) == 0 {
		return nil
	}
	out := &listenerv3.Listener{
		Name:    l.Name,
		Address: socketAddress(l.BindAddress, l.Port),
	}
	if t.ir.Tracing != nil {
		// Spans are client (outbound) spans when tracing, as in Emissary.
		out.TrafficDirection = corev3.TrafficDirection_OUTBOUND
	}
	if b := t.ir.Settings.BufferLimitBytes; b > 0 {
		out.PerConnectionBufferLimitBytes = wrapperspb.UInt32(uint32(b))
	}
	for _, p := range l.ProtocolStack {
		switch p {
		case "TLS":
			out.ListenerFilters = append(out.ListenerFilters, &listenerv3.ListenerFilter{
				Name:       "envoy.filters.listener.tls_inspector",
				ConfigType: &listenerv3.ListenerFilter_TypedConfig{TypedConfig: t.any(&tlsinspectorv3.TlsInspector{})},
			})
		case "PROXY":
			out.ListenerFilters = append(out.ListenerFilters, &listenerv3.ListenerFilter{
				Name:       "envoy.filters.listener.proxy_protocol",
				ConfigType: &listenerv3.ListenerFilter_TypedConfig{TypedConfig: t.any(&proxyprotocolv3.ProxyProtocol{})},
			})
		}
	}
	// TCPMappings' chains come first: they take their SNI names (or, with
	// none, the connections) from HTTP, as Emissary orders them.
	out.FilterChains = append(out.FilterChains, tcp...)
	for _, c := range chains {
		fc := &listenerv3.FilterChain{
			Name:             c.name,
			FilterChainMatch: &listenerv3.FilterChainMatch{},
			Filters:          []*listenerv3.Filter{t.httpConnectionManager(l, c.hosts)},
		}
		if c.tls != nil {
			fc.FilterChainMatch.TransportProtocol = "tls"
			if !slices.Contains(c.snis, "*") {
				fc.FilterChainMatch.ServerNames = c.snis
			}
			fc.TransportSocket = &corev3.TransportSocket{
				Name: "envoy.transport_sockets.tls",
				ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: t.any(&tlsv3.DownstreamTlsContext{
					CommonTlsContext:         t.commonTLS(c.tls),
					RequireClientCertificate: boolValue(c.tls.CertRequired),
				})},
			}
		}
		out.FilterChains = append(out.FilterChains, fc)
	}
	return out
}

// httpFilters are the connection managers' HTTP filters, in Emissary's
// order: those the Module turns on, then cors, then the router.
func (t *translator) httpFilters() []*hcmv3.HttpFilter {
	s := t.ir.Settings
	var out []*hcmv3.HttpFilter
	appendFilter := func(name string, config proto.Message) {
		out = append(out, &hcmv3.HttpFilter{Name: name, ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: t.any(config)}})
	}
	// addFrom adds a filter made from the settings of resource key,
	// unless Envoy would refuse it.
	addFrom := func(key, name string, config proto.Message) {
		if t.accepted(key, config, "the %s filter these settings make, so it is left out", name) {
			appendFilter(name, config)
		}
	}
	add := func(name string, config proto.Message) { addFrom(s.Source, name, config) }
	if s.GRPCHTTP11Bridge {
		add("envoy.filters.http.grpc_http1_bridge", &grpchttp1bridgev3.Config{})
	}
	if s.GRPCWeb {
		add("envoy.filters.http.grpc_web", &grpcwebv3.GrpcWeb{})
	}
	if g := s.GRPCStats; g != nil {
		config := &grpcstatsv3.FilterConfig{EnableUpstreamStats: g.UpstreamStats}
		if len(g.Services) > 0 {
			list := &corev3.GrpcMethodList{}
			for _, svc := range g.Services {
				list.Services = append(list.Services, &corev3.GrpcMethodList_Service{Name: svc.Name, MethodNames: svc.MethodNames})
			}
			config.PerMethodStatSpecifier = &grpcstatsv3.FilterConfig_IndividualMethodStatsAllowlist{IndividualMethodStatsAllowlist: list}
		} else {
			config.PerMethodStatSpecifier = &grpcstatsv3.FilterConfig_StatsForAllMethods{StatsForAllMethods: wrapperspb.Bool(g.AllMethods)}
		}
		add("envoy.filters.http.grpc_stats", config)
	}
	if s.LuaScripts != "" {
		add("envoy.filters.http.lua", &luav3.Lua{DefaultSourceCode: &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{InlineString: s.LuaScripts}}})
	}
	if g := s.Gzip; g != nil {
		u32 := func(v *int) *wrapperspb.UInt32Value {
			if v == nil {
				return nil
			}
			return wrapperspb.UInt32(uint32(*v))
		}
		library := &gzipv3.Gzip{
			MemoryLevel:         u32(g.MemoryLevel),
			WindowBits:          u32(g.WindowBits),
			CompressionLevel:    gzipv3.Gzip_CompressionLevel(gzipv3.Gzip_CompressionLevel_value[g.CompressionLevel]),
			CompressionStrategy: gzipv3.Gzip_CompressionStrategy(gzipv3.Gzip_CompressionStrategy_value[g.CompressionStrategy]),
		}
		add("envoy.filters.http.gzip", &compressorv3.Compressor{
			CompressorLibrary: &corev3.TypedExtensionConfig{Name: "envoy.compression.gzip.compressor", TypedConfig: t.any(library)},
			ResponseDirectionConfig: &compressorv3.Compressor_ResponseDirectionConfig{
				CommonConfig:               &compressorv3.Compressor_CommonDirectionConfig{MinContentLength: u32(g.MinContentLength), ContentType: g.ContentType},
				DisableOnEtagHeader:        g.DisableOnEtagHeader,
				RemoveAcceptEncodingHeader: g.RemoveAcceptEncodingHeader,
			},
		})
	}
	if n := s.BufferMaxRequestBytes; n > 0 {
		add("envoy.filters.http.buffer", &bufferv3.Buffer{MaxRequestBytes: wrapperspb.UInt32(uint32(n))})
	}
	if ip := s.IPAllowDeny; ip != nil {
		var ids []*rbacconfigv3.Principal
		for _, p := range ip.Principals {
			cidr := &corev3.CidrRange{AddressPrefix: p.Address, PrefixLen: wrapperspb.UInt32(uint32(p.PrefixLen))}
			principal := &rbacconfigv3.Principal{Identifier: &rbacconfigv3.Principal_DirectRemoteIp{DirectRemoteIp: cidr}}
			if p.Kind == "remote_ip" {
				principal.Identifier = &rbacconfigv3.Principal_RemoteIp{RemoteIp: cidr}
			}
			ids = append(ids, principal)
		}
		principal := ids[0]
		if len(ids) > 1 {
			principal = &rbacconfigv3.Principal{Identifier: &rbacconfigv3.Principal_OrIds{OrIds: &rbacconfigv3.Principal_Set{Ids: ids}}}
		}
		add("envoy.filters.http.rbac", &rbacv3.RBAC{Rules: &rbacconfigv3.RBAC{
			Action: rbacconfigv3.RBAC_Action(rbacconfigv3.RBAC_Action_value[ip.Action]),
			Policies: map[string]*rbacconfigv3.Policy{"ambassador-ip-" + strings.ToLower(ip.Action): {
				Permissions: []*rbacconfigv3.Permission{{Rule: &rbacconfigv3.Permission_Any{Any: true}}},
				Principals:  []*rbacconfigv3.Principal{principal},
			}},
		}})
	}
	add("envoy.filters.http.cors", &corsv3.Cors{})
	if a := t.ir.Auth; a != nil {
		// As a misconfigured AuthService does, one Envoy would refuse
		// fails closed: nothing goes through unauthorized.
		if config := extAuthz(a); a.Misconfigured || !t.accepted(a.Key, config, "the ext_authz filter this AuthService makes, so every request is refused until it is fixed") {
			addFrom(a.Key, "envoy.filters.http.lua", &luav3.Lua{DefaultSourceCode: &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{InlineString: authFailClosed(a.Key)}}})
		} else {
			appendFilter("envoy.filters.http.ext_authz", config)
		}
	}
	if r := t.ir.RateLimit; r != nil {
		addFrom(r.Key, "envoy.filters.http.ratelimit", rateLimitFilter(r))
	}
	if usesErrorResponses(t.ir) {
		add(customResponseFilter, &customresponsev3.CustomResponse{})
	}
	add("envoy.filters.http.router", &routerv3.Router{SuppressEnvoyHeaders: s.SuppressEnvoyHeaders, StartChildSpan: t.ir.Tracing != nil})
	return out
}

// tcpChains are the filter chains of the TCPMappings on l: each proxies
// connections (for its SNI name, terminating TLS, or all of them) to its
// clusters by weight. Later groups come first, as in Emissary.
func (t *translator) tcpChains(l *ir.Listener) []*listenerv3.FilterChain {
	var out []*listenerv3.FilterChain
	for i := len(t.ir.TCPGroups) - 1; i >= 0; i-- {
		g := t.ir.TCPGroups[i]
		if g.Listener != l.Name {
			continue
		}
		proxy := &tcpproxyv3.TcpProxy{StatPrefix: l.StatsPrefix}
		weighted := &tcpproxyv3.TcpProxy_WeightedCluster{}
		for _, target := range g.Targets {
			if target.Weight > 0 {
				weighted.Clusters = append(weighted.Clusters, &tcpproxyv3.TcpProxy_WeightedCluster_ClusterWeight{Name: target.Cluster, Weight: uint32(target.Weight)})
			}
		}
		proxy.ClusterSpecifier = &tcpproxyv3.TcpProxy_WeightedClusters{WeightedClusters: weighted}
		fc := &listenerv3.FilterChain{
			Name:             "tcphost-" + g.Name,
			FilterChainMatch: &listenerv3.FilterChainMatch{},
			Filters: []*listenerv3.Filter{{
				Name:       "envoy.filters.network.tcp_proxy",
				ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: t.any(proxy)},
			}},
		}
		if g.Host != "" {
			fc.FilterChainMatch.TransportProtocol = "tls"
			if g.Host != "*" {
				fc.FilterChainMatch.ServerNames = []string{g.Host}
			}
			fc.TransportSocket = &corev3.TransportSocket{
				Name: "envoy.transport_sockets.tls",
				ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: t.any(&tlsv3.DownstreamTlsContext{
					CommonTlsContext:         t.commonTLS(g.TLS),
					RequireClientCertificate: boolValue(g.TLS.CertRequired),
				})},
			}
		}
		out = append(out, fc)
	}
	return out
}

// hostsFor returns the Hosts a listener serves, one per hostname (the
// last wins), sorted by hostname.
func (t *translator) hostsFor(l *ir.Listener) []*ir.Host {
	byName := map[string]*ir.Host{}
	for _, h := range t.ir.Hosts {
		if slices.Contains(l.Hosts, h.Hostname) {
			byName[h.Hostname] = h
		}
	}
	var out []*ir.Host
	for _, name := range l.Hosts {
		if h, ok := byName[name]; ok && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	slices.SortStableFunc(out, func(a, b *ir.Host) int { return strings.Compare(a.Hostname, b.Hostname) })
	return out
}

// httpConnectionManager is the HTTP filter of one chain.
func (t *translator) httpConnectionManager(l *ir.Listener, hosts []*ir.Host) *listenerv3.Filter {
	s := t.ir.Settings
	hcm := &hcmv3.HttpConnectionManager{
		StatPrefix:            l.StatsPrefix,
		AccessLog:             t.sharedAccessLogs(),
		HttpFilters:           t.sharedHTTPFilters(),
		NormalizePath:         wrapperspb.Bool(true),
		UseRemoteAddress:      wrapperspb.Bool(s.UseRemoteAddress),
		ServerName:            s.ServerName,
		HttpProtocolOptions:   &corev3.Http1ProtocolOptions{AcceptHttp_10: s.EnableHTTP10},
		StripMatchingHostPort: s.StripMatchingHostPort,
		MergeSlashes:          s.MergeSlashes,
		RouteSpecifier: &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: &routev3.RouteConfiguration{
			VirtualHosts: t.virtualHosts(l, hosts),
		}},
	}
	if l.L7Depth > 0 {
		hcm.XffNumTrustedHops = uint32(l.L7Depth)
	}
	if s.ListenerIdleTimeoutMs > 0 {
		hcm.CommonHttpProtocolOptions = &corev3.HttpProtocolOptions{IdleTimeout: millis(s.ListenerIdleTimeoutMs)}
	}
	if a := s.HeadersWithUnderscoresAction; a != "" {
		if hcm.CommonHttpProtocolOptions == nil {
			hcm.CommonHttpProtocolOptions = &corev3.HttpProtocolOptions{}
		}
		hcm.CommonHttpProtocolOptions.HeadersWithUnderscoresAction = corev3.HttpProtocolOptions_HeadersWithUnderscoresAction(corev3.HttpProtocolOptions_HeadersWithUnderscoresAction_value[a])
	}
	if s.MaxRequestHeadersKb > 0 {
		hcm.MaxRequestHeadersKb = wrapperspb.UInt32(uint32(s.MaxRequestHeadersKb))
	}
	hcm.HttpProtocolOptions.AllowChunkedLength = s.AllowChunkedLength
	if s.ProperCase {
		hcm.HttpProtocolOptions.HeaderKeyFormat = &corev3.Http1ProtocolOptions_HeaderKeyFormat{
			HeaderFormat: &corev3.Http1ProtocolOptions_HeaderKeyFormat_ProperCaseWords_{ProperCaseWords: &corev3.Http1ProtocolOptions_HeaderKeyFormat_ProperCaseWords{}},
		}
	} else if s.PreserveHeaderCase {
		hcm.HttpProtocolOptions.HeaderKeyFormat = t.preserveCase()
	}
	hcm.PreserveExternalRequestId = s.PreserveExternalRequestID
	if f := s.ForwardClientCertDetails; f != "" {
		hcm.ForwardClientCertDetails = hcmv3.HttpConnectionManager_ForwardClientCertDetails(hcmv3.HttpConnectionManager_ForwardClientCertDetails_value[f])
	}
	if c := s.SetCurrentClientCertDetails; c != nil {
		hcm.SetCurrentClientCertDetails = &hcmv3.HttpConnectionManager_SetCurrentClientCertDetails{
			Subject: wrapperspb.Bool(c.Subject), Cert: c.Cert, Chain: c.Chain, Dns: c.DNS, Uri: c.URI,
		}
	}
	if tr := t.ir.Tracing; tr != nil {
		hcm.Tracing = t.checkedTracing(tr)
		hcm.GenerateRequestId = wrapperspb.Bool(true)
	}
	return &listenerv3.Filter{
		Name:       "envoy.filters.network.http_connection_manager",
		ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: t.routeTable(hcm)},
	}
}

// virtualHosts: one per Host, to hold the routes of every group the Host
// serves, each in its secure and insecure variants (fillVirtualHosts
// puts them in once they are built).
func (t *translator) virtualHosts(l *ir.Listener, hosts []*ir.Host) []*routev3.VirtualHost {
	var out []*routev3.VirtualHost
	for _, h := range hosts {
		vh := &routev3.VirtualHost{Name: l.Name + "-" + h.Hostname, Domains: []string{h.Hostname}}
		kind := t.kinds[vhostKind{l.SecurityModel, h.InsecureAction}]
		t.unfilled = append(t.unfilled, unfilledVHost{vh, t.servedGroups(h), kind})
		out = append(out, vh)
	}
	return out
}

// unfilledVHost is a virtual host waiting for its routes: those the
// groups it serves show its kind of virtual host.
type unfilledVHost struct {
	vh     *routev3.VirtualHost
	served []int
	kind   int
}

// fillVirtualHosts gives the listeners' virtual hosts their routes, once
// every route is built (and every group left out is).
func (t *translator) fillVirtualHosts() {
	for _, u := range t.unfilled {
		n := 0
		for _, i := range u.served {
			n += len(t.shown[i][u.kind])
		}
		u.vh.Routes = make([]*routev3.Route, 0, n)
		for _, i := range u.served {
			u.vh.Routes = append(u.vh.Routes, t.shown[i][u.kind]...)
		}
	}
	t.unfilled = nil
}

// sharedHTTPFilters are the HTTP filters of every user listener.
func (t *translator) sharedHTTPFilters() []*hcmv3.HttpFilter {
	if t.filters == nil {
		t.filters = t.httpFilters()
	}
	return t.filters
}

// sharedAccessLogs are the access logs of every user listener.
func (t *translator) sharedAccessLogs() []*accesslogv3.AccessLog {
	if t.accessLogs == nil {
		t.accessLogs = t.buildAccessLogs()
	}
	return t.accessLogs
}

// servedGroups are the indices of the groups a Host serves, worked out
// once per Host however many listeners it is on.
func (t *translator) servedGroups(h *ir.Host) []int {
	if served, ok := t.served[h]; ok {
		return served
	}
	served := []int{}
	for i, g := range t.ir.Groups {
		if h.ServesMapping(g.First()) {
			served = append(served, i)
		}
	}
	if t.served == nil {
		t.served = map[*ir.Host][]int{}
	}
	t.served[h] = served
	return served
}

// vhostKind is what decides how a virtual host shows a route: its
// listener's security model and its Host's insecure action.
type vhostKind struct {
	securityModel, insecureAction string
}

// variants turns a route into what a listener's security model and a
// Host's insecure action make of it: with XFP, a route for requests that
// came over TLS (X-Forwarded-Proto: https) and one for the rest. Variants
// share the parts they do not change with r (generated messages are never
// modified after they are built), which keeps large configurations cheap.
//
// Envoy's rules for a route hold field by field, with nothing relating one
// field to another, so a variant of a valid route is valid when what it
// adds is: the xfpHTTPS header condition, the httpsRedirect action and
// the ext_authz opt-out (an Any, checked by Validate). Variants are
// therefore not validated again; TestPrecheckedRoutesAreValid holds every
// route shown to that.
func (t *translator) variants(r *routev3.Route, securityModel, insecureAction string) []*routev3.Route {
	var out []*routev3.Route
	if securityModel != "INSECURE" {
		secure := r
		if securityModel == "XFP" {
			secure = routeWithMatch(r, withHeader(r.Match, xfpHTTPS))
		}
		out = append(out, secure)
	}
	if securityModel != "SECURE" {
		switch insecureAction {
		case "Route":
			out = append(out, r)
		case "Redirect":
			// Emissary replaces only the action; the rest of the route
			// (header changes, per-filter config) stays.
			redirect := routeWithMatch(r, r.Match)
			redirect.Action = httpsRedirect
			if t.ir.Auth != nil {
				// Redirecting to https needs no authorization.
				// One map for all of them: messages are not modified
				// once built.
				t.authDisabled()
				redirect.TypedPerFilterConfig = t.authDisabledOnly
			}
			out = append(out, redirect)
		}
	}
	return out
}

var (
	xfpHTTPS = &routev3.HeaderMatcher{
		Name:                 "x-forwarded-proto",
		HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "https"}}},
	}
	httpsRedirect = &routev3.Route_Redirect{Redirect: &routev3.RedirectAction{
		SchemeRewriteSpecifier: &routev3.RedirectAction_HttpsRedirect{HttpsRedirect: true},
	}}
)

// routeWithMatch is r with another match.
func routeWithMatch(r *routev3.Route, m *routev3.RouteMatch) *routev3.Route {
	return &routev3.Route{
		Match:                   m,
		Action:                  r.Action,
		RequestHeadersToAdd:     r.RequestHeadersToAdd,
		RequestHeadersToRemove:  r.RequestHeadersToRemove,
		ResponseHeadersToAdd:    r.ResponseHeadersToAdd,
		ResponseHeadersToRemove: r.ResponseHeadersToRemove,
		TypedPerFilterConfig:    r.TypedPerFilterConfig,
	}
}

// withHeader is m with one more header condition.
func withHeader(m *routev3.RouteMatch, h *routev3.HeaderMatcher) *routev3.RouteMatch {
	return &routev3.RouteMatch{
		PathSpecifier:   m.PathSpecifier,
		CaseSensitive:   m.CaseSensitive,
		RuntimeFraction: m.RuntimeFraction,
		Headers:         append(slices.Clip(m.Headers), h),
		QueryParameters: m.QueryParameters,
	}
}

// findVHostKinds finds the kinds of virtual host the listeners have.
func (t *translator) findVHostKinds() {
	t.kinds = map[vhostKind]int{}
	for _, l := range t.ir.Listeners {
		for _, h := range t.hostsFor(l) {
			k := vhostKind{l.SecurityModel, h.InsecureAction}
			if _, ok := t.kinds[k]; !ok {
				t.kinds[k] = len(t.kindList)
				t.kindList = append(t.kindList, k)
			}
		}
	}
}

// buildAllRoutes builds every group's routes, as each kind of virtual
// host in the configuration shows them, up front and on every core: they
// are most of the work, and independent of each other. Every virtual
// host of a kind then shares the same route messages, which keeps memory
// down and lets envoy.json marshal each only once.
func (t *translator) buildAllRoutes() (checked []*routev3.Route) {
	kinds := t.kindList
	groups := t.ir.Groups
	t.shown = make([][][]*routev3.Route, len(groups))
	t.refusedGroups = make([]bool, len(groups))
	var (
		next atomic.Int64
		mu   sync.Mutex
	)
	const batch = 8
	workers := t.opts.Crew.Group()
	for range t.opts.Crew.Size() {
		workers.Go(func() error {
			var ok []*routev3.Route
			defer func() {
				mu.Lock()
				checked = append(checked, ok...)
				mu.Unlock()
			}()
			for {
				from := int(next.Add(batch)) - batch
				if from >= len(groups) {
					return nil
				}
				for i := from; i < min(from+batch, len(groups)); i++ {
					routes := t.buildGroupRoutes(groups[i])
					t.shown[i] = make([][]*routev3.Route, len(kinds))
					// A route Envoy would refuse would sink the whole
					// configuration: its group is left out instead.
					if err := firstInvalid(routes); err != nil {
						t.leaveOutGroup(i, "Envoy would refuse this Mapping's route, so it is not used: %v", err)
						continue
					}
					// The group's distinct routes are ok[group:]: a few, so
					// a variant is looked for among them, not in a map.
					group := len(ok)
					ok = append(ok, routes...)
					for k, kind := range kinds {
						for _, r := range routes {
							vs := t.variants(r, kind.securityModel, kind.insecureAction)
							t.shown[i][k] = append(t.shown[i][k], vs...)
							// A variant of a valid route is valid (see
							// variants): nothing to validate again.
							for _, v := range vs {
								if !slices.Contains(ok[group:], v) {
									ok = append(ok, v)
								}
							}
						}
					}
				}
			}
		})
	}
	workers.Wait()
	return checked
}

// buildCheckedClusters builds the clusters on every core and checks each
// as Validate would. A cluster Envoy would refuse (a setting of its
// Mappings' that the CRD takes and Envoy does not) would sink the whole
// configuration: when only Mappings send to it, it is left out instead,
// with the route groups that send to it (see buildAllRoutes). One that
// a service (auth, rate limits, logs, tracing) or a TCPMapping uses is
// kept, for Validate to refuse: those settings are checked in the IR.
func (t *translator) buildCheckedClusters() (out []*clusterv3.Cluster, keptRefused bool) {
	clusters := t.ir.Clusters
	built := make([]*clusterv3.Cluster, len(clusters))
	refusals := make([]error, len(clusters))
	const chunk = 64
	t.opts.Crew.Each((len(clusters)+chunk-1)/chunk, func(n int) error {
		// Routes are packing Anys meanwhile: the checker decodes the
		// clusters' own instead of reading the record. Each chunk has its
		// own checker.
		check := newChecker()
		for i := n * chunk; i < min((n+1)*chunk, len(clusters)); i++ {
			cl := t.cluster(clusters[i])
			built[i] = cl
			// Only a cluster's transport socket and HTTP/1 options hold
			// Anys (TestBuiltClustersHoldAnysOnlyWhereWalked).
			refusals[i] = check.walking("cluster "+cl.GetName(), cl, nil, cl.GetTransportSocket(), cl.GetHttpProtocolOptions())
		}
		return nil
	})
	out = built[:0]
	for i, cl := range built {
		switch err := refusals[i]; {
		case err != nil && onlyMappingsUse(clusters[i]):
			if t.refusedClusters == nil {
				t.refusedClusters = map[string]error{}
			}
			t.refusedClusters[clusters[i].EnvoyName] = err
			continue
		case err != nil:
			keptRefused = true
		}
		out = append(out, cl)
	}
	return out, keptRefused
}

func onlyMappingsUse(c *ir.Cluster) bool {
	for _, user := range c.Users {
		if !strings.HasPrefix(user, "Mapping/") {
			return false
		}
	}
	return len(c.Users) > 0
}

// dropGroupsOfRefusedClusters leaves out the route groups that send to a
// refused cluster.
func (t *translator) dropGroupsOfRefusedClusters() {
	if len(t.refusedClusters) == 0 {
		return
	}
	for i, g := range t.ir.Groups {
		name, err := t.refusedCluster(g)
		if err == nil || t.refusedGroups[i] {
			continue
		}
		t.shown[i] = make([][]*routev3.Route, len(t.kinds))
		t.leaveOutGroup(i, "Envoy would refuse cluster %s, which this Mapping's route group sends to, so the group is not used: %v", name, err)
	}
}

// refusedCluster is the refusal of a cluster one of g's Mappings sends
// to, or nil.
func (t *translator) refusedCluster(g *ir.Group) (string, error) {
	for _, m := range append(slices.Clone(g.Mappings), g.Shadow) {
		if m == nil {
			continue
		}
		if err, refused := t.refusedClusters[m.Cluster]; refused {
			return m.Cluster, err
		}
	}
	return "", nil
}

// firstInvalid validates routes as Validate would, Anys aside.
func firstInvalid(routes []*routev3.Route) error {
	for _, r := range routes {
		if err := r.ValidateAll(); err != nil {
			return err
		}
	}
	return nil
}

// buildGroupRoutes builds a group's routes: one per Mapping (canary
// thresholds in runtime_fraction), or the redirect.
func (t *translator) buildGroupRoutes(g *ir.Group) []*routev3.Route {
	if g.Redirect != nil {
		return []*routev3.Route{t.redirectRoute(g.Redirect)}
	}
	var out []*routev3.Route
	for _, m := range g.Mappings {
		p := &routeParts{}
		r := &p.route
		r.Match = &p.match
		t.fillMatch(&p.match, &p.prefix, m)
		p.percent.Numerator, p.percent.Denominator = uint32(m.Cumulative), typev3.FractionalPercent_HUNDRED
		p.fraction.DefaultValue = &p.percent
		p.fraction.RuntimeKey = "routing.traffic_shift." + m.Cluster
		r.Match.RuntimeFraction = &p.fraction
		action := &p.action
		p.cluster.Cluster = m.Cluster
		action.ClusterSpecifier = &p.cluster
		setMillis(&p.timeout, m.TimeoutMs)
		action.Timeout = &p.timeout
		if m.IdleTimeoutMs > 0 {
			action.IdleTimeout = millis(m.IdleTimeoutMs)
		}
		if lb := m.LoadBalancer; lb.Hashing() {
			// The key the hashing policies hash requests on.
			hp := &routev3.RouteAction_HashPolicy{}
			switch {
			case lb.Cookie != nil:
				cookie := &routev3.RouteAction_HashPolicy_Cookie{Name: lb.Cookie.Name, Path: lb.Cookie.Path}
				if lb.Cookie.TTLMs > 0 {
					cookie.Ttl = millis(lb.Cookie.TTLMs)
				}
				hp.PolicySpecifier = &routev3.RouteAction_HashPolicy_Cookie_{Cookie: cookie}
			case lb.Header != "":
				hp.PolicySpecifier = &routev3.RouteAction_HashPolicy_Header_{Header: &routev3.RouteAction_HashPolicy_Header{HeaderName: lb.Header}}
			case lb.SourceIP:
				hp.PolicySpecifier = &routev3.RouteAction_HashPolicy_ConnectionProperties_{ConnectionProperties: &routev3.RouteAction_HashPolicy_ConnectionProperties{SourceIp: true}}
			}
			action.HashPolicy = []*routev3.RouteAction_HashPolicy{hp}
		}
		if p := m.RetryPolicy; p != nil {
			action.RetryPolicy = &routev3.RetryPolicy{RetryOn: p.RetryOn}
			if p.NumRetries != nil {
				action.RetryPolicy.NumRetries = wrapperspb.UInt32(uint32(*p.NumRetries))
			}
			if p.PerTryTimeoutMs > 0 {
				action.RetryPolicy.PerTryTimeout = millis(p.PerTryTimeoutMs)
			}
		}
		switch {
		case m.RegexRewrite != nil:
			action.RegexRewrite = &matcherv3.RegexMatchAndSubstitute{Pattern: t.regex(m.RegexRewrite.Pattern), Substitution: m.RegexRewrite.Substitution}
		case m.Rewrite == nil:
			action.PrefixRewrite = "/"
		case *m.Rewrite != "":
			action.PrefixRewrite = *m.Rewrite
		}
		if m.HostRewrite != "" {
			action.HostRewriteSpecifier = &routev3.RouteAction_HostRewriteLiteral{HostRewriteLiteral: m.HostRewrite}
		} else if m.AutoHostRewrite != nil {
			action.HostRewriteSpecifier = &routev3.RouteAction_AutoHostRewrite{AutoHostRewrite: wrapperspb.Bool(*m.AutoHostRewrite)}
		}
		if m.Priority != "" {
			action.Priority = corev3.RoutingPriority(corev3.RoutingPriority_value[strings.ToUpper(m.Priority)])
		}
		for _, u := range m.AllowUpgrade {
			action.UpgradeConfigs = append(action.UpgradeConfigs, &routev3.RouteAction_UpgradeConfig{UpgradeType: u})
		}
		if g.Shadow != nil && g.Shadow.Cluster != "" {
			numerator := uint32(100)
			if g.Shadow.Weight != nil {
				numerator = uint32(*g.Shadow.Weight)
			}
			action.RequestMirrorPolicies = []*routev3.RouteAction_RequestMirrorPolicy{{
				Cluster:         g.Shadow.Cluster,
				RuntimeFraction: &corev3.RuntimeFractionalPercent{DefaultValue: &typev3.FractionalPercent{Numerator: numerator, Denominator: typev3.FractionalPercent_HUNDRED}},
			}}
		}
		action.RateLimits = routeRateLimits(m.RateLimits)
		p.routeOf.Route = action
		r.Action = &p.routeOf
		if c := m.CORS; c != nil {
			// The cors filter's per-route policy (RouteAction.cors, which
			// Emissary writes, is deprecated in current Envoy), enabled
			// under the runtime key Emissary names after the group.
			policy := &corsv3.CorsPolicy{
				AllowMethods: c.Methods, AllowHeaders: c.Headers, ExposeHeaders: c.ExposedHeaders, MaxAge: c.MaxAge,
				AllowCredentials: boolValue(c.Credentials),
				FilterEnabled: &corev3.RuntimeFractionalPercent{
					DefaultValue: &typev3.FractionalPercent{Numerator: 100, Denominator: typev3.FractionalPercent_HUNDRED},
					RuntimeKey:   "routing.cors_enabled." + g.ID,
				},
			}
			for _, o := range c.Origins {
				policy.AllowOriginStringMatch = append(policy.AllowOriginStringMatch, &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: o}})
			}
			r.TypedPerFilterConfig = map[string]*anypb.Any{"envoy.filters.http.cors": t.any(policy)}
		}
		if auth := t.authPerRoute(m); auth != nil {
			if r.TypedPerFilterConfig == nil {
				r.TypedPerFilterConfig = map[string]*anypb.Any{}
			}
			r.TypedPerFilterConfig["envoy.filters.http.ext_authz"] = auth
		}
		if er := t.errorResponsePerRoute(m); er != nil {
			if r.TypedPerFilterConfig == nil {
				r.TypedPerFilterConfig = map[string]*anypb.Any{}
			}
			r.TypedPerFilterConfig[customResponseFilter] = er
		}
		r.RequestHeadersToAdd = headersToAdd(m.AddRequestHeaders)
		r.ResponseHeadersToAdd = headersToAdd(m.AddResponseHeaders)
		r.RequestHeadersToRemove = m.RemoveRequestHeaders
		r.ResponseHeadersToRemove = m.RemoveResponseHeaders
		out = append(out, r)
	}
	return out
}

// redirectResponseCodes map Emissary's redirect_response_code to Envoy's.
var redirectResponseCodes = map[int]routev3.RedirectAction_RedirectResponseCode{
	301: routev3.RedirectAction_MOVED_PERMANENTLY,
	302: routev3.RedirectAction_FOUND,
	303: routev3.RedirectAction_SEE_OTHER,
	307: routev3.RedirectAction_TEMPORARY_REDIRECT,
	308: routev3.RedirectAction_PERMANENT_REDIRECT,
}

func (t *translator) redirectRoute(m *ir.Mapping) *routev3.Route {
	r := &routev3.Route{Match: t.match(m)}
	r.Match.RuntimeFraction = &corev3.RuntimeFractionalPercent{DefaultValue: &typev3.FractionalPercent{Numerator: 100, Denominator: typev3.FractionalPercent_HUNDRED}}
	redirect := &routev3.RedirectAction{HostRedirect: m.Service, ResponseCode: redirectResponseCodes[m.RedirectResponseCode]}
	switch {
	case m.PathRedirect != "":
		redirect.PathRewriteSpecifier = &routev3.RedirectAction_PathRedirect{PathRedirect: m.PathRedirect}
	case m.PrefixRedirect != "":
		redirect.PathRewriteSpecifier = &routev3.RedirectAction_PrefixRewrite{PrefixRewrite: m.PrefixRedirect}
	case m.RegexRedirect != nil:
		redirect.PathRewriteSpecifier = &routev3.RedirectAction_RegexRewrite{RegexRewrite: &matcherv3.RegexMatchAndSubstitute{
			Pattern: t.regex(m.RegexRedirect.Pattern), Substitution: m.RegexRedirect.Substitution,
		}}
	}
	r.Action = &routev3.Route_Redirect{Redirect: redirect}
	// A redirect never needs authorizing (as in Emissary).
	r.TypedPerFilterConfig = map[string]*anypb.Any{"envoy.filters.http.ext_authz": t.authDisabled()}
	return r
}

// authDisabled turns ext_authz off for a route: one Any, shared by
// every route that needs it.
func (t *translator) authDisabled() *anypb.Any {
	t.authDisabledOnce.Do(func() {
		t.authDisabledAny = t.any(&extauthzv3.ExtAuthzPerRoute{Override: &extauthzv3.ExtAuthzPerRoute_Disabled{Disabled: true}})
		t.authDisabledOnly = map[string]*anypb.Any{"envoy.filters.http.ext_authz": t.authDisabledAny}
	})
	return t.authDisabledAny
}

// authPerRoute is a Mapping's ext_authz setting: off with bypass_auth,
// its context extensions otherwise (nil when it has none).
func (t *translator) authPerRoute(m *ir.Mapping) *anypb.Any {
	switch {
	case m.BypassAuth:
		return t.authDisabled()
	case len(m.AuthContextExtensions) > 0:
		return t.any(&extauthzv3.ExtAuthzPerRoute{Override: &extauthzv3.ExtAuthzPerRoute_CheckSettings{
			CheckSettings: &extauthzv3.CheckSettings{ContextExtensions: m.AuthContextExtensions},
		}})
	}
	return nil
}

// match is a route's conditions: the path, headers (with :authority as a
// glob), the method and query parameters.
func (t *translator) match(m *ir.Mapping) *routev3.RouteMatch {
	rm := &routev3.RouteMatch{}
	t.fillMatch(rm, &routev3.RouteMatch_Prefix{}, m)
	return rm
}

// routeParts are the messages every Mapping's route has, made in one
// allocation (see clusterParts).
type routeParts struct {
	route    routev3.Route
	match    routev3.RouteMatch
	prefix   routev3.RouteMatch_Prefix
	fraction corev3.RuntimeFractionalPercent
	percent  typev3.FractionalPercent
	action   routev3.RouteAction
	cluster  routev3.RouteAction_Cluster
	routeOf  routev3.Route_Route
	timeout  durationpb.Duration
}

// Every route says whether its match is case-sensitive: two messages
// serve them all, as messages are not modified once built.
var (
	caseSensitive   = wrapperspb.Bool(true)
	caseInsensitive = wrapperspb.Bool(false)
)

// fillMatch makes rm m's match; prefix is used if the match is a prefix.
func (t *translator) fillMatch(rm *routev3.RouteMatch, prefix *routev3.RouteMatch_Prefix, m *ir.Mapping) {
	rm.CaseSensitive = caseSensitive
	if m.CaseSensitive != nil && !*m.CaseSensitive {
		rm.CaseSensitive = caseInsensitive
	}
	switch {
	case m.PrefixRegex:
		rm.PathSpecifier = &routev3.RouteMatch_SafeRegex{SafeRegex: t.regex(m.Prefix)}
	case m.PrefixExact:
		rm.PathSpecifier = &routev3.RouteMatch_Path{Path: m.Prefix}
	default:
		prefix.Prefix = m.Prefix
		rm.PathSpecifier = prefix
	}
	for _, h := range m.Headers {
		if hm := t.headerMatcher(h); hm != nil {
			rm.Headers = append(rm.Headers, hm)
		}
	}
	for _, q := range m.Query {
		qm := &routev3.QueryParameterMatcher{Name: q.Name}
		switch {
		case q.Present:
			qm.QueryParameterMatchSpecifier = &routev3.QueryParameterMatcher_PresentMatch{PresentMatch: true}
		case q.Regex:
			qm.QueryParameterMatchSpecifier = &routev3.QueryParameterMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: t.regex(q.Value)}}}
		default:
			qm.QueryParameterMatchSpecifier = &routev3.QueryParameterMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: q.Value}}}
		}
		rm.QueryParameters = append(rm.QueryParameters, qm)
	}
}

// headerParts are a header condition's messages, made in one allocation
// (see clusterParts): every Mapping with a host has one.
type headerParts struct {
	matcher     routev3.HeaderMatcher
	stringMatch routev3.HeaderMatcher_StringMatch
	sm          matcherv3.StringMatcher
	exact       matcherv3.StringMatcher_Exact
}

func (t *translator) headerMatcher(h ir.Match) *routev3.HeaderMatcher {
	if h.Present {
		return &routev3.HeaderMatcher{Name: h.Name, HeaderMatchSpecifier: &routev3.HeaderMatcher_PresentMatch{PresentMatch: true}}
	}
	if h.Name == ":authority" && h.Value == "*" && !h.Regex {
		return nil // any host: the virtual host already decides
	}
	p := &headerParts{}
	p.matcher.Name = h.Name
	p.matcher.HeaderMatchSpecifier = &p.stringMatch
	p.stringMatch.StringMatch = &p.sm
	switch {
	case h.Regex:
		p.sm.MatchPattern = &matcherv3.StringMatcher_SafeRegex{SafeRegex: t.regex(h.Value)}
	case h.Name == ":authority" && strings.HasPrefix(h.Value, "*"):
		p.sm.MatchPattern = &matcherv3.StringMatcher_Suffix{Suffix: h.Value[1:]}
	case h.Name == ":authority" && strings.HasSuffix(h.Value, "*"):
		p.sm.MatchPattern = &matcherv3.StringMatcher_Prefix{Prefix: strings.TrimSuffix(h.Value, "*")}
	default:
		p.exact.Exact = h.Value
		p.sm.MatchPattern = &p.exact
	}
	return &p.matcher
}

// regex is a RE2 matcher held to the Module's regex_max_size, as
// Emissary writes it (Envoy's own limit would otherwise be the runtime's).
func (t *translator) regex(expr string) *matcherv3.RegexMatcher {
	return &matcherv3.RegexMatcher{
		EngineType: &matcherv3.RegexMatcher_GoogleRe2{GoogleRe2: &matcherv3.RegexMatcher_GoogleRE2{
			MaxProgramSize: wrapperspb.UInt32(uint32(t.ir.Settings.RegexMaxSize)),
		}},
		Regex: expr,
	}
}

func headersToAdd(hs []ir.AddedHeader) []*corev3.HeaderValueOption {
	var out []*corev3.HeaderValueOption
	for _, h := range hs {
		action := corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD
		if h.Append {
			action = corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD
		}
		out = append(out, &corev3.HeaderValueOption{Header: &corev3.HeaderValue{Key: h.Name, Value: h.Value}, AppendAction: action})
	}
	return out
}

// commonTLS is a TLS context's certificates and parameters.
func (t *translator) commonTLS(c *ir.TLSContext) *tlsv3.CommonTlsContext {
	out := &tlsv3.CommonTlsContext{}
	if c.Secret != nil {
		cert, key := c.Secret.Paths(t.opts.SecretDir)
		out.TlsCertificates = []*tlsv3.TlsCertificate{{
			CertificateChain: &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: cert}},
			PrivateKey:       &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: key}},
		}}
	}
	if c.CASecret != nil {
		cert, _ := c.CASecret.Paths(t.opts.SecretDir)
		out.ValidationContextType = &tlsv3.CommonTlsContext_ValidationContext{ValidationContext: &tlsv3.CertificateValidationContext{
			TrustedCa: &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: cert}},
		}}
	}
	if c.ALPN != "" {
		out.AlpnProtocols = []string{c.ALPN}
	}
	params := &tlsv3.TlsParameters{
		TlsMinimumProtocolVersion: tlsVersions[c.MinVersion],
		TlsMaximumProtocolVersion: tlsVersions[c.MaxVersion],
		CipherSuites:              c.CipherSuites,
		EcdhCurves:                c.ECDHCurves,
	}
	if !proto.Equal(params, &tlsv3.TlsParameters{}) {
		out.TlsParams = params
	}
	return out
}

var tlsVersions = map[string]tlsv3.TlsParameters_TlsProtocol{
	"v1.0": tlsv3.TlsParameters_TLSv1_0,
	"v1.1": tlsv3.TlsParameters_TLSv1_1,
	"v1.2": tlsv3.TlsParameters_TLSv1_2,
	"v1.3": tlsv3.TlsParameters_TLSv1_3,
}

func boolValue(b *bool) *wrapperspb.BoolValue {
	if b == nil {
		return nil
	}
	return wrapperspb.Bool(*b)
}

// readyListener answers /ready on 127.0.0.1 so that probes can tell
// whether Envoy is up, without any cluster.
func (t *translator) readyListener() *listenerv3.Listener {
	hcm := &hcmv3.HttpConnectionManager{
		StatPrefix:     "ready_http",
		RouteSpecifier: &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: &routev3.RouteConfiguration{Name: "local_route"}},
		HttpFilters: []*hcmv3.HttpFilter{
			{Name: "envoy.filters.http.health_check", ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: t.any(&healthcheckv3.HealthCheck{
				PassThroughMode: wrapperspb.Bool(false),
				Headers: []*routev3.HeaderMatcher{{Name: ":path", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
					StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "/ready"}},
				}}},
			})}},
			{Name: "envoy.filters.http.router", ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: t.any(&routerv3.Router{})}},
		},
	}
	if ms := t.ir.Settings.ListenerIdleTimeoutMs; ms > 0 {
		hcm.CommonHttpProtocolOptions = &corev3.HttpProtocolOptions{IdleTimeout: millis(ms)}
	}
	if t.opts.ReadyLog {
		hcm.AccessLog = []*accesslogv3.AccessLog{{
			Name:       "envoy.access_loggers.file",
			ConfigType: &accesslogv3.AccessLog_TypedConfig{TypedConfig: t.any(fileAccessLog(t.ir.Settings.AccessLog))},
		}}
	}
	out := &listenerv3.Listener{
		Name:    fmt.Sprintf("ambassador-listener-ready-127.0.0.1-%d", t.opts.ReadyPort),
		Address: socketAddress("127.0.0.1", t.opts.ReadyPort),
		FilterChains: []*listenerv3.FilterChain{{
			FilterChainMatch: &listenerv3.FilterChainMatch{},
			Filters: []*listenerv3.Filter{{
				Name:       "envoy.filters.network.http_connection_manager",
				ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: t.any(hcm)},
			}},
		}},
	}
	if b := t.ir.Settings.BufferLimitBytes; b > 0 {
		out.PerConnectionBufferLimitBytes = wrapperspb.UInt32(uint32(b))
	}
	return out
}

// preserveCase keeps HTTP/1 header names in the case they arrived in.
func (t *translator) preserveCase() *corev3.Http1ProtocolOptions_HeaderKeyFormat {
	return &corev3.Http1ProtocolOptions_HeaderKeyFormat{HeaderFormat: &corev3.Http1ProtocolOptions_HeaderKeyFormat_StatefulFormatter{
		StatefulFormatter: &corev3.TypedExtensionConfig{Name: "preserve_case", TypedConfig: t.any(&preservecasev3.PreserveCaseFormatterConfig{})},
	}}
}
