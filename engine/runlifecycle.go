package engine

import (
	"bytes"
	"context"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/lifecycle"
)

// LifecycleResult is what a RunLifecycle pass did.
type LifecycleResult struct {
	Transitioned int       // objects moved to a colder class
	Expired      int       // objects deleted
	Aborted      int       // multipart uploads aborted (AbortMultipartUpload)
	Next         time.Time // earliest due time left after the pass; zero if none
}

// lifecycleBatch bounds the objects one lifecycle transaction handles.
const lifecycleBatch = 1000

// RunLifecycle applies every lifecycle action due by now, bucket by bucket,
// walking only the due index entries at or before now in write
// transactions of at most 1000 objects: its cost grows with the due
// objects, not with the others.
//
// An expiration deletes the object (in any state; a restore does not
// protect it), charging early deletion as a Delete would. A transition
// moves the object to the target class: ClassSince becomes now and
// LastModified stays (so IA and Archive count their minimum duration from
// it, ColdArchive and DeepColdArchive from the transition), and it starts
// Archived in an archive class. A transition never interrupts a restore: an
// object Restoring or Restored is moved when its restored copy expires.
// They count as the requests ExpireObject and CommitTransition. A rule with
// AbortMultipartUpload aborts the uploads it selects once due, as
// AbortUpload would (abortuploads.go).
//
// It returns an error wrapping ErrClosed after Close, and the context's
// error when it ends first (the batches committed so far stay committed).
func (db *DB) RunLifecycle(ctx context.Context) (LifecycleResult, error) {
	const op = "RunLifecycle"
	if err := db.acquire(ctx, op, "", ""); err != nil {
		return LifecycleResult{}, err
	}
	defer db.release()
	now := db.now()
	var res LifecycleResult
	var buckets []string
	err := db.view(ctx, op, "", "", func(tx kv.Tx) error {
		due := tx.Bucket(bktDue)
		return due.ForEachBucket(func(name []byte) error {
			// Only buckets with something due take the write lock.
			k, _ := due.Bucket(name).Cursor().First()
			switch {
			case len(k) < 8:
			case getTime(k).After(now):
				if t := getTime(k); res.Next.IsZero() || t.Before(res.Next) {
					res.Next = t
				}
			default:
				buckets = append(buckets, string(name))
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	for _, bucket := range buckets {
		for {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			var more bool
			var next time.Time
			var done LifecycleResult // counted afresh by each run of the function
			err := db.write(ctx, op, bucket, "", func(w *writeTx) error {
				w.now = now
				done = LifecycleResult{}
				var err error
				more, next, err = w.lifecycleBatch(bucket, &done)
				return err
			})
			if err != nil {
				return res, err
			}
			res.Transitioned += done.Transitioned
			res.Expired += done.Expired
			if !more {
				if !next.IsZero() && (res.Next.IsZero() || next.Before(res.Next)) {
					res.Next = next
				}
				break
			}
		}
	}
	aborted, next, err := db.abortUploads(ctx, now)
	res.Aborted = aborted
	if !next.IsZero() && (res.Next.IsZero() || next.Before(res.Next)) {
		res.Next = next
	}
	return res, err
}

// lifecycleBatch applies up to lifecycleBatch due actions of one bucket.
// It reports whether more due entries remain, and the earliest due time
// left.
func (w *writeTx) lifecycleBatch(bucket string, res *LifecycleResult) (more bool, next time.Time, err error) {
	due := w.tx.Bucket(bktDue).Bucket(bytesOf(bucket))
	if due == nil {
		return false, time.Time{}, nil
	}
	var keys [][]byte
	c := due.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) < 8 || getTime(k).After(w.now) {
			break
		}
		if len(keys) == lifecycleBatch {
			more = true
			break
		}
		keys = append(keys, bytes.Clone(k))
	}
	b, err := w.bucket("RunLifecycle", bucket, "")
	if err != nil {
		return false, time.Time{}, err
	}
	ob := objectsBucket(w.tx, bucket)
	for _, k := range keys {
		key := string(k[8:])
		v := ob.Get(bytesOf(key))
		var rec objectRecord
		if v != nil {
			rec, err = decodeRecord(key, v)
		}
		if v == nil || err != nil || !dueOf(w.db.cat, b, key, &rec).Equal(getTime(k)) {
			// A dangling entry (Check reports it): drop it, never stick.
			if err := due.Delete(k); err != nil {
				return false, time.Time{}, err
			}
			continue
		}
		acted, err := w.act(b, ob, key, &rec, res)
		if err != nil {
			return false, time.Time{}, err
		}
		if !acted {
			// Evaluate and NextDue disagree (a bug Check reports): drop the
			// entry so that the pass always progresses.
			w.db.opts.Logger.Error("coldstore: lifecycle entry due but no action", "bucket", bucket, "key", key)
			if err := due.Delete(k); err != nil {
				return false, time.Time{}, err
			}
		}
	}
	if !more {
		if k, _ := due.Cursor().First(); k != nil && len(k) >= 8 {
			next = getTime(k)
		}
	}
	return more, next, nil
}

// act applies what the configuration says of rec now. It reports false
// when it says nothing.
func (w *writeTx) act(b *bucketState, ob kv.Bucket, key string, rec *objectRecord, res *LifecycleResult) (bool, error) {
	a := b.cfg.EvaluateIn(w.db.cat, lcObject(b, key, rec), w.now)
	switch {
	case a.Kind == lifecycle.ActionExpire:
		res.Expired++
		w.emit(EventLifecycleExpiration, b.name, key, rec)
		if err := w.remove(ob, b.name, key, rec); err != nil {
			return true, err
		}
		return true, w.count(b, "ExpireObject")
	case a.Kind == lifecycle.ActionTransition && !(rec.hasRestore() && w.now.Before(rec.ExpiresAt)):
		next := *rec
		next.clearRestore()
		next.Class, next.ClassSince = a.StorageClass, w.now
		res.Transitioned++
		w.emit(EventLifecycleTransition, b.name, key, &next)
		if err := w.modify(ob, b.name, key, rec, &next); err != nil {
			return true, err
		}
		return true, w.count(b, "CommitTransition")
	}
	return false, nil
}
