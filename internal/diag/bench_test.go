package diag

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
	"github.com/emissary-go/emissary/internal/diag/diagtest"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// generatedSnapshot is diagtest.Snapshot: the benchmarks' input.
func generatedSnapshot(n int) *snapshot.Snapshot { return diagtest.Snapshot(n) }

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
				size = out.Envoy.Len()
			}
			b.ReportMetric(float64(size), "envoy.json-bytes")
		})
	}
}

// BenchmarkTranslateSettled is BenchmarkTranslate with each translation
// starting from a collected heap, as in diagd, whose reconfigurations
// are a debounce apart: what a reconfiguration waits for. The collection
// itself is not timed; BenchmarkTranslate, back to back, pays for it.
func BenchmarkTranslateSettled(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("mappings=%d", n), func(b *testing.B) {
			snap := generatedSnapshot(n)
			b.ReportAllocs()
			for b.Loop() {
				in := copySnapshot(b, snap)
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				if _, err := Translate(in, TranslateOptions{}); err != nil {
					b.Fatal(err)
				}
			}
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

// The benchmark input as YAML (what hack/benchinput writes for the
// comparison with Emissary) is the same input: it translates to the same
// envoy.json, without errors.
func TestBenchmarkYAMLIsTheSameInput(t *testing.T) {
	data, err := diagtest.YAML(100)
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := Translate(snapshot.FromYAML("bench.yaml", data, "default"), TranslateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := Translate(generatedSnapshot(100), TranslateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := fromYAML.IR.Diagnostics.Errors; len(errs) > 0 {
		t.Errorf("the YAML input has errors: %v", errs)
	}
	if got, want := string(fromYAML.EnvoyJSON()), string(direct.EnvoyJSON()); got != want {
		t.Errorf("the YAML input translates differently:\n%s", diffLines(want, got))
	}
	if n := len(fromYAML.IR.Clusters); n < 100 {
		t.Errorf("only %d clusters from the YAML input", n)
	}
}
