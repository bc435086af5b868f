package ambex

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	"google.golang.org/protobuf/encoding/protojson"

	// The typed configs envoy.json may hold must be known to decode it.
	_ "github.com/emissary-go/emissary/internal/diag/envoy"
	"github.com/emissary-go/emissary/internal/xds"
)

// The files ambex reads from each directory it watches.
const (
	// ConfigFile is what diagd writes: a Bootstrap whose static
	// resources are the configuration.
	ConfigFile = "envoy.json"
	// EndpointsFile is the endpoint fast path: ClusterLoadAssignments for
	// EDS clusters, replaced on its own when only endpoints change.
	EndpointsFile = "endpoints.json"
)

// BinaryFile is envoy.pb, which diagd writes beside envoy.json: the same
// configuration, read many times faster (see package xds).
const BinaryFile = "envoy.pb"

// Config is a configuration read, with the hashes of its types when the
// binary form provided them.
type Config struct {
	xds.Resources
	Hashes *xds.TypeHashes
	// From is the file it was read from.
	From string
}

// ReadConfig reads the configuration from the first directory that has
// envoy.json: from envoy.pb when that was made with this envoy.json.
func ReadConfig(dirs []string) (Config, error) {
	for _, dir := range dirs {
		path := filepath.Join(dir, ConfigFile)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Config{}, err
		}
		pbPath := filepath.Join(dir, BinaryFile)
		if pb, err := os.ReadFile(pbPath); err == nil {
			if r, hashes, err := xds.ReadBinary(pb, data); err == nil {
				return Config{Resources: r, Hashes: &hashes, From: pbPath}, nil
			}
		}
		r, err := ParseConfig(data)
		return Config{Resources: r, From: path}, err
	}
	return Config{}, fmt.Errorf("%w: no %s in %v", ErrNoConfig, ConfigFile, dirs)
}

// ParseConfig reads envoy.json.
func ParseConfig(data []byte) (xds.Resources, error) {
	var b bootstrapv3.Bootstrap
	if err := (protojson.UnmarshalOptions{}).Unmarshal(data, &b); err != nil {
		return xds.Resources{}, fmt.Errorf("%s: %w", ConfigFile, err)
	}
	return xds.FromBootstrap(&b)
}

// ReadEndpoints reads endpoints.json from the first directory that has
// one; none is no endpoints.
func ReadEndpoints(dirs []string) ([]*endpointv3.ClusterLoadAssignment, error) {
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, EndpointsFile))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return xds.ParseEndpoints(data)
	}
	return nil, nil
}

// withEndpoints gives every EDS cluster its assignment: the one given, or
// an empty one (Envoy waits for an EDS cluster's endpoints before it
// warms, and a snapshot must name them all to be consistent).
func withEndpoints(clusters []*clusterv3.Cluster, given []*endpointv3.ClusterLoadAssignment) []*endpointv3.ClusterLoadAssignment {
	byName := map[string]*endpointv3.ClusterLoadAssignment{}
	for _, cla := range given {
		byName[cla.GetClusterName()] = cla
	}
	var out []*endpointv3.ClusterLoadAssignment
	seen := map[string]bool{}
	for _, c := range clusters {
		if c.GetType() != clusterv3.Cluster_EDS {
			continue
		}
		name := c.GetEdsClusterConfig().GetServiceName()
		if name == "" {
			name = c.GetName()
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		cla, ok := byName[name]
		if !ok {
			cla = &endpointv3.ClusterLoadAssignment{ClusterName: name}
		}
		out = append(out, cla)
	}
	return out
}
