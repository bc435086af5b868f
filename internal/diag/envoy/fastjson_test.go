package envoy

import (
	"testing"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/config/accesslog/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	extauthzv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	tlsinspectorv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/emissary-go/emissary/internal/prototest"
)

func re2(expr string) *matcherv3.RegexMatcher {
	return &matcherv3.RegexMatcher{
		EngineType: &matcherv3.RegexMatcher_GoogleRe2{GoogleRe2: &matcherv3.RegexMatcher_GoogleRE2{MaxProgramSize: wrapperspb.UInt32(200)}},
		Regex:      expr,
	}
}

func exact(s string) *matcherv3.StringMatcher {
	return &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: s}}
}

// Every field and oneof member the route codecs write, in routes that
// protojson must agree with byte for byte.
func TestRouteCodecEqualsProtojson(t *testing.T) {
	everything := &routev3.Route{
		Name: "all \"the\" fields\\ \n\t\r\b\f \x01 \u2028 é 😀 <&>",
		Match: &routev3.RouteMatch{
			PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/api/"},
			CaseSensitive: wrapperspb.Bool(false),
			RuntimeFraction: &corev3.RuntimeFractionalPercent{
				DefaultValue: &typev3.FractionalPercent{Numerator: 30, Denominator: typev3.FractionalPercent_TEN_THOUSAND},
				RuntimeKey:   "routing.traffic_shift.x",
			},
			Headers: []*routev3.HeaderMatcher{
				{Name: "x-a", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: exact("1")}},
				{Name: "x-b", HeaderMatchSpecifier: &routev3.HeaderMatcher_PresentMatch{PresentMatch: true}, InvertMatch: true},
				{Name: "x-c", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Prefix{Prefix: "p"}, IgnoreCase: true}}},
				{Name: "x-d", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Suffix{Suffix: ".example.com"}}}},
				{Name: "x-e", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Contains{Contains: "c"}}}},
				{Name: "x-f", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: re2("^a+$")}}}},
				{Name: "x-g"},
				{Name: "x-h", HeaderMatchSpecifier: &routev3.HeaderMatcher_PresentMatch{PresentMatch: false}},
			},
			QueryParameters: []*routev3.QueryParameterMatcher{
				{Name: "q", QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_StringMatch{StringMatch: exact("")}},
				{Name: "r", QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_PresentMatch{PresentMatch: true}},
			},
		},
		Action: &routev3.Route_Route{Route: &routev3.RouteAction{
			ClusterSpecifier:     &routev3.RouteAction_Cluster{Cluster: "cluster_x"},
			PrefixRewrite:        "/v2/",
			RegexRewrite:         &matcherv3.RegexMatchAndSubstitute{Pattern: re2("^/a/(.*)$"), Substitution: `/b/\1`},
			HostRewriteSpecifier: &routev3.RouteAction_HostRewriteLiteral{HostRewriteLiteral: "upstream.example.com"},
			Timeout:              durationpb.New(3000000000),
			IdleTimeout:          &durationpb.Duration{Seconds: 1, Nanos: 500000000},
			RequestMirrorPolicies: []*routev3.RouteAction_RequestMirrorPolicy{{
				Cluster:         "cluster_shadow",
				RuntimeFraction: &corev3.RuntimeFractionalPercent{DefaultValue: &typev3.FractionalPercent{Numerator: 100}},
			}},
			Priority:       corev3.RoutingPriority_HIGH,
			RetryPolicy:    &routev3.RetryPolicy{RetryOn: "5xx", NumRetries: wrapperspb.UInt32(3), PerTryTimeout: &durationpb.Duration{Nanos: 250000000}},
			UpgradeConfigs: []*routev3.RouteAction_UpgradeConfig{{UpgradeType: "websocket"}, {UpgradeType: "CONNECT", Enabled: wrapperspb.Bool(true)}},
		}},
		RequestHeadersToAdd: []*corev3.HeaderValueOption{
			{Header: &corev3.HeaderValue{Key: "x-add", Value: "v"}, AppendAction: corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD},
			{Header: &corev3.HeaderValue{Key: "x-append"}},
		},
		RequestHeadersToRemove:  []string{"x-secret", ""},
		ResponseHeadersToAdd:    []*corev3.HeaderValueOption{{Header: &corev3.HeaderValue{Key: "x-served-by", Value: "emissary"}}},
		ResponseHeadersToRemove: []string{"server"},
	}
	routes := map[string]*routev3.Route{
		"everything":             everything,
		"empty":                  {},
		"empty match and action": {Match: &routev3.RouteMatch{}, Action: &routev3.Route_Route{Route: &routev3.RouteAction{}}},
		"empty oneof members": {Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Path{}}, Action: &routev3.Route_Route{Route: &routev3.RouteAction{
			ClusterSpecifier: &routev3.RouteAction_Cluster{}, HostRewriteSpecifier: &routev3.RouteAction_HostRewriteLiteral{},
		}}},
		"regex path, auto host rewrite, durations": {
			Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_SafeRegex{SafeRegex: re2("/[a-z]+/")}},
			Action: &routev3.Route_Route{Route: &routev3.RouteAction{
				HostRewriteSpecifier: &routev3.RouteAction_AutoHostRewrite{AutoHostRewrite: wrapperspb.Bool(false)},
				Timeout:              &durationpb.Duration{},
				IdleTimeout:          &durationpb.Duration{Nanos: 1000},
			}},
		},
		"negative and fine durations": {Action: &routev3.Route_Route{Route: &routev3.RouteAction{
			Timeout:     &durationpb.Duration{Seconds: -2, Nanos: -5},
			IdleTimeout: &durationpb.Duration{Seconds: 7, Nanos: 120000},
		}}},
		"https redirect": {
			Match:  &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
			Action: &routev3.Route_Redirect{Redirect: &routev3.RedirectAction{SchemeRewriteSpecifier: &routev3.RedirectAction_HttpsRedirect{HttpsRedirect: true}}},
		},
		"host redirect": {Action: &routev3.Route_Redirect{Redirect: &routev3.RedirectAction{
			SchemeRewriteSpecifier: &routev3.RedirectAction_SchemeRedirect{SchemeRedirect: "http"},
			HostRedirect:           "elsewhere.example.com",
			PortRedirect:           8443,
			PathRewriteSpecifier:   &routev3.RedirectAction_PathRedirect{PathRedirect: "/new"},
			ResponseCode:           routev3.RedirectAction_PERMANENT_REDIRECT,
			StripQuery:             true,
		}}},
		"prefix redirect": {Action: &routev3.Route_Redirect{Redirect: &routev3.RedirectAction{
			PathRewriteSpecifier: &routev3.RedirectAction_PrefixRewrite{PrefixRewrite: "/p/"},
		}}},
		"regex redirect, unnamed enum value": {Action: &routev3.Route_Redirect{Redirect: &routev3.RedirectAction{
			PathRewriteSpecifier: &routev3.RedirectAction_RegexRewrite{RegexRewrite: &matcherv3.RegexMatchAndSubstitute{Pattern: re2("x"), Substitution: "y"}},
			ResponseCode:         routev3.RedirectAction_RedirectResponseCode(42),
		}}},
		"rate limits": {Action: &routev3.Route_Route{Route: &routev3.RouteAction{RateLimits: []*routev3.RateLimit{
			{Stage: wrapperspb.UInt32(0), Actions: []*routev3.RateLimit_Action{
				{ActionSpecifier: &routev3.RateLimit_Action_SourceCluster_{SourceCluster: &routev3.RateLimit_Action_SourceCluster{}}},
				{ActionSpecifier: &routev3.RateLimit_Action_DestinationCluster_{DestinationCluster: &routev3.RateLimit_Action_DestinationCluster{}}},
				{ActionSpecifier: &routev3.RateLimit_Action_RemoteAddress_{RemoteAddress: &routev3.RateLimit_Action_RemoteAddress{}}},
				{ActionSpecifier: &routev3.RateLimit_Action_GenericKey_{GenericKey: &routev3.RateLimit_Action_GenericKey{DescriptorKey: "k", DescriptorValue: "v \"q\""}}},
				{ActionSpecifier: &routev3.RateLimit_Action_RequestHeaders_{RequestHeaders: &routev3.RateLimit_Action_RequestHeaders{HeaderName: "x-user", DescriptorKey: "user", SkipIfAbsent: true}}},
				{},
			}},
			{},
		}}}},
		"per-filter settings": {TypedPerFilterConfig: map[string]*anypb.Any{
			"envoy.filters.http.ext_authz": packed(&extauthzv3.ExtAuthzPerRoute{Override: &extauthzv3.ExtAuthzPerRoute_CheckSettings{CheckSettings: &extauthzv3.CheckSettings{
				ContextExtensions: map[string]string{"z": "last", "a": "first \u2028", "m": ""},
			}}}),
			"envoy.filters.http.cors": packed(&corsv3.CorsPolicy{
				AllowOriginStringMatch: []*matcherv3.StringMatcher{exact("https://a.example.com")}, AllowMethods: "GET, POST", AllowHeaders: "x-a",
				ExposeHeaders: "x-b", MaxAge: "86400", AllowCredentials: wrapperspb.Bool(false),
				FilterEnabled: &corev3.RuntimeFractionalPercent{DefaultValue: &typev3.FractionalPercent{Numerator: 100}, RuntimeKey: "routing.cors_enabled.x"},
			}),
			"envoy.filters.http.ext_authz.b": packed(&extauthzv3.ExtAuthzPerRoute{Override: &extauthzv3.ExtAuthzPerRoute_Disabled{Disabled: true}}),
			"envoy.filters.http.ext_authz.c": packed(&extauthzv3.ExtAuthzPerRoute{}),
		}},
	}
	for name, r := range routes {
		t.Run(name, func(t *testing.T) {
			want, err := marshal(r, false)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := appendPiece(r, decodedForTest)
			if !ok {
				t.Fatal("the codec refused a route it covers")
			}
			if string(got)+"\n" != string(want) {
				t.Errorf("codec:\n%s\nprotojson:\n%s", got, want)
			}
		})
	}
}

// Routes with anything the codecs do not write are refused, so that
// protojson writes them instead of the codec dropping a field.
func TestRouteCodecRefusesWhatItDoesNotCover(t *testing.T) {
	anyConfig, err := anypb.New(&routev3.FilterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]*routev3.Route{
		"a field without a writer":        {Decorator: &routev3.Decorator{Operation: "op"}},
		"an Any of a type not covered":    {TypedPerFilterConfig: map[string]*anypb.Any{"envoy.filters.http.ext_authz": anyConfig}},
		"an Any not on record":            {TypedPerFilterConfig: map[string]*anypb.Any{"envoy.filters.http.ext_authz": mustAny(t, &extauthzv3.ExtAuthzPerRoute{})}},
		"an Any with a field not covered": {TypedPerFilterConfig: map[string]*anypb.Any{"envoy.filters.http.ext_authz": packed(&extauthzv3.ExtAuthzPerRoute{Override: &extauthzv3.ExtAuthzPerRoute_CheckSettings{CheckSettings: &extauthzv3.CheckSettings{DisableRequestBodyBuffering: true}}})}},
		"a rate limit field not covered":  {Action: &routev3.Route_Route{Route: &routev3.RouteAction{RateLimits: []*routev3.RateLimit{{DisableKey: "x"}}}}},
		"a nested field":                  {Match: &routev3.RouteMatch{Grpc: &routev3.RouteMatch_GrpcRouteMatchOptions{}}},
		"a retry field not covered":       {Action: &routev3.Route_Route{Route: &routev3.RouteAction{RetryPolicy: &routev3.RetryPolicy{RetryOn: "5xx", HostSelectionRetryMaxAttempts: 2}}}},
		"an action oneof member":          {Action: &routev3.Route_DirectResponse{DirectResponse: &routev3.DirectResponseAction{Status: 200}}},
		"a path oneof member":             {Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: "/a"}}},
		"a cluster oneof member":          {Action: &routev3.Route_Route{Route: &routev3.RouteAction{ClusterSpecifier: &routev3.RouteAction_ClusterHeader{ClusterHeader: "x"}}}},
		"a deprecated header field":       {RequestHeadersToAdd: []*corev3.HeaderValueOption{{Header: &corev3.HeaderValue{Key: "k"}, Append: wrapperspb.Bool(true)}}},
		"invalid UTF-8":                   {Name: "bad \xff"},
		"a nil list element":              {Match: &routev3.RouteMatch{Headers: []*routev3.HeaderMatcher{nil}}},
		"a nil oneof message":             {Action: &routev3.Route_Route{}},
		"an out of range duration":        {Action: &routev3.Route_Route{Route: &routev3.RouteAction{Timeout: &durationpb.Duration{Seconds: 1, Nanos: -1}}}},
	}
	for name, r := range routes {
		t.Run(name, func(t *testing.T) {
			if got, ok := appendPiece(r, decodedForTest); ok {
				t.Errorf("codec wrote %s", got)
			}
		})
	}
}

// The same for clusters.
func TestClusterCodecEqualsProtojson(t *testing.T) {
	clusters := map[string]*clusterv3.Cluster{
		"dns": {
			Name: "cluster_a", AltStatName: "a",
			ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STRICT_DNS},
			ConnectTimeout:       durationpb.New(3e9),
			LbPolicy:             clusterv3.Cluster_LEAST_REQUEST,
			LoadAssignment: &endpointv3.ClusterLoadAssignment{ClusterName: "cluster_a", Endpoints: []*endpointv3.LocalityLbEndpoints{{
				LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint("a.default", 8080), {HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
					Address: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{Address: "b", Protocol: corev3.SocketAddress_UDP, PortSpecifier: &corev3.SocketAddress_NamedPort{NamedPort: "http"}}}},
				}}}},
			}}},
			Http2ProtocolOptions:      &corev3.Http2ProtocolOptions{},
			CommonHttpProtocolOptions: &corev3.HttpProtocolOptions{IdleTimeout: durationpb.New(1e9), MaxConnectionDuration: &durationpb.Duration{Nanos: 5e6}},
			DnsLookupFamily:           clusterv3.Cluster_V4_ONLY,
			RespectDnsTtl:             true,
			UpstreamConnectionOptions: &clusterv3.UpstreamConnectionOptions{TcpKeepalive: &corev3.TcpKeepalive{
				KeepaliveProbes: wrapperspb.UInt32(3), KeepaliveTime: wrapperspb.UInt32(0), KeepaliveInterval: wrapperspb.UInt32(10),
			}},
			CircuitBreakers: &clusterv3.CircuitBreakers{Thresholds: []*clusterv3.CircuitBreakers_Thresholds{
				{MaxConnections: wrapperspb.UInt32(1000), MaxPendingRequests: wrapperspb.UInt32(0)},
				{Priority: corev3.RoutingPriority_HIGH, MaxRequests: wrapperspb.UInt32(5), MaxRetries: wrapperspb.UInt32(2)},
			}},
		},
		"eds": {
			Name:                 "cluster_b",
			ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_EDS},
			EdsClusterConfig: &clusterv3.Cluster_EdsClusterConfig{
				EdsConfig:   &corev3.ConfigSource{ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}}, ResourceApiVersion: corev3.ApiVersion_V3},
				ServiceName: "k8s/default/b/80",
			},
			UpstreamConnectionOptions: &clusterv3.UpstreamConnectionOptions{},
		},
		"empty": {},
	}
	for name, c := range clusters {
		t.Run(name, func(t *testing.T) {
			want, err := marshal(c, false)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := appendPiece(c, nil)
			if !ok {
				t.Fatal("the codec refused a cluster it covers")
			}
			if string(got)+"\n" != string(want) {
				t.Errorf("codec:\n%s\nprotojson:\n%s", got, want)
			}
		})
	}
	tlsCluster := &clusterv3.Cluster{Name: "tls", TransportSocket: &corev3.TransportSocket{Name: "envoy.transport_sockets.tls"}}
	if got, ok := appendPiece(tlsCluster, nil); ok {
		t.Errorf("codec wrote a transport socket it does not cover: %s", got)
	}
}

// decodedForTest records what packed packs, as the translator records
// its Anys.
var decodedForTest = map[*anypb.Any]proto.Message{}

func packed(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		panic(err)
	}
	decodedForTest[a] = m
	return a
}

// Every field of the messages the codecs write, set alone on a route or
// a cluster the codecs cover: the codec writes exactly what protojson
// writes, or refuses. No field can be dropped silently, whatever its
// type or where it lies in the generated struct.
func TestCodecsNeverDropAField(t *testing.T) {
	type target struct {
		name  string
		base  func() proto.Message              // what the codec covers
		field func(proto.Message) proto.Message // the message whose fields are set
		write func(proto.Message) ([]byte, bool)
	}
	route := func() proto.Message {
		return &routev3.Route{
			Match:  &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}, Headers: []*routev3.HeaderMatcher{{Name: "h"}}},
			Action: &routev3.Route_Route{Route: &routev3.RouteAction{ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: "c"}, RetryPolicy: &routev3.RetryPolicy{}}},
		}
	}
	writeRoute := func(m proto.Message) ([]byte, bool) { return appendPiece(m.(*routev3.Route), decodedForTest) }
	cluster := func() proto.Message { return &clusterv3.Cluster{Name: "c"} }
	writeCluster := func(m proto.Message) ([]byte, bool) { return appendPiece(m.(*clusterv3.Cluster), nil) }
	tlsContext := func(fc *listenerv3.FilterChain) *tlsv3.DownstreamTlsContext {
		return decodedForTest[fc.TransportSocket.GetTypedConfig()].(*tlsv3.DownstreamTlsContext)
	}
	chain := func() proto.Message {
		return &listenerv3.FilterChain{
			Name:             "chain",
			FilterChainMatch: &listenerv3.FilterChainMatch{ServerNames: []string{"a.example.com"}},
			Filters:          []*listenerv3.Filter{{Name: "stand-in"}},
			TransportSocket: &corev3.TransportSocket{Name: "envoy.transport_sockets.tls", ConfigType: &corev3.TransportSocket_TypedConfig{
				TypedConfig: packed(&tlsv3.DownstreamTlsContext{CommonTlsContext: &tlsv3.CommonTlsContext{
					TlsParams:       &tlsv3.TlsParameters{},
					TlsCertificates: []*tlsv3.TlsCertificate{{CertificateChain: &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: "c.crt"}}}},
				}}),
			}},
		}
	}
	// A TLS context is written from the message it was packed from, and
	// protojson from the packed bytes: packed again after each change.
	writeChain := func(m proto.Message) ([]byte, bool) {
		fc := m.(*listenerv3.FilterChain)
		if tls, ok := decodedForTest[fc.GetTransportSocket().GetTypedConfig()].(*tlsv3.DownstreamTlsContext); ok {
			fc.TransportSocket.ConfigType = &corev3.TransportSocket_TypedConfig{TypedConfig: packed(tls)}
		}
		return appendPiece(fc, decodedForTest)
	}
	listener := func() proto.Message {
		return &listenerv3.Listener{
			Name:            "l",
			Address:         &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{Address: "0.0.0.0", PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: 8080}}}},
			FilterChains:    []*listenerv3.FilterChain{{Name: "stand-in"}},
			ListenerFilters: []*listenerv3.ListenerFilter{{Name: "tls", ConfigType: &listenerv3.ListenerFilter_TypedConfig{TypedConfig: packed(&tlsinspectorv3.TlsInspector{})}}},
		}
	}
	writeListener := func(m proto.Message) ([]byte, bool) {
		return appendPiece(m.(*listenerv3.Listener), decodedForTest)
	}
	connectionManager := func() proto.Message {
		return &hcmv3.HttpConnectionManager{
			StatPrefix: "ingress_http",
			RouteSpecifier: &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: &routev3.RouteConfiguration{
				VirtualHosts: []*routev3.VirtualHost{{Name: "vh", Domains: []string{"*"}, Routes: []*routev3.Route{{Name: "stand-in"}}}},
			}},
			HttpFilters:         []*hcmv3.HttpFilter{{Name: "stand-in"}},
			AccessLog:           []*accesslogv3.AccessLog{{Name: "stand-in"}},
			HttpProtocolOptions: &corev3.Http1ProtocolOptions{},
			UseRemoteAddress:    wrapperspb.Bool(true),
		}
	}
	writeHCM := func(m proto.Message) ([]byte, bool) { return appendPiece(m.(*hcmv3.HttpConnectionManager), nil) }
	hcmPart := func(get func(*hcmv3.HttpConnectionManager) proto.Message) func(proto.Message) proto.Message {
		return func(m proto.Message) proto.Message { return get(m.(*hcmv3.HttpConnectionManager)) }
	}
	targets := []target{
		{"HttpConnectionManager", connectionManager, hcmPart(func(m *hcmv3.HttpConnectionManager) proto.Message { return m }), writeHCM},
		{"RouteConfiguration", connectionManager, hcmPart(func(m *hcmv3.HttpConnectionManager) proto.Message { return m.GetRouteConfig() }), writeHCM},
		{"VirtualHost", connectionManager, hcmPart(func(m *hcmv3.HttpConnectionManager) proto.Message { return m.GetRouteConfig().VirtualHosts[0] }), writeHCM},
		{"HttpFilter", connectionManager, hcmPart(func(m *hcmv3.HttpConnectionManager) proto.Message { return m.HttpFilters[0] }), writeHCM},
		{"AccessLog", connectionManager, hcmPart(func(m *hcmv3.HttpConnectionManager) proto.Message { return m.AccessLog[0] }), writeHCM},
		{"Http1ProtocolOptions", connectionManager, hcmPart(func(m *hcmv3.HttpConnectionManager) proto.Message { return m.HttpProtocolOptions }), writeHCM},
		{"Listener", listener, func(m proto.Message) proto.Message { return m }, writeListener},
		{"FilterChain", chain, func(m proto.Message) proto.Message { return m }, writeChain},
		{"FilterChainMatch", chain, func(m proto.Message) proto.Message { return m.(*listenerv3.FilterChain).FilterChainMatch }, writeChain},
		{"Filter", chain, func(m proto.Message) proto.Message { return m.(*listenerv3.FilterChain).Filters[0] }, writeChain},
		{"TransportSocket", chain, func(m proto.Message) proto.Message { return m.(*listenerv3.FilterChain).TransportSocket }, writeChain},
		{"DownstreamTlsContext", chain, func(m proto.Message) proto.Message { return tlsContext(m.(*listenerv3.FilterChain)) }, writeChain},
		{"CommonTlsContext", chain, func(m proto.Message) proto.Message { return tlsContext(m.(*listenerv3.FilterChain)).CommonTlsContext }, writeChain},
		{"TlsParameters", chain, func(m proto.Message) proto.Message {
			return tlsContext(m.(*listenerv3.FilterChain)).CommonTlsContext.TlsParams
		}, writeChain},
		{"TlsCertificate", chain, func(m proto.Message) proto.Message {
			return tlsContext(m.(*listenerv3.FilterChain)).CommonTlsContext.TlsCertificates[0]
		}, writeChain},
		{"Route", route, func(m proto.Message) proto.Message { return m }, writeRoute},
		{"RouteMatch", route, func(m proto.Message) proto.Message { return m.(*routev3.Route).Match }, writeRoute},
		{"RouteAction", route, func(m proto.Message) proto.Message { return m.(*routev3.Route).GetRoute() }, writeRoute},
		{"HeaderMatcher", route, func(m proto.Message) proto.Message { return m.(*routev3.Route).Match.Headers[0] }, writeRoute},
		{"RetryPolicy", route, func(m proto.Message) proto.Message { return m.(*routev3.Route).GetRoute().RetryPolicy }, writeRoute},
		{"Cluster", cluster, func(m proto.Message) proto.Message { return m }, writeCluster},
	}
	checked := 0
	for _, tg := range targets {
		fields := tg.field(tg.base()).ProtoReflect().Descriptor().Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			t.Run(tg.name+"."+string(fd.Name()), func(t *testing.T) {
				m := tg.base()
				prototest.SetSomething(tg.field(m).ProtoReflect(), fd)
				got, ok := tg.write(m)
				if !ok {
					return // refused: protojson writes it
				}
				want, err := marshal(m, false)
				if err != nil {
					return // protojson refuses it too (an invalid value)
				}
				if string(got)+"\n" != string(want) {
					t.Errorf("codec:\n%s\nprotojson:\n%s", got, want)
				}
			})
			checked++
		}
	}
	if checked < 100 {
		t.Errorf("only %d fields checked", checked)
	}
}

// TestStringsEscapeAsProtojson holds str to protojson's escaping: every
// byte value, at every position of strings of several lengths.
func TestStringsEscapeAsProtojson(t *testing.T) {
	var cases []string
	for b := range 256 {
		for _, n := range []int{1, 7, 8, 9, 16, 23} {
			for pos := range n {
				s := []byte("abcdefghijklmnopqrstuvw"[:n])
				s[pos] = byte(b)
				cases = append(cases, string(s))
			}
		}
	}
	cases = append(cases, "", "/café/", "cluster_quote_default", "日本語のパス/with/\"quotes\"", "tab\there", "\u2028\u2029<>&")
	for _, s := range cases {
		w := &jsonWriter{}
		ok := w.str(s)
		want, err := protojson.Marshal(wrapperspb.String(s))
		if err != nil {
			if ok {
				t.Errorf("str(%q) wrote %s; protojson refuses it: %v", s, w.buf, err)
			}
			continue
		}
		if !ok || string(w.buf) != string(want) {
			t.Errorf("str(%q) = %s (ok %v); protojson writes %s", s, w.buf, ok, want)
		}
	}
}

// appendPiece is what appendJSON writes for m on its own.
func appendPiece(m proto.Message, decoded map[*anypb.Any]proto.Message) ([]byte, bool) {
	w := &jsonWriter{}
	if !appendJSON(w, m, decoded) {
		return nil, false
	}
	return w.buf, true
}
