package boltkv

import (
	"errors"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Group commit. Writers of single objects queue their transaction
// functions; one of them, the leader, runs every queued function in one
// bbolt transaction and one fsync, then hands the lead to the next waiting
// writer. A lone writer commits at once (unlike bbolt's DB.Batch, which
// waits up to MaxBatchDelay for company), and concurrent writers share
// commits.
//
// A function that fails makes its transaction roll back; it is then run
// alone to give its caller its own error, and the others run again in a
// new transaction, so a failure in one is never applied to, nor seen by,
// another. Functions must therefore be safe to run more than once: they
// rebuild their state on each run and publish results only through
// variables that the last run overwrites.

// committer is the queue of a Store.
type committer struct {
	mu      sync.Mutex
	pending []*call
	leading bool
}

// call is one queued transaction function.
type call struct {
	fn   func(*bolt.Tx) error
	done chan error    // its result
	lead chan struct{} // closed when it is made the leader
}

// errRolledBack marks the functions whose transaction failed because of
// another function: they are run again.
var errRolledBack = errors.New("rolled back with another writer's failure")

// batch runs fn in a transaction shared with concurrent callers and returns
// fn's own result.
func (s *Store) batch(fn func(*bolt.Tx) error) error {
	c := &call{fn: fn, done: make(chan error, 1), lead: make(chan struct{})}
	q := &s.commits
	q.mu.Lock()
	q.pending = append(q.pending, c)
	if q.leading {
		q.mu.Unlock()
		select {
		case err := <-c.done:
			return err
		case <-c.lead:
		}
	} else {
		q.leading = true
		q.mu.Unlock()
	}
	// This caller leads: commit everything queued, then pass the lead on.
	q.mu.Lock()
	calls := q.pending
	q.pending = nil
	q.mu.Unlock()
	s.commit(calls)
	q.mu.Lock()
	if len(q.pending) > 0 {
		close(q.pending[0].lead)
	} else {
		q.leading = false
	}
	q.mu.Unlock()
	return <-c.done
}

// commit runs calls in one transaction and delivers each its result.
func (s *Store) commit(calls []*call) {
	for len(calls) > 0 {
		failed := -1
		err := s.update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := c.fn(tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		switch {
		case err == nil:
			for _, c := range calls {
				c.done <- nil
			}
			return
		case failed < 0 || len(calls) == 1:
			// The commit itself failed, or the one function did: all of
			// them get the error.
			for _, c := range calls {
				c.done <- err
			}
			return
		}
		// Give the failing function its own error, alone, and run the
		// others again.
		bad := calls[failed]
		bad.done <- s.update(bad.fn)
		calls = append(calls[:failed:failed], calls[failed+1:]...)
	}
}
