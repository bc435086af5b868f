// Package xds turns the configuration diagd writes into the resources an
// xDS server hands Envoy: listeners whose HTTP routes come over RDS, the
// route configurations, clusters and endpoints. It is pure: bytes in,
// resources out.
package xds

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strconv"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
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
	var out Resources
	for _, l := range b.GetStaticResources().GetListeners() {
		rds, routes, err := listenerWithRDS(l)
		if err != nil {
			return Resources{}, fmt.Errorf("listener %s: %w", l.GetName(), err)
		}
		out.Listeners = append(out.Listeners, rds)
		out.Routes = append(out.Routes, routes...)
	}
	out.Clusters = b.GetStaticResources().GetClusters()
	return out, nil
}

// listenerWithRDS is l with each connection manager's inline route table
// replaced by an RDS reference, and those tables, named
// <listener>-routeconfig-<hash of the filter chain match>-<n> when they
// have no name.
func listenerWithRDS(l *listenerv3.Listener) (*listenerv3.Listener, []*routev3.RouteConfiguration, error) {
	out := proto.CloneOf(l)
	var routes []*routev3.RouteConfiguration
	seen := map[string]int{}
	for _, fc := range out.GetFilterChains() {
		for _, f := range fc.GetFilters() {
			a := f.GetTypedConfig()
			if a == nil || !a.MessageIs((*hcmv3.HttpConnectionManager)(nil)) {
				continue
			}
			hcm := &hcmv3.HttpConnectionManager{}
			if err := a.UnmarshalTo(hcm); err != nil {
				return nil, nil, fmt.Errorf("filter %s: %w", f.GetName(), err)
			}
			rc := hcm.GetRouteConfig()
			if rc == nil {
				continue
			}
			if rc.Name == "" {
				key := matchKey(fc.GetFilterChainMatch())
				rc.Name = l.GetName() + "-routeconfig-" + key + "-" + strconv.Itoa(seen[key])
				seen[key]++
			}
			routes = append(routes, rc)
			hcm.RouteSpecifier = &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{
				ConfigSource: &corev3.ConfigSource{
					ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
					ResourceApiVersion:    corev3.ApiVersion_V3,
				},
				RouteConfigName: rc.Name,
			}}
			packed, err := anypb.New(hcm)
			if err != nil {
				return nil, nil, err
			}
			f.ConfigType = &listenerv3.Filter_TypedConfig{TypedConfig: packed}
		}
	}
	return out, routes, nil
}

// matchKey names a filter chain by what it matches, so that a route
// table keeps its name while its chain does.
func matchKey(m *listenerv3.FilterChainMatch) string {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	h := fnv.New64a()
	h.Write(b)
	return strconv.FormatUint(binary.BigEndian.Uint64(h.Sum(nil)), 16)
}
