package ambex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/emissary-go/emissary/internal/ambex"
	"github.com/emissary-go/emissary/internal/diag"
	"github.com/emissary-go/emissary/internal/snapshot"
	"github.com/emissary-go/emissary/internal/xds"
	"github.com/emissary-go/emissary/internal/xdstest"
)

// config is a configuration with one cleartext listener, the Mapping
// routes given (prefix -> service) and an EDS cluster.
func config(routes ...string) string {
	out := `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: INSECURE, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: KubernetesEndpointResolver
metadata: {name: endpoint, namespace: default}
---
apiVersion: v1
kind: Service
metadata: {name: eds, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: eds, namespace: default}
spec: {hostname: "*", prefix: /eds/, service: eds, resolver: endpoint}
`
	for i := 0; i+1 < len(routes); i += 2 {
		out += fmt.Sprintf(`---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: m%d, namespace: default}
spec: {hostname: "*", prefix: %q, service: %s}
`, i, routes[i], routes[i+1])
	}
	return out
}

// writeConfig translates yaml and writes envoy.json and envoy.pb into
// dir, as diagd does.
func writeConfig(t testing.TB, dir, yaml string) {
	t.Helper()
	out := translate(t, yaml)
	pb, err := out.XDSBinary()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ambex.BinaryFile), pb)
	writeFile(t, filepath.Join(dir, ambex.ConfigFile), out.EnvoyJSON())
}

func translate(t testing.TB, yaml string) *diag.Output {
	t.Helper()
	out, err := diag.Translate(snapshot.FromYAML("in.yaml", []byte(yaml), "default"), diag.TranslateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// envoy.pb holds exactly what envoy.json does; a stale one is not used.
func TestTheBinaryFormMatchesTheJSON(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, config("/quote/", "quote", "/orders/", "orders"))
	fromPB, err := ambex.ReadConfig([]string{dir})
	if err != nil || fromPB.From != filepath.Join(dir, ambex.BinaryFile) || fromPB.Hashes == nil {
		t.Fatalf("read %s (%v), want envoy.pb", fromPB.From, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ambex.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := ambex.ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	same := func(kind string, a, b []proto.Message) {
		if len(a) != len(b) {
			t.Fatalf("%s: %d from envoy.pb, %d from envoy.json", kind, len(a), len(b))
		}
		for i := range a {
			if !proto.Equal(a[i], b[i]) {
				t.Errorf("%s %d differs:\n%v\n%v", kind, i, a[i], b[i])
			}
		}
	}
	same("listeners", messages(fromPB.Listeners), messages(fromJSON.Listeners))
	same("routes", messages(fromPB.Routes), messages(fromJSON.Routes))
	same("clusters", messages(fromPB.Clusters), messages(fromJSON.Clusters))

	// envoy.json replaced without envoy.pb: the JSON is what is read.
	writeFile(t, filepath.Join(dir, ambex.ConfigFile), translate(t, config("/other/", "other")).EnvoyJSON())
	cfg, err := ambex.ReadConfig([]string{dir})
	if err != nil || cfg.From != filepath.Join(dir, ambex.ConfigFile) || cfg.Hashes != nil {
		t.Fatalf("read %s (%v), want envoy.json", cfg.From, err)
	}
	if !strings.Contains(fmt.Sprint(cfg.Routes), `"/other/"`) {
		t.Error("the stale envoy.pb's routes were read")
	}
}

func messages[M proto.Message](list []M) []proto.Message {
	out := make([]proto.Message, len(list))
	for i, m := range list {
		out[i] = m
	}
	return out
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

type server struct {
	a      *ambex.Ambex
	addr   string
	dir    string
	cancel context.CancelFunc
	done   chan error
}

// startAmbex serves dir on addr ("" for any free port).
// loaded is ambex serving the /quote/ configuration from a new
// directory, loaded.
func loaded(t *testing.T) (dir string, s *server) {
	t.Helper()
	dir = t.TempDir()
	writeConfig(t, dir, config("/quote/", "quote"))
	s = startAmbex(t, dir, "")
	if err := s.a.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir, s
}

func startAmbex(t testing.TB, dir, addr string) *server {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{a: ambex.New([]string{dir}, slog.New(slog.NewTextHandler(io.Discard, nil)), false),
		addr: ln.Addr().String(), dir: dir, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- s.a.Serve(ctx, ln) }()
	t.Cleanup(s.stop)
	return s
}

func (s *server) stop() {
	s.cancel()
	<-s.done
	s.done <- nil // later stops return at once
}

func dial(t testing.TB, addr, node string, reject func(string, []proto.Message) error) *xdstest.Client {
	t.Helper()
	return xdstest.DialT(t, addr, xdstest.Options{NodeID: node, NodeCluster: "emissary-default", Reject: reject})
}

func wait(t testing.TB, c *xdstest.Client, what string, ok func(xdstest.State) bool) xdstest.State {
	t.Helper()
	return c.WaitT(t, what, 20*time.Second, ok)
}

// hasRoute: some route configuration routes prefix to cluster.
func hasRoute(s xdstest.State, prefix, cluster string) bool {
	for _, rc := range s.Routes {
		for _, vh := range rc.GetVirtualHosts() {
			for _, r := range vh.GetRoutes() {
				if r.GetMatch().GetPrefix() == prefix && r.GetRoute().GetCluster() == cluster {
					return true
				}
			}
		}
	}
	return false
}

// complete: the client holds every type, all routes the listeners name.
func complete(s xdstest.State) bool {
	for _, typ := range []string{xdstest.ClusterType, xdstest.ListenerType, xdstest.RouteType, xdstest.EndpointType} {
		if s.Versions[typ] == "" {
			return false
		}
	}
	return len(s.Listeners) > 0 && len(s.Routes) > 0
}

func TestServesTheConfigurationAndItsChanges(t *testing.T) {
	dir, s := loaded(t)
	c := dial(t, s.addr, "test-id", nil)
	first := wait(t, c, "the first configuration", func(st xdstest.State) bool {
		return complete(st) && hasRoute(st, "/quote/", "cluster_quote_default")
	})
	if _, ok := first.Clusters["cluster_eds_default"]; !ok {
		t.Errorf("clusters: %v", keys(first.Clusters))
	}
	if _, ok := first.Endpoints["k8s/default/eds/80"]; !ok {
		t.Errorf("the EDS cluster has no (even empty) endpoints: %v", keys(first.Endpoints))
	}
	// Listeners take their routes over RDS; unnamed route tables are
	// named after their listener.
	named := 0
	for name := range first.Routes {
		if strings.HasPrefix(name, "http-routeconfig-") {
			named++
		}
	}
	if named != 1 || len(first.Routes) != 2 {
		t.Errorf("route configurations: %v, want the http listener's and the ready listener's", keys(first.Routes))
	}

	// A routing change: a new routes version; the listeners, whose
	// routes come over RDS, are not sent again.
	writeConfig(t, dir, config("/quote/", "quote", "/orders/", "orders"))
	if err := s.a.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	second := wait(t, c, "the change", func(st xdstest.State) bool { return hasRoute(st, "/orders/", "cluster_orders_default") })
	// Make before break: the new cluster came before the route to it.
	if second.Dangling != 0 {
		t.Errorf("%d routes arrived before their cluster", second.Dangling)
	}
	if second.Versions[xdstest.RouteType] == first.Versions[xdstest.RouteType] {
		t.Error("the routes changed but kept their version")
	}
	if second.Versions[xdstest.ListenerType] != first.Versions[xdstest.ListenerType] {
		t.Errorf("the listeners did not change but were sent again: %s -> %s", first.Versions[xdstest.ListenerType], second.Versions[xdstest.ListenerType])
	}
	if version := s.a.Version(); version != "v2" {
		t.Errorf("version %s after two loads, want v2", version)
	}

	// Reloading the same files changes nothing.
	if err := s.a.Reload(context.Background()); err != nil || s.a.Version() != "v2" {
		t.Errorf("an unchanged reload: %v, version %s", err, s.a.Version())
	}
}

func TestAnInvalidFileKeepsTheLastGoodConfiguration(t *testing.T) {
	dir, s := loaded(t)
	c := dial(t, s.addr, "test-id", nil)
	good := wait(t, c, "the configuration", complete)

	path := filepath.Join(dir, ambex.ConfigFile)
	valid, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"not JSON":                 []byte(`{"static_resources": {`),
		"an unknown field":         []byte(`{"static_resources": {"listenerz": []}}`),
		"a broken Envoy invariant": []byte(strings.Replace(string(valid), `"name":"cluster_quote_default"`, `"name":""`, 1)),
		"a route to nowhere":       []byte(strings.Replace(string(valid), `"cluster":"cluster_quote_default"`, `"cluster":"cluster_nowhere"`, 1)),
	} {
		writeFile(t, path, data)
		if err := s.a.Reload(context.Background()); err == nil {
			t.Errorf("%s: loaded", name)
		}
		if v := s.a.Version(); v != "v1" {
			t.Errorf("%s: version %s, want v1 still", name, v)
		}
	}
	st := wait(t, c, "the configuration", complete)
	if st.Versions[xdstest.RouteType] != good.Versions[xdstest.RouteType] || !hasRoute(st, "/quote/", "cluster_quote_default") {
		t.Errorf("the client's configuration changed: %v", st.Versions)
	}
}

func TestANACKIsReportedAndKeepsThePreviousVersion(t *testing.T) {
	dir, s := loaded(t)
	status := httptest.NewServer(s.a.Handler())
	defer status.Close()
	// This Envoy refuses any route configuration with a /bad/ route.
	reject := func(typ string, msgs []proto.Message) error {
		for _, m := range msgs {
			if rc, ok := m.(*routev3.RouteConfiguration); ok && strings.Contains(rc.String(), `"/bad/"`) {
				return errors.New("route /bad/: this Envoy will not have it")
			}
		}
		return nil
	}
	c := dial(t, s.addr, "picky", reject)
	good := wait(t, c, "the configuration", complete)

	writeConfig(t, dir, config("/quote/", "quote", "/bad/", "bad"))
	if err := s.a.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := wait(t, c, "a NACK", func(st xdstest.State) bool { return st.NACKs > 0 })
	if st.Versions[xdstest.RouteType] != good.Versions[xdstest.RouteType] || hasRoute(st, "/bad/", "cluster_bad_default") {
		t.Errorf("the refused routes were taken: %v", st.Versions)
	}
	var report struct {
		Version string
		Nodes   []ambex.NodeStatus
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(status.URL + "/status")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&report)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(report.Nodes) == 1 && report.Nodes[0].LastNACK != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no NACK in the status: %+v", report)
		}
		time.Sleep(10 * time.Millisecond)
	}
	n := report.Nodes[0]
	if n.ID != "picky" || n.Cluster != "emissary-default" || !n.Connected || n.LastNACK.Type != "routes" ||
		n.LastNACK.Version != "v2" || !strings.Contains(n.LastNACK.Message, "this Envoy will not have it") {
		t.Errorf("status: %+v, NACK %+v", n, n.LastNACK)
	}
	if n.Acked["routes"] != good.Versions[xdstest.RouteType] || n.Acked["clusters"] == "" {
		t.Errorf("acked versions: %v", n.Acked)
	}
}

func TestTwoEnvoysAndARestart(t *testing.T) {
	dir, s := loaded(t)
	a := dial(t, s.addr, "test-id", nil)
	b := dial(t, s.addr, "another-envoy", nil)
	for _, c := range []*xdstest.Client{a, b} {
		wait(t, c, "the configuration", func(st xdstest.State) bool { return complete(st) && hasRoute(st, "/quote/", "cluster_quote_default") })
	}

	// ambex restarts on the same address; the Envoy reconnects and gets
	// the configuration again.
	addr := s.addr
	s.stop()
	writeConfig(t, dir, config("/quote/", "quote", "/after/", "after"))
	restarted := startAmbex(t, dir, addr)
	if err := restarted.a.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := dial(t, addr, "test-id", nil)
	wait(t, again, "the configuration after a restart", func(st xdstest.State) bool {
		return complete(st) && hasRoute(st, "/after/", "cluster_after_default")
	})
}

func TestEndpointFastPath(t *testing.T) {
	dir, s := loaded(t)
	c := dial(t, s.addr, "test-id", nil)
	before := wait(t, c, "the configuration", complete)

	cla := &endpointv3.ClusterLoadAssignment{ClusterName: "k8s/default/eds/80", Endpoints: []*endpointv3.LocalityLbEndpoints{{
		LbEndpoints: []*endpointv3.LbEndpoint{{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
			Address: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
				Address: "10.0.0.7", PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: 8080}}}},
		}}}},
	}}}
	data, err := xds.MarshalEndpoints([]*endpointv3.ClusterLoadAssignment{cla})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ambex.EndpointsFile), data)
	if err := s.a.ReloadEndpoints(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := wait(t, c, "the endpoints", func(st xdstest.State) bool {
		e := st.Endpoints["k8s/default/eds/80"]
		return len(e.GetEndpoints()) == 1 &&
			e.GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress().GetSocketAddress().GetAddress() == "10.0.0.7"
	})
	for _, typ := range []string{xdstest.ListenerType, xdstest.ClusterType, xdstest.RouteType} {
		if after.Versions[typ] != before.Versions[typ] {
			t.Errorf("an endpoint update sent %s again", typ)
		}
	}
	// Endpoints for clusters nobody has are dropped, not served.
	bad, _ := xds.MarshalEndpoints([]*endpointv3.ClusterLoadAssignment{{ClusterName: "k8s/default/nobody/80"}})
	writeFile(t, filepath.Join(dir, ambex.EndpointsFile), bad)
	if err := s.a.ReloadEndpoints(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A malformed endpoints.json is refused; the endpoints stay.
	writeFile(t, filepath.Join(dir, ambex.EndpointsFile), []byte(`{"endpoints": [{"cluster_name": 7}]}`))
	if err := s.a.ReloadEndpoints(context.Background()); err == nil {
		t.Error("a malformed endpoints.json was taken")
	}
}

// Envoy may speak delta xDS instead; the same configuration is served.
func TestDeltaXDS(t *testing.T) {
	_, s := loaded(t)
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stream, err := discoveryv3.NewAggregatedDiscoveryServiceClient(conn).DeltaAggregatedResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&discoveryv3.DeltaDiscoveryRequest{Node: &corev3.Node{Id: "delta-envoy"}, TypeUrl: xdstest.ClusterType}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range resp.GetResources() {
		names = append(names, r.GetName())
	}
	if !strings.Contains(strings.Join(names, ","), "cluster_quote_default") {
		t.Errorf("delta clusters: %v", names)
	}
	if err := stream.Send(&discoveryv3.DeltaDiscoveryRequest{TypeUrl: xdstest.ClusterType, ResponseNonce: resp.GetNonce()}); err != nil {
		t.Fatal(err)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
