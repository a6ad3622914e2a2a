package boltkv

import (
	"sync"

	"github.com/coldstore-dev/coldstore/kv"

	bolt "go.etcd.io/bbolt"
)

// Read transactions are reused between commits, as LMDB's
// mdb_txn_reset/mdb_txn_renew allow: every write goes through the engine,
// so it knows whether a read transaction still sees the latest commit, and
// a read borrows an idle one instead of beginning one (bbolt's Begin and
// Rollback, with their allocations, are about a quarter of a raw bbolt Get).
//
// The catch is bbolt's remap: an open read transaction holds the mmap lock
// that a commit growing the file must take, and keeps the pages freed since
// it began from being reused. So a write first retires every idle read
// transaction and no read transaction is parked while a write is in
// progress; one is parked only if no commit happened since it began. A read
// in flight during a commit holds its transaction for microseconds, as it
// would without reuse.

// maxIdleReads bounds the parked read transactions: one per concurrent
// reader is enough.
const maxIdleReads = 16

// readTx is a read transaction with the top-level buckets opened in it.
// bbolt opens a bucket afresh at every Tx.Bucket of a read transaction (a
// search of the root, a copy of the bucket's header, a Bucket): a third of
// the allocations of an engine Get. The buckets stay valid, and
// unchanged, for the transaction's life, which reuse stretches over many
// reads, so the ones it opened are kept with it, up to maxOpenBuckets.
type readTx struct {
	*boltTx
	buckets map[string]*bolt.Bucket
}

// maxOpenBuckets bounds a read transaction's open buckets.
const maxOpenBuckets = 64

// Bucket is Tx.Bucket, from the buckets already opened when it can.
func (t *readTx) Bucket(name []byte) kv.Bucket {
	if b, ok := t.buckets[string(name)]; ok {
		return (*boltBucket)(b)
	}
	b := (*bolt.Tx)(t.boltTx).Bucket(name)
	if b == nil {
		return nil
	}
	if len(t.buckets) >= maxOpenBuckets {
		clear(t.buckets)
	}
	if t.buckets == nil {
		t.buckets = make(map[string]*bolt.Bucket)
	}
	t.buckets[string(name)] = b
	return (*boltBucket)(b)
}

func (t *readTx) rollback() error { return (*bolt.Tx)(t.boltTx).Rollback() }

// readTxs are the parked read transactions and what decides whether one
// may be parked.
type readTxs struct {
	mu      sync.Mutex
	idle    []*readTx
	writers int    // writes in progress (Close counts as one, for good)
	commits uint64 // writes finished: a transaction begun before the last one is stale
}

// borrow returns a read transaction that sees the latest commit, and the
// commit count it was taken at.
func (r *readTxs) borrow(b *bolt.DB) (*readTx, uint64, error) {
	r.mu.Lock()
	seen := r.commits
	if n := len(r.idle); n > 0 && r.writers == 0 {
		tx := r.idle[n-1]
		r.idle[n-1] = nil
		r.idle = r.idle[:n-1]
		r.mu.Unlock()
		return tx, seen, nil
	}
	r.mu.Unlock()
	tx, err := b.Begin(false) // may see a commit later than seen: then it is not parked
	if err != nil {
		return nil, seen, err
	}
	return &readTx{boltTx: (*boltTx)(tx)}, seen, nil
}

// giveBack parks tx if no write is in progress or finished since it was
// borrowed at seen, and rolls it back otherwise.
func (r *readTxs) giveBack(tx *readTx, seen uint64) {
	r.mu.Lock()
	if r.writers == 0 && r.commits == seen && len(r.idle) < maxIdleReads {
		r.idle = append(r.idle, tx)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	_ = tx.rollback()
}

// writing retires every parked transaction and stops parking until done.
func (r *readTxs) writing() {
	r.mu.Lock()
	r.writers++
	idle := r.idle
	r.idle = nil
	r.mu.Unlock()
	for _, tx := range idle {
		_ = tx.rollback()
	}
}

// done ends a write begun with writing.
func (r *readTxs) done() {
	r.mu.Lock()
	r.writers--
	r.commits++
	r.mu.Unlock()
}

// update runs fn in a bbolt write transaction. Every write to the file
// goes through it, so that no parked read transaction blocks a commit or
// outlives one.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	s.readTxs.writing()
	defer s.readTxs.done()
	return s.db.Update(fn)
}

// view runs fn in a read transaction, borrowed or begun. fn must not
// keep the transaction or anything bbolt returns from it.
func (s *Store) view(fn func(*readTx) error) error {
	tx, seen, err := s.readTxs.borrow(s.db)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok { // fn panicked: the transaction is not reused
			_ = tx.rollback()
		}
	}()
	err = fn(tx)
	ok = true
	s.readTxs.giveBack(tx, seen)
	return err
}
