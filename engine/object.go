package engine

import (
	"context"
	"encoding/hex"
	"maps"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
	bolt "go.etcd.io/bbolt"
)

// ObjectInfo describes an object at the instant of the call.
type ObjectInfo struct {
	Bucket, Key  string
	Size         int64
	ETag         string // lowercase hex MD5 of the content, unquoted (ossapi quotes it)
	ContentType  string
	Metadata     map[string]string // user metadata (x-oss-meta-*); nil when none
	LastModified time.Time         // last Put, or last SetStorageClass
	StorageClass storageclass.Class
	ClassSince   time.Time // when it entered its class
	Restore      RestoreStatus
}

// PutOptions are the optional arguments of Put. A nil *PutOptions is valid.
type PutOptions struct {
	// StorageClass of the object. "": the bucket's default class.
	StorageClass storageclass.Class
	// ContentType. "": application/octet-stream.
	ContentType string
	// Metadata is user metadata, at most MaxMetadataSize bytes of keys and
	// values together; keys must not be empty. It is copied.
	Metadata map[string]string
}

// defaultContentType is what OSS answers for an object stored without one.
const defaultContentType = "application/octet-stream"

// info builds the ObjectInfo of rec at now.
func info(bucket, key string, rec *objectRecord, rules *storageclass.Rules, now time.Time) ObjectInfo {
	return ObjectInfo{
		Bucket:       bucket,
		Key:          key,
		Size:         rec.Size,
		ETag:         hex.EncodeToString(rec.ETag[:]),
		ContentType:  rec.ContentType,
		Metadata:     maps.Clone(rec.Metadata),
		LastModified: rec.LastModified,
		StorageClass: rec.Class,
		ClassSince:   rec.ClassSince,
		Restore:      status(rec, rules, now),
	}
}

// objectsOf returns the bbolt bucket holding the objects of bucket, or an
// error wrapping ErrNoSuchBucket.
func objectsOf(tx *bolt.Tx, op, bucket, key string) (*bolt.Bucket, error) {
	ob := tx.Bucket(bktObjects).Bucket([]byte(bucket))
	if ob == nil {
		return nil, fail(op, bucket, key, coldstore.ErrNoSuchBucket, "bucket %q does not exist", bucket)
	}
	return ob, nil
}

// loadObject returns the record of bucket/key, or an error wrapping
// ErrNoSuchBucket or ErrNoSuchKey.
func loadObject(tx *bolt.Tx, op, bucket, key string) (*bolt.Bucket, objectRecord, error) {
	ob, err := objectsOf(tx, op, bucket, key)
	if err != nil {
		return nil, objectRecord{}, err
	}
	v := ob.Get([]byte(key))
	if v == nil {
		return nil, objectRecord{}, fail(op, bucket, key, coldstore.ErrNoSuchKey, "no object %q in bucket %q", truncate(key), bucket)
	}
	rec, err := decodeRecord(v)
	if err != nil {
		return nil, rec, fail(op, bucket, key, ErrCorrupt, "%v", err)
	}
	return ob, rec, nil
}

// saveObject writes rec for bucket/key and moves its expiry index entry
// from old (the record before the change; nil when there was none) to rec,
// in the caller's transaction: record and index change together or not at
// all.
func saveObject(tx *bolt.Tx, ob *bolt.Bucket, bucket, key string, old, rec *objectRecord) error {
	if err := moveExpiry(tx, bucket, key, old, rec); err != nil {
		return err
	}
	return ob.Put([]byte(key), rec.encode())
}

// moveExpiry keeps the expiry index in step with a change of a record from
// old to rec (either may be nil: created or deleted).
func moveExpiry(tx *bolt.Tx, bucket, key string, old, rec *objectRecord) error {
	var was, now time.Time
	if old != nil {
		was = old.ExpiresAt
	}
	if rec != nil {
		now = rec.ExpiresAt
	}
	if was.Equal(now) {
		return nil
	}
	exp := tx.Bucket(bktExpiry)
	if !was.IsZero() {
		if err := exp.Delete(indexKey(was, bucket, key)); err != nil {
			return err
		}
	}
	if !now.IsZero() {
		return exp.Put(indexKey(now, bucket, key), nil)
	}
	return nil
}

// Head returns the object's info, including its restore status, without
// reading its content. Head never needs a restore.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names, ErrNoSuchBucket or ErrNoSuchKey when absent, and ErrClosed
// after Close.
func (db *DB) Head(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	const op = "Head"
	if err := checkObject(op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()
	var oi ObjectInfo
	err := db.view(op, bucket, key, func(tx *bolt.Tx) error {
		now := db.clock.Now()
		_, rec, err := loadObject(tx, op, bucket, key)
		if err != nil {
			return err
		}
		r, err := db.rules(op, bucket, key, rec.Class)
		if err != nil {
			return err
		}
		oi = info(bucket, key, &rec, r, now)
		return nil
	})
	return oi, err
}

// Delete removes the object, its content and any restore, in any state: a
// delete never needs a restore. Deleting a key that does not exist succeeds,
// as OSS answers 204 either way.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names, ErrNoSuchBucket when the bucket is absent, and ErrClosed
// after Close.
func (db *DB) Delete(ctx context.Context, bucket, key string) error {
	const op = "Delete"
	if err := checkObject(op, bucket, key); err != nil {
		return err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return err
	}
	defer db.release()
	return db.update(op, bucket, key, func(tx *bolt.Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ob, old, err := loadObject(tx, op, bucket, key)
		if err != nil {
			if isNoSuchKey(err) {
				return nil
			}
			return err
		}
		return removeObject(tx, ob, bucket, key, &old)
	})
}

// removeObject deletes rec of bucket/key with its chunks and index entries.
func removeObject(tx *bolt.Tx, ob *bolt.Bucket, bucket, key string, rec *objectRecord) error {
	if err := moveExpiry(tx, bucket, key, rec, nil); err != nil {
		return err
	}
	if err := deleteChunks(tx, rec.DataID); err != nil {
		return err
	}
	return ob.Delete([]byte(key))
}
