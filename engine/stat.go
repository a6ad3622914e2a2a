package engine

import (
	"context"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// BucketStat is what a bucket holds at one instant, per class.
type BucketStat struct {
	// At is the instant of the count: the database clock at the call.
	At time.Time
	// Objects, Bytes (their sizes) and BillableBytes (their sizes with the
	// class's MinBillableSize applied) per class.
	Objects, Bytes, BillableBytes map[storageclass.Class]int64
	// MultipartUploads in progress, their MultipartParts and the parts'
	// MultipartBytes, from the bucket's meter.
	MultipartUploads, MultipartParts, MultipartBytes int64
}

// BucketStat counts the objects of a bucket and their bytes, per class, as
// OSS GetBucketStat reports them. OSS computes its answer in the
// background, up to an hour late; this one is exact at the call, from the
// records themselves (the meter keeps billable bytes, not actual ones), so
// it reads every record of the bucket in one read transaction: its cost
// grows with the objects.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrNoSuchBucket when the bucket is absent, coldstore.ErrDataCorrupt for a
// record that fails its checksum, ErrCorrupt for a record that does not
// decode or names a class the catalog lacks, the context's error when it
// has ended, and ErrClosed after Close.
func (db *DB) BucketStat(ctx context.Context, bucket string) (BucketStat, error) {
	const op = "BucketStat"
	if err := db.checkBucket(op, bucket); err != nil {
		return BucketStat{}, err
	}
	if err := db.acquire(ctx, op, bucket, ""); err != nil {
		return BucketStat{}, err
	}
	defer db.release()
	var st BucketStat
	err := db.view(ctx, op, bucket, "", func(tx kv.Tx) error {
		st = BucketStat{At: db.now(), Objects: map[storageclass.Class]int64{}, Bytes: map[storageclass.Class]int64{}, BillableBytes: map[storageclass.Class]int64{}}
		ob, err := objectsOf(tx, op, bucket, "")
		if err != nil {
			return err
		}
		c := ob.Cursor()
		for k, v := c.First(); k != nil && !isExpiryKey(k); k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			key := string(k)
			var rec objectRecord
			if err := rec.decode(key, v); err != nil {
				return recordError(op, bucket, key, err)
			}
			rules, err := db.rules(op, bucket, key, rec.Class)
			if err != nil {
				return err
			}
			st.Objects[rec.Class]++
			st.Bytes[rec.Class] += rec.Size
			st.BillableBytes[rec.Class] += billable(rules, rec.Size)
		}
		if u, found, err := loadUsage(tx, bucket); err != nil {
			return fail(op, bucket, "", ErrCorrupt, "meter: %v", err)
		} else if found {
			st.MultipartUploads, st.MultipartParts = u.Uploads, u.Parts
			for _, n := range u.PartBytes {
				st.MultipartBytes += n
			}
		}
		return nil
	})
	if err != nil {
		return BucketStat{}, err
	}
	return st, nil
}
