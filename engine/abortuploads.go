package engine

import (
	"bytes"
	"context"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
)

// abortUploads is RunLifecycle's pass over multipart uploads: in each
// bucket whose lifecycle aborts uploads (AbortMultipartUpload), it aborts
// every upload due by now, in write transactions of at most lifecycleBatch
// uploads, and returns how many it aborted and the earliest due time left.
// Its cost grows with the uploads in progress in those buckets, which are
// few next to objects: uploads have no due index.
func (db *DB) abortUploads(ctx context.Context, now time.Time) (aborted int, next time.Time, err error) {
	const op = "RunLifecycle"
	var buckets []string
	err = db.view(ctx, op, "", "", func(tx kv.Tx) error {
		buckets = buckets[:0]
		return tx.Bucket(bktUploads).ForEachBucket(func(name []byte) error {
			cfg, err := db.configOf(tx, string(name))
			if err == nil && cfg != nil && cfg.AbortsUploads() {
				buckets = append(buckets, string(name))
			}
			return nil
		})
	})
	if err != nil {
		return 0, time.Time{}, err
	}
	for _, bucket := range buckets {
		for more := true; more; {
			if err := ctx.Err(); err != nil {
				return aborted, next, err
			}
			var n int
			var left time.Time
			err := db.write(ctx, op, bucket, "", func(w *writeTx) error {
				w.now = now
				var err error
				n, more, left, err = w.abortBatch(op, bucket)
				return err
			})
			if err != nil {
				return aborted, next, err
			}
			aborted += n
			if !more && !left.IsZero() && (next.IsZero() || left.Before(next)) {
				next = left
			}
		}
	}
	return aborted, next, nil
}

// abortBatch aborts up to lifecycleBatch uploads of bucket due by w.now.
// It reports whether more may be due and the earliest due time of those
// left.
func (w *writeTx) abortBatch(op, bucket string) (n int, more bool, next time.Time, err error) {
	b, err := w.bucket(op, bucket, "")
	if err != nil {
		return 0, false, time.Time{}, err
	}
	ub := uploadsOf(w.tx, bucket)
	if ub == nil || b.cfg == nil {
		return 0, false, time.Time{}, nil
	}
	type due struct{ key, id string }
	var todo []due
	err = ub.ForEach(func(k, v []byte) error {
		key, rest, _ := bytes.Cut(k, []byte{0})
		if bytes.IndexByte(rest, 0) >= 0 {
			return nil // a part
		}
		rec, err := decodeRecord(string(k[:len(key)])+"\x00"+string(rest), v)
		if err != nil {
			return nil // Check reports it; never stick on it
		}
		t, ok := b.cfg.AbortDue(string(key), rec.LastModified)
		switch {
		case !ok:
		case t.After(w.now):
			if next.IsZero() || t.Before(next) {
				next = t
			}
		case len(todo) == lifecycleBatch:
			more = true
		default:
			todo = append(todo, due{string(key), string(rest)})
		}
		return nil
	})
	if err != nil {
		return 0, false, time.Time{}, err
	}
	for _, d := range todo {
		if err := w.abortUpload(op, bucket, d.key, d.id); err != nil {
			return 0, false, time.Time{}, err
		}
		if err := w.count(b, "AbortMultipartUpload"); err != nil {
			return 0, false, time.Time{}, err
		}
	}
	return len(todo), more, next, nil
}
