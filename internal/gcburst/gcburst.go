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
// A GOGC set in the environment is the operator's choice: it is left
// alone.
package gcburst

import (
	"os"
	"runtime/debug"
	"sync"
)

// Percent is the collector's target (GOGC) while a burst runs.
const Percent = 1000

var (
	mu     sync.Mutex
	active int
	saved  int
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
		saved = debug.SetGCPercent(Percent)
	}
	active++
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if active--; active == 0 {
				debug.SetGCPercent(saved)
			}
		})
	}
}
