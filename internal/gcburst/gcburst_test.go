package gcburst

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// gcPercent reads the collector's target without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func setOperatorSet(t *testing.T, v bool) {
	prev := operatorSet
	operatorSet = v
	t.Cleanup(func() { operatorSet = prev })
}

func TestBurstRaisesTheTargetAndRestoresIt(t *testing.T) {
	setOperatorSet(t, false)
	defer debug.SetGCPercent(debug.SetGCPercent(70))
	end := Begin()
	if got := gcPercent(); got != Percent {
		t.Fatalf("GOGC during a burst = %d, want %d", got, Percent)
	}
	end()
	if got := gcPercent(); got != 70 {
		t.Fatalf("GOGC after the burst = %d, want the 70 from before", got)
	}
	end() // a second call changes nothing
	if got := gcPercent(); got != 70 {
		t.Fatalf("GOGC after ending twice = %d, want 70", got)
	}
}

func TestOverlappingBurstsRestoreWhenTheLastEnds(t *testing.T) {
	setOperatorSet(t, false)
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	endA := Begin()
	endB := Begin()
	endA()
	if got := gcPercent(); got != Percent {
		t.Fatalf("GOGC with one burst still running = %d, want %d", got, Percent)
	}
	endB()
	if got := gcPercent(); got != 100 {
		t.Fatalf("GOGC after both ended = %d, want 100", got)
	}
}

func TestGOGCFromTheEnvironmentIsLeftAlone(t *testing.T) {
	setOperatorSet(t, true)
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	end := Begin()
	if got := gcPercent(); got != 50 {
		t.Fatalf("GOGC during a burst with GOGC set = %d, want the operator's 50", got)
	}
	end()
	if got := gcPercent(); got != 50 {
		t.Fatalf("GOGC after = %d, want 50", got)
	}
}

// TestBurstGarbageIsCollectedAfterwards checks the point of the package:
// no collection in the middle of a burst that allocates less than
// Percent% of what is live, and the garbage gone after it.
func TestBurstGarbageIsCollectedAfterwards(t *testing.T) {
	setOperatorSet(t, false)
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	live := make([][]byte, 0, 64)
	for range 64 {
		live = append(live, make([]byte, 1<<20)) // 64 MiB kept
	}
	runtime.GC()
	var before, during, after runtime.MemStats
	runtime.ReadMemStats(&before)

	end := Begin()
	var sink [][]byte
	for range 128 { // 128 MiB of garbage: twice what is live
		sink = append(sink, make([]byte, 1<<20))
		sink = sink[len(sink)-1:]
	}
	runtime.ReadMemStats(&during)
	end()
	if n := during.NumGC - before.NumGC; n != 0 {
		t.Errorf("%d collections ran during the burst; want none", n)
	}
	for range 64 { // allocation after the burst lets the collector start
		sink = append(sink[:0], make([]byte, 1<<20))
		runtime.Gosched()
	}
	runtime.ReadMemStats(&after)
	if after.NumGC == during.NumGC {
		t.Errorf("no collection after the burst ended")
	}
	runtime.KeepAlive(live)
	runtime.KeepAlive(sink)
}
