package xds

import (
	"reflect"
	"sync"
	"testing"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/emissary-go/emissary/internal/prototest"
)

// TestWithoutKeepsEveryOtherFieldAndSharesIt fills every field of the
// messages cut into skeletons, each in turn (so that every member of a
// oneof is tried), and checks that Without clears only the one field,
// keeps the others by reference, and leaves its input alone.
func TestWithoutKeepsEveryOtherFieldAndSharesIt(t *testing.T) {
	for _, c := range []struct {
		msg  proto.Message
		skip protoreflect.Name
	}{
		{&listenerv3.Listener{}, "filter_chains"},
		{&listenerv3.FilterChain{}, "filters"},
		{&listenerv3.Filter{}, "typed_config"},
		{&hcmv3.HttpConnectionManager{}, "route_config"},
		{&routev3.RouteConfiguration{}, "virtual_hosts"},
		{&routev3.VirtualHost{}, "routes"},
	} {
		fields := c.msg.ProtoReflect().Descriptor().Fields()
		if fields.ByName(c.skip) == nil {
			t.Fatalf("%T has no field %s", c.msg, c.skip)
		}
		if p := withoutPlanFor(reflect.TypeOf(c.msg).Elem(), c.msg, c.skip); p.tail == nil {
			t.Errorf("%T: the fields are copied one by one, not in one go", c.msg)
		}
		for i := range fields.Len() {
			src := c.msg.ProtoReflect().New()
			prototest.SetSomething(src, fields.Get(i))
			prototest.SetSomething(src, fields.ByName(c.skip))
			before := proto.Clone(src.Interface())

			got := Without(src.Interface(), c.skip).ProtoReflect()

			if !proto.Equal(src.Interface(), before) {
				t.Fatalf("%T: Without changed its input", c.msg)
			}
			want := proto.Clone(src.Interface()).ProtoReflect()
			want.Clear(fields.ByName(c.skip))
			if !proto.Equal(got.Interface(), want.Interface()) {
				t.Errorf("%T without %s, %s filled:\n got %v\nwant %v", c.msg, c.skip, fields.Get(i).Name(), got, want)
			}
			if fd := fields.Get(i); fd.Name() != c.skip && fd.Message() != nil && !fd.IsList() && !fd.IsMap() &&
				got.Get(fd).Message().Interface() != src.Get(fd).Message().Interface() {
				t.Errorf("%T without %s: %s is a copy, not the same message", c.msg, c.skip, fd.Name())
			}
		}
	}
}

// TestWithoutIsSafeBesideReaders copies messages while other goroutines
// reflect on and size them, as validation and serialization do side by
// side: protobuf updates a message's hidden state atomically then, and
// a copy must not read it (-race holds it to that).
func TestWithoutIsSafeBesideReaders(t *testing.T) {
	for range 100 {
		vh := &routev3.VirtualHost{Name: "vh", Domains: []string{"*"}, Routes: []*routev3.Route{{Name: "r"}}}
		var wg sync.WaitGroup
		wg.Go(func() { _ = vh.ProtoReflect().Has(vh.ProtoReflect().Descriptor().Fields().ByName("name")) })
		wg.Go(func() { _ = proto.Size(vh) })
		wg.Go(func() {
			if got := Without(vh, "routes"); got.GetName() != "vh" || len(got.GetRoutes()) != 0 {
				t.Errorf("Without(vh, routes) = %v", got)
			}
		})
		wg.Wait()
	}
}
