package envoy

import (
	"slices"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	extauthzv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Routes carry per-filter settings as Anys. protojson writes an Any as
// {"@type": url, <the message's fields>}; the codecs below do the same
// from the message the Any was packed from (the translator records it),
// for the per-route settings the translator makes. Any other, or an Any
// not on record, is refused.

// anyFieldsWriter writes a message's fields into an object already open.
type anyFieldsWriter func(w *jsonWriter, m proto.Message) bool

var anyCodecs map[string]anyFieldsWriter

func init() {
	anyCodecs = map[string]anyFieldsWriter{
		"type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute":     fieldsOf(extAuthzPerRouteCodec),
		"type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy":                fieldsOf(corsPolicyCodec),
		"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext":  fieldsOf(downstreamTLSCodec),
		"type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector": fieldsOf(tlsInspectorCodec),
	}
}

func fieldsOf[M proto.Message](c *codec[M]) anyFieldsWriter {
	return func(w *jsonWriter, m proto.Message) bool {
		t, ok := m.(M)
		return ok && c.writeFields(w, t)
	}
}

// writeAny writes one Any, or reports false.
func (w *jsonWriter) writeAny(a *anypb.Any) bool {
	inner, known := w.decoded[a]
	write, ok := anyCodecs[a.GetTypeUrl()]
	if !known || !ok {
		return false
	}
	w.buf = append(w.buf, '{')
	w.comma = false
	w.key("@type")
	if !w.str(a.GetTypeUrl()) || !write(w, inner) {
		return false
	}
	w.buf = append(w.buf, '}')
	w.comma = true
	return true
}

// anyMapField writes a map of Anys, keys sorted as protojson sorts them.
func anyMapField[M any](name string, get func(M) map[string]*anypb.Any) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		entries := get(m)
		if len(entries) == 0 {
			return true
		}
		w.field(key)
		w.buf = append(w.buf, '{')
		w.comma = false
		// A route's per-filter settings are one or two: their keys are
		// sorted on the stack.
		var small [4]string
		for _, k := range appendSortedKeys(small[:0], entries) {
			w.key(k)
			if entries[k] == nil || !w.writeAny(entries[k]) {
				return false
			}
		}
		w.buf = append(w.buf, '}')
		w.comma = true
		return true
	}
}

// stringMapField writes a map of strings, keys sorted.
func stringMapField[M any](name string, get func(M) map[string]string) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		entries := get(m)
		if len(entries) == 0 {
			return true
		}
		w.field(key)
		w.buf = append(w.buf, '{')
		w.comma = false
		for _, k := range sortedKeys(entries) {
			if w.comma {
				w.buf = append(w.buf, ',')
			}
			w.comma = false
			if !w.str(k) {
				return false
			}
			w.buf = append(w.buf, ':')
			if !w.str(entries[k]) {
				return false
			}
		}
		w.buf = append(w.buf, '}')
		w.comma = true
		return true
	}
}

var (
	extAuthzPerRouteCodec = newCodec(map[string]fieldWriter[*extauthzv3.ExtAuthzPerRoute]{
		"override": func(w *jsonWriter, m *extauthzv3.ExtAuthzPerRoute) bool {
			switch o := m.Override.(type) {
			case nil:
				return true
			case *extauthzv3.ExtAuthzPerRoute_Disabled:
				w.key("disabled")
				w.bool(o.Disabled)
				return true
			case *extauthzv3.ExtAuthzPerRoute_CheckSettings:
				return writeMessage(w, "check_settings", checkSettingsCodec, o.CheckSettings)
			default:
				return false
			}
		},
	})

	checkSettingsCodec = newCodec(map[string]fieldWriter[*extauthzv3.CheckSettings]{
		"context_extensions": stringMapField("context_extensions", (*extauthzv3.CheckSettings).GetContextExtensions),
	})

	corsPolicyCodec = newCodec(map[string]fieldWriter[*corsv3.CorsPolicy]{
		"allow_origin_string_match": listField("allow_origin_string_match", &stringMatcherCodec, (*corsv3.CorsPolicy).GetAllowOriginStringMatch),
		"allow_methods":             strField("allow_methods", (*corsv3.CorsPolicy).GetAllowMethods),
		"allow_headers":             strField("allow_headers", (*corsv3.CorsPolicy).GetAllowHeaders),
		"expose_headers":            strField("expose_headers", (*corsv3.CorsPolicy).GetExposeHeaders),
		"max_age":                   strField("max_age", (*corsv3.CorsPolicy).GetMaxAge),
		"allow_credentials":         boolValueField("allow_credentials", (*corsv3.CorsPolicy).GetAllowCredentials),
		"filter_enabled":            messageField("filter_enabled", &runtimeFractionCodec, (*corsv3.CorsPolicy).GetFilterEnabled),
	})

	rateLimitCodec = newCodec(map[string]fieldWriter[*routev3.RateLimit]{
		"stage":   uint32ValueField("stage", (*routev3.RateLimit).GetStage),
		"actions": listField("actions", &rateLimitActionCodec, (*routev3.RateLimit).GetActions),
	})

	rateLimitActionCodec = newCodec(map[string]fieldWriter[*routev3.RateLimit_Action]{
		"action_specifier": func(w *jsonWriter, a *routev3.RateLimit_Action) bool {
			switch s := a.ActionSpecifier.(type) {
			case nil:
				return true
			case *routev3.RateLimit_Action_SourceCluster_:
				return writeMessage(w, "source_cluster", emptySourceClusterCodec, s.SourceCluster)
			case *routev3.RateLimit_Action_DestinationCluster_:
				return writeMessage(w, "destination_cluster", emptyDestinationClusterCodec, s.DestinationCluster)
			case *routev3.RateLimit_Action_RemoteAddress_:
				return writeMessage(w, "remote_address", emptyRemoteAddressCodec, s.RemoteAddress)
			case *routev3.RateLimit_Action_RequestHeaders_:
				return writeMessage(w, "request_headers", requestHeadersActionCodec, s.RequestHeaders)
			case *routev3.RateLimit_Action_GenericKey_:
				return writeMessage(w, "generic_key", genericKeyActionCodec, s.GenericKey)
			default:
				return false
			}
		},
	})

	emptySourceClusterCodec      = newCodec(map[string]fieldWriter[*routev3.RateLimit_Action_SourceCluster]{})
	emptyDestinationClusterCodec = newCodec(map[string]fieldWriter[*routev3.RateLimit_Action_DestinationCluster]{})
	emptyRemoteAddressCodec      = newCodec(map[string]fieldWriter[*routev3.RateLimit_Action_RemoteAddress]{})

	requestHeadersActionCodec = newCodec(map[string]fieldWriter[*routev3.RateLimit_Action_RequestHeaders]{
		"header_name":    strField("header_name", (*routev3.RateLimit_Action_RequestHeaders).GetHeaderName),
		"descriptor_key": strField("descriptor_key", (*routev3.RateLimit_Action_RequestHeaders).GetDescriptorKey),
		"skip_if_absent": boolField("skip_if_absent", (*routev3.RateLimit_Action_RequestHeaders).GetSkipIfAbsent),
	})

	genericKeyActionCodec = newCodec(map[string]fieldWriter[*routev3.RateLimit_Action_GenericKey]{
		"descriptor_value": strField("descriptor_value", (*routev3.RateLimit_Action_GenericKey).GetDescriptorValue),
		"descriptor_key":   strField("descriptor_key", (*routev3.RateLimit_Action_GenericKey).GetDescriptorKey),
	})
)

// sortedKeys are a map's keys in order; the maps here hold a few.
func sortedKeys[V any](m map[string]V) []string {
	return appendSortedKeys(make([]string, 0, len(m)), m)
}

// appendSortedKeys appends m's keys to keys, in order.
func appendSortedKeys[V any](keys []string, m map[string]V) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
