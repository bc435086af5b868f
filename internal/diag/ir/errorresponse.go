package ir

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// ErrorResponse replaces the body of responses with one status code
// (error_response_overrides).
type ErrorResponse struct {
	StatusCode int `json:"on_status_code"`
	// Exactly one of TextFormat, JSONFormat and TextFormatFile is set.
	TextFormat     *string           `json:"text_format,omitempty"`
	JSONFormat     map[string]string `json:"json_format,omitempty"`
	TextFormatFile string            `json:"text_format_source,omitempty"`
	ContentType    string            `json:"content_type,omitempty"`
}

// The command operators Envoy's formatter takes in a body: Emissary
// lets only these through, since Envoy cannot escape a literal "%".
var (
	formatOperator   = regexp.MustCompile(`%([A-Za-z0-9_]+)(\([^()%]*\))?(:[A-Za-z0-9_]+)?%`)
	allowedOperators = func() map[string]bool {
		out := map[string]bool{}
		for _, op := range []string{
			"START_TIME", "REQUEST_HEADERS_BYTES", "BYTES_RECEIVED", "PROTOCOL", "RESPONSE_CODE", "RESPONSE_CODE_DETAILS",
			"CONNECTION_TERMINATION_DETAILS", "RESPONSE_HEADERS_BYTES", "RESPONSE_TRAILERS_BYTES", "BYTES_SENT",
			"UPSTREAM_WIRE_BYTES_SENT", "UPSTREAM_WIRE_BYTES_RECEIVED", "UPSTREAM_HEADER_BYTES_SENT", "UPSTREAM_HEADER_BYTES_RECEIVED",
			"DOWNSTREAM_WIRE_BYTES_SENT", "DOWNSTREAM_WIRE_BYTES_RECEIVED", "DOWNSTREAM_HEADER_BYTES_SENT", "DOWNSTREAM_HEADER_BYTES_RECEIVED",
			"DURATION", "REQUEST_DURATION", "REQUEST_TX_DURATION", "RESPONSE_DURATION", "RESPONSE_TX_DURATION", "RESPONSE_FLAGS",
			"ROUTE_NAME", "UPSTREAM_HOST", "UPSTREAM_CLUSTER", "UPSTREAM_LOCAL_ADDRESS", "UPSTREAM_TRANSPORT_FAILURE_REASON",
			"DOWNSTREAM_REMOTE_ADDRESS", "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS",
			"DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_LOCAL_ADDRESS", "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT",
			"CONNECTION_ID", "GRPC_STATUS", "DOWNSTREAM_LOCAL_PORT", "REQ", "RESP", "TRAILER", "DYNAMIC_METADATA",
			"CLUSTER_METADATA", "FILTER_STATE", "REQUESTED_SERVER_NAME", "DOWNSTREAM_LOCAL_URI_SAN", "DOWNSTREAM_PEER_URI_SAN",
			"DOWNSTREAM_LOCAL_SUBJECT", "DOWNSTREAM_PEER_SUBJECT", "DOWNSTREAM_PEER_ISSUER", "DOWNSTREAM_TLS_SESSION_ID",
			"DOWNSTREAM_TLS_CIPHER", "DOWNSTREAM_TLS_VERSION", "DOWNSTREAM_PEER_FINGERPRINT_256", "DOWNSTREAM_PEER_FINGERPRINT_1",
			"DOWNSTREAM_PEER_SERIAL", "DOWNSTREAM_PEER_CERT", "DOWNSTREAM_PEER_CERT_V_START", "DOWNSTREAM_PEER_CERT_V_END",
			"HOSTNAME", "LOCAL_REPLY_BODY", "FILTER_CHAIN_NAME",
		} {
			out[op] = true
		}
		return out
	}()
)

// errorResponses checks error_response_overrides: each rule that cannot
// be used is reported and left out, the others kept. fileExists checks
// text_format_source files (Envoy refuses a configuration naming a
// missing one); nil skips the check.
func errorResponses(in []v3alpha1.ErrorResponseOverride, key string, fileExists func(string) bool, d *Diagnostics) []ErrorResponse {
	var out []ErrorResponse
	for i, o := range in {
		bad := func(format string, args ...any) {
			d.Error(key, "error_response_overrides[%d]: "+format+": this override is ignored", append([]any{i}, args...)...)
		}
		if o.OnStatusCode < 400 || o.OnStatusCode > 599 {
			bad("on_status_code %d must be from 400 to 599", o.OnStatusCode)
			continue
		}
		b := o.Body
		formats := 0
		for _, set := range []bool{b.TextFormat != nil, b.JSONFormat != nil, b.TextFormatSource != nil} {
			if set {
				formats++
			}
		}
		if formats != 1 {
			bad("body needs exactly one of text_format, json_format and text_format_source, found %d", formats)
			continue
		}
		r := ErrorResponse{StatusCode: o.OnStatusCode, TextFormat: b.TextFormat, JSONFormat: b.JSONFormat, ContentType: b.ContentType}
		var formatted []string
		switch {
		case b.TextFormat != nil:
			formatted = []string{*b.TextFormat}
		case b.JSONFormat != nil:
			for _, k := range sortedKeys(b.JSONFormat) {
				formatted = append(formatted, b.JSONFormat[k])
			}
		default:
			r.TextFormatFile = b.TextFormatSource.Filename
			if r.TextFormatFile == "" {
				bad("text_format_source.filename is required")
				continue
			}
			if fileExists != nil && !fileExists(r.TextFormatFile) {
				bad("text_format_source file %s does not exist", r.TextFormatFile)
				continue
			}
		}
		if err := checkFormat(formatted, allowedOperators); err != "" {
			bad("%s", err)
			continue
		}
		out = append(out, r)
	}
	if len(in) > 0 && len(out) == 0 {
		d.Error(key, "error_response_overrides: no override could be used")
	}
	return out
}

// moduleErrorResponses reads the Module's error_response_overrides.
func moduleErrorResponses(raw json.RawMessage, key string, fileExists func(string) bool, d *Diagnostics) []ErrorResponse {
	if len(raw) == 0 {
		return nil
	}
	var in []v3alpha1.ErrorResponseOverride
	if err := json.Unmarshal(raw, &in); err != nil {
		d.Error(key, "error_response_overrides: %v", err)
		return nil
	}
	return errorResponses(in, key, fileExists, d)
}

// checkFormat finds what would make Envoy refuse a format string: an
// operator not in allowed, or a "%" that starts none (Envoy cannot take
// a literal "%").
func checkFormat(formats []string, allowed map[string]bool) string {
	var unknown []string
	for _, f := range formats {
		covered := 0
		for _, loc := range formatOperator.FindAllStringSubmatchIndex(f, -1) {
			if i := strings.IndexByte(f[covered:loc[0]], '%'); i >= 0 {
				return fmt.Sprintf("%q has a %% at %d that starts no command operator (Envoy cannot take a literal %%)", f, covered+i)
			}
			if op := f[loc[2]:loc[3]]; !allowed[op] && !slices.Contains(unknown, op) {
				unknown = append(unknown, op)
			}
			covered = loc[1]
		}
		if i := strings.IndexByte(f[covered:], '%'); i >= 0 {
			return fmt.Sprintf("%q has a %% at %d that starts no command operator (Envoy cannot take a literal %%)", f, covered+i)
		}
	}
	if len(unknown) > 0 {
		return fmt.Sprintf("invalid Envoy command token %s", strings.Join(unknown, ", "))
	}
	return ""
}
