// Package envoy turns the IR into Envoy v3 configuration, validates it and
// serializes it. Everything here is pure: the same IR gives the same
// bytes.
package envoy

import (
	"bytes"
	"encoding/json"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Config is one complete generated configuration.
type Config struct {
	// Bootstrap is what Envoy starts with (bootstrap-ads.json): the admin
	// interface and how to reach ambex.
	Bootstrap *bootstrapv3.Bootstrap
	// Listeners and Clusters are what ambex serves (envoy.json).
	Listeners []*listenerv3.Listener
	Clusters  []*clusterv3.Cluster
}

// EnvoyJSON is envoy.json: Emissary's form, a Bootstrap whose static
// resources hold the listeners and clusters ambex serves.
func (c *Config) EnvoyJSON() ([]byte, error) {
	return Marshal(&bootstrapv3.Bootstrap{StaticResources: &bootstrapv3.Bootstrap_StaticResources{
		Listeners: c.Listeners,
		Clusters:  c.Clusters,
	}})
}

// BootstrapJSON is bootstrap-ads.json.
func (c *Config) BootstrapJSON() ([]byte, error) {
	return Marshal(c.Bootstrap)
}

// Marshal writes m as indented JSON with Envoy's field names. protojson
// deliberately varies its whitespace between builds; re-indenting with
// encoding/json makes the bytes depend on the content alone.
func Marshal(m proto.Message) ([]byte, error) {
	raw, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
