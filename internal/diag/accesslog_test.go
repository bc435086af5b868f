package diag

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	fileaccesslogv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/file/v3"
	grpcaccesslogv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/grpc/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"

	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// fileLog is the user listener's file access log, read back.
func fileLog(t *testing.T, out *Output) (names []string, file *fileaccesslogv3.FileAccessLog) {
	t.Helper()
	_, hcm := mainConnectionManager(t, out)
	for _, l := range hcm.GetAccessLog() {
		names = append(names, l.GetName())
		if l.GetName() == "envoy.access_loggers.file" {
			file = &fileaccesslogv3.FileAccessLog{}
			if err := l.GetTypedConfig().UnmarshalTo(file); err != nil {
				t.Fatal(err)
			}
		}
	}
	return names, file
}

// The LogService's gRPC log comes first, with the headers each phase
// logs; the file log takes the Module's line (plus the newline) and path.
func TestLogServiceAndFileLog(t *testing.T) {
	out := translateDir(t, "logservice")
	_, hcm := mainConnectionManager(t, out)
	names, file := fileLog(t, out)
	if want := []string{"envoy.access_loggers.http_grpc", "envoy.access_loggers.file"}; !slices.Equal(names, want) {
		t.Fatalf("access logs %v, want %v", names, want)
	}
	als := &grpcaccesslogv3.HttpGrpcAccessLogConfig{}
	if err := hcm.GetAccessLog()[0].GetTypedConfig().UnmarshalTo(als); err != nil {
		t.Fatal(err)
	}
	c := als.GetCommonConfig()
	if c.GetGrpcService().GetEnvoyGrpc().GetClusterName() != "cluster_logging_als_logging_9001_default" || c.GetLogName() != "logservice" ||
		c.GetBufferFlushInterval().AsDuration().String() != "5s" || c.GetBufferSizeBytes().GetValue() != 4096 {
		t.Errorf("common config %v", c)
	}
	got := fmt.Sprint(als.GetAdditionalRequestHeadersToLog(), als.GetAdditionalResponseHeadersToLog(), als.GetAdditionalResponseTrailersToLog())
	if want := "[x-tenant x-request-only] [x-tenant] [x-tenant grpc-status]"; got != want {
		t.Errorf("headers logged %s, want %s", got, want)
	}
	if file.GetPath() != "/tmp/access.log" || file.GetLogFormat().GetTextFormatSource().GetInlineString() != "ACCESS %REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %RESPONSE_CODE% %UPSTREAM_CLUSTER%\n" {
		t.Errorf("file log %v", file)
	}
	if errs := out.IR.Diagnostics.Errors["LogService/second.default"]; len(errs) != 1 {
		t.Errorf("the second LogService is not reported: %v", out.IR.Diagnostics.Errors)
	}
}

// JSON logs keep the Module's fields and their types; a tcp LogService
// logs connections.
func TestJSONAccessLog(t *testing.T) {
	names, file := fileLog(t, translateDir(t, "access-log-json"))
	if want := []string{"envoy.access_loggers.tcp_grpc", "envoy.access_loggers.file"}; !slices.Equal(names, want) {
		t.Errorf("access logs %v, want %v", names, want)
	}
	fields := file.GetLogFormat().GetJsonFormat().GetFields()
	if len(fields) != 3 || fields["status"].GetStringValue() != "%RESPONSE_CODE%" || fields["schema_version"].GetNumberValue() != 2 {
		t.Errorf("json format %v", fields)
	}
}

// Module log settings Envoy would refuse are reported, and Emissary's
// default line is used instead.
func TestBadAccessLogSettings(t *testing.T) {
	for _, tc := range []struct{ config, wantErr, wantType string }{
		{`{envoy_log_format: "100% done"}`, "starts no command operator", "text"},
		{`{envoy_log_format: "%NOT_AN_OPERATOR%"}`, "invalid Envoy command token NOT_AN_OPERATOR", "text"},
		{`{envoy_log_type: xml}`, "envoy_log_type xml is not one of", "text"},
		{`{envoy_log_type: json, envoy_log_format: "a line"}`, "needs an object", "json"},
		{`{envoy_log_type: json, envoy_log_format: {a: [1]}}`, "a is a list", "json"},
	} {
		in := `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Module
metadata: {name: ambassador, namespace: default}
spec: {config: ` + tc.config + `}
`
		out, err := Translate(snapshot.FromYAML("in.yaml", []byte(in), "default"), TranslateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if errs := fmt.Sprint(out.IR.Diagnostics.Errors["Module/ambassador.default"]); !strings.Contains(errs, tc.wantErr) {
			t.Errorf("%s: errors %s, want %q", tc.config, errs, tc.wantErr)
		}
		_, file := fileLog(t, out)
		f := file.GetLogFormat()
		switch tc.wantType {
		case "text":
			if f.GetTextFormatSource().GetInlineString() != ir.DefaultAccessLogText+"\n" {
				t.Errorf("%s: format %v, want the default line", tc.config, f)
			}
		case "json":
			if f.GetJsonFormat().GetFields()["start_time"].GetStringValue() != "%START_TIME%" {
				t.Errorf("%s: format %v, want the default JSON", tc.config, f)
			}
		}
	}
}

// AMBASSADOR_READY_PORT moves the readiness listener and
// AMBASSADOR_READY_LOG gives it the file access log.
func TestReadyListenerFollowsTheEnvironment(t *testing.T) {
	env := map[string]string{"AMBASSADOR_READY_PORT": "9006", "AMBASSADOR_READY_LOG": "true"}
	for _, tc := range []struct {
		env      map[string]string
		name     string
		accessed bool
	}{
		{nil, "ambassador-listener-ready-127.0.0.1-8006", false},
		{env, "ambassador-listener-ready-127.0.0.1-9006", true},
	} {
		snap, err := snapshot.FromFiles([]string{"testdata/logservice/in.yaml"}, "default")
		if err != nil {
			t.Fatal(err)
		}
		out, err := Translate(snap, TranslateOptions{Envoy: envoyOptionsFromEnv("/tmp", func(k string) string { return tc.env[k] }, lookupIP, slog.Default())})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, l := range out.Config.Listeners {
			if l.GetName() != tc.name {
				continue
			}
			found = true
			if l.GetAddress().GetSocketAddress().GetPortValue() != uint32(map[bool]int{false: 8006, true: 9006}[tc.accessed]) {
				t.Errorf("%s listens on %v", tc.name, l.GetAddress())
			}
			hcm := &hcmv3.HttpConnectionManager{}
			if err := l.GetFilterChains()[0].GetFilters()[0].GetTypedConfig().UnmarshalTo(hcm); err != nil {
				t.Fatal(err)
			}
			// Only the file log: the LogService never hears of probes.
			if got := len(hcm.GetAccessLog()); (got == 1) != tc.accessed || got > 1 {
				t.Errorf("%s: %d access logs, want them: %v", tc.name, got, tc.accessed)
			}
		}
		if !found {
			t.Errorf("no listener %s", tc.name)
		}
	}
}

// STATSD_* and DOGSTATSD put a stats sink in the bootstrap, at the
// resolved address; a host that does not resolve exports nothing.
func TestStatsdFromTheEnvironment(t *testing.T) {
	lookup := func(host string) (string, error) {
		if host == "statsd-sink" {
			return "10.1.2.3", nil
		}
		return "", fmt.Errorf("no such host %s", host)
	}
	snap, err := snapshot.FromFiles([]string{"testdata/logservice/in.yaml"}, "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want []string // in bootstrap-ads.json
		not  []string
	}{
		{map[string]string{}, nil, []string{"statsd", "stats_flush_interval"}},
		{map[string]string{"STATSD_ENABLED": "true"}, []string{`"envoy.stats_sinks.statsd"`, `"address": "10.1.2.3"`, `"port_value": 8125`, `"protocol": "UDP"`, `"stats_flush_interval": "1s"`}, []string{"dog"}},
		{map[string]string{"STATSD_ENABLED": "TRUE", "DOGSTATSD": "true", "STATSD_PORT": "9125", "STATSD_FLUSH_INTERVAL": "10", "DD_ENTITY_ID": "pod-uid"},
			[]string{`"envoy.stat_sinks.dog_statsd"`, `"port_value": 9125`, `"stats_flush_interval": "10s"`, `"tag_name": "dd.internal.entity_id"`, `"fixed_value": "pod-uid"`}, nil},
		{map[string]string{"STATSD_ENABLED": "true", "STATSD_HOST": "nowhere"}, nil, []string{"statsd", "stats_flush_interval"}},
	} {
		out, err := Translate(snap, TranslateOptions{Envoy: envoyOptionsFromEnv("/tmp", func(k string) string { return tc.env[k] }, lookup, slog.New(slog.DiscardHandler))})
		if err != nil {
			t.Fatal(err)
		}
		boot := string(out.BootstrapJSON)
		for _, w := range tc.want {
			if !strings.Contains(boot, w) {
				t.Errorf("%v: bootstrap lacks %s", tc.env, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(boot, n) {
				t.Errorf("%v: bootstrap has %s", tc.env, n)
			}
		}
	}
}
