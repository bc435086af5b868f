package diag

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkReconfigureSoak is 1,000 reconfigurations of a 1,000-Mapping
// configuration by one diagd Reconfigurer: fetch, translate, write the
// files, rotate the snapshots. Emissary's users lose pods to memory that
// grows with every reconfiguration; here the heap and the RSS after the
// last must be within 20% of what they were after the 10th.
func BenchmarkReconfigureSoak(b *testing.B) {
	const rounds, settle = 1000, 10
	bodies := twoSnapshots(b, 1000, 0)
	for b.Loop() {
		round := 0
		r := alternatingReconfigurer(b.TempDir(), bodies, &round, nil)
		var heapSettled, rssSettled uint64
		for round = 0; round < rounds; round++ {
			r.reconfigure(context.Background(), Source{URL: "soak"})
			if a := r.current.Load().status.LastAttempt; a == nil || !a.OK {
				b.Fatalf("round %d failed: %+v", round, a)
			}
			if round+1 == settle {
				heapSettled, rssSettled = heapAfterGC(), rss(b)
			}
		}
		heapEnd, rssEnd := heapAfterGC(), rss(b)
		b.ReportMetric(float64(heapSettled)/(1<<20), "heap-MB-after-10")
		b.ReportMetric(float64(heapEnd)/(1<<20), "heap-MB-after-1000")
		b.ReportMetric(float64(rssSettled)/(1<<20), "RSS-MB-after-10")
		b.ReportMetric(float64(rssEnd)/(1<<20), "RSS-MB-after-1000")
		if float64(heapEnd) > 1.2*float64(heapSettled) {
			b.Errorf("heap grew from %d to %d bytes over %d reconfigurations", heapSettled, heapEnd, rounds)
		}
		if float64(rssEnd) > 1.2*float64(rssSettled) {
			b.Errorf("RSS grew from %d to %d bytes over %d reconfigurations", rssSettled, rssEnd, rounds)
		}
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rss is the process's resident set size, from /proc.
func rss(b *testing.B) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status here to read the RSS from")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// BenchmarkReconfigure is what one reconfiguration costs diagd, from
// watt's snapshot (JSON, as fetched) to the files Envoy and ambex read,
// written, and the signal sent: the reconfiguration latency a user sees
// before ambex takes over. ms-to-signal is that; ns/op adds what diagd
// does after the signal (ir.json, aconf.json, snapshot rotation). Each
// round changes one Mapping, so every round writes a new configuration.
func BenchmarkReconfigure(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("mappings=%d", n), func(b *testing.B) {
			bodies := twoSnapshots(b, n, n/2)
			round := 0
			var started time.Time
			var toSignal time.Duration
			r := alternatingReconfigurer(b.TempDir(), bodies, &round, func() error { toSignal += time.Since(started); return nil })
			b.ReportAllocs()
			for b.Loop() {
				started = time.Now()
				r.reconfigure(context.Background(), Source{URL: "bench"})
				if a := r.current.Load().status.LastAttempt; a == nil || !a.OK {
					b.Fatalf("round %d failed: %+v", round, a)
				}
				round++
			}
			b.ReportMetric(float64(toSignal.Microseconds())/1000/float64(round), "ms-to-signal")
		})
	}
}

// twoSnapshots are an n-Mapping snapshot as watt serves it, twice, with
// Mapping edited's prefix different: taken in turn, each changes
// something.
func twoSnapshots(b *testing.B, n, edited int) [2][]byte {
	var bodies [2][]byte
	for i := range bodies {
		snap := generatedSnapshot(n)
		snap.Kubernetes.Mappings[edited].Spec.Prefix = fmt.Sprintf("/edited/%d/", i)
		body, err := json.Marshal(snap)
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = body
	}
	return bodies
}

// alternatingReconfigurer writes under base, fetching bodies[*round%2];
// notify (nil: none) is its signal.
func alternatingReconfigurer(base string, bodies [2][]byte, round *int, notify func() error) *Reconfigurer {
	return NewReconfigurer(ReconfigurerConfig{
		Paths:         PathsFromEnv(func(k string) string { return map[string]string{"AMBASSADOR_CONFIG_BASE_DIR": base}[k] }),
		SnapshotCount: 4,
		Fetch: func(context.Context, string) ([]byte, error) {
			return bodies[*round%2], nil
		},
		Notify: notify,
	})
}
