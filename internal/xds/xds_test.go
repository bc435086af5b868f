package xds

import (
	"errors"
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

func listener(t *testing.T, name string, chains ...*listenerv3.FilterChainMatch) *listenerv3.Listener {
	t.Helper()
	l := &listenerv3.Listener{Name: name}
	for _, m := range chains {
		hcm, err := anypb.New(&hcmv3.HttpConnectionManager{StatPrefix: "x", RouteSpecifier: &hcmv3.HttpConnectionManager_RouteConfig{
			RouteConfig: &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{{Name: "vh", Domains: []string{"*"}}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		l.FilterChains = append(l.FilterChains, &listenerv3.FilterChain{FilterChainMatch: m, Filters: []*listenerv3.Filter{
			{Name: "envoy.filters.network.http_connection_manager", ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: hcm}},
		}})
	}
	return l
}

func TestSplitMovesRouteTablesToRDSWithoutTouchingItsInput(t *testing.T) {
	tls := &listenerv3.FilterChainMatch{ServerNames: []string{"a.example.com"}, TransportProtocol: "tls"}
	l := listener(t, "https", tls, &listenerv3.FilterChainMatch{}, tls)
	before := proto.Clone(l)
	r, err := Split([]*listenerv3.Listener{l}, nil, unpackHCM)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(l, before) {
		t.Error("Split modified the listener it was given")
	}
	if len(r.Routes) != 3 {
		t.Fatalf("%d route configurations, want 3", len(r.Routes))
	}
	names := map[string]bool{}
	for i, rc := range r.Routes {
		if !strings.HasPrefix(rc.GetName(), "https-routeconfig-") || names[rc.GetName()] {
			t.Errorf("route configuration %d named %q", i, rc.GetName())
		}
		names[rc.GetName()] = true
		hcm := &hcmv3.HttpConnectionManager{}
		if err := r.Listeners[0].FilterChains[i].Filters[0].GetTypedConfig().UnmarshalTo(hcm); err != nil {
			t.Fatal(err)
		}
		if hcm.GetRds().GetRouteConfigName() != rc.GetName() || hcm.GetRds().GetConfigSource().GetAds() == nil || hcm.GetStatPrefix() != "x" {
			t.Errorf("chain %d: %v", i, hcm)
		}
	}
	// Two chains with the same match are told apart by their number; the
	// same match gives the same name again.
	if !strings.HasSuffix(r.Routes[0].GetName(), "-0") || !strings.HasSuffix(r.Routes[2].GetName(), "-1") ||
		strings.TrimSuffix(r.Routes[0].GetName(), "-0") != strings.TrimSuffix(r.Routes[2].GetName(), "-1") {
		t.Errorf("names: %s %s", r.Routes[0].GetName(), r.Routes[2].GetName())
	}
	again, _ := Split([]*listenerv3.Listener{listener(t, "https", tls, &listenerv3.FilterChainMatch{}, tls)}, nil, unpackHCM)
	if again.Routes[1].GetName() != r.Routes[1].GetName() {
		t.Error("route configuration names are not stable")
	}
}

func TestBinaryFormRoundTripsAndRefusesWhatIsNotIt(t *testing.T) {
	r, err := Split([]*listenerv3.Listener{listener(t, "http", &listenerv3.FilterChainMatch{})}, nil, unpackHCM)
	if err != nil {
		t.Fatal(err)
	}
	source := []byte(`{"static_resources":{}}`)
	data, err := AppendBinary(nil, r, source)
	if err != nil {
		t.Fatal(err)
	}
	back, hashes, err := ReadBinary(data, source)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Listeners) != 1 || !proto.Equal(back.Listeners[0], r.Listeners[0]) || !proto.Equal(back.Routes[0], r.Routes[0]) || hashes.Routes == 0 {
		t.Errorf("round trip: %v %v", back, hashes)
	}
	if _, _, err := ReadBinary(data, []byte(`{"static_resources":{"x":1}}`)); !errors.Is(err, ErrOtherSource) {
		t.Errorf("another envoy.json: %v", err)
	}
	for name, bad := range map[string][]byte{
		"empty":          nil,
		"another format": []byte("{}"),
		"truncated":      data[:len(data)-3],
		"trailing bytes": append(append([]byte{}, data...), 0),
	} {
		if _, _, err := ReadBinary(bad, source); err == nil {
			t.Errorf("%s: read", name)
		}
	}
}

func TestEndpointsRoundTrip(t *testing.T) {
	in := []*endpointv3.ClusterLoadAssignment{
		{ClusterName: "k8s/b/svc/80"},
		{ClusterName: "k8s/a/svc/80", Endpoints: []*endpointv3.LocalityLbEndpoints{{LbEndpoints: []*endpointv3.LbEndpoint{{
			HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{Address: &corev3.Address{
				Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{Address: "10.0.0.1", PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: 80}}}}}},
		}}}}},
	}
	data, err := MarshalEndpoints(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ParseEndpoints(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].GetClusterName() != "k8s/a/svc/80" || !proto.Equal(out[0], in[1]) {
		t.Errorf("endpoints.json is not sorted by cluster, or lost something: %v", out)
	}
	if _, err := ParseEndpoints([]byte(`{"endpoints": [{"cluster_nam": "x"}]}`)); err == nil {
		t.Error("an unknown field was accepted")
	}
}
