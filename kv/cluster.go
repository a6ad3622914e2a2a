package kv

import (
	"context"
	"time"
)

// Cluster is implemented by a store that several processes open at once
// (pgkv). The engine over it runs its background work (sweeps, lifecycle,
// folding the meter) on one process at a time, the leader, and keeps its
// meter as a record per change rather than one record every writer
// rewrites.
type Cluster interface {
	Store
	// Lead blocks until this process leads the store's background work,
	// or until ctx ends (it then returns ctx's error). It returns a channel
	// that is closed when the leadership is lost: the process's hold on
	// the store broke (a lost connection), or ctx ended, or the store
	// closed. While this process leads, wake is called with every instant
	// another process's committed transaction named with Waker.Wake.
	Lead(ctx context.Context, wake func(time.Time)) (lost <-chan struct{}, err error)
	// Node returns this process's id among those that opened the store:
	// 8 bytes, unique to this Open.
	Node() []byte
	// Alive reports whether the process of id node still has the store
	// open. A process whose hold on the store broke (a lost connection)
	// may be reported dead while it runs: what it has under way must then
	// fail rather than be lost (the engine's staging entries are checked
	// on publish).
	Alive(ctx context.Context, node []byte) (bool, error)
}

// Waker is implemented by the write transactions of a Cluster: Wake tells
// the leader, if and only if the transaction commits, that it set work due
// at t (a restore's expiry, a lifecycle action), so that a leader asleep
// until later wakes for it.
type Waker interface {
	Wake(t time.Time)
}
