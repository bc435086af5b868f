package envoy

import (
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
)

// The codecs cover the fields the translator sets on clusters.
var (
	clusterCodec = newCodec(map[string]fieldWriter[*clusterv3.Cluster]{
		"name":          strField("name", (*clusterv3.Cluster).GetName),
		"alt_stat_name": strField("alt_stat_name", (*clusterv3.Cluster).GetAltStatName),
		"cluster_discovery_type": func(w *jsonWriter, c *clusterv3.Cluster) bool {
			switch d := c.ClusterDiscoveryType.(type) {
			case nil:
				return true
			case *clusterv3.Cluster_Type:
				w.key("type")
				return w.enum(d.Type)
			default:
				return false
			}
		},
		"eds_cluster_config":           messageField("eds_cluster_config", &edsConfigCodec, (*clusterv3.Cluster).GetEdsClusterConfig),
		"connect_timeout":              durationField("connect_timeout", (*clusterv3.Cluster).GetConnectTimeout),
		"lb_policy":                    enumField("lb_policy", (*clusterv3.Cluster).GetLbPolicy),
		"load_assignment":              messageField("load_assignment", &loadAssignmentCodec, (*clusterv3.Cluster).GetLoadAssignment),
		"http2_protocol_options":       messageField("http2_protocol_options", &http2OptionsCodec, (*clusterv3.Cluster).GetHttp2ProtocolOptions),
		"common_http_protocol_options": messageField("common_http_protocol_options", &httpOptionsCodec, (*clusterv3.Cluster).GetCommonHttpProtocolOptions),
		"dns_lookup_family":            enumField("dns_lookup_family", (*clusterv3.Cluster).GetDnsLookupFamily),
		"respect_dns_ttl":              boolField("respect_dns_ttl", (*clusterv3.Cluster).GetRespectDnsTtl),
		"upstream_connection_options":  messageField("upstream_connection_options", &connectionOptionsCodec, (*clusterv3.Cluster).GetUpstreamConnectionOptions),
		"circuit_breakers":             messageField("circuit_breakers", &circuitBreakersCodec, (*clusterv3.Cluster).GetCircuitBreakers),
	})

	circuitBreakersCodec = newCodec(map[string]fieldWriter[*clusterv3.CircuitBreakers]{
		"thresholds": listField("thresholds", &thresholdsCodec, (*clusterv3.CircuitBreakers).GetThresholds),
	})

	thresholdsCodec = newCodec(map[string]fieldWriter[*clusterv3.CircuitBreakers_Thresholds]{
		"priority":             enumField("priority", (*clusterv3.CircuitBreakers_Thresholds).GetPriority),
		"max_connections":      uint32ValueField("max_connections", (*clusterv3.CircuitBreakers_Thresholds).GetMaxConnections),
		"max_pending_requests": uint32ValueField("max_pending_requests", (*clusterv3.CircuitBreakers_Thresholds).GetMaxPendingRequests),
		"max_requests":         uint32ValueField("max_requests", (*clusterv3.CircuitBreakers_Thresholds).GetMaxRequests),
		"max_retries":          uint32ValueField("max_retries", (*clusterv3.CircuitBreakers_Thresholds).GetMaxRetries),
	})

	edsConfigCodec = newCodec(map[string]fieldWriter[*clusterv3.Cluster_EdsClusterConfig]{
		"eds_config":   messageField("eds_config", &configSourceCodec, (*clusterv3.Cluster_EdsClusterConfig).GetEdsConfig),
		"service_name": strField("service_name", (*clusterv3.Cluster_EdsClusterConfig).GetServiceName),
	})

	configSourceCodec = newCodec(map[string]fieldWriter[*corev3.ConfigSource]{
		"config_source_specifier": func(w *jsonWriter, c *corev3.ConfigSource) bool {
			switch s := c.ConfigSourceSpecifier.(type) {
			case nil:
				return true
			case *corev3.ConfigSource_Ads:
				return writeMessage(w, "ads", adsCodec, s.Ads)
			default:
				return false
			}
		},
		"resource_api_version": enumField("resource_api_version", (*corev3.ConfigSource).GetResourceApiVersion),
	})

	adsCodec = newCodec(map[string]fieldWriter[*corev3.AggregatedConfigSource]{})

	loadAssignmentCodec = newCodec(map[string]fieldWriter[*endpointv3.ClusterLoadAssignment]{
		"cluster_name": strField("cluster_name", (*endpointv3.ClusterLoadAssignment).GetClusterName),
		"endpoints":    listField("endpoints", &localityEndpointsCodec, (*endpointv3.ClusterLoadAssignment).GetEndpoints),
	})

	localityEndpointsCodec = newCodec(map[string]fieldWriter[*endpointv3.LocalityLbEndpoints]{
		"lb_endpoints": listField("lb_endpoints", &lbEndpointCodec, (*endpointv3.LocalityLbEndpoints).GetLbEndpoints),
	})

	lbEndpointCodec = newCodec(map[string]fieldWriter[*endpointv3.LbEndpoint]{
		"host_identifier": func(w *jsonWriter, e *endpointv3.LbEndpoint) bool {
			switch h := e.HostIdentifier.(type) {
			case nil:
				return true
			case *endpointv3.LbEndpoint_Endpoint:
				return writeMessage(w, "endpoint", endpointCodec, h.Endpoint)
			default:
				return false
			}
		},
	})

	endpointCodec = newCodec(map[string]fieldWriter[*endpointv3.Endpoint]{
		"address": messageField("address", &addressCodec, (*endpointv3.Endpoint).GetAddress),
	})

	addressCodec = newCodec(map[string]fieldWriter[*corev3.Address]{
		"address": func(w *jsonWriter, a *corev3.Address) bool {
			switch s := a.Address.(type) {
			case nil:
				return true
			case *corev3.Address_SocketAddress:
				return writeMessage(w, "socket_address", socketAddressCodec, s.SocketAddress)
			default:
				return false
			}
		},
	})

	socketAddressCodec = newCodec(map[string]fieldWriter[*corev3.SocketAddress]{
		"protocol": enumField("protocol", (*corev3.SocketAddress).GetProtocol),
		"address":  strField("address", (*corev3.SocketAddress).GetAddress),
		"port_specifier": func(w *jsonWriter, a *corev3.SocketAddress) bool {
			switch p := a.PortSpecifier.(type) {
			case nil:
				return true
			case *corev3.SocketAddress_PortValue:
				w.key("port_value")
				w.uint(uint64(p.PortValue))
				return true
			case *corev3.SocketAddress_NamedPort:
				w.key("named_port")
				return w.str(p.NamedPort)
			default:
				return false
			}
		},
	})

	http2OptionsCodec = newCodec(map[string]fieldWriter[*corev3.Http2ProtocolOptions]{})

	httpOptionsCodec = newCodec(map[string]fieldWriter[*corev3.HttpProtocolOptions]{
		"idle_timeout":            durationField("idle_timeout", (*corev3.HttpProtocolOptions).GetIdleTimeout),
		"max_connection_duration": durationField("max_connection_duration", (*corev3.HttpProtocolOptions).GetMaxConnectionDuration),
	})

	connectionOptionsCodec = newCodec(map[string]fieldWriter[*clusterv3.UpstreamConnectionOptions]{
		"tcp_keepalive": messageField("tcp_keepalive", &keepaliveCodec, (*clusterv3.UpstreamConnectionOptions).GetTcpKeepalive),
	})

	keepaliveCodec = newCodec(map[string]fieldWriter[*corev3.TcpKeepalive]{
		"keepalive_probes":   uint32ValueField("keepalive_probes", (*corev3.TcpKeepalive).GetKeepaliveProbes),
		"keepalive_time":     uint32ValueField("keepalive_time", (*corev3.TcpKeepalive).GetKeepaliveTime),
		"keepalive_interval": uint32ValueField("keepalive_interval", (*corev3.TcpKeepalive).GetKeepaliveInterval),
	})
)
