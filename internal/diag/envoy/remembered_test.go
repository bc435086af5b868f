package envoy

import (
	"bytes"
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

func forget() {
	remembered.Lock()
	defer remembered.Unlock()
	remembered.json, remembered.size = nil, 0
}

// TestRememberedJSONIsProtojsonsForThatContent checks marshal against
// protojson for messages asked about again, changed, of another type
// with the same encoding, and in the other layout; and that what it
// returns is the caller's own.
func TestRememberedJSONIsProtojsonsForThatContent(t *testing.T) {
	forget()
	filter := func(name string, typed proto.Message) *hcmv3.HttpFilter {
		a, err := anypb.New(typed)
		if err != nil {
			t.Fatal(err)
		}
		return &hcmv3.HttpFilter{Name: name, ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: a}}
	}
	msgs := []proto.Message{
		filter("envoy.filters.http.router", &routerv3.Router{}),
		filter("envoy.filters.http.cors", &corsv3.Cors{}),
		filter("envoy.filters.http.router", &routerv3.Router{SuppressEnvoyHeaders: true}),
		&routerv3.Router{}, // the same (empty) encoding as the next
		&corsv3.Cors{},
		&corev3.Node{Id: "a"},
		&corev3.Node{Id: "b"},
	}
	for round := range 3 {
		for _, m := range msgs {
			for _, indent := range []bool{false, true} {
				want, err := protojsonMarshal(m, indent)
				if err != nil {
					t.Fatal(err)
				}
				got, err := marshal(m, indent)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("round %d, %T indent=%v:\n got %s\nwant %s", round, m, indent, got, want)
				}
				got[0] = 'X' // the caller's own: what is remembered is unchanged
			}
		}
	}
	remembered.Lock()
	n := len(remembered.json)
	remembered.Unlock()
	if want := 2 * len(msgs); n != want {
		t.Errorf("%d entries remembered, want one per message and layout: %d", n, want)
	}
}

// TestRememberedStaysSmall feeds marshal messages larger than its limit:
// it forgets instead of growing.
func TestRememberedStaysSmall(t *testing.T) {
	forget()
	defer forget()
	big := strings.Repeat("x", rememberedLimit/3)
	for i := range 10 {
		if _, err := marshal(&corev3.Node{Id: big, Cluster: strings.Repeat("y", i)}, false); err != nil {
			t.Fatal(err)
		}
		remembered.Lock()
		size := remembered.size
		remembered.Unlock()
		if size > rememberedLimit {
			t.Fatalf("after %d messages %d bytes are remembered, over the limit of %d", i+1, size, rememberedLimit)
		}
	}
}
