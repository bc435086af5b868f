package envoy

import (
	"fmt"
	"strconv"

	xdscorev3 "github.com/cncf/xds/go/xds/core/v3"
	xdsmatcherv3 "github.com/cncf/xds/go/xds/type/matcher/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	customresponsev3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/custom_response/v3"
	localresponsev3 "github.com/envoyproxy/go-control-plane/envoy/extensions/http/custom_response/local_response_policy/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/emissary-go/emissary/internal/diag/ir"
)

// Error response overrides are Envoy's custom_response filter. Emissary
// uses its own Envoy's response_map filter, where a Mapping's rules
// replace the Module's; custom_response falls back from a route's rules
// to the filter's, so here every route carries the whole set it uses
// (its own, or the Module's) and the filter itself holds none.
const customResponseFilter = "envoy.filters.http.custom_response"

// usesErrorResponses says whether any route replaces error bodies: only
// then is the filter in the chain.
func usesErrorResponses(in *ir.IR) bool {
	if len(in.Settings.ErrorResponses) > 0 {
		return true
	}
	for _, g := range in.Groups {
		for _, m := range g.Mappings {
			if len(m.ErrorResponses) > 0 && !m.BypassErrorResponses {
				return true
			}
		}
	}
	return false
}

// errorResponsePerRoute is the custom_response config of a Mapping's
// route: nil when it bypasses overrides or none apply.
func (t *translator) errorResponsePerRoute(m *ir.Mapping) *anypb.Any {
	switch {
	case m.BypassErrorResponses:
		return nil
	case len(m.ErrorResponses) > 0:
		return t.checkedErrorResponses(m.Key, m.ErrorResponses)
	case len(t.ir.Settings.ErrorResponses) > 0:
		// The same for every route: packed once.
		t.moduleErrorResponsesOnce.Do(func() {
			t.moduleErrorResponses = t.checkedErrorResponses(t.ir.Settings.Source, t.ir.Settings.ErrorResponses)
		})
		return t.moduleErrorResponses
	}
	return nil
}

// checkedErrorResponses packs the rules of resource key, or leaves them
// out (nil) with an error on it when Envoy would refuse them.
func (t *translator) checkedErrorResponses(key string, rules []ir.ErrorResponse) *anypb.Any {
	config := customResponse(rules)
	if !t.accepted(key, config, "these error_response_overrides, so they are left out") {
		return nil
	}
	return t.any(config)
}

// customResponse matches the response status and answers each rule's
// status with its body, keeping the status.
func customResponse(rules []ir.ErrorResponse) *customresponsev3.CustomResponse {
	list := &xdsmatcherv3.Matcher_MatcherList{}
	for _, r := range rules {
		code := strconv.Itoa(r.StatusCode)
		format := &corev3.SubstitutionFormatString{ContentType: r.ContentType}
		switch {
		case r.TextFormat != nil:
			format.Format = &corev3.SubstitutionFormatString_TextFormatSource{TextFormatSource: &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{InlineString: *r.TextFormat}}}
		case r.JSONFormat != nil:
			fields := map[string]any{}
			for k, v := range r.JSONFormat {
				fields[k] = v
			}
			s, _ := structpb.NewStruct(fields) // string values always convert
			format.Format = &corev3.SubstitutionFormatString_JsonFormat{JsonFormat: s}
		default:
			format.Format = &corev3.SubstitutionFormatString_TextFormatSource{TextFormatSource: &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: r.TextFormatFile}}}
		}
		list.Matchers = append(list.Matchers, &xdsmatcherv3.Matcher_MatcherList_FieldMatcher{
			Predicate: &xdsmatcherv3.Matcher_MatcherList_Predicate{MatchType: &xdsmatcherv3.Matcher_MatcherList_Predicate_SinglePredicate_{
				SinglePredicate: &xdsmatcherv3.Matcher_MatcherList_Predicate_SinglePredicate{
					Input: &xdscorev3.TypedExtensionConfig{Name: "status-code", TypedConfig: packNested(&matcherv3.HttpResponseStatusCodeMatchInput{})},
					Matcher: &xdsmatcherv3.Matcher_MatcherList_Predicate_SinglePredicate_ValueMatch{
						ValueMatch: &xdsmatcherv3.StringMatcher{MatchPattern: &xdsmatcherv3.StringMatcher_Exact{Exact: code}},
					},
				},
			}},
			OnMatch: &xdsmatcherv3.Matcher_OnMatch{OnMatch: &xdsmatcherv3.Matcher_OnMatch_Action{Action: &xdscorev3.TypedExtensionConfig{
				Name:        fmt.Sprintf("error-response-%s", code),
				TypedConfig: packNested(&localresponsev3.LocalResponsePolicy{BodyFormat: format}),
			}}},
		})
	}
	return &customresponsev3.CustomResponse{CustomResponseMatcher: &xdsmatcherv3.Matcher{MatcherType: &xdsmatcherv3.Matcher_MatcherList_{MatcherList: list}}}
}

// packNested packs an Any inside a config that is itself packed (the
// validator unpacks it by type); only a programming error can fail.
func packNested(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		panic(err)
	}
	return a
}
