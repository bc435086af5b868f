package envoy

import (
	"google.golang.org/protobuf/types/known/durationpb"
	"strings"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/emissary-go/emissary/internal/diag/ir"
)

// cluster builds one upstream cluster.
// clusterParts are the messages every cluster has, and those of its
// first endpoint, made in one allocation: a large configuration has
// thousands of clusters. (Messages are never copied once built, only
// pointed to.)
type clusterParts struct {
	cluster       clusterv3.Cluster
	connect       durationpb.Duration
	discovery     clusterv3.Cluster_Type
	assignment    endpointv3.ClusterLoadAssignment
	locality      endpointv3.LocalityLbEndpoints
	localities    [1]*endpointv3.LocalityLbEndpoints
	endpoints     [1]*endpointv3.LbEndpoint
	lbEndpoint    endpointv3.LbEndpoint
	endpointOf    endpointv3.LbEndpoint_Endpoint
	endpoint      endpointv3.Endpoint
	address       corev3.Address
	socketOf      corev3.Address_SocketAddress
	socketAddress corev3.SocketAddress
	port          corev3.SocketAddress_PortValue
}

func (t *translator) cluster(c *ir.Cluster) *clusterv3.Cluster {
	parts := &clusterParts{}
	out := &parts.cluster
	out.Name = c.EnvoyName
	out.AltStatName = c.StatName
	setMillis(&parts.connect, c.ConnectTimeoutMs)
	out.ConnectTimeout = &parts.connect
	out.LbPolicy = lbPolicy(c.LoadBalancer)
	out.DnsLookupFamily = clusterv3.Cluster_DnsLookupFamily(clusterv3.Cluster_DnsLookupFamily_value[c.DNSLookupFamily])
	out.ClusterDiscoveryType = &parts.discovery
	if c.Type == "EDS" {
		parts.discovery.Type = clusterv3.Cluster_EDS
		out.EdsClusterConfig = &clusterv3.Cluster_EdsClusterConfig{
			EdsConfig: &corev3.ConfigSource{
				ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
				ResourceApiVersion:    corev3.ApiVersion_V3,
			},
			ServiceName: c.EDSName,
		}
	} else {
		parts.discovery.Type = clusterv3.Cluster_DiscoveryType(clusterv3.Cluster_DiscoveryType_value[c.Type])
		out.RespectDnsTtl = c.RespectDNSTTL
		parts.socketAddress.Address = c.Host
		parts.port.PortValue = uint32(c.Port)
		parts.socketAddress.PortSpecifier = &parts.port
		parts.socketOf.SocketAddress = &parts.socketAddress
		parts.address.Address = &parts.socketOf
		parts.endpoint.Address = &parts.address
		parts.endpointOf.Endpoint = &parts.endpoint
		parts.lbEndpoint.HostIdentifier = &parts.endpointOf
		parts.endpoints[0] = &parts.lbEndpoint
		endpoints := parts.endpoints[:]
		for _, e := range c.MoreEndpoints {
			endpoints = append(endpoints, lbEndpoint(e.Host, e.Port))
		}
		parts.locality.LbEndpoints = endpoints
		parts.localities[0] = &parts.locality
		parts.assignment.ClusterName = c.EnvoyName
		parts.assignment.Endpoints = parts.localities[:]
		out.LoadAssignment = &parts.assignment
	}
	if c.HTTP2 {
		out.Http2ProtocolOptions = &corev3.Http2ProtocolOptions{}
	} else if t.ir.Settings.PreserveHeaderCase {
		// The upstream side of header_case_overrides, as in Emissary.
		out.HttpProtocolOptions = &corev3.Http1ProtocolOptions{HeaderKeyFormat: t.preserveCase()}
	}
	for i, h := range c.HealthChecks {
		hc := healthCheck(h)
		if err := refused(hc); err != nil {
			for _, user := range c.Users {
				t.leaveOut(user, "Envoy would refuse health_checks[%d], so it is left out: %v", i, err)
			}
			continue
		}
		out.HealthChecks = append(out.HealthChecks, hc)
	}
	if c.IdleTimeoutMs > 0 || c.MaxLifetimeMs > 0 {
		opts := &corev3.HttpProtocolOptions{}
		if c.IdleTimeoutMs > 0 {
			opts.IdleTimeout = millis(c.IdleTimeoutMs)
		}
		if c.MaxLifetimeMs > 0 {
			opts.MaxConnectionDuration = millis(c.MaxLifetimeMs)
		}
		out.CommonHttpProtocolOptions = opts
	}
	if k := c.KeepAlive; k != nil {
		ka := &corev3.TcpKeepalive{}
		if k.Probes != nil {
			ka.KeepaliveProbes = wrapperspb.UInt32(uint32(*k.Probes))
		}
		if k.IdleTime != nil {
			ka.KeepaliveTime = wrapperspb.UInt32(uint32(*k.IdleTime))
		}
		if k.Interval != nil {
			ka.KeepaliveInterval = wrapperspb.UInt32(uint32(*k.Interval))
		}
		out.UpstreamConnectionOptions = &clusterv3.UpstreamConnectionOptions{TcpKeepalive: ka}
	}
	if len(c.CircuitBreakers) > 0 {
		out.CircuitBreakers = &clusterv3.CircuitBreakers{}
		u32 := func(v *int) *wrapperspb.UInt32Value {
			if v == nil {
				return nil
			}
			return wrapperspb.UInt32(uint32(*v))
		}
		for _, cb := range c.CircuitBreakers {
			out.CircuitBreakers.Thresholds = append(out.CircuitBreakers.Thresholds, &clusterv3.CircuitBreakers_Thresholds{
				Priority:           corev3.RoutingPriority(corev3.RoutingPriority_value[cb.Priority]),
				MaxConnections:     u32(cb.MaxConnections),
				MaxPendingRequests: u32(cb.MaxPendingRequests),
				MaxRequests:        u32(cb.MaxRequests),
				MaxRetries:         u32(cb.MaxRetries),
			})
		}
	}
	if c.OriginateTLS {
		upstream := &tlsv3.UpstreamTlsContext{CommonTlsContext: &tlsv3.CommonTlsContext{}}
		if c.TLS != nil {
			upstream.CommonTlsContext = t.commonTLS(c.TLS)
			upstream.Sni = c.TLS.SNI
		}
		out.TransportSocket = &corev3.TransportSocket{
			Name:       "envoy.transport_sockets.tls",
			ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: t.any(upstream)},
		}
	}
	return out
}

// lbPolicy is the cluster's load balancing policy (round robin by
// default).
func lbPolicy(lb *ir.LoadBalancer) clusterv3.Cluster_LbPolicy {
	if lb == nil {
		return clusterv3.Cluster_ROUND_ROBIN
	}
	return clusterv3.Cluster_LbPolicy(clusterv3.Cluster_LbPolicy_value[strings.ToUpper(lb.Policy)])
}

func healthCheck(h ir.HealthCheck) *corev3.HealthCheck {
	out := &corev3.HealthCheck{
		Timeout:            millis(h.TimeoutMs),
		Interval:           millis(h.IntervalMs),
		HealthyThreshold:   wrapperspb.UInt32(uint32(h.HealthyThreshold)),
		UnhealthyThreshold: wrapperspb.UInt32(uint32(h.UnhealthyThreshold)),
	}
	if g := h.GRPC; g != nil {
		out.HealthChecker = &corev3.HealthCheck_GrpcHealthCheck_{GrpcHealthCheck: &corev3.HealthCheck_GrpcHealthCheck{ServiceName: g.ServiceName, Authority: g.Authority}}
		return out
	}
	p := h.HTTP
	check := &corev3.HealthCheck_HttpHealthCheck{
		Path:                   p.Path,
		Host:                   p.Host,
		RequestHeadersToAdd:    headersToAdd(p.AddRequestHeaders),
		RequestHeadersToRemove: p.RemoveRequestHeaders,
	}
	for _, r := range p.ExpectedStatuses {
		check.ExpectedStatuses = append(check.ExpectedStatuses, &typev3.Int64Range{Start: int64(r[0]), End: int64(r[1])})
	}
	out.HealthChecker = &corev3.HealthCheck_HttpHealthCheck_{HttpHealthCheck: check}
	return out
}
