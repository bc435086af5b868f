package envoy

import (
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/config/accesslog/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tlsinspectorv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// Listeners and filter chains are few, but protojson writes each TLS
// filter chain by decoding its packed TLS context again: a fixed cost of
// every translation, most of it for a small configuration. The codecs
// below cover what the translator sets on them; anything else is
// refused, and protojson writes that piece.

// typedConfigField writes a config_type oneof of which the codecs cover
// only typed_config: oneof is the oneof field, typed its typed_config
// (nil when another member, or a nil Any, is set: refused).
func typedConfigField[M any](oneof func(M) any, typed func(M) *anypb.Any) fieldWriter[M] {
	return func(w *jsonWriter, m M) bool {
		if oneof(m) == nil {
			return true
		}
		a := typed(m)
		if a == nil {
			return false
		}
		w.key("typed_config")
		return w.writeAny(a)
	}
}

var (
	listenerCodec = newCodec(map[string]fieldWriter[*listenerv3.Listener]{
		"name":             strField("name", (*listenerv3.Listener).GetName),
		"address":          messageField("address", &addressCodec, (*listenerv3.Listener).GetAddress),
		"filter_chains":    listField("filter_chains", &filterChainCodec, (*listenerv3.Listener).GetFilterChains),
		"listener_filters": listField("listener_filters", &listenerFilterCodec, (*listenerv3.Listener).GetListenerFilters),
	})

	listenerFilterCodec = newCodec(map[string]fieldWriter[*listenerv3.ListenerFilter]{
		"name":        strField("name", (*listenerv3.ListenerFilter).GetName),
		"config_type": typedConfigField(func(f *listenerv3.ListenerFilter) any { return f.ConfigType }, (*listenerv3.ListenerFilter).GetTypedConfig),
	})

	filterChainCodec = newCodec(map[string]fieldWriter[*listenerv3.FilterChain]{
		"filter_chain_match": messageField("filter_chain_match", &filterChainMatchCodec, (*listenerv3.FilterChain).GetFilterChainMatch),
		"filters":            listField("filters", &networkFilterCodec, (*listenerv3.FilterChain).GetFilters),
		"transport_socket":   messageField("transport_socket", &transportSocketCodec, (*listenerv3.FilterChain).GetTransportSocket),
		"name":               strField("name", (*listenerv3.FilterChain).GetName),
	})

	filterChainMatchCodec = newCodec(map[string]fieldWriter[*listenerv3.FilterChainMatch]{
		"server_names":       stringsField("server_names", (*listenerv3.FilterChainMatch).GetServerNames),
		"transport_protocol": strField("transport_protocol", (*listenerv3.FilterChainMatch).GetTransportProtocol),
	})

	// Only a filter's name: the connection managers the template cuts
	// out are stand-ins here, and other filters are refused.
	networkFilterCodec = newCodec(map[string]fieldWriter[*listenerv3.Filter]{
		"name": strField("name", (*listenerv3.Filter).GetName),
	})

	transportSocketCodec = newCodec(map[string]fieldWriter[*corev3.TransportSocket]{
		"name":        strField("name", (*corev3.TransportSocket).GetName),
		"config_type": typedConfigField(func(s *corev3.TransportSocket) any { return s.ConfigType }, (*corev3.TransportSocket).GetTypedConfig),
	})

	downstreamTLSCodec = newCodec(map[string]fieldWriter[*tlsv3.DownstreamTlsContext]{
		"common_tls_context":         messageField("common_tls_context", &commonTLSCodec, (*tlsv3.DownstreamTlsContext).GetCommonTlsContext),
		"require_client_certificate": boolValueField("require_client_certificate", (*tlsv3.DownstreamTlsContext).GetRequireClientCertificate),
	})

	commonTLSCodec = newCodec(map[string]fieldWriter[*tlsv3.CommonTlsContext]{
		"tls_params":       messageField("tls_params", &tlsParamsCodec, (*tlsv3.CommonTlsContext).GetTlsParams),
		"tls_certificates": listField("tls_certificates", &tlsCertificateCodec, (*tlsv3.CommonTlsContext).GetTlsCertificates),
		"alpn_protocols":   stringsField("alpn_protocols", (*tlsv3.CommonTlsContext).GetAlpnProtocols),
	})

	tlsParamsCodec = newCodec(map[string]fieldWriter[*tlsv3.TlsParameters]{
		"tls_minimum_protocol_version": enumField("tls_minimum_protocol_version", (*tlsv3.TlsParameters).GetTlsMinimumProtocolVersion),
		"tls_maximum_protocol_version": enumField("tls_maximum_protocol_version", (*tlsv3.TlsParameters).GetTlsMaximumProtocolVersion),
		"cipher_suites":                stringsField("cipher_suites", (*tlsv3.TlsParameters).GetCipherSuites),
		"ecdh_curves":                  stringsField("ecdh_curves", (*tlsv3.TlsParameters).GetEcdhCurves),
	})

	tlsCertificateCodec = newCodec(map[string]fieldWriter[*tlsv3.TlsCertificate]{
		"certificate_chain": messageField("certificate_chain", &fileSourceCodec, (*tlsv3.TlsCertificate).GetCertificateChain),
		"private_key":       messageField("private_key", &fileSourceCodec, (*tlsv3.TlsCertificate).GetPrivateKey),
	})

	// fileSourceCodec writes a data source that names a file.
	fileSourceCodec = newCodec(map[string]fieldWriter[*corev3.DataSource]{
		"specifier": func(w *jsonWriter, d *corev3.DataSource) bool {
			switch s := d.Specifier.(type) {
			case nil:
				return true
			case *corev3.DataSource_Filename:
				w.key("filename")
				return w.str(s.Filename)
			default:
				return false
			}
		},
	})

	tlsInspectorCodec = newCodec(map[string]fieldWriter[*tlsinspectorv3.TlsInspector]{})
)

var (
	hcmCodec = newCodec(map[string]fieldWriter[*hcmv3.HttpConnectionManager]{
		"stat_prefix": strField("stat_prefix", (*hcmv3.HttpConnectionManager).GetStatPrefix),
		"route_specifier": func(w *jsonWriter, m *hcmv3.HttpConnectionManager) bool {
			switch r := m.RouteSpecifier.(type) {
			case nil:
				return true
			case *hcmv3.HttpConnectionManager_RouteConfig:
				return writeMessage(w, "route_config", routeConfigCodec, r.RouteConfig)
			default:
				return false
			}
		},
		"http_filters":                 listField("http_filters", &httpFilterStandInCodec, (*hcmv3.HttpConnectionManager).GetHttpFilters),
		"http_protocol_options":        messageField("http_protocol_options", &http1OptionsCodec, (*hcmv3.HttpConnectionManager).GetHttpProtocolOptions),
		"common_http_protocol_options": messageField("common_http_protocol_options", &httpOptionsCodec, (*hcmv3.HttpConnectionManager).GetCommonHttpProtocolOptions),
		"server_name":                  strField("server_name", (*hcmv3.HttpConnectionManager).GetServerName),
		"access_log":                   listField("access_log", &accessLogStandInCodec, (*hcmv3.HttpConnectionManager).GetAccessLog),
		"use_remote_address":           boolValueField("use_remote_address", (*hcmv3.HttpConnectionManager).GetUseRemoteAddress),
		"xff_num_trusted_hops":         uintField("xff_num_trusted_hops", (*hcmv3.HttpConnectionManager).GetXffNumTrustedHops),
		"normalize_path":               boolValueField("normalize_path", (*hcmv3.HttpConnectionManager).GetNormalizePath),
		"merge_slashes":                boolField("merge_slashes", (*hcmv3.HttpConnectionManager).GetMergeSlashes),
		"preserve_external_request_id": boolField("preserve_external_request_id", (*hcmv3.HttpConnectionManager).GetPreserveExternalRequestId),
		"strip_matching_host_port":     boolField("strip_matching_host_port", (*hcmv3.HttpConnectionManager).GetStripMatchingHostPort),
	})

	routeConfigCodec = newCodec(map[string]fieldWriter[*routev3.RouteConfiguration]{
		"name":          strField("name", (*routev3.RouteConfiguration).GetName),
		"virtual_hosts": listField("virtual_hosts", &virtualHostCodec, (*routev3.RouteConfiguration).GetVirtualHosts),
	})

	virtualHostCodec = newCodec(map[string]fieldWriter[*routev3.VirtualHost]{
		"name":    strField("name", (*routev3.VirtualHost).GetName),
		"domains": stringsField("domains", (*routev3.VirtualHost).GetDomains),
		"routes":  listField("routes", &routeCodec, (*routev3.VirtualHost).GetRoutes),
	})

	httpFilterStandInCodec = newCodec(map[string]fieldWriter[*hcmv3.HttpFilter]{
		"name": strField("name", (*hcmv3.HttpFilter).GetName),
	})

	accessLogStandInCodec = newCodec(map[string]fieldWriter[*accesslogv3.AccessLog]{
		"name": strField("name", (*accesslogv3.AccessLog).GetName),
	})

	http1OptionsCodec = newCodec(map[string]fieldWriter[*corev3.Http1ProtocolOptions]{
		"accept_http_10": boolField("accept_http_10", (*corev3.Http1ProtocolOptions).GetAcceptHttp_10),
	})
)
