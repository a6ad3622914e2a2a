package engine

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
)

// sweepBatch bounds the expired restores one sweep transaction handles, so
// a sweep never holds the write lock for long.
const sweepBatch = 1000

// Sweep removes the restored copies that have expired by now, returning
// their objects to Archived (the archived objects themselves stay), and
// reports the earliest expiry still pending. In each bucket it seeks the
// start of the expiry index and walks only the entries at or before now,
// in write transactions of at most 1000 entries: its cost grows with the
// expired restores (and a seek per bucket), not with the objects. Sweep is
// housekeeping: every read already answers as if it had run. It also
// stores the read requests counted in memory in the buckets' meters.
// While somebody subscribes it also tells the restores completed by now
// (EventRestoreCompleted, ready.go), and Next includes the next
// completion. Sweeps run one at a time.
//
// It returns an error wrapping ErrClosed after Close, and the context's
// error when it ends first (the batches committed so far stay committed).
func (db *DB) Sweep(ctx context.Context) (SweepResult, error) {
	const op = "Sweep"
	if err := db.acquire(ctx, op, "", ""); err != nil {
		return SweepResult{}, err
	}
	defer db.release()
	db.sweeping.Lock()
	defer db.sweeping.Unlock()
	now := db.now()
	var res SweepResult
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		watching := db.events.subscribers.Load() > 0
		mark := db.events.readyMark()
		// Most sweeps find nothing due: look before taking the write lock.
		var first, nextReady time.Time
		var ready int
		err := db.view(ctx, op, "", "", func(tx kv.Tx) error {
			first = earliestExpiry(tx)
			if watching {
				ready, nextReady = readyScan(tx, mark, now)
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		if (first.IsZero() || first.After(now)) && ready == 0 {
			res.Next = first
			if !nextReady.IsZero() && (first.IsZero() || nextReady.Before(first)) {
				res.Next = nextReady
			}
			// The mark stays: a restore committing after this look may
			// be ready by now; only a write, which follows every write
			// before it, moves the mark (ready.go).
			return res, db.flushReads()
		}
		var n int
		err = db.write(ctx, op, "", "", func(w *writeTx) error {
			w.now = now
			if watching {
				w.emitReady(mark) // before the expiries: sweepBatch sorts them together
			}
			var err error
			n, err = w.sweepBatch()
			return err
		})
		if err != nil {
			return res, err
		}
		if watching {
			db.events.setMark(now)
		}
		res.Expired += n
	}
}

// earliestExpiry is the first ExpiresAt of any bucket's index; zero if none.
func earliestExpiry(tx kv.Tx) time.Time {
	var first time.Time
	_ = tx.Bucket(bktBuckets).ForEach(func(name, _ []byte) error {
		ob := objectsBucket(tx, string(name))
		if ob == nil {
			return nil // Check reports it
		}
		k, _ := ob.Cursor().Seek(expiryFirst)
		if t, _, ok := parseExpiryKey(k); ok && (first.IsZero() || t.Before(first)) {
			first = t
		}
		return nil
	})
	return first
}

// sweepBatch clears up to sweepBatch restores that expired at or before
// now, bucket by bucket, and returns how many objects it returned to
// Archived.
func (w *writeTx) sweepBatch() (expired int, err error) {
	var buckets []string
	_ = w.tx.Bucket(bktBuckets).ForEach(func(name, _ []byte) error {
		buckets = append(buckets, string(name))
		return nil
	})
	left := sweepBatch
	for _, name := range buckets {
		ob := objectsBucket(w.tx, name)
		if ob == nil {
			continue // Check reports it
		}
		var keys [][]byte
		c := ob.Cursor()
		for k, _ := c.Seek(expiryFirst); isExpiryKey(k) && len(keys) < left; k, _ = c.Next() {
			if t, _, ok := parseExpiryKey(k); ok && t.After(w.now) {
				break
			}
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			done, err := w.expireOne(ob, name, k)
			if err != nil {
				return 0, err
			}
			if done {
				expired++
			} else if err := ob.Delete(k); err != nil {
				return 0, err
			}
		}
		if left -= len(keys); left == 0 {
			break
		}
	}
	// Buckets were swept one after the other: their expiries, in time order.
	slices.SortStableFunc(w.events, func(a, b Event) int { return a.At.Compare(b.At) })
	return expired, nil
}

// expireOne clears the restore that index key k of bucket points at, with
// its index entry. It reports false when the entry matches no restore (a
// malformed or dangling entry, which Check reports); the caller then drops
// the entry, so the sweeper never sticks on one.
func (w *writeTx) expireOne(ob kv.Bucket, bucket string, k []byte) (bool, error) {
	t, key, ok := parseExpiryKey(k)
	if !ok {
		return false, nil
	}
	v := ob.Get(bytesOf(key))
	if v == nil {
		return false, nil
	}
	old, err := decodeRecord(key, v)
	if err != nil || !old.ExpiresAt.Equal(t) {
		return false, nil
	}
	rec := old
	rec.clearRestore()
	w.emit(EventRestoreExpired, bucket, key, &old)
	return true, w.modify(ob, bucket, key, &old, &rec)
}
