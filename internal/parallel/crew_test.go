package parallel

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// crews are the ways to run tasks: no crew, and a running crew.
func crews(t *testing.T) map[string]*Crew {
	c := StartCrew()
	t.Cleanup(c.Stop)
	return map[string]*Crew{"none": nil, "crew": c}
}

func TestCrewEachCallsEveryIndexOnce(t *testing.T) {
	for name, c := range crews(t) {
		for _, n := range []int{0, 1, 2, 1000} {
			calls := make([]atomic.Int32, n)
			if err := c.Each(n, func(i int) error { calls[i].Add(1); return nil }); err != nil {
				t.Fatal(err)
			}
			for i := range calls {
				if got := calls[i].Load(); got != 1 {
					t.Errorf("%s, n=%d: index %d called %d times", name, n, i, got)
				}
			}
		}
	}
}

func TestCrewEachReturnsTheLowestFailure(t *testing.T) {
	for name, c := range crews(t) {
		err := c.Each(100, func(i int) error {
			if i == 7 || i == 40 {
				return fmt.Errorf("index %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "index 7" {
			t.Errorf("%s: Each = %v, want index 7's error", name, err)
		}
	}
}

func TestGroupWaitsForEveryTaskAndKeepsTheFirstError(t *testing.T) {
	for name, c := range crews(t) {
		g := c.Group()
		var done atomic.Int32
		boom := errors.New("boom")
		for i := range 50 {
			g.Go(func() error {
				time.Sleep(time.Duration(i%5) * 100 * time.Microsecond)
				done.Add(1)
				if i == 20 {
					return boom
				}
				return nil
			})
		}
		if err := g.Wait(); err != boom {
			t.Errorf("%s: Wait = %v, want the one error", name, err)
		}
		if n := done.Load(); n != 50 {
			t.Errorf("%s: Wait returned with %d of 50 tasks done", name, n)
		}
	}
}

// A task may wait for tasks of its own, on the same crew.
func TestNestedGroups(t *testing.T) {
	for name, c := range crews(t) {
		var leaves atomic.Int32
		outer := c.Group()
		for range 4 {
			outer.Go(func() error {
				return c.Each(10, func(int) error { leaves.Add(1); return nil })
			})
		}
		if err := outer.Wait(); err != nil {
			t.Fatal(err)
		}
		if n := leaves.Load(); n != 40 {
			t.Errorf("%s: %d of 40 inner tasks ran", name, n)
		}
	}
}

// rendezvous is two tasks that each wait for the other to start: they
// finish only if two goroutines run them at once.
func rendezvous(t *testing.T, c *Crew) {
	t.Helper()
	a, b := make(chan struct{}), make(chan struct{})
	g := c.Group()
	meet := func(mine, theirs chan struct{}) func() error {
		return func() error {
			close(mine)
			select {
			case <-theirs:
				return nil
			case <-time.After(10 * time.Second):
				return errors.New("the other task never started")
			}
		}
	}
	g.Go(meet(a, b))
	g.Go(meet(b, a))
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// The helpers run tasks beside the caller, also after they have parked
// for want of work.
func TestHelpersRunTasksBesideTheCaller(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	c := StartCrew()
	defer c.Stop()
	rendezvous(t, c)
	time.Sleep(3 * idleLimit) // the helper parks
	deadline := time.Now().Add(5 * time.Second)
	for c.parked.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if c.parked.Load() == 0 {
		t.Fatal("the helper never parked")
	}
	rendezvous(t, c)
}

func TestStopSendsTheHelpersAway(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	before := runtime.NumGoroutine()
	for _, park := range []bool{false, true} {
		c := StartCrew()
		if park {
			time.Sleep(3 * idleLimit)
		}
		c.Stop()
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("parked %v: %d goroutines after Stop, %d before the crew", park, n, before)
		}
		// A stopped crew still runs what it is given, on the caller.
		if err := c.Each(10, func(int) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkHandoff is two 100 µs tasks after the cores have been idle,
// as a reconfiguration finds them, and 300 µs of serial work: a crew
// started before the serial work runs them side by side; new goroutines
// wait for a parked thread to wake. parallel-µs is the two tasks' time.
// (The timer is not stopped around the sleep: stopping it stops the
// world, which parks the crew's helper again.)
func BenchmarkHandoff(b *testing.B) {
	busy := func(d time.Duration) {
		for start := time.Now(); time.Since(start) < d; {
		}
	}
	work := func() error { busy(100 * time.Microsecond); return nil }
	for _, withCrew := range []bool{false, true} {
		name := map[bool]string{false: "goroutines", true: "crew"}[withCrew]
		b.Run(name, func(b *testing.B) {
			var parallelPart time.Duration
			for b.Loop() {
				time.Sleep(time.Millisecond)
				var c *Crew
				if withCrew {
					c = StartCrew()
				}
				busy(300 * time.Microsecond)
				start := time.Now()
				g := c.Group()
				g.Go(work)
				g.Go(work)
				g.Wait()
				parallelPart += time.Since(start)
				c.Stop()
			}
			b.ReportMetric(float64(parallelPart.Microseconds())/float64(b.N), "parallel-µs/op")
		})
	}
}
