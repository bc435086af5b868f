package envoy

import (
	"slices"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestWalkAnysFindsEveryAny puts Anys where a message can hold them (a
// field, a oneof member, in lists, a map's values, and inside an Any)
// and checks the walk meets each once, map values in key order, and
// nothing else.
func TestWalkAnysFindsEveryAny(t *testing.T) {
	named := func(s string) *anypb.Any { return mustAny(t, wrapperspb.String(s)) }
	nested := mustAny(t, &corev3.TypedExtensionConfig{Name: "outer", TypedConfig: named("inside an Any")})
	listener := &listenerv3.Listener{
		Name: "l",
		FilterChains: []*listenerv3.FilterChain{
			{Filters: []*listenerv3.Filter{
				{Name: "first", ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: named("oneof in a list")}},
				{Name: "unset"},
				{Name: "second", ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: nested}},
			}},
			nil,
			{TransportSocket: &corev3.TransportSocket{Name: "tls", ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: named("transport socket")}}},
		},
		ListenerFilters: []*listenerv3.ListenerFilter{{Name: "lf", ConfigType: &listenerv3.ListenerFilter_TypedConfig{TypedConfig: named("listener filter")}}},
	}
	route := &routev3.Route{TypedPerFilterConfig: map[string]*anypb.Any{"b": named("map value b"), "a": named("map value a")}}
	ext := &corev3.TypedExtensionConfig{Name: "field", TypedConfig: named("message field")}

	var met []string
	decode := func(a *anypb.Any) proto.Message {
		m, err := a.UnmarshalNew()
		if err != nil {
			t.Fatalf("undecodable Any %s: %v", a.GetTypeUrl(), err)
		}
		if s, ok := m.(*wrapperspb.StringValue); ok {
			met = append(met, s.GetValue())
			return nil
		}
		met = append(met, "decoded "+string(m.ProtoReflect().Descriptor().Name()))
		return m
	}
	for _, m := range []proto.Message{listener, route, ext, (*routev3.Route)(nil)} {
		walkAnys(m, decode)
	}
	want := []string{
		"oneof in a list", "decoded TypedExtensionConfig", "inside an Any",
		"transport socket", "listener filter",
		"map value a", "map value b",
		"message field",
	}
	if !slices.Equal(met, want) {
		t.Errorf("walk met\n%q\nwant\n%q", met, want)
	}
}
