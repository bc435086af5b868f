package diag

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"

	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
	"github.com/emissary-go/emissary/internal/xds"
)

// endpointsJSON is endpoints.json for the EDS clusters of x: their
// endpoints in snap (none yet is an empty assignment: Envoy then waits).
func endpointsJSON(x *ir.IR, snap *snapshot.Snapshot) ([]byte, error) {
	var assignments []*endpointv3.ClusterLoadAssignment
	seen := map[string]bool{}
	for _, c := range x.Clusters {
		if c.Type != "EDS" || seen[c.EDSName] {
			continue
		}
		seen[c.EDSName] = true
		cla := &endpointv3.ClusterLoadAssignment{ClusterName: c.EDSName}
		endpoints := ir.Endpoints(snap, c)
		if len(endpoints) > 0 {
			locality := &endpointv3.LocalityLbEndpoints{}
			for _, e := range endpoints {
				locality.LbEndpoints = append(locality.LbEndpoints, &endpointv3.LbEndpoint{
					HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
						Address: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
							Address: e.Address, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: uint32(e.Port)},
						}}},
					}},
				})
			}
			cla.Endpoints = []*endpointv3.LocalityLbEndpoints{locality}
		}
		assignments = append(assignments, cla)
	}
	return xds.MarshalEndpoints(assignments)
}
