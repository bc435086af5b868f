package watt

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/emissary-go/emissary/internal/snapshot"
)

// Consul watches the healthy instances of the Consul services that
// Mappings resolve through a ConsulResolver, with blocking queries, and
// stops watching what is no longer referenced.
type Consul struct {
	// AmbassadorID is AMBASSADOR_ID: only its resolvers and Mappings
	// count.
	AmbassadorID string
	Log          *slog.Logger
	// Changed is called when a watched service's instances change.
	Changed func()

	mu        sync.Mutex
	watches   map[consulService]context.CancelFunc
	endpoints map[consulService]snapshot.ConsulEndpoints
}

// consulService is one watched service: which agent, which datacenter.
type consulService struct {
	address, datacenter, service string
}

// Reconcile watches what snap references, and no more.
func (c *Consul) Reconcile(ctx context.Context, snap *snapshot.Snapshot) {
	wanted := referencedConsulServices(snap, cmp.Or(c.AmbassadorID, "default"))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watches == nil {
		c.watches, c.endpoints = map[consulService]context.CancelFunc{}, map[consulService]snapshot.ConsulEndpoints{}
	}
	for s, cancel := range c.watches {
		if !wanted[s] {
			cancel()
			delete(c.watches, s)
			delete(c.endpoints, s)
			c.Log.Info("no longer watching a Consul service", "service", s.service, "datacenter", s.datacenter)
		}
	}
	for s := range wanted {
		if _, ok := c.watches[s]; ok {
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		c.watches[s] = cancel
		c.Log.Info("watching a Consul service", "service", s.service, "datacenter", s.datacenter, "agent", s.address)
		go c.watch(wctx, s)
	}
}

// Endpoints are the healthy instances of every watched service, by
// service name, as the snapshot carries them.
func (c *Consul) Endpoints() map[string]snapshot.ConsulEndpoints {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]snapshot.ConsulEndpoints{}
	keys := slices.SortedFunc(maps.Keys(c.endpoints), func(a, b consulService) int {
		return cmp.Or(cmp.Compare(a.service, b.service), cmp.Compare(a.datacenter, b.datacenter), cmp.Compare(a.address, b.address))
	})
	for _, k := range keys {
		e := c.endpoints[k]
		if prev, ok := out[k.service]; ok {
			e.Endpoints = append(slices.Clone(prev.Endpoints), e.Endpoints...)
		}
		out[k.service] = e
	}
	return out
}

// watch follows one service with blocking queries until ctx is done,
// backing off on errors.
func (c *Consul) watch(ctx context.Context, s consulService) {
	cfg := consulapi.DefaultConfig()
	if s.address != "" {
		cfg.Address = s.address
	}
	client, err := consulapi.NewClient(cfg)
	if err != nil {
		c.Log.Error("Consul client", "agent", s.address, "error", err)
		return
	}
	var index uint64
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		q := (&consulapi.QueryOptions{Datacenter: s.datacenter, WaitIndex: index, WaitTime: 5 * time.Minute}).WithContext(ctx)
		entries, meta, err := client.Health().Service(s.service, "", true, q)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.Log.Warn("querying Consul; retrying", "service", s.service, "error", err, "in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if meta.LastIndex < index {
			index = 0 // the index went backwards (agent restart): start over
		} else {
			index = meta.LastIndex
		}
		c.set(s, entries)
	}
}

// set records a service's instances, and says so when they changed.
func (c *Consul) set(s consulService, entries []*consulapi.ServiceEntry) {
	e := snapshot.ConsulEndpoints{Id: s.service, Service: s.service}
	for _, entry := range entries {
		address := entry.Service.Address
		if address == "" {
			address = entry.Node.Address
		}
		e.Endpoints = append(e.Endpoints, snapshot.ConsulEndpoint{
			SystemID: "consul::" + entry.Node.ID, ID: entry.Service.ID, Service: entry.Service.Service,
			Address: address, Port: entry.Service.Port, Tags: entry.Service.Tags,
		})
	}
	slices.SortFunc(e.Endpoints, func(a, b snapshot.ConsulEndpoint) int {
		return cmp.Or(cmp.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port), cmp.Compare(a.ID, b.ID))
	})
	c.mu.Lock()
	if _, watched := c.watches[s]; !watched {
		c.mu.Unlock()
		return
	}
	old, had := c.endpoints[s]
	c.endpoints[s] = e
	c.mu.Unlock()
	oldJSON, _ := json.Marshal(old)
	newJSON, _ := json.Marshal(e)
	if (!had || string(oldJSON) != string(newJSON)) && c.Changed != nil {
		c.Changed()
	}
}

// referencedConsulServices are the services Mappings resolve through a
// ConsulResolver (named by the Mapping, or the ambassador Module's
// default resolver).
func referencedConsulServices(snap *snapshot.Snapshot, ambassadorID string) map[consulService]bool {
	out := map[consulService]bool{}
	k := snap.Kubernetes
	if k == nil {
		return out
	}
	resolvers := map[string]consulService{}
	for _, r := range k.ConsulResolvers {
		if !r.Spec.AmbassadorID.Matches(ambassadorID) {
			continue
		}
		resolvers[r.Name] = consulService{address: r.Spec.Address, datacenter: r.Spec.Datacenter}
	}
	if len(resolvers) == 0 {
		return out
	}
	defaultResolver := ""
	for _, m := range k.Modules {
		if m.Name != "ambassador" {
			continue
		}
		if raw, ok := m.Spec.Config.Values["resolver"]; ok {
			json.Unmarshal(raw.Raw, &defaultResolver)
		}
	}
	for _, m := range k.Mappings {
		if !m.Spec.AmbassadorID.Matches(ambassadorID) {
			continue
		}
		name := m.Spec.Resolver
		if name == "" {
			name = defaultResolver
		}
		r, ok := resolvers[name]
		if !ok {
			continue
		}
		r.service = serviceHost(m.Spec.Service)
		if r.service != "" {
			out[r] = true
		}
	}
	return out
}

// serviceHost is a Mapping's service without scheme and port: the name
// Consul knows it by.
func serviceHost(service string) string {
	if _, rest, ok := strings.Cut(service, "://"); ok {
		service = rest
	}
	if host, _, err := net.SplitHostPort(service); err == nil {
		return host
	}
	return service
}
