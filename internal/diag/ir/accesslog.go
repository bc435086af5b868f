package ir

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// AccessLog is the file access log of every HTTP listener (the Module's
// envoy_log_type, envoy_log_format and envoy_log_path).
type AccessLog struct {
	Path string `json:"path"`
	// Type is text, json or typed_json.
	Type string `json:"type"`
	// Text is the line format (type text), without the newline Envoy
	// needs at its end; JSON the object (json, typed_json).
	Text string         `json:"text,omitempty"`
	JSON map[string]any `json:"json,omitempty"`
	// Default says the format is Emissary's own.
	Default bool `json:"default,omitempty"`
}

// DefaultAccessLogText is Emissary's access log line.
const DefaultAccessLogText = `ACCESS [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"`

// defaultAccessLogJSON is Emissary's JSON access log entry.
func defaultAccessLogJSON() map[string]any {
	return map[string]any{
		"start_time": "%START_TIME%", "method": "%REQ(:METHOD)%", "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
		"protocol": "%PROTOCOL%", "response_code": "%RESPONSE_CODE%", "response_flags": "%RESPONSE_FLAGS%",
		"bytes_received": "%BYTES_RECEIVED%", "bytes_sent": "%BYTES_SENT%", "duration": "%DURATION%",
		"upstream_service_time": "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%", "x_forwarded_for": "%REQ(X-FORWARDED-FOR)%",
		"user_agent": "%REQ(USER-AGENT)%", "request_id": "%REQ(X-REQUEST-ID)%", "authority": "%REQ(:AUTHORITY)%",
		"upstream_host": "%UPSTREAM_HOST%", "upstream_cluster": "%UPSTREAM_CLUSTER%",
		"upstream_local_address": "%UPSTREAM_LOCAL_ADDRESS%", "downstream_local_address": "%DOWNSTREAM_LOCAL_ADDRESS%",
		"downstream_remote_address": "%DOWNSTREAM_REMOTE_ADDRESS%", "requested_server_name": "%REQUESTED_SERVER_NAME%",
		"istio_policy_status":               "%DYNAMIC_METADATA(istio.mixer:status)%",
		"upstream_transport_failure_reason": "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
	}
}

// accessLogOperators are the command operators Envoy's access log
// formatter knows; any other makes Envoy refuse the listener, so it is
// caught here.
var accessLogOperators = func() map[string]bool {
	out := maps.Clone(allowedOperators)
	for _, op := range []string{
		"START_TIME_LOCAL", "EMIT_TIME", "EMIT_TIME_LOCAL", "BYTES_RETRANSMITTED", "PACKETS_RETRANSMITTED",
		"UPSTREAM_PROTOCOL", "RESPONSE_FLAGS_LONG", "ROUNDTRIP_DURATION", "DOWNSTREAM_HANDSHAKE_DURATION",
		"COMMON_DURATION", "UPSTREAM_CONNECTION_POOL_READY_DURATION", "UPSTREAM_HOST_NAME",
		"UPSTREAM_HOST_NAME_WITHOUT_PORT", "UPSTREAM_CLUSTER_RAW", "UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT",
		"UPSTREAM_LOCAL_PORT", "UPSTREAM_REMOTE_ADDRESS", "UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "UPSTREAM_REMOTE_PORT",
		"UPSTREAM_REQUEST_ATTEMPT_COUNT", "UPSTREAM_TLS_CIPHER", "UPSTREAM_TLS_VERSION", "UPSTREAM_TLS_SESSION_ID",
		"UPSTREAM_PEER_ISSUER", "UPSTREAM_PEER_CERT", "UPSTREAM_PEER_SUBJECT", "UPSTREAM_PEER_URI_SAN",
		"UPSTREAM_LOCAL_URI_SAN", "UPSTREAM_CONNECTION_ID", "UPSTREAM_METADATA", "UPSTREAM_FILTER_STATE",
		"DOWNSTREAM_REMOTE_PORT", "DOWNSTREAM_DIRECT_REMOTE_PORT", "DOWNSTREAM_LOCAL_IP_SAN", "DOWNSTREAM_PEER_IP_SAN",
		"DOWNSTREAM_LOCAL_DNS_SAN", "DOWNSTREAM_PEER_DNS_SAN", "DOWNSTREAM_PEER_CERT_V_START", "DOWNSTREAM_TRANSPORT_FAILURE_REASON",
		"DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256", "DOWNSTREAM_PEER_CHAIN_SERIALS", "VIRTUAL_CLUSTER_NAME", "REQ_WITHOUT_QUERY",
		"GRPC_STATUS_NUMBER", "ACCESS_LOG_TYPE", "UNIQUE_ID", "STREAM_ID", "TRACE_ID", "ENVIRONMENT", "METADATA",
		"CUSTOM_FLAGS", "REQUEST_HEADERS_BYTES", "QUERY_PARAM", "PATH",
	} {
		out[op] = true
	}
	return out
}()

// accessLogFrom checks the Module's access log settings; one that
// cannot be used is reported and Emissary's default takes its place.
// DefaultAccessLog is Emissary's own access log: its text format, on
// standard output.
func DefaultAccessLog() AccessLog {
	return AccessLog{Path: "/dev/fd/1", Type: "text", Text: DefaultAccessLogText, Default: true}
}

func accessLogFrom(logType *string, format json.RawMessage, path *string, key string, d *Diagnostics) AccessLog {
	out := DefaultAccessLog()
	if path != nil && *path != "" {
		out.Path = *path
	}
	if logType != nil && *logType != "" {
		switch t := strings.ToLower(*logType); t {
		case "text", "json", "typed_json":
			out.Type = t
		default:
			d.Error(key, "envoy_log_type %s is not one of json, text and typed_json: using text", *logType)
		}
	}
	if out.Type != "text" {
		out.Text, out.JSON = "", defaultAccessLogJSON()
	}

	if len(format) == 0 || string(format) == "null" {
		return out
	}
	if out.Type == "text" {
		var text string
		if err := json.Unmarshal(format, &text); err != nil {
			d.Error(key, "envoy_log_type text needs a string in envoy_log_format: using the default format")
			return out
		}
		if msg := checkFormat([]string{text}, accessLogOperators); msg != "" {
			d.Error(key, "envoy_log_format: %s: using the default format", msg)
			return out
		}
		if text != "" {
			out.Text, out.Default = text, false
		}
		return out
	}
	var fields map[string]any
	if err := json.Unmarshal(format, &fields); err != nil || fields == nil {
		d.Error(key, "envoy_log_type %s needs an object in envoy_log_format: using the default format", out.Type)
		return out
	}
	var formats []string
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		switch v := fields[k].(type) {
		case string:
			formats = append(formats, v)
		case float64, bool:
		default:
			d.Error(key, "envoy_log_format: %s is %s, not a string, number or boolean: using the default format", k, describeJSON(v))
			return out
		}
	}
	if msg := checkFormat(formats, accessLogOperators); msg != "" {
		d.Error(key, "envoy_log_format: %s: using the default format", msg)
		return out
	}
	out.JSON, out.Default = fields, false
	return out
}

func describeJSON(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// LogService is the gRPC access log service every HTTP request is
// reported to, from the LogService.
type LogService struct {
	Key string `json:"key"`
	// Driver is http (request details) or tcp (connection details).
	Driver  string `json:"driver"`
	Cluster string `json:"cluster"`
	// FlushIntervalSec and BufferBytes bound how long and how much is
	// buffered before sending.
	FlushIntervalSec int `json:"flush_interval_time"`
	BufferBytes      int `json:"flush_interval_byte_size"`
	// Extra headers to log, from the request, the response and its
	// trailers (http driver).
	RequestHeaders  []string `json:"additional_request_headers_to_log,omitempty"`
	ResponseHeaders []string `json:"additional_response_headers_to_log,omitempty"`
	TrailerHeaders  []string `json:"additional_response_trailers_to_log,omitempty"`

	cluster *Cluster
}

// buildLogService makes the LogService in use: the first by key; others
// are reported (Emissary keeps the first too).
func buildLogService(list []*v3alpha1.LogService, cs *clusterSet, s Settings, d *Diagnostics) *LogService {
	if len(list) == 0 {
		return nil
	}
	l := list[0]
	key := Key("LogService", l.Name, l.Namespace)
	for _, other := range list[1:] {
		d.Error(Key("LogService", other.Name, other.Namespace), "only one LogService is used: %s", key)
	}
	spec := &l.Spec
	out := &LogService{Key: key, Driver: "tcp", FlushIntervalSec: 1, BufferBytes: 16384}
	if spec.Driver == v3alpha1.LogServiceDriverHTTP {
		out.Driver = "http"
	}
	if spec.FlushIntervalTime != nil {
		out.FlushIntervalSec = int(*spec.FlushIntervalTime)
	}
	if spec.FlushIntervalByteSize != nil {
		out.BufferBytes = *spec.FlushIntervalByteSize
	}
	var headers []v3alpha1.AdditionalLogHeader
	if spec.DriverConfig != nil {
		headers = spec.DriverConfig.AdditionalLogHeaders
	}
	fail := func(format string, args ...any) *LogService {
		d.Error(key, format+": no access logs are sent", args...)
		return nil
	}
	switch {
	case spec.Service == "":
		return fail("service must be present for a remote log service")
	case spec.ProtocolVersion != "v3":
		return fail("LogService: protocol_version %s is unsupported, protocol_version must be \"v3\"", firstNonEmpty(string(spec.ProtocolVersion), "v2"))
	case out.Driver == "tcp" && len(headers) > 0:
		return fail("additional_log_headers are not supported in tcp mode")
	case out.FlushIntervalSec < 1 || out.FlushIntervalSec > maxMillis/1000 || outOfUint32(out.BufferBytes):
		return fail("flush_interval_time must be at least 1 second (and at most %d) and flush_interval_byte_size from 0 to 4294967295", maxMillis/1000)
	}
	on := func(b *bool) bool { return b == nil || *b }
	for i, h := range headers {
		if h.HeaderName == "" {
			return fail("driver_config.additional_log_headers[%d]: header_name is required", i)
		}
		if on(h.DuringRequest) {
			out.RequestHeaders = append(out.RequestHeaders, h.HeaderName)
		}
		if on(h.DuringResponse) {
			out.ResponseHeaders = append(out.ResponseHeaders, h.HeaderName)
		}
		if on(h.DuringTrailer) {
			out.TrailerHeaders = append(out.TrailerHeaders, h.HeaderName)
		}
	}
	m := &Mapping{
		Key: key, Name: l.Name, Namespace: l.Namespace, Service: spec.Service, Resolver: firstNonEmpty(s.Resolver, "kubernetes-service"),
		// The log service protocol is gRPC: the cluster speaks HTTP/2
		// whatever the grpc field says (Emissary follows it, and an
		// HTTP/1 cluster never delivers a log).
		GRPC: true, ConnectTimeoutMs: 3000, StatsName: spec.StatsName,
		EnableIPv4: boolOr(nil, s.EnableIPv4), EnableIPv6: boolOr(nil, s.EnableIPv6), CircuitBreakers: s.CircuitBreakers,
	}
	if out.cluster = cs.clusterFor(m, "logging", d); out.cluster == nil {
		return fail("the service's cluster cannot be made")
	}
	return out
}
