// Package xds turns the configuration diagd writes into the resources an
// xDS server hands Envoy: listeners whose HTTP routes come over RDS, the
// route configurations, clusters and endpoints. It is pure: bytes in,
// resources out.
package xds

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// Resources are one complete configuration, by xDS type.
type Resources struct {
	Listeners []*listenerv3.Listener
	Routes    []*routev3.RouteConfiguration
	Clusters  []*clusterv3.Cluster
	Endpoints []*endpointv3.ClusterLoadAssignment
}

// FromBootstrap takes envoy.json's static listeners and clusters. Route
// tables inlined in HTTP connection managers move to RDS, as Emissary's
// ambex does: a routing change then replaces a route configuration, not
// the listener, which Envoy would drain.
func FromBootstrap(b *bootstrapv3.Bootstrap) (Resources, error) {
	return Split(b.GetStaticResources().GetListeners(), b.GetStaticResources().GetClusters(), unpackHCM)
}

// HCMOf gives the HTTP connection manager a filter holds, or nil.
type HCMOf func(*listenerv3.Filter) (*hcmv3.HttpConnectionManager, error)

func unpackHCM(f *listenerv3.Filter) (*hcmv3.HttpConnectionManager, error) {
	a := f.GetTypedConfig()
	if a == nil || !a.MessageIs((*hcmv3.HttpConnectionManager)(nil)) {
		return nil, nil
	}
	hcm := &hcmv3.HttpConnectionManager{}
	if err := a.UnmarshalTo(hcm); err != nil {
		return nil, fmt.Errorf("filter %s: %w", f.GetName(), err)
	}
	return hcm, nil
}

// Split makes the resources of listeners and clusters, reading each
// connection manager with hcmOf. Nothing given is modified: what changes
// is copied first.
func Split(listeners []*listenerv3.Listener, clusters []*clusterv3.Cluster, hcmOf HCMOf) (Resources, error) {
	var out Resources
	for _, l := range listeners {
		rds, routes, err := listenerWithRDS(l, hcmOf)
		if err != nil {
			return Resources{}, fmt.Errorf("listener %s: %w", l.GetName(), err)
		}
		out.Listeners = append(out.Listeners, rds)
		out.Routes = append(out.Routes, routes...)
	}
	out.Clusters = clusters
	return out, nil
}

// listenerWithRDS is l with each connection manager's inline route table
// replaced by an RDS reference, and those tables, named
// <listener>-routeconfig-<hash of the filter chain match>-<n> when they
// have no name.
func listenerWithRDS(l *listenerv3.Listener, hcmOf HCMOf) (*listenerv3.Listener, []*routev3.RouteConfiguration, error) {
	var out *listenerv3.Listener
	var routes []*routev3.RouteConfiguration
	seen := map[string]int{}
	for i, fc := range l.GetFilterChains() {
		for j, f := range fc.GetFilters() {
			hcm, err := hcmOf(f)
			if err != nil {
				return nil, nil, err
			}
			if hcm.GetRouteConfig() == nil {
				continue
			}
			if out == nil {
				out = shallowListener(l)
			}
			rc := shallowCopy(hcm.GetRouteConfig(), &routev3.RouteConfiguration{})
			if rc.Name == "" {
				key := matchKey(fc.GetFilterChainMatch())
				rc.Name = l.GetName() + "-routeconfig-" + key + "-" + strconv.Itoa(seen[key])
				seen[key]++
			}
			routes = append(routes, rc)
			rdsHCM := shallowCopy(hcm, &hcmv3.HttpConnectionManager{})
			rdsHCM.RouteSpecifier = &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{
				ConfigSource: &corev3.ConfigSource{
					ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
					ResourceApiVersion:    corev3.ApiVersion_V3,
				},
				RouteConfigName: rc.Name,
			}}
			packed, err := anypb.New(rdsHCM)
			if err != nil {
				return nil, nil, err
			}
			filter := shallowCopy(f, &listenerv3.Filter{})
			filter.ConfigType = &listenerv3.Filter_TypedConfig{TypedConfig: packed}
			out.FilterChains[i].Filters[j] = filter
		}
	}
	if out == nil {
		return l, nil, nil
	}
	return out, routes, nil
}

// shallowListener copies l and its filter chains' filter lists, so that
// filters can be replaced without touching l.
func shallowListener(l *listenerv3.Listener) *listenerv3.Listener {
	out := shallowCopy(l, &listenerv3.Listener{})
	out.FilterChains = make([]*listenerv3.FilterChain, len(l.GetFilterChains()))
	for i, fc := range l.GetFilterChains() {
		c := shallowCopy(fc, &listenerv3.FilterChain{})
		c.Filters = slices.Clone(fc.GetFilters())
		out.FilterChains[i] = c
	}
	return out
}

// shallowCopy sets every populated field of src on dst, sharing values.
func shallowCopy[M proto.Message](src, dst M) M {
	d := dst.ProtoReflect()
	src.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		d.Set(fd, v)
		return true
	})
	return dst
}

// matchKey names a filter chain by what it matches, so that a route
// table keeps its name while its chain does.
func matchKey(m *listenerv3.FilterChainMatch) string {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	h := fnv.New64a()
	h.Write(b)
	return strconv.FormatUint(binary.BigEndian.Uint64(h.Sum(nil)), 16)
}
