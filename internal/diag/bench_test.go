package diag

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

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
			copies := &snapshotCopies{snap: generatedSnapshot(n)}
			b.ReportAllocs()
			var size int
			var took durations
			for b.Loop() {
				// Each iteration translates a fresh copy, as diagd does with
				// each new snapshot (the translator normalizes in place).
				in := copies.next(b)
				start := time.Now()
				out, err := Translate(in, TranslateOptions{})
				took = append(took, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				size = out.Envoy.Len()
			}
			b.ReportMetric(float64(size), "envoy.json-bytes")
			took.report(b)
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
			copies := &snapshotCopies{snap: generatedSnapshot(n)}
			b.ReportAllocs()
			var took durations
			for b.Loop() {
				in := copies.next(b)
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				start := time.Now()
				_, err := Translate(in, TranslateOptions{})
				took = append(took, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
			}
			took.report(b)
		})
	}
}

// durations are each translation's time. Their median is reported beside
// the mean (ns/op): on a shared virtual machine a few translations take
// several times the rest, and the comparison with Emissary's translator
// (hack/emissary-bench) is of medians.
type durations []time.Duration

func (d durations) report(b *testing.B) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "median-ns")
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

// snapshotCopies hands out fresh copies of a snapshot, made a batch at a
// time with the timer stopped: stopping it reads the memory statistics,
// which stops the world, and doing that between every two translations
// would be measured as theirs.
type snapshotCopies struct {
	snap  *snapshot.Snapshot
	ready []*snapshot.Snapshot
}

func (c *snapshotCopies) next(b *testing.B) *snapshot.Snapshot {
	if len(c.ready) == 0 {
		b.StopTimer()
		// About a thousand Mappings at a time: more would be live heap the
		// collector marks, which a real reconfiguration does not have.
		for range max(1, 1_000/max(1, len(c.snap.Kubernetes.Mappings))) {
			c.ready = append(c.ready, copySnapshot(c.snap))
		}
		b.StartTimer()
	}
	s := c.ready[0]
	c.ready[0], c.ready = nil, c.ready[1:]
	return s
}

func copySnapshot(s *snapshot.Snapshot) *snapshot.Snapshot {
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
