package testenv

import (
	"context"
	"strings"
	"testing"
	"time"

	consul "github.com/hashicorp/consul/api"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// The API server is real: it assigns a cluster IP from its service range
// and rejects an invalid object with its own validation message.
func TestKubeAPIServerServesServices(t *testing.T) {
	kube := StartKube(t, KubeOptions{})
	client, err := kubernetes.NewForConfig(kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "testenv"}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "quote", Namespace: "testenv"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "quote"},
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
	if _, err := client.CoreV1().Services("testenv").Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	list, err := client.CoreV1().Services("testenv").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Name != "quote" {
		t.Fatalf("listed %d services, want just quote: %+v", len(list.Items), list.Items)
	}
	if ip := list.Items[0].Spec.ClusterIP; ip == "" {
		t.Error("the API server should have allocated a cluster IP")
	}

	bad := svc.DeepCopy()
	bad.Name = "Not_A_DNS_Label"
	if _, err := client.CoreV1().Services("testenv").Create(ctx, bad, metav1.CreateOptions{}); err == nil {
		t.Error("the API server accepted an invalid Service name")
	}
}

func TestConsulDevAgentServesCatalog(t *testing.T) {
	agent := StartConsul(t)
	client, err := consul.NewClient(&consul.Config{Address: agent.Addr})
	if err != nil {
		t.Fatal(err)
	}

	reg := &consul.CatalogRegistration{
		Node:    "web-node",
		Address: "10.1.2.3",
		Service: &consul.AgentService{ID: "quote-1", Service: "quote", Address: "10.1.2.3", Port: 8080, Tags: []string{"v1"}},
	}
	if _, err := client.Catalog().Register(reg, nil); err != nil {
		t.Fatal(err)
	}

	services, meta, err := client.Catalog().Service("quote", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(services) != 1 || services[0].ServiceAddress != "10.1.2.3" || services[0].ServicePort != 8080 {
		t.Fatalf("catalog has %+v, want quote at 10.1.2.3:8080", services)
	}
	if meta.LastIndex == 0 {
		t.Error("a real catalog answers with a raft index for blocking queries")
	}

	// A blocking query returns as soon as the catalog changes past the
	// index it was given, which is how the Consul watcher will use it.
	changed := make(chan int, 1)
	go func() {
		s, _, err := client.Catalog().Service("quote", "", &consul.QueryOptions{WaitIndex: meta.LastIndex, WaitTime: 30 * time.Second})
		if err != nil {
			t.Error(err)
		}
		changed <- len(s)
	}()
	time.Sleep(200 * time.Millisecond)
	reg.Service = &consul.AgentService{ID: "quote-2", Service: "quote", Address: "10.1.2.3", Port: 8081}
	if _, err := client.Catalog().Register(reg, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-changed:
		if n != 2 {
			t.Errorf("blocking query returned %d instances, want 2", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("blocking query did not return after the catalog changed")
	}
}

func TestMissingToolSaysToRunMakeTools(t *testing.T) {
	t.Setenv("EMISSARY_TOOLS_DIR", t.TempDir())
	_, err := ToolPath("consul")
	if err == nil || !strings.Contains(err.Error(), "make tools") {
		t.Errorf("err = %v, want advice to run make tools", err)
	}
}
