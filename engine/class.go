package engine

import (
	"context"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// SetStorageClass moves an object to another class by hand, as OSS does with
// a CopyObject of the object onto itself with x-oss-storage-class:
//
//   - to a colder class: always;
//   - to a warmer class out of a class that needs a restore: only while
//     Restored (the permanent "unfreeze");
//   - to the class it is in: nothing changes.
//
// A move starts the new class: ClassSince and LastModified become now (the
// copy is a new write in OSS, so the minimum-duration and lifecycle clocks
// restart), and any restore ends: a restored copy belongs to the old class,
// and an object moved into an archive class starts Archived.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for a class the catalog lacks;
// ErrNoSuchBucket or ErrNoSuchKey when absent; ErrInvalidObjectState (403)
// for a warmer class while not Restored; and ErrClosed after Close.
func (db *DB) SetStorageClass(ctx context.Context, bucket, key string, class storageclass.Class) (ObjectInfo, error) {
	const op = "SetStorageClass"
	if err := db.checkObject(op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	to, ok := db.ruleSet[class]
	if !ok {
		return ObjectInfo{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "unknown storage class %q", class)
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()
	var oi ObjectInfo
	err := db.changeObject(ctx, op, bucket, key, func(t *objectTx) error {
		rec, from, now := t.rec, t.rules, t.now
		if rec.Class == class {
			oi = info(bucket, key, &rec, from, now)
			return nil
		}
		if to.Rank < from.Rank && from.NeedsRestore {
			if st := status(&rec, from, now); st.State != Restored {
				return fail(op, bucket, key, coldstore.ErrInvalidObjectState, "%s object is %s: restore it before moving it to %s", rec.Class, st.State, class)
			}
		}
		rec.clearRestore()
		rec.Class, rec.ClassSince, rec.LastModified = class, now, now
		oi = info(bucket, key, &rec, to, now)
		t.emit(EventStorageClassChanged, bucket, key, &rec)
		return t.save(&rec, "CopyObject")
	})
	return oi, err
}
