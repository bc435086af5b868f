package ambex

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"slices"
	"sync"

	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/emissary-go/emissary/internal/gcburst"
	"github.com/emissary-go/emissary/internal/parallel"
	"github.com/emissary-go/emissary/internal/xds"
)

// ErrNoConfig says there is nothing to serve yet: diagd has not written
// a configuration.
var ErrNoConfig = errors.New("no configuration yet")

// Ambex serves one configuration to every Envoy that connects.
type Ambex struct {
	dirs   []string
	log    *slog.Logger
	debug  bool
	cache  cachev3.SnapshotCache
	status *Status

	mu sync.Mutex
	// generation counts loads; a type's version is the generation in
	// which its resources last changed, so it only ever grows and an
	// unchanged type is not sent again.
	generation int
	config     xds.Resources
	hashes     *xds.TypeHashes
	endpoints  []*endpointv3.ClusterLoadAssignment
	versions   map[resource.Type]typeVersion
	snapshot   *cachev3.Snapshot
}

// typeVersion is one resource type's version and a hash of its content.
type typeVersion struct {
	version string
	hash    uint64
}

// New makes an ambex serving the configuration found in dirs.
func New(dirs []string, log *slog.Logger, debug bool) *Ambex {
	a := &Ambex{dirs: dirs, log: log, debug: debug, versions: map[resource.Type]typeVersion{}}
	a.status = newStatus()
	// Every node gets the configuration: Emissary's bootstrap names its
	// Envoy "test-id", but any node that asks is served, and reported
	// under its own id.
	a.cache = cachev3.NewSnapshotCache(true, cachev3.IDHash{}, logAdapter{log})
	return a
}

// Reload reads envoy.json and endpoints.json again. A configuration that
// does not read or is not consistent leaves the one served in place.
func (a *Ambex) Reload(ctx context.Context) error {
	// Reading and checking a configuration is a burst of garbage,
	// collected after it is served.
	defer gcburst.Begin()()
	config, err := ReadConfig(a.dirs)
	if err != nil {
		return err
	}
	endpoints, err := ReadEndpoints(a.dirs)
	if err != nil {
		return err
	}
	a.log.Debug("read the configuration", "file", config.From)
	return a.apply(ctx, &config, endpoints)
}

// ReloadEndpoints is the fast path: only endpoints.json is read again,
// and only endpoints change.
func (a *Ambex) ReloadEndpoints(ctx context.Context) error {
	endpoints, err := ReadEndpoints(a.dirs)
	if err != nil {
		return err
	}
	return a.apply(ctx, nil, endpoints)
}

// apply makes and serves a new snapshot from config (nil: the current
// one) and endpoints.
func (a *Ambex) apply(ctx context.Context, config *Config, endpoints []*endpointv3.ClusterLoadAssignment) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	next, hashes := a.config, a.hashes
	if config != nil {
		next, hashes = config.Resources, config.Hashes
	}
	if len(next.Listeners) == 0 && len(next.Clusters) == 0 {
		return ErrNoConfig
	}
	next.Endpoints = withEndpoints(next.Clusters, endpoints)
	if err := validate(next); err != nil {
		return err
	}
	generation := a.generation + 1
	byType := map[resource.Type][]types.Resource{
		resource.ListenerType: asResources(next.Listeners),
		resource.RouteType:    asResources(next.Routes),
		resource.ClusterType:  asResources(next.Clusters),
		resource.EndpointType: asResources(next.Endpoints),
	}
	snap, err := cachev3.NewSnapshot(fmt.Sprintf("v%d", generation), byType)
	if err != nil {
		return err
	}
	versions := map[resource.Type]typeVersion{}
	changed := []string{}
	for typ, list := range byType {
		h, err := typeHash(typ, list, hashes)
		if err != nil {
			return err
		}
		v := a.versions[typ]
		if v.version == "" || v.hash != h {
			v = typeVersion{version: fmt.Sprintf("v%d", generation), hash: h}
			changed = append(changed, shortType(typ))
		}
		versions[typ] = v
		snap.Resources[cachev3.GetResponseType(typ)].Version = v.version
	}
	if err := snap.Consistent(); err != nil {
		return fmt.Errorf("inconsistent configuration: %w", err)
	}
	if len(changed) == 0 {
		a.log.Info("configuration unchanged", "generation", a.generation)
		return nil
	}
	a.generation, a.config, a.hashes, a.endpoints, a.versions, a.snapshot = generation, next, hashes, endpoints, versions, snap
	for _, node := range a.nodes() {
		if err := a.cache.SetSnapshot(ctx, node, snap); err != nil {
			return err
		}
	}
	slices.Sort(changed)
	a.log.Info("serving a new snapshot", "version", fmt.Sprintf("v%d", generation), "changed", changed,
		"listeners", len(next.Listeners), "routes", len(next.Routes), "clusters", len(next.Clusters), "endpoints", len(next.Endpoints))
	if a.debug {
		a.log.Debug("snapshot", "resources", describe(snap))
	}
	return nil
}

// nodes are the ids to set the snapshot for: Emissary's fixed one and
// every node that has connected.
func (a *Ambex) nodes() []string {
	nodes := append([]string{"test-id"}, a.status.nodeIDs()...)
	slices.Sort(nodes)
	return slices.Compact(nodes)
}

// nodeConnected makes sure a node seen for the first time has the
// current snapshot.
func (a *Ambex) nodeConnected(ctx context.Context, id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.snapshot == nil {
		return
	}
	if _, err := a.cache.GetSnapshot(id); err != nil {
		if err := a.cache.SetSnapshot(ctx, id, a.snapshot); err != nil {
			a.log.Error("setting the snapshot for a new node", "node", id, "error", err)
		}
	}
}

// Version is the generation being served.
func (a *Ambex) Version() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fmt.Sprintf("v%d", a.generation)
}

// Serve serves ADS on ln until ctx is done.
func (a *Ambex) Serve(ctx context.Context, ln net.Listener) error {
	callbacks := a.status.callbacks(a)
	srv := serverv3.NewServer(ctx, a.cache, callbacks)
	g := grpc.NewServer(grpc.MaxConcurrentStreams(1000000))
	discoveryv3.RegisterAggregatedDiscoveryServiceServer(g, srv)
	go func() {
		<-ctx.Done()
		g.Stop()
	}()
	return g.Serve(ln)
}

func asResources[T types.Resource](list []T) []types.Resource {
	out := make([]types.Resource, len(list))
	for i, r := range list {
		out[i] = r
	}
	return out
}

// validator is what go-control-plane's generated validation adds to every
// Envoy message.
type validator interface{ ValidateAll() error }

// validate checks every resource against Envoy's constraints: a file
// edited by hand, or written by another tool, gets no further.
func validate(r xds.Resources) error {
	// Every resource is validated on its own, on every core: the route
	// tables of a large configuration take a while.
	type item struct {
		kind, name string
		m          validator
	}
	var items []item
	for _, l := range r.Listeners {
		items = append(items, item{"listener", l.GetName(), l})
	}
	for _, rc := range r.Routes {
		items = append(items, item{"route configuration", rc.GetName(), rc})
	}
	for _, c := range r.Clusters {
		items = append(items, item{"cluster", c.GetName(), c})
	}
	for _, e := range r.Endpoints {
		items = append(items, item{"endpoints", e.GetClusterName(), e})
	}
	found := make([]error, len(items))
	parallel.Each(len(items), func(i int) error {
		if err := items[i].m.ValidateAll(); err != nil {
			found[i] = fmt.Errorf("%s %s: %w", items[i].kind, items[i].name, err)
		}
		return nil // every resource's problems are reported
	})
	var errs []error
	for _, err := range found {
		if err != nil {
			errs = append(errs, err)
		}
	}
	// Envoy answers a route to a cluster it does not have with 503s;
	// such a configuration is a mistake, not something to serve.
	clusters := map[string]bool{}
	for _, c := range r.Clusters {
		clusters[c.GetName()] = true
	}
	for _, rc := range r.Routes {
		for _, vh := range rc.GetVirtualHosts() {
			for _, route := range vh.GetRoutes() {
				for _, name := range routeClusters(route) {
					if !clusters[name] {
						errs = append(errs, fmt.Errorf("route configuration %s: virtual host %s: cluster %q does not exist", rc.GetName(), vh.GetName(), name))
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

// routeClusters are the clusters a route sends traffic to.
func routeClusters(r *routev3.Route) []string {
	action := r.GetRoute()
	var out []string
	if c := action.GetCluster(); c != "" {
		out = append(out, c)
	}
	for _, wc := range action.GetWeightedClusters().GetClusters() {
		out = append(out, wc.GetName())
	}
	for _, m := range action.GetRequestMirrorPolicies() {
		out = append(out, m.GetCluster())
	}
	return out
}

// typeHash is the hash of a type's resources: the binary form's when
// there is one, else the encoded resources'.
func typeHash(typ resource.Type, list []types.Resource, hashes *xds.TypeHashes) (uint64, error) {
	if hashes != nil {
		switch typ {
		case resource.ListenerType:
			return hashes.Listeners, nil
		case resource.RouteType:
			return hashes.Routes, nil
		case resource.ClusterType:
			return hashes.Clusters, nil
		}
	}
	return hashResources(list)
}

// hashResources hashes a type's resources, in name order, so that an
// unchanged type keeps its version.
func hashResources(list []types.Resource) (uint64, error) {
	h := fnv.New64a()
	opts := proto.MarshalOptions{Deterministic: true}
	sorted := slices.Clone(list)
	slices.SortFunc(sorted, func(x, y types.Resource) int {
		return cmp.Compare(cachev3.GetResourceName(x), cachev3.GetResourceName(y))
	})
	var buf []byte
	for _, r := range sorted {
		var err error
		buf, err = opts.MarshalAppend(buf[:0], r)
		if err != nil {
			return 0, err
		}
		h.Write(buf)
	}
	return h.Sum64(), nil
}

func shortType(t resource.Type) string {
	switch t {
	case resource.ListenerType:
		return "listeners"
	case resource.RouteType:
		return "routes"
	case resource.ClusterType:
		return "clusters"
	case resource.EndpointType:
		return "endpoints"
	}
	return t
}

// describe lists a snapshot's resources by type, for --debug.
func describe(s *cachev3.Snapshot) map[string][]string {
	out := map[string][]string{}
	for _, typ := range []resource.Type{resource.ListenerType, resource.RouteType, resource.ClusterType, resource.EndpointType} {
		for name := range s.GetResources(typ) {
			out[shortType(typ)] = append(out[shortType(typ)], name)
		}
		slices.Sort(out[shortType(typ)])
	}
	return out
}
