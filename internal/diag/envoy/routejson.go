package envoy

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The codecs cover the fields the translator sets on routes.
var (
	routeCodec = newCodec(map[string]fieldWriter[*routev3.Route]{
		"name":  strField("name", (*routev3.Route).GetName),
		"match": messageField("match", &routeMatchCodec, (*routev3.Route).GetMatch),
		"action": func(w *jsonWriter, r *routev3.Route) bool {
			switch a := r.Action.(type) {
			case nil:
				return true
			case *routev3.Route_Route:
				return writeMessage(w, "route", routeActionCodec, a.Route)
			case *routev3.Route_Redirect:
				return writeMessage(w, "redirect", redirectCodec, a.Redirect)
			default:
				return false
			}
		},
		"request_headers_to_add":     listField("request_headers_to_add", &headerValueOptionCodec, (*routev3.Route).GetRequestHeadersToAdd),
		"request_headers_to_remove":  stringsField("request_headers_to_remove", (*routev3.Route).GetRequestHeadersToRemove),
		"typed_per_filter_config":    anyMapField("typed_per_filter_config", (*routev3.Route).GetTypedPerFilterConfig),
		"response_headers_to_add":    listField("response_headers_to_add", &headerValueOptionCodec, (*routev3.Route).GetResponseHeadersToAdd),
		"response_headers_to_remove": stringsField("response_headers_to_remove", (*routev3.Route).GetResponseHeadersToRemove),
	})

	routeMatchCodec = newCodec(map[string]fieldWriter[*routev3.RouteMatch]{
		"path_specifier": func(w *jsonWriter, m *routev3.RouteMatch) bool {
			switch p := m.PathSpecifier.(type) {
			case nil:
				return true
			case *routev3.RouteMatch_Prefix:
				w.key("prefix")
				return w.str(p.Prefix)
			case *routev3.RouteMatch_Path:
				w.key("path")
				return w.str(p.Path)
			case *routev3.RouteMatch_SafeRegex:
				return writeMessage(w, "safe_regex", regexCodec, p.SafeRegex)
			default:
				return false
			}
		},
		"case_sensitive":   boolValueField("case_sensitive", (*routev3.RouteMatch).GetCaseSensitive),
		"runtime_fraction": messageField("runtime_fraction", &runtimeFractionCodec, (*routev3.RouteMatch).GetRuntimeFraction),
		"headers":          listField("headers", &headerMatcherCodec, (*routev3.RouteMatch).GetHeaders),
		"query_parameters": listField("query_parameters", &queryMatcherCodec, (*routev3.RouteMatch).GetQueryParameters),
	})

	headerMatcherCodec = newCodec(map[string]fieldWriter[*routev3.HeaderMatcher]{
		"name": strField("name", (*routev3.HeaderMatcher).GetName),
		"header_match_specifier": func(w *jsonWriter, m *routev3.HeaderMatcher) bool {
			switch s := m.HeaderMatchSpecifier.(type) {
			case nil:
				return true
			case *routev3.HeaderMatcher_PresentMatch:
				w.key("present_match")
				w.bool(s.PresentMatch)
				return true
			case *routev3.HeaderMatcher_StringMatch:
				return writeMessage(w, "string_match", stringMatcherCodec, s.StringMatch)
			default:
				return false
			}
		},
		"invert_match": boolField("invert_match", (*routev3.HeaderMatcher).GetInvertMatch),
	})

	queryMatcherCodec = newCodec(map[string]fieldWriter[*routev3.QueryParameterMatcher]{
		"name": strField("name", (*routev3.QueryParameterMatcher).GetName),
		"query_parameter_match_specifier": func(w *jsonWriter, m *routev3.QueryParameterMatcher) bool {
			switch s := m.QueryParameterMatchSpecifier.(type) {
			case nil:
				return true
			case *routev3.QueryParameterMatcher_PresentMatch:
				w.key("present_match")
				w.bool(s.PresentMatch)
				return true
			case *routev3.QueryParameterMatcher_StringMatch:
				return writeMessage(w, "string_match", stringMatcherCodec, s.StringMatch)
			default:
				return false
			}
		},
	})

	stringMatcherCodec = newCodec(map[string]fieldWriter[*matcherv3.StringMatcher]{
		"match_pattern": func(w *jsonWriter, m *matcherv3.StringMatcher) bool {
			switch p := m.MatchPattern.(type) {
			case nil:
				return true
			case *matcherv3.StringMatcher_Exact:
				w.key("exact")
				return w.str(p.Exact)
			case *matcherv3.StringMatcher_Prefix:
				w.key("prefix")
				return w.str(p.Prefix)
			case *matcherv3.StringMatcher_Suffix:
				w.key("suffix")
				return w.str(p.Suffix)
			case *matcherv3.StringMatcher_Contains:
				w.key("contains")
				return w.str(p.Contains)
			case *matcherv3.StringMatcher_SafeRegex:
				return writeMessage(w, "safe_regex", regexCodec, p.SafeRegex)
			default:
				return false
			}
		},
		"ignore_case": boolField("ignore_case", (*matcherv3.StringMatcher).GetIgnoreCase),
	})

	regexCodec = newCodec(map[string]fieldWriter[*matcherv3.RegexMatcher]{
		"engine_type": func(w *jsonWriter, m *matcherv3.RegexMatcher) bool {
			switch e := m.EngineType.(type) {
			case nil:
				return true
			case *matcherv3.RegexMatcher_GoogleRe2:
				return writeMessage(w, "google_re2", googleRE2Codec, e.GoogleRe2)
			default:
				return false
			}
		},
		"regex": strField("regex", (*matcherv3.RegexMatcher).GetRegex),
	})

	googleRE2Codec = newCodec(map[string]fieldWriter[*matcherv3.RegexMatcher_GoogleRE2]{
		"max_program_size": uint32ValueField("max_program_size", (*matcherv3.RegexMatcher_GoogleRE2).GetMaxProgramSize),
	})

	regexSubstituteCodec = newCodec(map[string]fieldWriter[*matcherv3.RegexMatchAndSubstitute]{
		"pattern":      messageField("pattern", &regexCodec, (*matcherv3.RegexMatchAndSubstitute).GetPattern),
		"substitution": strField("substitution", (*matcherv3.RegexMatchAndSubstitute).GetSubstitution),
	})

	runtimeFractionCodec = newCodec(map[string]fieldWriter[*corev3.RuntimeFractionalPercent]{
		"default_value": messageField("default_value", &fractionCodec, (*corev3.RuntimeFractionalPercent).GetDefaultValue),
		"runtime_key":   strField("runtime_key", (*corev3.RuntimeFractionalPercent).GetRuntimeKey),
	})

	fractionCodec = newCodec(map[string]fieldWriter[*typev3.FractionalPercent]{
		"numerator":   uintField("numerator", (*typev3.FractionalPercent).GetNumerator),
		"denominator": enumField("denominator", (*typev3.FractionalPercent).GetDenominator),
	})

	routeActionCodec = newCodec(map[string]fieldWriter[*routev3.RouteAction]{
		"cluster_specifier": func(w *jsonWriter, a *routev3.RouteAction) bool {
			switch c := a.ClusterSpecifier.(type) {
			case nil:
				return true
			case *routev3.RouteAction_Cluster:
				w.key("cluster")
				return w.str(c.Cluster)
			default:
				return false
			}
		},
		"prefix_rewrite": strField("prefix_rewrite", (*routev3.RouteAction).GetPrefixRewrite),
		"regex_rewrite":  messageField("regex_rewrite", &regexSubstituteCodec, (*routev3.RouteAction).GetRegexRewrite),
		"host_rewrite_specifier": func(w *jsonWriter, a *routev3.RouteAction) bool {
			switch h := a.HostRewriteSpecifier.(type) {
			case nil:
				return true
			case *routev3.RouteAction_HostRewriteLiteral:
				w.key("host_rewrite_literal")
				return w.str(h.HostRewriteLiteral)
			case *routev3.RouteAction_AutoHostRewrite:
				return writeBoolValue(w, "auto_host_rewrite", h.AutoHostRewrite)
			default:
				return false
			}
		},
		"timeout":                 durationField("timeout", (*routev3.RouteAction).GetTimeout),
		"idle_timeout":            durationField("idle_timeout", (*routev3.RouteAction).GetIdleTimeout),
		"request_mirror_policies": listField("request_mirror_policies", &mirrorCodec, (*routev3.RouteAction).GetRequestMirrorPolicies),
		"retry_policy":            messageField("retry_policy", &retryPolicyCodec, (*routev3.RouteAction).GetRetryPolicy),
		"rate_limits":             listField("rate_limits", &rateLimitCodec, (*routev3.RouteAction).GetRateLimits),
		"priority":                enumField("priority", (*routev3.RouteAction).GetPriority),
		"upgrade_configs":         listField("upgrade_configs", &upgradeCodec, (*routev3.RouteAction).GetUpgradeConfigs),
	})

	retryPolicyCodec = newCodec(map[string]fieldWriter[*routev3.RetryPolicy]{
		"retry_on":        strField("retry_on", (*routev3.RetryPolicy).GetRetryOn),
		"num_retries":     uint32ValueField("num_retries", (*routev3.RetryPolicy).GetNumRetries),
		"per_try_timeout": durationField("per_try_timeout", (*routev3.RetryPolicy).GetPerTryTimeout),
	})

	mirrorCodec = newCodec(map[string]fieldWriter[*routev3.RouteAction_RequestMirrorPolicy]{
		"cluster":          strField("cluster", (*routev3.RouteAction_RequestMirrorPolicy).GetCluster),
		"runtime_fraction": messageField("runtime_fraction", &runtimeFractionCodec, (*routev3.RouteAction_RequestMirrorPolicy).GetRuntimeFraction),
	})

	upgradeCodec = newCodec(map[string]fieldWriter[*routev3.RouteAction_UpgradeConfig]{
		"upgrade_type": strField("upgrade_type", (*routev3.RouteAction_UpgradeConfig).GetUpgradeType),
		"enabled":      boolValueField("enabled", (*routev3.RouteAction_UpgradeConfig).GetEnabled),
	})

	redirectCodec = newCodec(map[string]fieldWriter[*routev3.RedirectAction]{
		"scheme_rewrite_specifier": func(w *jsonWriter, r *routev3.RedirectAction) bool {
			switch s := r.SchemeRewriteSpecifier.(type) {
			case nil:
				return true
			case *routev3.RedirectAction_HttpsRedirect:
				w.key("https_redirect")
				w.bool(s.HttpsRedirect)
				return true
			case *routev3.RedirectAction_SchemeRedirect:
				w.key("scheme_redirect")
				return w.str(s.SchemeRedirect)
			default:
				return false
			}
		},
		"host_redirect": strField("host_redirect", (*routev3.RedirectAction).GetHostRedirect),
		"port_redirect": uintField("port_redirect", (*routev3.RedirectAction).GetPortRedirect),
		"path_rewrite_specifier": func(w *jsonWriter, r *routev3.RedirectAction) bool {
			switch p := r.PathRewriteSpecifier.(type) {
			case nil:
				return true
			case *routev3.RedirectAction_PathRedirect:
				w.key("path_redirect")
				return w.str(p.PathRedirect)
			case *routev3.RedirectAction_PrefixRewrite:
				w.key("prefix_rewrite")
				return w.str(p.PrefixRewrite)
			case *routev3.RedirectAction_RegexRewrite:
				return writeMessage(w, "regex_rewrite", regexSubstituteCodec, p.RegexRewrite)
			default:
				return false
			}
		},
		"response_code": enumField("response_code", (*routev3.RedirectAction).GetResponseCode),
		"strip_query":   boolField("strip_query", (*routev3.RedirectAction).GetStripQuery),
	})

	headerValueOptionCodec = newCodec(map[string]fieldWriter[*corev3.HeaderValueOption]{
		"header":        messageField("header", &headerValueCodec, (*corev3.HeaderValueOption).GetHeader),
		"append_action": enumField("append_action", (*corev3.HeaderValueOption).GetAppendAction),
	})

	headerValueCodec = newCodec(map[string]fieldWriter[*corev3.HeaderValue]{
		"key":   strField("key", (*corev3.HeaderValue).GetKey),
		"value": strField("value", (*corev3.HeaderValue).GetValue),
	})
)

// writeMessage writes a set oneof member (even an empty one: oneof
// members have presence).
func writeMessage[M interface {
	comparable
	proto.Message
}](w *jsonWriter, name string, c *codec[M], m M) bool {
	var zero M
	if m == zero {
		return false
	}
	w.key(name)
	return c.write(w, m)
}

func writeBoolValue(w *jsonWriter, name string, v *wrapperspb.BoolValue) bool {
	if v == nil {
		return false
	}
	w.key(name)
	w.bool(v.GetValue())
	return true
}

func boolValueField[M any](name string, get func(M) *wrapperspb.BoolValue) fieldWriter[M] {
	return func(w *jsonWriter, m M) bool {
		if v := get(m); v != nil {
			return writeBoolValue(w, name, v)
		}
		return true
	}
}

func uint32ValueField[M any](name string, get func(M) *wrapperspb.UInt32Value) fieldWriter[M] {
	return func(w *jsonWriter, m M) bool {
		if v := get(m); v != nil {
			w.key(name)
			w.uint(uint64(v.GetValue()))
		}
		return true
	}
}
