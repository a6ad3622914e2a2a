package engine

import (
	"bytes"
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sweepBatch bounds the expired restores one sweep transaction handles, so
// a sweep never holds the write lock for long.
const sweepBatch = 1000

// Sweep removes the restored copies that have expired by now, returning
// their objects to Archived (the archived objects themselves stay), and
// reports the earliest expiry still pending. It walks the expiry index from
// its start and stops at the first entry after now, in write transactions
// of at most 1000 entries: its cost grows with the expired restores, not
// with the objects. Sweep is housekeeping: every read already answers as if
// it had run. It also stores the read requests counted in memory in the
// buckets' meters.
//
// It returns an error wrapping ErrClosed after Close, and the context's
// error when it ends first (the batches committed so far stay committed).
func (db *DB) Sweep(ctx context.Context) (SweepResult, error) {
	const op = "Sweep"
	if err := db.acquire(ctx, op, "", ""); err != nil {
		return SweepResult{}, err
	}
	defer db.release()
	now := db.clock.Now()
	var res SweepResult
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// Most sweeps find nothing due: look before taking the write lock.
		var first time.Time
		err := db.view(op, "", "", func(tx *bolt.Tx) error {
			if k, _ := tx.Bucket(bktExpiry).Cursor().First(); len(k) >= 8 {
				first = getTime(k)
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		if first.IsZero() || first.After(now) {
			res.Next = first
			return res, db.flushReads()
		}
		var n int
		var more bool
		err = db.write(op, "", "", func(w *writeTx) error {
			w.now = now
			var err error
			n, more, res.Next, err = w.sweepBatch()
			return err
		})
		if err != nil {
			return res, err
		}
		res.Expired += n
		if !more {
			return res, db.flushReads()
		}
	}
}

// sweepBatch clears up to sweepBatch restores that expired at or before
// now. It returns how many objects it returned to Archived, whether more
// expired entries remain, and the earliest pending expiry after the batch.
func (w *writeTx) sweepBatch() (expired int, more bool, next time.Time, err error) {
	now := w.now
	exp := w.tx.Bucket(bktExpiry)
	var keys [][]byte
	c := exp.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) >= 8 && getTime(k).After(now) {
			break
		}
		if len(keys) == sweepBatch {
			more = true
			break
		}
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		done, err := w.expireOne(k)
		if err != nil {
			return 0, false, time.Time{}, err
		}
		if done {
			expired++
		} else if err := exp.Delete(k); err != nil {
			return 0, false, time.Time{}, err
		}
	}
	if !more {
		if k, _ := exp.Cursor().First(); k != nil && len(k) >= 8 {
			next = getTime(k)
		}
	}
	return expired, more, next, nil
}

// expireOne clears the restore that index key k points at, with its index
// entry. It reports false when the entry matches no restore (a malformed or
// dangling entry, which Check reports); the caller then drops the entry, so
// the sweeper never sticks on one.
func (w *writeTx) expireOne(k []byte) (bool, error) {
	t, bucket, key, ok := parseIndexKey(k)
	if !ok {
		return false, nil
	}
	ob := w.tx.Bucket(bktObjects).Bucket([]byte(bucket))
	if ob == nil {
		return false, nil
	}
	v := ob.Get([]byte(key))
	if v == nil {
		return false, nil
	}
	old, err := decodeRecord(v)
	if err != nil || !old.ExpiresAt.Equal(t) {
		return false, nil
	}
	rec := old
	rec.clearRestore()
	return true, w.modify(ob, bucket, key, &old, &rec)
}
