package envoy

import (
	"errors"
	"fmt"
	"slices"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// validator is what go-control-plane's protoc-gen-validate code adds to
// every Envoy message.
type validator interface {
	ValidateAll() error
}

// Validate checks a configuration before anything may be written: every
// message satisfies Envoy's own constraints (the generated ValidateAll),
// every typed_config Any names a type this binary knows and decodes, every
// route's cluster exists, and no two listeners, clusters or listener
// addresses collide. It reports every problem it finds, not just the first.
func Validate(c *Config) error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	add(validateMessage("bootstrap", c.Bootstrap))
	clusters := map[string]bool{}
	for _, cl := range c.Clusters {
		name := "cluster " + cl.GetName()
		if clusters[cl.GetName()] {
			add(fmt.Errorf("%s: defined twice", name))
		}
		clusters[cl.GetName()] = true
		add(validateMessage(name, cl))
	}
	for _, cl := range c.Bootstrap.GetStaticResources().GetClusters() {
		clusters[cl.GetName()] = true
	}

	listeners := map[string]bool{}
	addresses := map[string]string{}
	for _, l := range c.Listeners {
		name := "listener " + l.GetName()
		if listeners[l.GetName()] {
			add(fmt.Errorf("%s: defined twice", name))
		}
		listeners[l.GetName()] = true
		if sa := l.GetAddress().GetSocketAddress(); sa != nil {
			addr := fmt.Sprintf("%s:%d", sa.GetAddress(), sa.GetPortValue())
			if other, taken := addresses[addr]; taken {
				add(fmt.Errorf("%s: address %s is already used by listener %s", name, addr, other))
			}
			addresses[addr] = l.GetName()
		}
		add(validateMessage(name, l))
		for _, rc := range routeConfigs(l) {
			add(checkRouteClusters(name, rc, clusters))
		}
	}
	return errors.Join(errs...)
}

// validateMessage runs Envoy's field constraints and resolves every Any,
// recursively, under m.
func validateMessage(name string, m proto.Message) error {
	if m == nil || !m.ProtoReflect().IsValid() {
		return fmt.Errorf("%s: missing", name)
	}
	var errs []error
	if v, ok := m.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	walkAnys(m.ProtoReflect(), func(a *anypb.Any) {
		inner, err := a.UnmarshalNew()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: typed config %q: %w", name, a.GetTypeUrl(), err))
			return
		}
		if v, ok := inner.(validator); ok {
			if err := v.ValidateAll(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", name, a.GetTypeUrl(), err))
			}
		}
	})
	return errors.Join(errs...)
}

// walkAnys calls fn for every Any in m, including Anys nested inside the
// messages that Anys hold.
func walkAnys(m protoreflect.Message, fn func(*anypb.Any)) {
	if a, ok := m.Interface().(*anypb.Any); ok {
		fn(a)
		if inner, err := a.UnmarshalNew(); err == nil {
			walkAnys(inner.ProtoReflect(), fn)
		}
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				walkAnys(list.Get(i).Message(), fn)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				walkAnys(mv.Message(), fn)
				return true
			})
		case fd.Message() != nil && !fd.IsList() && !fd.IsMap():
			walkAnys(v.Message(), fn)
		}
		return true
	})
}

// routeConfigs returns the route configurations held inline by the HTTP
// connection managers of a listener's filter chains.
func routeConfigs(l *listenerv3.Listener) []*routev3.RouteConfiguration {
	var out []*routev3.RouteConfiguration
	chains := slices.Clone(l.GetFilterChains())
	if l.GetDefaultFilterChain() != nil {
		chains = append(chains, l.GetDefaultFilterChain())
	}
	for _, fc := range chains {
		for _, f := range fc.GetFilters() {
			hcm := &hcmv3.HttpConnectionManager{}
			if f.GetTypedConfig().MessageIs(hcm) && f.GetTypedConfig().UnmarshalTo(hcm) == nil {
				if rc := hcm.GetRouteConfig(); rc != nil {
					out = append(out, rc)
				}
			}
		}
	}
	return out
}

// checkRouteClusters reports routes that send traffic to a cluster that
// does not exist, which Envoy would answer with 503s.
func checkRouteClusters(listener string, rc *routev3.RouteConfiguration, clusters map[string]bool) error {
	var errs []error
	for _, vh := range rc.GetVirtualHosts() {
		for i, r := range vh.GetRoutes() {
			var names []string
			if c := r.GetRoute().GetCluster(); c != "" {
				names = append(names, c)
			}
			for _, wc := range r.GetRoute().GetWeightedClusters().GetClusters() {
				names = append(names, wc.GetName())
			}
			for _, m := range r.GetRoute().GetRequestMirrorPolicies() {
				names = append(names, m.GetCluster())
			}
			for _, n := range names {
				if !clusters[n] {
					errs = append(errs, fmt.Errorf("%s: route config %s: virtual host %s: route %d: cluster %q does not exist", listener, rc.GetName(), vh.GetName(), i, n))
				}
			}
		}
	}
	return errors.Join(errs...)
}
