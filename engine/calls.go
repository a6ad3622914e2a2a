package engine

import (
	"sync"
	"sync/atomic"
)

// calls counts the calls in flight, so that Close waits for them, and
// refuses calls once Close has begun. Entering never blocks: a call that
// reads from an engine Object (a copy: Put reading a Get) enters again for
// each chunk, and a lock that Close waits on would block that second entry
// behind Close, and Close behind the first: a deadlock. Here the second
// entry fails with ErrClosed instead, the copy fails, and Close goes on.
type calls struct {
	state     atomic.Int64 // calls in flight, plus closingBit once Close began
	idle      chan struct{}
	closeIdle sync.Once
}

const closingBit = int64(1) << 62

func (c *calls) init() { c.idle = make(chan struct{}) }

// enter starts a call; false once Close has begun.
func (c *calls) enter() bool {
	if c.state.Add(1)&closingBit != 0 {
		c.leave()
		return false
	}
	return true
}

// closing reports whether Close has begun.
func (c *calls) closing() bool { return c.state.Load()&closingBit != 0 }

// leave ends a call that enter started (or refused).
func (c *calls) leave() {
	if c.state.Add(-1) == closingBit {
		c.closeIdle.Do(func() { close(c.idle) })
	}
}

// close refuses new calls and waits for those in flight.
func (c *calls) close() {
	if c.state.Or(closingBit) == 0 {
		c.closeIdle.Do(func() { close(c.idle) })
	}
	<-c.idle
}
