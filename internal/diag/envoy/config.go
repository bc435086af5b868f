// Package envoy turns the IR into Envoy v3 configuration, validates it and
// serializes it. Everything here is pure: the same IR gives the same
// bytes.
package envoy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"sync/atomic"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	"golang.org/x/sync/errgroup"
)

// Config is one complete generated configuration.
type Config struct {
	// Bootstrap is what Envoy starts with (bootstrap-ads.json): the admin
	// interface and how to reach ambex.
	Bootstrap *bootstrapv3.Bootstrap
	// Listeners and Clusters are what ambex serves (envoy.json).
	Listeners []*listenerv3.Listener
	Clusters  []*clusterv3.Cluster

	// decoded maps the Anys the translator packed to the messages it
	// packed, so that validation checks those messages instead of decoding
	// megabytes of route configuration back out of the Anys.
	decoded map[*anypb.Any]proto.Message
}

// EnvoyJSON is envoy.json: Emissary's form, a Bootstrap whose static
// resources hold the listeners and clusters ambex serves. It is written
// compact, as Emissary writes it: it is large, and read by programs.
//
// Marshalling 10,000 routes is most of a reconfiguration, so the work is
// cut into pieces (each listener's filter chains, each cluster) that are
// marshalled on every core and joined. The result is byte for byte what
// marshalling the whole Bootstrap gives.
func (c *Config) EnvoyJSON() ([]byte, error) {
	var pieces []proto.Message
	type listenerParts struct {
		skeleton    int // index of the listener without its chains
		chains      []int
		placeholder []string
	}
	var listeners []listenerParts
	for i, l := range c.Listeners {
		lp := listenerParts{skeleton: len(pieces)}
		skeleton := &listenerv3.Listener{}
		dst := skeleton.ProtoReflect()
		l.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Name() != "filter_chains" {
				dst.Set(fd, v) // shared, not copied: nothing here is modified
			}
			return true
		})
		for j := range l.GetFilterChains() {
			token := fmt.Sprintf("%s-%d-%d", chainPlaceholder, i, j)
			skeleton.FilterChains = append(skeleton.FilterChains, &listenerv3.FilterChain{Name: token})
			lp.placeholder = append(lp.placeholder, `{"name":"`+token+`"}`)
			lp.chains = append(lp.chains, len(pieces)+1+j)
		}
		pieces = append(pieces, skeleton)
		for _, fc := range l.GetFilterChains() {
			pieces = append(pieces, fc)
		}
		listeners = append(listeners, lp)
	}
	firstCluster := len(pieces)
	for _, cl := range c.Clusters {
		pieces = append(pieces, cl)
	}
	parts, err := marshalAll(pieces)
	if err != nil {
		return nil, err
	}

	var out bytes.Buffer
	size := 64
	for _, p := range parts {
		size += len(p) + 1
	}
	out.Grow(size)
	out.WriteString(`{"static_resources":{`)
	if len(listeners) > 0 {
		out.WriteString(`"listeners":[`)
		for i, lp := range listeners {
			if i > 0 {
				out.WriteByte(',')
			}
			skeleton := parts[lp.skeleton]
			for j, ph := range lp.placeholder {
				at := bytes.Index(skeleton, []byte(ph))
				if at < 0 {
					return nil, fmt.Errorf("envoy.json: filter chain %d of listener %d not found while assembling", j, i)
				}
				out.Write(skeleton[:at])
				out.Write(parts[lp.chains[j]])
				skeleton = skeleton[at+len(ph):]
			}
			out.Write(skeleton)
		}
		out.WriteByte(']')
	}
	if len(c.Clusters) > 0 {
		if len(listeners) > 0 {
			out.WriteByte(',')
		}
		out.WriteString(`"clusters":[`)
		for i, p := range parts[firstCluster:] {
			if i > 0 {
				out.WriteByte(',')
			}
			out.Write(p)
		}
		out.WriteByte(']')
	}
	out.WriteString("}}\n")
	return out.Bytes(), nil
}

// chainPlaceholder names the stand-in filter chains of a listener
// skeleton; no real chain is named like this.
const chainPlaceholder = "emissary-go-placeholder-filter-chain"

// marshalAll marshals messages compactly on every core.
func marshalAll(msgs []proto.Message) ([][]byte, error) {
	parts := make([][]byte, len(msgs))
	var (
		g    errgroup.Group
		next atomic.Int64
	)
	for range runtime.GOMAXPROCS(0) {
		g.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(msgs) {
					return nil
				}
				b, err := marshal(msgs[i], false)
				if err != nil {
					return err
				}
				parts[i] = bytes.TrimSuffix(b, []byte("\n"))
			}
		})
	}
	return parts, g.Wait()
}

// BootstrapJSON is bootstrap-ads.json.
func (c *Config) BootstrapJSON() ([]byte, error) {
	return Marshal(c.Bootstrap)
}

// Marshal writes m as indented JSON with Envoy's field names.
func Marshal(m proto.Message) ([]byte, error) { return marshal(m, true) }

// marshal writes m as JSON. protojson deliberately varies its whitespace
// between builds; re-spacing with encoding/json makes the bytes depend on
// the content alone.
func marshal(m proto.Message, indent bool) ([]byte, error) {
	raw, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(raw) + len(raw)/4)
	if indent {
		err = json.Indent(&out, raw, "", "  ")
	} else {
		err = json.Compact(&out, raw)
	}
	if err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
