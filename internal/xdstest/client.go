// Package xdstest is an ADS client that behaves as Envoy does, for tests
// of the servers that feed Envoy: it subscribes to clusters, then to the
// endpoints those clusters name, to listeners, then to the route
// configurations those listeners name; it ACKs every response with its
// version and nonce, or NACKs it with an error detail when told to. It
// drives the generated discovery stubs directly and shares no code with
// the servers it tests.
package xdstest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
)

// The xDS type URLs, in the order Envoy subscribes.
const (
	ClusterType  = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	EndpointType = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
	ListenerType = "type.googleapis.com/envoy.config.listener.v3.Listener"
	RouteType    = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
)

// State is what the client holds: per type, the version it accepted and
// the resources by name.
type State struct {
	Versions  map[string]string
	Listeners map[string]*listenerv3.Listener
	Routes    map[string]*routev3.RouteConfiguration
	Clusters  map[string]*clusterv3.Cluster
	Endpoints map[string]*endpointv3.ClusterLoadAssignment
	// NACKs counts the responses refused.
	NACKs int
	// Dangling counts routes received naming a cluster the client did
	// not hold yet: what Envoy answers with 503s until it arrives.
	Dangling int
}

// Client is one connected Envoy.
type Client struct {
	node   *corev3.Node
	stream discoveryv3.AggregatedDiscoveryService_StreamAggregatedResourcesClient
	conn   *grpc.ClientConn
	// Reject, when set, is asked about every response; an error NACKs it.
	reject func(typeURL string, resources []proto.Message) error

	mu      sync.Mutex
	state   State
	changed chan struct{} // closed and replaced on every change
	err     error
	subs    map[string][]string // subscribed names per type (nil: all)
}

// Options configure a client.
type Options struct {
	NodeID, NodeCluster string
	// Reject, when set, sees every response before it is accepted; an
	// error refuses it (a NACK carrying the error's text).
	Reject func(typeURL string, resources []proto.Message) error
}

// Dial connects to an ADS server at addr and starts subscribing.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30)))
	if err != nil {
		return nil, err
	}
	stream, err := discoveryv3.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c := &Client{
		node:    &corev3.Node{Id: opts.NodeID, Cluster: opts.NodeCluster},
		stream:  stream,
		conn:    conn,
		reject:  opts.Reject,
		changed: make(chan struct{}),
		subs:    map[string][]string{},
		state: State{Versions: map[string]string{}, Listeners: map[string]*listenerv3.Listener{},
			Routes: map[string]*routev3.RouteConfiguration{}, Clusters: map[string]*clusterv3.Cluster{},
			Endpoints: map[string]*endpointv3.ClusterLoadAssignment{}},
	}
	// The node goes in the first request only, as Envoy sends it.
	if err := stream.Send(&discoveryv3.DiscoveryRequest{Node: c.node, TypeUrl: ClusterType}); err != nil {
		conn.Close()
		return nil, err
	}
	if err := stream.Send(&discoveryv3.DiscoveryRequest{TypeUrl: ListenerType}); err != nil {
		conn.Close()
		return nil, err
	}
	go c.receive()
	return c, nil
}

// Close disconnects.
func (c *Client) Close() error { return c.conn.Close() }

// Wait returns the state once ok says it is what the test waits for, or
// an error when ctx ends or the stream fails first.
func (c *Client) Wait(ctx context.Context, ok func(State) bool) (State, error) {
	for {
		c.mu.Lock()
		state, err, changed := c.copyState(), c.err, c.changed
		c.mu.Unlock()
		if ok(state) {
			return state, nil
		}
		if err != nil {
			return state, err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return state, fmt.Errorf("%w; the client holds versions %v", ctx.Err(), state.Versions)
		}
	}
}

func (c *Client) copyState() State {
	return State{
		Versions:  maps.Clone(c.state.Versions),
		Listeners: maps.Clone(c.state.Listeners),
		Routes:    maps.Clone(c.state.Routes),
		Clusters:  maps.Clone(c.state.Clusters),
		Endpoints: maps.Clone(c.state.Endpoints),
		NACKs:     c.state.NACKs,
		Dangling:  c.state.Dangling,
	}
}

func (c *Client) receive() {
	for {
		resp, err := c.stream.Recv()
		if err != nil {
			c.mu.Lock()
			c.err = err
			c.notify()
			c.mu.Unlock()
			return
		}
		if err := c.handle(resp); err != nil {
			c.mu.Lock()
			c.err = err
			c.notify()
			c.mu.Unlock()
			return
		}
	}
}

// handle decodes a response, then ACKs or NACKs it, and subscribes to
// what it names (endpoints of EDS clusters, routes of listeners).
func (c *Client) handle(resp *discoveryv3.DiscoveryResponse) error {
	typ := resp.GetTypeUrl()
	var msgs []proto.Message
	for _, a := range resp.GetResources() {
		m, err := a.UnmarshalNew()
		if err != nil {
			return fmt.Errorf("%s: %w", typ, err)
		}
		msgs = append(msgs, m)
	}
	c.mu.Lock()
	names := c.subs[typ]
	accepted := c.state.Versions[typ]
	c.mu.Unlock()
	if c.reject != nil {
		if err := c.reject(typ, msgs); err != nil {
			c.mu.Lock()
			c.state.NACKs++
			c.notify()
			c.mu.Unlock()
			return c.stream.Send(&discoveryv3.DiscoveryRequest{
				TypeUrl: typ, VersionInfo: accepted, ResponseNonce: resp.GetNonce(), ResourceNames: names,
				ErrorDetail: &statuspb.Status{Code: 3, Message: err.Error()},
			})
		}
	}
	var follow []*discoveryv3.DiscoveryRequest
	c.mu.Lock()
	switch typ {
	case ClusterType:
		clear(c.state.Clusters)
		var eds []string
		for _, m := range msgs {
			cl := m.(*clusterv3.Cluster)
			c.state.Clusters[cl.GetName()] = cl
			if cl.GetType() == clusterv3.Cluster_EDS {
				name := cl.GetEdsClusterConfig().GetServiceName()
				if name == "" {
					name = cl.GetName()
				}
				eds = append(eds, name)
			}
		}
		if r := c.resubscribe(EndpointType, eds); r != nil {
			follow = append(follow, r)
		}
	case ListenerType:
		clear(c.state.Listeners)
		var rds []string
		for _, m := range msgs {
			l := m.(*listenerv3.Listener)
			c.state.Listeners[l.GetName()] = l
			rds = append(rds, routeNames(l)...)
		}
		if r := c.resubscribe(RouteType, rds); r != nil {
			follow = append(follow, r)
		}
	case RouteType:
		for _, m := range msgs {
			rc := m.(*routev3.RouteConfiguration)
			c.state.Routes[rc.GetName()] = rc
			for _, vh := range rc.GetVirtualHosts() {
				for _, r := range vh.GetRoutes() {
					if name := r.GetRoute().GetCluster(); name != "" && c.state.Clusters[name] == nil {
						c.state.Dangling++
					}
				}
			}
		}
	case EndpointType:
		for _, m := range msgs {
			e := m.(*endpointv3.ClusterLoadAssignment)
			c.state.Endpoints[e.GetClusterName()] = e
		}
	}
	c.state.Versions[typ] = resp.GetVersionInfo()
	c.notify()
	c.mu.Unlock()
	ack := &discoveryv3.DiscoveryRequest{TypeUrl: typ, VersionInfo: resp.GetVersionInfo(), ResponseNonce: resp.GetNonce(), ResourceNames: names}
	if err := c.stream.Send(ack); err != nil {
		return err
	}
	for _, r := range follow {
		if err := c.stream.Send(r); err != nil {
			return err
		}
	}
	return nil
}

// resubscribe changes the names subscribed to for typ, dropping what is
// no longer named; nil when nothing changed.
func (c *Client) resubscribe(typ string, names []string) *discoveryv3.DiscoveryRequest {
	slices.Sort(names)
	names = slices.Compact(names)
	old, subscribed := c.subs[typ]
	if subscribed && slices.Equal(old, names) {
		return nil
	}
	c.subs[typ] = names
	keep := map[string]bool{}
	for _, n := range names {
		keep[n] = true
	}
	switch typ {
	case RouteType:
		maps.DeleteFunc(c.state.Routes, func(k string, _ *routev3.RouteConfiguration) bool { return !keep[k] })
	case EndpointType:
		maps.DeleteFunc(c.state.Endpoints, func(k string, _ *endpointv3.ClusterLoadAssignment) bool { return !keep[k] })
	}
	return &discoveryv3.DiscoveryRequest{TypeUrl: typ, VersionInfo: c.state.Versions[typ], ResourceNames: names}
}

// routeNames are the RDS route configurations a listener's connection
// managers name.
func routeNames(l *listenerv3.Listener) []string {
	var out []string
	for _, fc := range l.GetFilterChains() {
		for _, f := range fc.GetFilters() {
			hcm := &hcmv3.HttpConnectionManager{}
			if f.GetTypedConfig().UnmarshalTo(hcm) != nil {
				continue
			}
			if name := hcm.GetRds().GetRouteConfigName(); name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}

// notify wakes the waiters; c.mu is held.
func (c *Client) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// DialT is Dial for a test: a failure ends it, and the client is closed
// when it ends.
func DialT(t testing.TB, addr string, opts Options) *Client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Dial(ctx, addr, opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); c.Close() })
	return c
}

// WaitT is Wait for a test, for at most timeout: the test fails, naming
// what it waited for, when the state never comes.
func (c *Client) WaitT(t testing.TB, what string, timeout time.Duration, ok func(State) bool) State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s, err := c.Wait(ctx, ok)
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
	return s
}
