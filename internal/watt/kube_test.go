package watt

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
	"github.com/emissary-go/emissary/internal/snapshot"
	"github.com/emissary-go/emissary/internal/testenv"
)

var mappingsV2 = schema.GroupVersionResource{Group: "getambassador.io", Version: "v2", Resource: "mappings"}

func v2Mapping(name, namespace, prefix string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "getambassador.io/v2", "kind": "Mapping",
		"metadata": map[string]any{"name": name, "namespace": namespace},
		"spec":     map[string]any{"prefix": prefix, "service": "quote"},
	}}
}

// kubeWatch runs the Kubernetes source and keeps the snapshots a
// Coalescer would publish.
type kubeWatch struct {
	k    *Kube
	mu   sync.Mutex
	last *snapshot.Snapshot
	wake chan struct{}
}

func startKubeWatch(t *testing.T, k *Kube) *kubeWatch {
	t.Helper()
	kw := &kubeWatch{k: k, wake: make(chan struct{}, 1)}
	c := &Coalescer{Debounce: 10 * time.Millisecond, MaxDelay: 100 * time.Millisecond, Publish: func() {
		s := k.Snapshot()
		kw.mu.Lock()
		kw.last = s
		kw.mu.Unlock()
		select {
		case kw.wake <- struct{}{}:
		default:
		}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- k.Run(ctx, c.Changed) }()
	t.Cleanup(func() {
		cancel()
		c.Stop()
		if err := <-done; err != nil {
			t.Errorf("kube source: %v", err)
		}
	})
	return kw
}

func (kw *kubeWatch) wait(t *testing.T, what string, ok func(*snapshot.Snapshot) bool) *snapshot.Snapshot {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		kw.mu.Lock()
		s := kw.last
		kw.mu.Unlock()
		if s != nil && ok(s) {
			return s
		}
		select {
		case <-kw.wake:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no snapshot with %s", what)
		}
	}
}

func TestKubeSourceSeesCreatesUpdatesDeletesAndFilters(t *testing.T) {
	kube := testenv.StartKube(t, testenv.KubeOptions{CRDPaths: []string{filepath.Join("..", "..", "build", "crds.yaml")}})
	dyn, err := dynamic.NewForConfig(kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	core, err := kubernetes.NewForConfig(kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, ns := range []string{"team", "other"} {
		if _, err := core.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dyn.Resource(mappingsV2).Namespace("team").Create(ctx, v2Mapping("before", "team", "/before/"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	all := startKubeWatch(t, &Kube{Config: kube.Config, Namespace: "team", Log: log})
	single := startKubeWatch(t, &Kube{Config: kube.Config, Namespace: "team", SingleNamespace: true, Log: log})

	// What existed before the start is in the first snapshot.
	all.wait(t, "the Mapping made before the start", func(s *snapshot.Snapshot) bool { return hasMapping(s, "before", "/before/") })

	// Created, as v3alpha1 in the snapshot.
	if _, err := dyn.Resource(mappingsV2).Namespace("other").Create(ctx, v2Mapping("elsewhere", "other", "/elsewhere/"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := all.wait(t, "a created Mapping", func(s *snapshot.Snapshot) bool { return hasMapping(s, "elsewhere", "/elsewhere/") })
	for _, m := range s.Kubernetes.Mappings {
		if m.APIVersion != "getambassador.io/v3alpha1" && m.APIVersion != "" {
			t.Errorf("Mapping %s in %s, want v3alpha1", m.Name, m.APIVersion)
		}
		if m.Spec.Hostname != "*" {
			t.Errorf("Mapping %s: hostname %q, want v2's implicit \"*\"", m.Name, m.Spec.Hostname)
		}
	}

	// Updated.
	m, err := dyn.Resource(mappingsV2).Namespace("team").Get(ctx, "before", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	unstructured.SetNestedField(m.Object, "/after/", "spec", "prefix")
	if _, err := dyn.Resource(mappingsV2).Namespace("team").Update(ctx, m, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	all.wait(t, "an updated Mapping", func(s *snapshot.Snapshot) bool { return hasMapping(s, "before", "/after/") })

	// Deleted.
	if err := dyn.Resource(mappingsV2).Namespace("other").Delete(ctx, "elsewhere", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	all.wait(t, "a deleted Mapping", func(s *snapshot.Snapshot) bool { return !hasMapping(s, "elsewhere", "/elsewhere/") })

	// Services, and only referenced Secrets.
	if _, err := core.CoreV1().Services("team").Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "quote"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fallback-self-signed-cert", "unrelated"} {
		if _, err := core.CoreV1().Secrets("team").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name},
			Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("c"), "tls.key": []byte("k")}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s = all.wait(t, "the Service", func(s *snapshot.Snapshot) bool {
		return slices.ContainsFunc(s.Kubernetes.Services, func(svc *corev1.Service) bool { return svc.Name == "quote" }) &&
			len(s.Kubernetes.Secrets) > 0
	})
	if names := secretNames(s); !slices.Equal(names, []string{"fallback-self-signed-cert"}) {
		t.Errorf("secrets in the snapshot: %v, want only the referenced fallback", names)
	}
	// The API server records managedFields on every object; snapshots
	// leave them out.
	if svc, err := core.CoreV1().Services("team").Get(ctx, "quote", metav1.GetOptions{}); err != nil || len(svc.ManagedFields) == 0 {
		t.Fatalf("the API server's Service has no managedFields to leave out (%v)", err)
	}
	for _, o := range s.Kubernetes.Objects() {
		if mf := o.Object.GetManagedFields(); len(mf) > 0 {
			t.Errorf("%s %s/%s in the snapshot has managedFields", o.Kind, o.Object.GetNamespace(), o.Object.GetName())
		}
	}

	// Single-namespace mode sees only its namespace.
	s = single.wait(t, "the team namespace", func(s *snapshot.Snapshot) bool { return hasMapping(s, "before", "/after/") })
	for _, m := range s.Kubernetes.Mappings {
		if m.Namespace != "team" {
			t.Errorf("single-namespace mode saw %s/%s", m.Namespace, m.Name)
		}
	}
}

func hasMapping(s *snapshot.Snapshot, name, prefix string) bool {
	return slices.ContainsFunc(s.Kubernetes.Mappings, func(m *v3alpha1.Mapping) bool { return m.Name == name && m.Spec.Prefix == prefix })
}

func secretNames(s *snapshot.Snapshot) []string {
	var out []string
	for _, sec := range s.Kubernetes.Secrets {
		out = append(out, sec.Name)
	}
	slices.Sort(out)
	return out
}

// Started before the CRDs are installed, watt serves what exists, then
// watches the getambassador.io kinds once they appear. When the API
// server goes away (every connection cut, the port closed for a while)
// and comes back, the watch resumes.
func TestKubeSourceWaitsForCRDsAndSurvivesTheAPIServerGoingAway(t *testing.T) {
	kube := testenv.StartKube(t, testenv.KubeOptions{})
	dyn, err := dynamic.NewForConfig(kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, strings.TrimSuffix(strings.TrimPrefix(kube.Config.Host, "https://"), "/"))
	viaProxy := rest.CopyConfig(kube.Config)
	viaProxy.Host = "https://" + proxy.addr
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	kw := startKubeWatch(t, &Kube{Config: viaProxy, Namespace: "default", Recheck: 200 * time.Millisecond, Log: log})
	kw.wait(t, "a first snapshot without the CRDs", func(s *snapshot.Snapshot) bool { return len(s.Kubernetes.Services) > 0 })

	if _, err := envtest.InstallCRDs(kube.Config, envtest.CRDInstallOptions{Paths: []string{filepath.Join("..", "..", "build", "crds.yaml")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(mappingsV2).Namespace("default").Create(ctx, v2Mapping("late", "default", "/late/"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kw.wait(t, "a Mapping of a CRD installed after the start", func(s *snapshot.Snapshot) bool { return hasMapping(s, "late", "/late/") })

	proxy.cut(t)
	if _, err := dyn.Resource(mappingsV2).Namespace("default").Create(ctx, v2Mapping("while-away", "default", "/while-away/"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	proxy.resume(t)
	kw.wait(t, "a Mapping made while the API server was away", func(s *snapshot.Snapshot) bool {
		return hasMapping(s, "while-away", "/while-away/") && hasMapping(s, "late", "/late/")
	})
}

// proxy forwards TCP to the API server, and can cut every connection and
// refuse new ones for a while, as an API server that goes away does.
type proxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), target: target}
	p.serve(ln)
	t.Cleanup(func() { p.cut(t) })
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) cut(t *testing.T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) resume(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

// Every getambassador.io kind, created in its storage version from the
// API package's test data, is in the next snapshot, and gone from the
// one after it is deleted.
func TestKubeSourceSeesEveryKind(t *testing.T) {
	kube := testenv.StartKube(t, testenv.KubeOptions{CRDPaths: []string{filepath.Join("..", "..", "build", "crds.yaml")}})
	dyn, err := dynamic.NewForConfig(kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	kinds, err := ambassadorKinds()
	if err != nil {
		t.Fatal(err)
	}
	type created struct {
		gvr  schema.GroupVersionResource
		kind string
		name string
	}
	var objs []created
	for _, gvr := range kinds {
		file := filepath.Join("..", "api", "getambassador.io", "testdata", gvr.Version, strings.TrimSuffix(gvr.Resource, "s")+".yaml")
		docs, err := readYAMLObjects(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// The first object of each kind is enough; in the default
		// namespace, so that single-namespace rules do not matter.
		u := docs[0]
		u.SetNamespace("default")
		if _, err := dyn.Resource(gvr).Namespace("default").Create(context.Background(), u, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating %s %s: %v", u.GetKind(), u.GetName(), err)
		}
		objs = append(objs, created{gvr, u.GetKind(), u.GetName()})
	}
	if len(objs) != 14 {
		t.Errorf("%d getambassador.io kinds, want 14", len(objs))
	}
	// And the built-in kinds the translator reads.
	for _, doc := range []string{
		`{"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "quote"}, "subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]}`,
		`{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "quote-1", "labels": {"kubernetes.io/service-name": "quote"}}, "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}]}`,
		`{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "ambassador"}, "spec": {"controller": "getambassador.io/ingress-controller"}}`,
		`{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "shop"}, "spec": {"ingressClassName": "ambassador", "defaultBackend": {"service": {"name": "quote", "port": {"number": 80}}}}}`,
	} {
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON([]byte(doc)); err != nil {
			t.Fatal(err)
		}
		gvk := u.GroupVersionKind()
		gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: strings.ToLower(gvk.Kind) + map[bool]string{true: "es", false: "s"}[strings.HasSuffix(gvk.Kind, "s")]}
		if gvk.Kind == "Endpoints" {
			gvr.Resource = "endpoints"
		}
		ri := dyn.Resource(gvr)
		var err error
		if clusterScoped[gvr] {
			_, err = ri.Create(context.Background(), u, metav1.CreateOptions{})
		} else {
			u.SetNamespace("default")
			_, err = ri.Namespace("default").Create(context.Background(), u, metav1.CreateOptions{})
		}
		if err != nil {
			t.Fatalf("creating %s: %v", gvk.Kind, err)
		}
		objs = append(objs, created{gvr, gvk.Kind, u.GetName()})
	}
	kw := startKubeWatch(t, &Kube{Config: kube.Config, Namespace: "default", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	present := func(s *snapshot.Snapshot, kind, name string) bool {
		return slices.ContainsFunc(s.Kubernetes.Objects(), func(o snapshot.KindedObject) bool {
			return o.Kind == kind && o.Object.GetName() == name && (o.Object.GetNamespace() == "default" || kind == "IngressClass")
		})
	}
	kw.wait(t, "every kind", func(s *snapshot.Snapshot) bool {
		for _, o := range objs {
			if !present(s, o.kind, o.name) {
				return false
			}
		}
		return len(s.Invalid) == 0
	})
	for _, o := range objs {
		ri := dynamic.ResourceInterface(dyn.Resource(o.gvr).Namespace("default"))
		if clusterScoped[o.gvr] {
			ri = dyn.Resource(o.gvr)
		}
		if err := ri.Delete(context.Background(), o.name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	kw.wait(t, "every kind deleted", func(s *snapshot.Snapshot) bool {
		for _, o := range objs {
			if present(s, o.kind, o.name) {
				return false
			}
		}
		return true
	})
}

// readYAMLObjects reads a multi-document YAML file of Kubernetes objects.
func readYAMLObjects(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(string(data), "\n---") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			return nil, err
		}
		if u.GetKind() != "" {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no objects")
	}
	return out, nil
}

// The command in Kubernetes mode, with --kubeconfig.
func TestRunWithAKubeconfig(t *testing.T) {
	kube := testenv.StartKube(t, testenv.KubeOptions{CRDPaths: []string{filepath.Join("..", "..", "build", "crds.yaml")}})
	dyn, err := dynamic.NewForConfig(kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(mappingsV2).Namespace("default").Create(context.Background(), v2Mapping("via-kubeconfig", "default", "/kc/"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c := kube.Config
	kubeconfig := clientcmdapi.NewConfig()
	kubeconfig.Clusters["envtest"] = &clientcmdapi.Cluster{Server: c.Host, CertificateAuthorityData: c.CAData}
	kubeconfig.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: c.CertData, ClientKeyData: c.KeyData, Token: c.BearerToken}
	kubeconfig.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kubeconfig.CurrentContext = "envtest"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kubeconfig, path); err != nil {
		t.Fatal(err)
	}
	fw := startFilesWatt(t, "", func(o *Options) { o.ConfigDir, o.Kubeconfig = "", path })
	fw.snapshot(t, "the Mapping from the API server", func(s *snapshot.Snapshot) bool { return hasMapping(s, "via-kubeconfig", "/kc/") })
}
