package gcburst

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
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

// bigLiveHeap keeps more than Floor live, collected, so that the floor
// changes nothing, until the test ends.
func bigLiveHeap(t *testing.T) {
	live := make([][]byte, 0, 48)
	for range 48 {
		live = append(live, make([]byte, 1<<20))
	}
	runtime.GC()
	if h := readHeap().live; h < Floor {
		t.Fatalf("live heap %d after keeping 48 MiB, want at least Floor", h)
	}
	t.Cleanup(func() { runtime.KeepAlive(live) })
}

func TestBurstRaisesTheTargetAndRestoresIt(t *testing.T) {
	setOperatorSet(t, false)
	bigLiveHeap(t)
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
	bigLiveHeap(t)
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

func TestWithFloor(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct {
		percent       int
		live, scanned uint64
		inUse, burst  uint64
		want          int
	}{
		{100, 8 * MiB, 8 * MiB, 10 * MiB, 2 * MiB, 300},   // 8 MiB may grow by 300% to 32 MiB
		{100, 4 * MiB, 4 * MiB, 6 * MiB, 2 * MiB, 700},    // 4 MiB by 700%
		{100, 4 * MiB, 7 * MiB, 6 * MiB, 2 * MiB, 400},    // 400% of 7 MiB scanned: 28 MiB more
		{1000, 8 * MiB, 8 * MiB, 10 * MiB, 2 * MiB, 1000}, // already past the floor
		{100, 16 * MiB, 16 * MiB, 18 * MiB, 2 * MiB, 100}, // GOGC 100 reaches the floor by itself
		{100, 64 * MiB, 64 * MiB, 66 * MiB, 2 * MiB, 100}, // above the floor
		{100, 0, 0, 6 * MiB, 2 * MiB, 100},                // nothing collected yet: nothing known
		{100, MiB / 8, MiB / 4, MiB, MiB / 2, 800},        // tiny: the runtime's 4 MB minimum times 8
		{-1, 8 * MiB, 8 * MiB, 10 * MiB, 2 * MiB, -1},     // off stays off
		{50, Floor - 1, Floor - 1, Floor, 0, 50},          // a byte under the floor: 0% is less
		{10, 30 * MiB, 30 * MiB, 31 * MiB, 0, 10},         // 30 MiB: 6% would do, 10% stays
		// Within two bursts of the floor: collected now, not in the
		// middle of the next burst.
		{100, 8 * MiB, 8 * MiB, 24 * MiB, 4*MiB + 1, 100},
		{100, 8 * MiB, 8 * MiB, 24 * MiB, 4 * MiB, 300},
		{100, 10 * MiB, 10 * MiB, 24 * MiB, 14 * MiB, 100}, // a burst of 14 MiB
	} {
		h := heap{live: c.live, scanned: c.scanned, inUse: c.inUse, burst: c.burst}
		if got := withFloor(c.percent, h); got != c.want {
			t.Errorf("withFloor(%d, %+v) = %d, want %d", c.percent, h, got, c.want)
		}
	}
}

// TestSmallHeapIsNotCollectedBelowTheFloor checks the floor on the real
// collector: after a burst, with a few megabytes live, allocating up to
// the floor runs no collection, and going well past it does.
func TestSmallHeapIsNotCollectedBelowTheFloor(t *testing.T) {
	setOperatorSet(t, false)
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	h := readHeap()
	live := h.live
	if live == 0 || live > Floor/4 {
		t.Fatalf("live heap %d bytes: this test needs a small one", live)
	}
	Begin()()
	if got, want := gcPercent(), withFloor(100, h); got != want || got <= 100 {
		t.Fatalf("GOGC after a burst with %d bytes live = %d, want %d (over 100)", live, got, want)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var sink []byte
	// Half of what the floor leaves: no collection.
	for range (Floor - live) / 2 / (256 << 10) {
		sink = make([]byte, 256<<10)
	}
	runtime.ReadMemStats(&after)
	if n := after.NumGC - before.NumGC; n != 0 {
		t.Errorf("%d collections with the heap under the floor; want none", n)
	}
	// Twice the floor: collected.
	for range 2 * Floor / (256 << 10) {
		sink = make([]byte, 256<<10)
	}
	runtime.ReadMemStats(&after)
	if after.NumGC == before.NumGC {
		t.Errorf("no collection after allocating twice the floor")
	}
	runtime.KeepAlive(sink)
}

// TestTargetSetBetweenBurstsBecomesTheBase: a target someone sets
// between bursts is the one restored (with the floor), not the one
// before it.
func TestTargetSetBetweenBurstsBecomesTheBase(t *testing.T) {
	setOperatorSet(t, false)
	bigLiveHeap(t)
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	Begin()()
	if got := gcPercent(); got != 100 {
		t.Fatalf("GOGC after the first burst = %d, want 100", got)
	}
	debug.SetGCPercent(40)
	Begin()()
	if got := gcPercent(); got != 40 {
		t.Fatalf("GOGC after a burst, 40 set before it = %d, want 40", got)
	}
}

// TestABigBurstIsCollectedAsItEnds: a burst that would leave no room
// under the floor for another like it is collected as it ends (GOGC as
// it was), not during the next one.
func TestABigBurstIsCollectedAsItEnds(t *testing.T) {
	setOperatorSet(t, false)
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	if live := readHeap().live; live > Floor/4 {
		t.Fatalf("live heap %d bytes: this test needs a small one", live)
	}
	end := Begin()
	var sink []byte
	for range 12 << 20 / (256 << 10) { // 12 MiB of garbage
		sink = make([]byte, 256<<10)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	end()
	if got := gcPercent(); got != 100 {
		t.Fatalf("GOGC after a 12 MiB burst = %d, want 100: collect now", got)
	}
	// A little more allocation starts the collector; give it time to
	// finish (a megabyte in all, far under the floor).
	for range 4 {
		sink = make([]byte, 256<<10)
		for range 50 {
			if runtime.ReadMemStats(&after); after.NumGC != before.NumGC {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if after.NumGC == before.NumGC {
		t.Errorf("no collection as the burst ended")
	}
	runtime.KeepAlive(sink)
}
