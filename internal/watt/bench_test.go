package watt

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/emissary-go/emissary/internal/testenv"
)

// BenchmarkKubeToSnapshot creates 10,000 Mappings in a real API server
// while watt watches, and measures until a snapshot holds them all: from
// the first create (ns/op) and from the last create returning (the lag
// watt adds). It reports watt's heap afterwards.
func BenchmarkKubeToSnapshot(b *testing.B) {
	const n = 10000
	kube := testenv.StartKube(b, testenv.KubeOptions{CRDPaths: []string{filepath.Join("..", "..", "build", "crds.yaml")}})
	config := kube.Config
	config.QPS, config.Burst = 5000, 5000
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		b.Fatal(err)
	}
	core, err := kubernetes.NewForConfig(config)
	if err != nil {
		b.Fatal(err)
	}
	round := 0
	for b.Loop() {
		b.StopTimer()
		round++
		namespace := fmt.Sprintf("round-%d", round)
		if _, err := core.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		k := &Kube{Config: kube.Config, Namespace: "default", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		var (
			mu   sync.Mutex
			have int
			done = make(chan struct{})
		)
		c := &Coalescer{Debounce: 50 * time.Millisecond, MaxDelay: time.Second, Publish: func() {
			s := k.Snapshot()
			count := 0
			for _, m := range s.Kubernetes.Mappings {
				if m.Namespace == namespace {
					count++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if have < n && count == n {
				close(done)
			}
			have = count
		}}
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() { stopped <- k.Run(ctx, c.Changed) }()
		for k.Snapshot() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		b.StartTimer()
		var (
			wg     sync.WaitGroup
			failed atomic.Pointer[error]
		)
		next := make(chan int)
		for range 16 {
			wg.Go(func() {
				for i := range next {
					m := v2Mapping(fmt.Sprintf("m-%d", i), namespace, fmt.Sprintf("/m/%d/", i))
					if _, err := dyn.Resource(mappingsV2).Namespace(namespace).Create(context.Background(), m, metav1.CreateOptions{}); err != nil {
						failed.CompareAndSwap(nil, &err)
					}
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		if err := failed.Load(); err != nil {
			b.Fatal(*err)
		}
		created := time.Now()
		select {
		case <-done:
		case <-time.After(5 * time.Minute):
			b.Fatal("no snapshot with every Mapping")
		}
		b.StopTimer()
		b.ReportMetric(float64(time.Since(created).Milliseconds()), "ms-after-last-create")
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
		cancel()
		c.Stop()
		<-stopped
		b.StartTimer()
	}
}
