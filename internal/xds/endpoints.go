package xds

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	"google.golang.org/protobuf/encoding/protojson"
)

// endpoints.json is the endpoints of EDS clusters: {"endpoints":
// [ClusterLoadAssignment, ...]}, each in Envoy's JSON with proto field
// names, its cluster_name being the EDS cluster's service_name. diagd
// writes it with each configuration; watt may replace it alone when only
// endpoints change (the fast path), and ambex then serves only them anew.

// ParseEndpoints reads endpoints.json.
func ParseEndpoints(data []byte) ([]*endpointv3.ClusterLoadAssignment, error) {
	var doc struct {
		Endpoints []json.RawMessage `json:"endpoints"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("endpoints.json: %w", err)
	}
	var out []*endpointv3.ClusterLoadAssignment
	for i, raw := range doc.Endpoints {
		cla := &endpointv3.ClusterLoadAssignment{}
		if err := protojson.Unmarshal(raw, cla); err != nil {
			return nil, fmt.Errorf("endpoints.json: endpoints[%d]: %w", i, err)
		}
		out = append(out, cla)
	}
	return out, nil
}

// MarshalEndpoints writes endpoints.json, sorted by cluster name.
func MarshalEndpoints(assignments []*endpointv3.ClusterLoadAssignment) ([]byte, error) {
	sorted := slices.Clone(assignments)
	slices.SortFunc(sorted, func(a, b *endpointv3.ClusterLoadAssignment) int {
		return cmp.Compare(a.GetClusterName(), b.GetClusterName())
	})
	doc := struct {
		Endpoints []json.RawMessage `json:"endpoints"`
	}{Endpoints: []json.RawMessage{}}
	for _, cla := range sorted {
		b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(cla)
		if err != nil {
			return nil, err
		}
		doc.Endpoints = append(doc.Endpoints, b)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	return append(out, '\n'), err
}
