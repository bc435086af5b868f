// Package gcburst keeps the garbage collector out of the middle of a
// reconfiguration.
//
// A reconfiguration is a burst: it allocates a large amount of memory
// that is nearly all garbage once its files are written. With Go's
// default GOGC of 100 the collector runs in the middle of the burst,
// competing with the translation for the cores and slowing every
// allocation with its assists and write barriers; on a 2-core machine
// that is a fifth of a translation's time. While a burst runs, the
// collector's target is raised (the heap may grow to Percent% over what
// is live before it collects), and restored when the last burst ends, so
// the garbage is collected after the new configuration has been handed
// on, between reconfigurations. The heap's peak stays what is live plus
// one reconfiguration's allocation; nothing is kept from one burst to the
// next.
//
// Between bursts the collector's target is what it was, with a floor:
// the heap may grow to at least Floor before a collection. Every
// collection marks what is live, and a control plane's live heap is a
// few megabytes of protobuf descriptors and API schemes before it holds
// any configuration. With a small configuration, GOGC 100 would collect
// every few megabytes allocated, marking those descriptors each time to
// free a little: reconfigurations in quick succession would spend a
// quarter of their time on it. Once the live heap is Floor/2 or more the
// floor changes nothing.
//
// A GOGC set in the environment is the operator's choice: it is left
// alone.
package gcburst

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Percent is the collector's target (GOGC) while a burst runs.
const Percent = 1000

// Floor is the least heap the collector lets grow between bursts.
const Floor = 32 << 20

var (
	mu     sync.Mutex
	active int
	// base is the collector's target outside bursts, and restored the
	// target the last burst left (base, or higher for the floor): a
	// target found at a burst's start that is not restored was set by
	// someone else, and becomes the base.
	base, restored int
	// allocatedBefore is how much the heap had allocated, ever, when the
	// running bursts began.
	allocatedBefore uint64
	// operatorSet is whether GOGC was set for the process.
	operatorSet = os.Getenv("GOGC") != ""
)

// Begin starts a burst; the returned function ends it. Bursts may
// overlap and nest: the collector's target is restored when the last one
// ends.
func Begin() (end func()) {
	if operatorSet {
		return func() {}
	}
	mu.Lock()
	if active == 0 {
		if prev := debug.SetGCPercent(Percent); prev != restored || restored == 0 {
			base = prev
		}
		allocatedBefore = readHeap().allocated
	}
	active++
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if active--; active == 0 {
				h := readHeap()
				h.burst = h.allocated - allocatedBefore
				restored = withFloor(base, h)
				debug.SetGCPercent(restored)
			}
		})
	}
}

// withFloor is the target percent that lets the heap grow to Floor, or
// percent when that already does. The collector's goal is what is live
// plus percent% of what it scans (the live heap, stacks and globals),
// and never under percent% of 4 MB (the runtime's minimum heap): the
// percent is kept to what makes that minimum Floor, or a tiny heap
// would be let grow far past it. A collector turned off (a negative
// percent) stays off.
//
// When the heap is within two bursts' allocation of the floor, percent
// is left as it is, so that the collection starts now, as the burst
// ends, rather than in the middle of the next one.
func withFloor(percent int, h heap) int {
	if percent < 0 || h.live == 0 || h.scanned == 0 || h.live >= Floor || h.inUse+2*h.burst > Floor {
		return percent
	}
	const runtimeMinimum = 4 << 20
	return max(percent, min(int((Floor-h.live)*100/h.scanned), Floor*100/runtimeMinimum))
}

// heap is what the collector's figures say of the heap.
type heap struct {
	// live is what the last collection found live (0 before any), and
	// scanned what it scanned: that heap, the stacks and the globals.
	live, scanned uint64
	// inUse is the heap's objects now, live or not yet collected.
	inUse uint64
	// allocated is all the heap has ever allocated; burst, what the
	// bursts that just ended allocated.
	allocated, burst uint64
}

func readHeap() heap {
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/scan/stack:bytes"},
		{Name: "/gc/scan/globals:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/allocs:bytes"},
	}
	metrics.Read(samples)
	var v [5]uint64
	for i, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	return heap{live: v[0], scanned: v[0] + v[1] + v[2], inUse: v[3], allocated: v[4]}
}
