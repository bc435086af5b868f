package watt

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/emissary-go/emissary/internal/snapshot"
	"github.com/emissary-go/emissary/internal/testenv"
)

func TestConsulWatchesReferencedServices(t *testing.T) {
	agent := testenv.StartConsul(t)
	client, err := consulapi.NewClient(&consulapi.Config{Address: agent.Addr})
	if err != nil {
		t.Fatal(err)
	}
	register := func(id, address string, port int) {
		t.Helper()
		err := client.Agent().ServiceRegister(&consulapi.AgentServiceRegistration{
			ID: id, Name: "billing", Address: address, Port: port,
			Check: &consulapi.AgentServiceCheck{CheckID: "check-" + id, TTL: "10m", Status: consulapi.HealthPassing},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	register("billing-1", "10.0.0.1", 8080)

	changes := make(chan struct{}, 100)
	c := &Consul{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Changed: func() { changes <- struct{}{} }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	snap := snapshot.FromYAML("in.yaml", []byte(`apiVersion: getambassador.io/v3alpha1
kind: ConsulResolver
metadata: {name: consul-dc1, namespace: default}
spec: {address: "`+agent.Addr+`", datacenter: dc1}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: billing, namespace: default}
spec: {hostname: "*", prefix: /billing/, service: "billing:8080", resolver: consul-dc1}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: other, namespace: default}
spec: {hostname: "*", prefix: /other/, service: other}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: not-ours, namespace: default}
spec: {hostname: "*", prefix: /theirs/, service: theirs, resolver: consul-dc1, ambassador_id: [another-gateway]}
`), "default")
	c.Reconcile(ctx, snap)

	waitFor := func(what string, want ...string) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			var got []string
			for _, e := range c.Endpoints()["billing"].Endpoints {
				got = append(got, e.ID+"@"+e.Address)
			}
			slices.Sort(got)
			if slices.Equal(got, want) {
				return
			}
			select {
			case <-changes:
			case <-time.After(100 * time.Millisecond):
			case <-deadline:
				t.Fatalf("%s: endpoints %v, want %v", what, got, want)
			}
		}
	}
	waitFor("the first instance", "billing-1@10.0.0.1")
	c.mu.Lock()
	for s := range c.watches {
		if s.service != "billing" {
			t.Errorf("watching %s: no Mapping of this AMBASSADOR_ID resolves it through Consul", s.service)
		}
	}
	c.mu.Unlock()

	register("billing-2", "10.0.0.2", 8080)
	waitFor("a registered instance", "billing-1@10.0.0.1", "billing-2@10.0.0.2")

	if err := client.Agent().UpdateTTL("check-billing-1", "down", consulapi.HealthCritical); err != nil {
		t.Fatal(err)
	}
	waitFor("an instance gone critical", "billing-2@10.0.0.2")

	if err := client.Agent().ServiceDeregister("billing-2"); err != nil {
		t.Fatal(err)
	}
	waitFor("a deregistered instance")

	// No longer referenced: no longer watched.
	c.Reconcile(ctx, snapshot.FromYAML("in.yaml", []byte("{}"), "default"))
	if len(c.Endpoints()) != 0 {
		t.Errorf("still watching: %v", c.Endpoints())
	}
}
