package convert

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The meaning each rule gives a v2 spec in v3alpha1. These are the parts of
// Emissary's conversion that stored objects depend on: what Emissary wrote
// to etcd in v2 must read back as the v3alpha1 object the user applied.
func TestUpMeansWhatEmissaryMeans(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		v2    string
		hub   string
	}{
		{"ambassador_id string becomes a list", Module,
			`{"ambassador_id": "blue"}`,
			`{"ambassador_id": ["blue"]}`},
		{"ids Emissary mangled when storing v3alpha1 objects in v2 are restored", Module,
			`{"ambassador_id": ["--apiVersion-v3alpha1-only--default", "--apiVersion-v3alpha1-only--blue"]}`,
			`{"ambassador_id": ["default", "blue"]}`},
		{"a Mapping without host matches every host", Mapping,
			`{"prefix": "/", "service": "q"}`,
			`{"prefix": "/", "service": "q", "hostname": "*"}`},
		{"an exact host becomes the hostname", Mapping,
			`{"host": "quote.example.com"}`,
			`{"hostname": "quote.example.com"}`},
		{"Emissary's placeholder for no host at all", Mapping,
			`{"host": "_skip_mapping_with_empty_host_"}`,
			`{}`},
		{"a host regex stays a host regex", Mapping,
			`{"host": "^quote[.].*$", "host_regex": true}`,
			`{"host": "^quote[.].*$", "host_regex": true}`},
		{"tls: true originates TLS with an https:// service", Mapping,
			`{"host": "h", "service": "quote:443", "tls": true}`,
			`{"hostname": "h", "service": "https://quote:443", "v2ExplicitTLS": {"tls": "bool:true", "serviceScheme": ""}}`},
		{"tls: true replaces an explicit http:// scheme", Mapping,
			`{"host": "h", "service": "http://quote", "tls": true}`,
			`{"hostname": "h", "service": "https://quote", "v2ExplicitTLS": {"tls": "bool:true", "serviceScheme": "http://"}}`},
		{"a TLSContext name is kept", Mapping,
			`{"host": "h", "service": "quote", "tls": "upstream-ctx"}`,
			`{"hostname": "h", "service": "quote", "tls": "upstream-ctx"}`},
		{"tls: false originates nothing", Mapping,
			`{"host": "h", "service": "quote", "tls": false}`,
			`{"hostname": "h", "service": "quote", "v2ExplicitTLS": {"tls": "bool:false"}}`},
		{"TCPMapping tls: true never gets a scheme", TCPMapping,
			`{"service": "db:5432", "tls": true}`,
			`{"service": "db:5432", "v2ExplicitTLS": {"tls": "bool:true"}}`},
		{"header true means present with any value", Mapping,
			`{"host": "h", "headers": {"x-a": "1", "x-b": true, "x-c": false}}`,
			`{"hostname": "h", "headers": {"x-a": "1"}, "regex_headers": {"x-b": ".*"}, "v2BoolHeaders": ["x-b"]}`},
		{"an explicit regex for the same header wins", Mapping,
			`{"host": "h", "headers": {"x-b": true}, "regex_headers": {"x-b": "^v[0-9]$"}}`,
			`{"hostname": "h", "regex_headers": {"x-b": "^v[0-9]$"}, "v2BoolHeaders": ["x-b"]}`},
		{"added headers take v3alpha1's object form", Mapping,
			`{"host": "h", "add_response_headers": {"a": "x", "b": {"value": "y", "append": false}, "c": null}}`,
			`{"hostname": "h", "add_response_headers": {"a": {"value": "x", "v2Representation": "string"}, "b": {"value": "y", "append": false}, "c": {"v2Representation": "null"}}}`},
		{"cors origins as one comma-separated string", Mapping,
			`{"host": "h", "cors": {"origins": "https://a.example,https://b.example", "methods": "GET"}}`,
			`{"hostname": "h", "cors": {"origins": ["https://a.example", "https://b.example"], "v2CommaSeparatedOrigins": true, "methods": ["GET"]}}`},
		{"rate limit labels in every v2 form", Mapping,
			`{"host": "h", "labels": {"ambassador": [{"g": ["source_cluster", "destination_cluster", "remote_address", "backend", {"generic_key": "v", "v3Key": "k"}, {"x-user": {"header": "x-user-id", "omit_if_not_present": true}}]}]}}`,
			`{"hostname": "h", "labels": {"ambassador": [{"g": [
				{"source_cluster": {"key": "source_cluster"}},
				{"destination_cluster": {"key": "destination_cluster"}},
				{"remote_address": {"key": "remote_address"}},
				{"generic_key": {"value": "backend", "v2Shorthand": true}},
				{"generic_key": {"value": "v", "key": "k"}},
				{"request_headers": {"key": "x-user", "header_name": "x-user-id", "omit_if_not_present": true}}]}]}}`},
		{"v3-prefixed carriers get their v3alpha1 names", Mapping,
			`{"host": "h", "v3StatsName": "quote", "v3health_checks": [{"health_check": {"http": {"path": "/healthz"}}}]}`,
			`{"hostname": "h", "stats_name": "quote", "health_checks": [{"health_check": {"http": {"path": "/healthz"}}}]}`},
		{"Host selector selects Mappings", Host,
			`{"hostname": "a.example", "selector": {"matchLabels": {"team": "a"}}, "tls": {"v3CRLSecret": "crl"}}`,
			`{"hostname": "a.example", "mappingSelector": {"matchLabels": {"team": "a"}}, "tls": {"crl_secret": "crl"}}`},
		{"Host's old ambassadorId joins ambassador_id", Host,
			`{"ambassador_id": "a", "ambassadorId": ["b"]}`,
			`{"ambassador_id": ["a", "b"]}`},
		{"tag_headers become request-header custom tags", TracingService,
			`{"driver": "zipkin", "service": "zipkin:9411", "tag_headers": ["x-team"]}`,
			`{"driver": "zipkin", "service": "zipkin:9411", "custom_tags": [{"tag": "x-team", "request_header": {"name": "x-team"}}]}`},
		{"custom tags win over tag_headers", TracingService,
			`{"tag_headers": ["x-team"], "v3CustomTags": [{"tag": "env", "literal": {"value": "prod"}}], "config": {"v3PropagationModes": ["B3"]}}`,
			`{"custom_tags": [{"tag": "env", "literal": {"value": "prod"}}], "config": {"propagation_modes": ["B3"]}}`},
		{"AuthService tls: true and renamed carriers", AuthService,
			`{"auth_service": "auth:3000", "tls": true, "v3StatsName": "auth", "v3CircuitBreakers": [{"max_connections": 10}]}`,
			`{"auth_service": "https://auth:3000", "v2ExplicitTLS": {"tls": "bool:true", "serviceScheme": ""}, "stats_name": "auth", "circuit_breakers": [{"max_connections": 10}]}`},
		{"RateLimitService grpc settings", RateLimitService,
			`{"service": "rl:8081", "v3GRPC": {"use_resource_exhausted_code": true}}`,
			`{"service": "rl:8081", "grpc": {"use_resource_exhausted_code": true}}`},
		{"LogService protocol version", LogService,
			`{"service": "als:9001", "v3ProtocolVersion": "v3"}`,
			`{"service": "als:9001", "protocol_version": "v3"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := mustObject(t, tc.v2)
			if err := tc.rules.up(spec); err != nil {
				t.Fatal(err)
			}
			if want := mustObject(t, tc.hub); !reflect.DeepEqual(normalize(t, spec), normalize(t, want)) {
				t.Errorf("up(%s)\n got %s\nwant %s", tc.v2, marshal(t, spec), marshal(t, want))
			}
		})
	}
}

// Going down gives v2 the same meaning; for an object that began in v2,
// it also gives back what v2 wrote (the engine carries the rest).
func TestDownInvertsUp(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		v2    string
	}{
		{"tls true", Mapping, `{"host": "h", "service": "quote", "tls": true}`},
		{"tls true with http scheme", Mapping, `{"host": "h", "service": "HTTP://quote", "tls": true}`},
		{"tls false", Mapping, `{"host": "h", "service": "quote", "tls": false}`},
		{"tls empty name", AuthService, `{"auth_service": "a", "tls": ""}`},
		{"bool headers", Mapping, `{"host": "h", "headers": {"x-a": "1", "x-b": true}, "query_parameters": {"debug": true}}`},
		{"added headers", Mapping, `{"host": "h", "add_request_headers": {"a": "x", "b": {"value": "y"}, "c": null}}`},
		{"origins", Mapping, `{"host": "h", "cors": {"origins": "a,b"}}`},
		{"labels", Mapping, `{"host": "h", "labels": {"d": [{"g": ["source_cluster", "k", {"generic_key": "v"}, {"x": {"header": "x"}}, null]}]}}`},
		{"host regex", Mapping, `{"host": "^a$", "host_regex": true}`},
		{"selector", Host, `{"selector": {"matchLabels": {"a": "b"}}, "tls": {"v3CRLSecret": "c"}}`},
		{"tracing", TracingService, `{"v3CustomTags": [{"tag": "t", "literal": {"value": "v"}}], "config": {"v3PropagationModes": ["B3"]}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := mustObject(t, tc.v2)
			if err := tc.rules.up(spec); err != nil {
				t.Fatal(err)
			}
			if err := tc.rules.down(spec); err != nil {
				t.Fatal(err)
			}
			if want := mustObject(t, tc.v2); !reflect.DeepEqual(normalize(t, spec), normalize(t, want)) {
				t.Errorf("down(up(%s)) = %s", tc.v2, marshal(t, spec))
			}
		})
	}
}

// A hub object with neither hostname nor host is stored the way Emissary
// stores it, so that Emissary (or we) read it back as "no host".
func TestDownKeepsEmissaryPlaceholderForNoHost(t *testing.T) {
	spec := mustObject(t, `{"prefix": "/"}`)
	if err := Mapping.down(spec); err != nil {
		t.Fatal(err)
	}
	if spec["host"] != skipEmptyHost {
		t.Errorf("host = %v, want %q", spec["host"], skipEmptyHost)
	}
}

func mustObject(t *testing.T, s string) Object {
	t.Helper()
	obj, err := decodeObject([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return obj
}

// normalize re-decodes through JSON so that []string and []any compare equal.
func normalize(t *testing.T, obj Object) Object {
	t.Helper()
	return mustObject(t, marshal(t, obj))
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
