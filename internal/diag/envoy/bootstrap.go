package envoy

import (
	"time"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	metricsv3 "github.com/envoyproxy/go-control-plane/envoy/config/metrics/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
)

// The addresses Emissary's processes use on loopback.
const (
	adminAddress = "127.0.0.1"
	adminPort    = 8001
	adsAddress   = "127.0.0.1"
	adsPort      = 8003
	// xdsCluster is the static cluster Envoy reaches ambex through.
	xdsCluster = "xds_cluster"
	// nodeID is the node id Envoy reports; ambex serves it.
	nodeID = "test-id"
)

// bootstrap is bootstrap-ads.json: Envoy's admin interface, and ADS from
// ambex for listeners and clusters (routes and endpoints follow over the
// same stream).
func bootstrap(nodeCluster string, statsd *Statsd) *bootstrapv3.Bootstrap {
	ads := &corev3.ConfigSource{
		ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
		ResourceApiVersion:    corev3.ApiVersion_V3,
	}
	out := &bootstrapv3.Bootstrap{
		Node: &corev3.Node{Id: nodeID, Cluster: nodeCluster},
		StaticResources: &bootstrapv3.Bootstrap_StaticResources{Clusters: []*clusterv3.Cluster{{
			Name:                 xdsCluster,
			ConnectTimeout:       durationpb.New(1e9),
			DnsLookupFamily:      clusterv3.Cluster_V4_ONLY,
			LbPolicy:             clusterv3.Cluster_ROUND_ROBIN,
			Http2ProtocolOptions: &corev3.Http2ProtocolOptions{},
			LoadAssignment: &endpointv3.ClusterLoadAssignment{
				ClusterName: "cluster_127_0_0_1_8003",
				Endpoints:   []*endpointv3.LocalityLbEndpoints{{LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint(adsAddress, adsPort)}}},
			},
		}}},
		DynamicResources: &bootstrapv3.Bootstrap_DynamicResources{
			AdsConfig: &corev3.ApiConfigSource{
				ApiType:             corev3.ApiConfigSource_GRPC,
				TransportApiVersion: corev3.ApiVersion_V3,
				GrpcServices: []*corev3.GrpcService{{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{
					EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: xdsCluster},
				}}},
			},
			CdsConfig: ads,
			LdsConfig: ads,
		},
		Admin: &bootstrapv3.Admin{
			Address: socketAddress(adminAddress, adminPort),
		},
		LayeredRuntime: layeredRuntime(),
		StatsSinks:     []*metricsv3.StatsSink{},
	}
	if s := statsd; s != nil {
		// Stats sinks exist only in the bootstrap: Envoy takes a change
		// when it restarts, as with Emissary.
		addr := socketAddress(s.IP, s.Port)
		addr.GetSocketAddress().Protocol = corev3.SocketAddress_UDP
		if s.DogStatsD {
			out.StatsSinks = append(out.StatsSinks, &metricsv3.StatsSink{Name: "envoy.stat_sinks.dog_statsd", ConfigType: &metricsv3.StatsSink_TypedConfig{
				TypedConfig: packNested(&metricsv3.DogStatsdSink{DogStatsdSpecifier: &metricsv3.DogStatsdSink_Address{Address: addr}}),
			}})
			if s.EntityID != "" {
				out.StatsConfig = &metricsv3.StatsConfig{StatsTags: []*metricsv3.TagSpecifier{{
					TagName: "dd.internal.entity_id", TagValue: &metricsv3.TagSpecifier_FixedValue{FixedValue: s.EntityID},
				}}}
			}
		} else {
			out.StatsSinks = append(out.StatsSinks, &metricsv3.StatsSink{Name: "envoy.stats_sinks.statsd", ConfigType: &metricsv3.StatsSink_TypedConfig{
				TypedConfig: packNested(&metricsv3.StatsdSink{StatsdSpecifier: &metricsv3.StatsdSink_Address{Address: addr}}),
			}})
		}
		out.StatsFlushInterval = durationpb.New(time.Duration(s.FlushIntervalSec) * time.Second)
	}
	return out
}

// regexErrorLevel is the largest RE2 program Envoy accepts for a regex
// that sets no max_program_size of its own.
const regexErrorLevel = 200

// layeredRuntime keeps lookups of extensions by name working (Emissary's
// configurations rely on it) and caps regex program size errors.
func layeredRuntime() *bootstrapv3.LayeredRuntime {
	layer, _ := structpb.NewStruct(map[string]any{
		"envoy.reloadable_features.no_extension_lookup_by_name": false,
		"re2.max_program_size.error_level":                      regexErrorLevel,
	})
	return &bootstrapv3.LayeredRuntime{Layers: []*bootstrapv3.RuntimeLayer{{
		Name:           "static_layer",
		LayerSpecifier: &bootstrapv3.RuntimeLayer_StaticLayer{StaticLayer: layer},
	}}}
}

func socketAddress(addr string, port int) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address:       addr,
		PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: uint32(port)},
		Protocol:      corev3.SocketAddress_TCP,
	}}}
}

func lbEndpoint(addr string, port int) *endpointv3.LbEndpoint {
	return &endpointv3.LbEndpoint{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
		Address: socketAddress(addr, port),
	}}}
}
