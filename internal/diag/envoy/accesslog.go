package envoy

import (
	"google.golang.org/protobuf/proto"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/config/accesslog/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	fileaccesslogv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/file/v3"
	grpcaccesslogv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/grpc/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/emissary-go/emissary/internal/diag/ir"
)

// accessLogs are an HTTP listener's access logs, in Emissary's order:
// the LogService's gRPC log, then the file log.
func (t *translator) buildAccessLogs() []*accesslogv3.AccessLog {
	var out []*accesslogv3.AccessLog
	if l := t.ir.LogService; l != nil {
		common := &grpcaccesslogv3.CommonGrpcAccessLogConfig{
			LogName:             "logservice",
			GrpcService:         &corev3.GrpcService{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: l.Cluster}}},
			TransportApiVersion: corev3.ApiVersion_V3,
			BufferFlushInterval: durationpb.New(time.Duration(l.FlushIntervalSec) * time.Second),
			BufferSizeBytes:     wrapperspb.UInt32(uint32(l.BufferBytes)),
		}
		name, config := "envoy.access_loggers.tcp_grpc", proto.Message(&grpcaccesslogv3.TcpGrpcAccessLogConfig{CommonConfig: common})
		if l.Driver == "http" {
			name, config = "envoy.access_loggers.http_grpc", &grpcaccesslogv3.HttpGrpcAccessLogConfig{
				CommonConfig:                    common,
				AdditionalRequestHeadersToLog:   l.RequestHeaders,
				AdditionalResponseHeadersToLog:  l.ResponseHeaders,
				AdditionalResponseTrailersToLog: l.TrailerHeaders,
			}
		}
		if t.accepted(l.Key, config, "the access log these settings make, so it is left out") {
			out = append(out, &accesslogv3.AccessLog{Name: name, ConfigType: &accesslogv3.AccessLog_TypedConfig{TypedConfig: t.any(config)}})
		}
	}
	file := fileAccessLog(t.ir.Settings.AccessLog)
	// The Module's envoy_log_* settings: the default log instead.
	if !t.accepted(t.ir.Settings.Source, file, "the access log these settings make, so the default one is written") {
		file = fileAccessLog(ir.DefaultAccessLog())
	}
	return append(out, &accesslogv3.AccessLog{
		Name:       "envoy.access_loggers.file",
		ConfigType: &accesslogv3.AccessLog_TypedConfig{TypedConfig: t.any(file)},
	})
}

// fileAccessLog writes lines of text, or JSON objects (Emissary's
// typed_json too: Envoy's json_format now keeps numbers and booleans).
func fileAccessLog(a ir.AccessLog) *fileaccesslogv3.FileAccessLog {
	format := &corev3.SubstitutionFormatString{}
	if a.Type == "text" {
		format.Format = &corev3.SubstitutionFormatString_TextFormatSource{TextFormatSource: &corev3.DataSource{
			Specifier: &corev3.DataSource_InlineString{InlineString: a.Text + "\n"},
		}}
	} else {
		s, _ := structpb.NewStruct(a.JSON) // the IR holds JSON values only
		format.Format = &corev3.SubstitutionFormatString_JsonFormat{JsonFormat: s}
	}
	return &fileaccesslogv3.FileAccessLog{Path: a.Path, AccessLogFormat: &fileaccesslogv3.FileAccessLog_LogFormat{LogFormat: format}}
}
