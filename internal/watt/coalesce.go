package watt

import (
	"sync"
	"time"
)

// Coalescer turns a stream of change notifications into few publications:
// a change is published once no other has come for Debounce, but never
// later than MaxDelay after the first unpublished one. A burst thus costs
// a publication per MaxDelay, and the last publication follows the last
// change.
type Coalescer struct {
	Debounce, MaxDelay time.Duration
	// Publish is called, one call at a time, on the Coalescer's timer.
	Publish func()

	mu       sync.Mutex
	first    time.Time // of the unpublished changes; zero when none
	timer    *time.Timer
	stopped  bool
	running  bool
	deferred bool // a change came while Publish ran
}

// Changed notes a change.
func (c *Coalescer) Changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	if c.running {
		c.deferred = true
		return
	}
	now := time.Now()
	if c.first.IsZero() {
		c.first = now
	}
	wait := c.Debounce
	if deadline := c.first.Add(c.MaxDelay); now.Add(wait).After(deadline) {
		wait = max(deadline.Sub(now), 0)
	}
	if c.timer == nil {
		c.timer = time.AfterFunc(wait, c.fire)
	} else {
		c.timer.Reset(wait)
	}
}

func (c *Coalescer) fire() {
	c.mu.Lock()
	if c.stopped || c.first.IsZero() {
		c.mu.Unlock()
		return
	}
	c.first, c.running = time.Time{}, true
	c.mu.Unlock()

	c.Publish()

	c.mu.Lock()
	c.running = false
	again := c.deferred
	c.deferred = false
	c.mu.Unlock()
	if again {
		c.Changed()
	}
}

// Stop stops publishing.
func (c *Coalescer) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	if c.timer != nil {
		c.timer.Stop()
	}
}
