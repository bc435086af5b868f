package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A Crew is goroutines kept running on the other cores for one burst of
// work (a translation), taking tasks from a queue as soon as they are
// queued.
//
// Without one, work handed to another core waits for the Go scheduler to
// wake a parked thread, and that thread's core to wake: on the virtual
// machines most clusters run on, an idle vCPU takes 100 µs to more than
// 400 µs to run it, longer than most parallel parts of a small
// translation take on one core. So they ran no faster on two cores than
// on one. A crew's helpers are woken once, when it starts, while the
// caller does its first serial work; after that handing them a task
// takes a memory write.
//
// The cost is the helpers' cores, kept busy for the burst: a helper with
// nothing to do for idleLimit parks, and is woken the slow way by the
// next task. Methods on a nil Crew run their tasks on goroutines of
// their own, as Each does.
type Crew struct {
	mu    sync.Mutex
	queue []func()
	head  int
	// queued is len(queue)-head, read without the lock.
	queued  atomic.Int64
	stopped atomic.Bool
	// parked helpers wait for a task (or Stop) on wake.
	parked atomic.Int32
	wake   chan struct{}
	size   int
}

// idleLimit is how long a helper spins without a task before it parks.
const idleLimit = 2 * time.Millisecond

// StartCrew starts a crew with a helper for every core but the caller's
// (none with one core). Stop it when the burst is over.
func StartCrew() *Crew {
	c := &Crew{size: runtime.GOMAXPROCS(0), wake: make(chan struct{}, runtime.GOMAXPROCS(0))}
	for range c.size - 1 {
		go c.help()
	}
	if c.size > 1 {
		// A new goroutine waits in this core's next slot, which another
		// core takes only after a 3 µs sleep, 50 µs and more on Linux's
		// timer slack. One that does nothing takes the slot instead,
		// moving the last helper to the run queue, which a core that
		// wakes takes from at once.
		go func() {}()
	}
	return c
}

// Stop sends the helpers away. Tasks queued after it (or not yet taken)
// are run by whoever waits for them.
func (c *Crew) Stop() {
	if c == nil {
		return
	}
	c.stopped.Store(true)
	for range c.parked.Load() {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// Size is how many goroutines work on a crew's tasks: its helpers and
// the caller waiting (GOMAXPROCS without a crew).
func (c *Crew) Size() int {
	if c == nil {
		return runtime.GOMAXPROCS(0)
	}
	return c.size
}

func (c *Crew) push(task func()) {
	c.mu.Lock()
	c.queue = append(c.queue, task)
	c.queued.Add(1)
	c.mu.Unlock()
	if c.parked.Load() > 0 {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// runOne runs a queued task, if any: the oldest for a helper, the
// newest for a caller waiting (most likely the one it waits for, queued
// by its own task: as in work stealing).
func (c *Crew) runOne(newest bool) bool {
	if c.queued.Load() == 0 {
		return false
	}
	c.mu.Lock()
	if c.head == len(c.queue) {
		c.mu.Unlock()
		return false
	}
	var task func()
	if newest {
		task = c.queue[len(c.queue)-1]
		c.queue[len(c.queue)-1] = nil
		c.queue = c.queue[:len(c.queue)-1]
	} else {
		task = c.queue[c.head]
		c.queue[c.head] = nil
		c.head++
	}
	c.queued.Add(-1)
	if c.head == len(c.queue) {
		c.queue, c.head = c.queue[:0], 0
	}
	c.mu.Unlock()
	task()
	return true
}

// help runs tasks until the crew stops, spinning between them: a spin
// yields to the Go scheduler now and then, so that whatever else this
// core has to run gets to.
func (c *Crew) help() {
	idleSince := time.Now()
	for spins := 0; !c.stopped.Load(); spins++ {
		if c.runOne(false) {
			idleSince, spins = time.Now(), 0
			continue
		}
		if spins%256 != 255 {
			continue
		}
		runtime.Gosched()
		if time.Since(idleSince) < idleLimit {
			continue
		}
		c.parked.Add(1)
		if c.queued.Load() == 0 && !c.stopped.Load() {
			<-c.wake
		}
		c.parked.Add(-1)
		idleSince = time.Now()
	}
}

// A Group is tasks run on a crew and waited for together.
type Group struct {
	crew    *Crew
	pending atomic.Int64
	wg      sync.WaitGroup // tasks on goroutines of their own (no crew)
	errOnce sync.Once
	err     error
}

// Group starts a group of tasks on c.
func (c *Crew) Group() *Group { return &Group{crew: c} }

// Go queues f.
func (g *Group) Go(f func() error) {
	run := func() {
		if err := f(); err != nil {
			g.errOnce.Do(func() { g.err = err })
		}
	}
	if g.crew == nil {
		g.wg.Go(run)
		return
	}
	g.pending.Add(1)
	g.crew.push(func() {
		defer g.pending.Add(-1)
		run()
	})
}

// Wait runs queued tasks (the group's, or others of the crew) until the
// group's are done, and returns the first error one of them returned.
func (g *Group) Wait() error {
	for spins := 0; g.pending.Load() > 0; spins++ {
		if g.crew.runOne(true) {
			continue
		}
		if spins%256 == 255 {
			runtime.Gosched()
		}
	}
	g.wg.Wait()
	return g.err
}

// Each is the package's Each on c: do for 0, 1, ..., n-1, each of the
// crew taking the next index when done with one, and the error of the
// lowest index that failed; after a failure, indices not yet started
// are skipped.
func (c *Crew) Each(n int, do func(i int) error) error {
	workers := min(c.Size(), n)
	if workers <= 1 {
		for i := range n {
			if err := do(i); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		next   atomic.Int64
		failed atomic.Bool
		errs   = make([]error, n)
	)
	g := c.Group()
	for range workers {
		g.Go(func() error {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return nil
				}
				if errs[i] = do(i); errs[i] != nil {
					failed.Store(true)
				}
			}
			return nil
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
