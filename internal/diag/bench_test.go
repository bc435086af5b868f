package diag

import (
	"fmt"
	"runtime"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// generatedSnapshot is a realistic installation with n Mappings: two
// Listeners (8080 cleartext, 8443 TLS, both XFP), ten TLS Hosts with their
// Secrets, a Service per Mapping across twenty namespaces, and Mappings
// with headers, rewrites and canaries sprinkled in.
func generatedSnapshot(n int) *snapshot.Snapshot {
	k := &snapshot.Kubernetes{}
	for i, port := range []int32{8080, 8443} {
		protocol := v3alpha1.ProtocolType("HTTP")
		if i == 1 {
			protocol = "HTTPS"
		}
		k.Listeners = append(k.Listeners, &v3alpha1.Listener{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("listener-%d", port), Namespace: "default"},
			Spec: v3alpha1.ListenerSpec{Port: port, Protocol: protocol, SecurityModel: "XFP",
				HostBinding: v3alpha1.HostBinding{Namespace: &v3alpha1.NamespaceBinding{From: "ALL"}}},
		})
	}
	const hosts = 10
	for h := 0; h < hosts; h++ {
		name := fmt.Sprintf("host-%d", h)
		k.Secrets = append(k.Secrets, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-cert", Namespace: "default"},
			Type:       corev1.SecretTypeTLS,
			Data:       map[string][]byte{"tls.crt": []byte("cert-" + name), "tls.key": []byte("key-" + name)},
		})
		k.Hosts = append(k.Hosts, &v3alpha1.Host{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Spec: v3alpha1.HostSpec{Hostname: name + ".example.com",
				TLSSecret: &corev1.SecretReference{Name: name + "-cert"}},
		})
	}
	for i := 0; i < n; i++ {
		ns := fmt.Sprintf("team-%d", i%20)
		svc := fmt.Sprintf("svc-%d", i)
		k.Services = append(k.Services, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: svc, Namespace: ns},
			Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 8080}}},
		})
		m := &v3alpha1.Mapping{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("mapping-%d", i), Namespace: ns},
			Spec: v3alpha1.MappingSpec{
				Hostname: fmt.Sprintf("host-%d.example.com", i%hosts),
				Prefix:   fmt.Sprintf("/api/%d/", i),
				Service:  svc + ":8080",
			},
		}
		if i%10 == 0 {
			m.Spec.Headers = map[string]string{"x-tenant": fmt.Sprintf("tenant-%d", i)}
		}
		if i%7 == 0 {
			rewrite := fmt.Sprintf("/v2/%d/", i)
			m.Spec.Rewrite = &rewrite
		}
		k.Mappings = append(k.Mappings, m)
		if i%5 == 0 {
			canary := m.DeepCopy()
			canary.Name += "-canary"
			canary.Spec.Service = svc + "-canary:8080"
			weight := 10
			canary.Spec.Weight = &weight
			k.Mappings = append(k.Mappings, canary)
		}
	}
	return &snapshot.Snapshot{Kubernetes: k}
}

// BenchmarkTranslate measures a whole reconfiguration: snapshot to IR to
// validated Envoy configuration, serialized (envoy.json, bootstrap,
// clustermap): everything before ambex can be told.
func BenchmarkTranslate(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("mappings=%d", n), func(b *testing.B) {
			snap := generatedSnapshot(n)
			b.ReportAllocs()
			var size int
			for b.Loop() {
				// Each iteration translates a fresh copy, as diagd does with
				// each new snapshot (the translator normalizes in place).
				out, err := Translate(copySnapshot(b, snap), TranslateOptions{})
				if err != nil {
					b.Fatal(err)
				}
				size = len(out.EnvoyJSON)
			}
			b.ReportMetric(float64(size), "envoy.json-bytes")
		})
	}
}

// BenchmarkDiagnosticsJSON measures the diagnostics files diagd writes
// after a reconfiguration (ir.json, aconf.json).
func BenchmarkDiagnosticsJSON(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("mappings=%d", n), func(b *testing.B) {
			out, err := Translate(generatedSnapshot(n), TranslateOptions{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var size int
			for b.Loop() {
				irJSON, err := out.IRJSON()
				if err != nil {
					b.Fatal(err)
				}
				aconfJSON, err := out.AConfJSON()
				if err != nil {
					b.Fatal(err)
				}
				size = len(irJSON) + len(aconfJSON)
			}
			b.ReportMetric(float64(size), "bytes")
		})
	}
}

func copySnapshot(b *testing.B, s *snapshot.Snapshot) *snapshot.Snapshot {
	b.StopTimer()
	defer b.StartTimer()
	k := *s.Kubernetes
	k.Mappings = make([]*v3alpha1.Mapping, len(s.Kubernetes.Mappings))
	for i, m := range s.Kubernetes.Mappings {
		k.Mappings[i] = m.DeepCopy()
	}
	return &snapshot.Snapshot{Kubernetes: &k}
}

// TestMemoryIsFlatAcrossReconfigurations translates the same snapshot
// 1,000 times and checks the heap does not grow: nothing is kept from one
// reconfiguration to the next.
func TestMemoryIsFlatAcrossReconfigurations(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 1,000 translations; skipped with -short")
	}
	// Small enough for 1,000 rounds under the race detector; a leak shows
	// per reconfiguration whatever the size.
	snap := generatedSnapshot(20)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	translate := func() {
		if _, err := Translate(snap, TranslateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 20; i++ {
		translate()
	}
	rounds := 1000
	if raceEnabled {
		rounds = 150 // the race detector's shadow memory makes rounds slow
	}
	before := heap()
	for i := 0; i < rounds; i++ {
		translate()
	}
	after := heap()
	// Allow noise of a megabyte; a leak of even 2 KB per translation would
	// show as 2 MB after 1,000 rounds.
	if after > before+1<<20 {
		t.Errorf("heap grew from %d to %d bytes across %d translations", before, after, rounds)
	}
	t.Logf("heap before %d KB, after %d translations %d KB", before>>10, rounds, after>>10)
}
