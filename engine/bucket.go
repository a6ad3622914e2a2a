package engine

import (
	"context"
	"maps"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// BucketOptions are the optional arguments of CreateBucket. A nil
// *BucketOptions is valid.
type BucketOptions struct {
	// StorageClass is the default class of objects put without one.
	// "": the catalog's warmest (Standard in OSS's).
	StorageClass storageclass.Class
	// ACL is the bucket's ACL (x-oss-acl): ACLPrivate, ACLPublicRead or
	// ACLPublicReadWrite. "": ACLPrivate.
	ACL string
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name          string
	StorageClass  storageclass.Class // default class of its objects
	Created       time.Time
	AccessMonitor bool              // SetAccessMonitor: reads record the last access
	Tags          map[string]string // SetBucketTags; nil when none
	ACL           string            // ACLPrivate, ACLPublicRead or ACLPublicReadWrite (SetBucketACL)
}

// CreateBucket creates an empty bucket.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrInvalidArgument for a storage class the catalog lacks or an ACL
// that is not a bucket's (IsBucketACL), ErrBucketAlreadyExists when the bucket exists, and ErrClosed after Close.
func (db *DB) CreateBucket(ctx context.Context, name string, opts *BucketOptions) error {
	const op = "CreateBucket"
	if err := db.checkBucket(op, name); err != nil {
		return err
	}
	class := db.cat.Default()
	if opts != nil && opts.StorageClass != "" {
		class = opts.StorageClass
	}
	if _, ok := db.ruleSet[class]; !ok {
		return fail(op, name, "", coldstore.ErrInvalidArgument, "unknown storage class %q", class)
	}
	var acl string
	if opts != nil {
		var err error
		if acl, err = bucketACL(op, name, opts.ACL); err != nil {
			return err
		}
	}
	if err := db.acquire(ctx, op, name, ""); err != nil {
		return err
	}
	defer db.release()
	return db.update(ctx, op, name, "", func(tx kv.Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		bs := tx.Bucket(bktBuckets)
		if bs.Get(bytesOf(name)) != nil {
			return fail(op, name, "", coldstore.ErrBucketAlreadyExists, "bucket %q exists", name)
		}
		now := db.now()
		if err := checkClock(op, name, "", now); err != nil {
			return err
		}
		rec := bucketRecord{Class: class, Created: now, ACL: acl}
		if _, err := tx.CreateBucket(objectsName(name)); err != nil {
			return err
		}
		u := newUsage(now)
		u.request("PutBucket", 1)
		if err := storeMeter(tx, name, u); err != nil {
			return err
		}
		return bs.Put(bytesOf(name), rec.encode())
	})
}

// DeleteBucket deletes an empty bucket, with its lifecycle configuration
// and its meter.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrNoSuchBucket when it does not exist, ErrBucketNotEmpty while it holds
// objects (in any state, archived ones included), and ErrClosed after Close.
func (db *DB) DeleteBucket(ctx context.Context, name string) error {
	const op = "DeleteBucket"
	if err := db.checkBucket(op, name); err != nil {
		return err
	}
	if err := db.acquire(ctx, op, name, ""); err != nil {
		return err
	}
	defer db.release()
	err := db.update(ctx, op, name, "", func(tx kv.Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ob, err := objectsOf(tx, op, name, "")
		if err != nil {
			return err
		}
		if k, _ := ob.Cursor().First(); k != nil {
			return fail(op, name, "", coldstore.ErrBucketNotEmpty, "bucket %q holds objects", name)
		}
		if ub := uploadsOf(tx, name); ub != nil {
			if k, _ := ub.Cursor().First(); k != nil {
				return fail(op, name, "", coldstore.ErrBucketNotEmpty, "bucket %q has multipart uploads in progress", name)
			}
			if err := tx.Bucket(bktUploads).DeleteBucket(bytesOf(name)); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(objectsName(name)); err != nil {
			return err
		}
		if tx.Bucket(bktDue).Bucket(bytesOf(name)) != nil {
			if err := tx.Bucket(bktDue).DeleteBucket(bytesOf(name)); err != nil {
				return err
			}
		}
		if err := deleteMeter(tx, name); err != nil {
			return err
		}
		for _, b := range [][]byte{bktLifecycle, bktBuckets} {
			if err := tx.Bucket(b).Delete(bytesOf(name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		db.live.drop(name)
	}
	return err
}

// ListBuckets returns every bucket, ordered by name.
//
// It returns an error wrapping ErrClosed after Close.
func (db *DB) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	const op = "ListBuckets"
	if err := db.acquire(ctx, op, "", ""); err != nil {
		return nil, err
	}
	defer db.release()
	var out []BucketInfo
	err := db.view(ctx, op, "", "", func(tx kv.Tx) error {
		return tx.Bucket(bktBuckets).ForEach(func(k, v []byte) error {
			rec, err := decodeBucket(v)
			if err != nil {
				return fail(op, string(k), "", ErrCorrupt, "%v", err)
			}
			out = append(out, bucketInfo(string(k), &rec))
			return nil
		})
	})
	return out, err
}

// Bucket returns the information of one bucket.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrNoSuchBucket when the bucket is absent, and ErrClosed after Close.
func (db *DB) Bucket(ctx context.Context, name string) (BucketInfo, error) {
	const op = "Bucket"
	if err := db.checkBucket(op, name); err != nil {
		return BucketInfo{}, err
	}
	if err := db.acquire(ctx, op, name, ""); err != nil {
		return BucketInfo{}, err
	}
	defer db.release()
	var bi BucketInfo
	err := db.view(ctx, op, name, "", func(tx kv.Tx) error {
		v := tx.Bucket(bktBuckets).Get(bytesOf(name))
		if v == nil {
			return objectsMissing(op, name, "")
		}
		rec, err := decodeBucket(v)
		if err != nil {
			return fail(op, name, "", ErrCorrupt, "%v", err)
		}
		bi = bucketInfo(name, &rec)
		return nil
	})
	return bi, err
}

func bucketInfo(name string, rec *bucketRecord) BucketInfo {
	return BucketInfo{Name: name, StorageClass: rec.Class, Created: rec.Created, AccessMonitor: rec.AccessMonitor, Tags: rec.Tags, ACL: rec.aclOf()}
}

// Limits on a bucket's tags, as OSS sets them.
const (
	MaxBucketTags        = 20
	MaxBucketTagKeyLen   = 64  // bytes
	MaxBucketTagValueLen = 128 // bytes
)

// SetBucketTags replaces the tags of a bucket (OSS PutBucketTags; with no
// tags, DeleteBucketTags). Nothing else of the bucket changes.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name;
// ErrInvalidArgument for tags beyond MaxBucketTags, MaxBucketTagKeyLen or
// MaxBucketTagValueLen, or an empty key; ErrNoSuchBucket when the bucket is
// absent; and ErrClosed after Close.
func (db *DB) SetBucketTags(ctx context.Context, bucket string, tags map[string]string) error {
	const op = "SetBucketTags"
	if len(tags) > MaxBucketTags {
		return fail(op, bucket, "", coldstore.ErrInvalidArgument, "%d tags exceed %d", len(tags), MaxBucketTags)
	}
	for k, v := range tags {
		if k == "" || len(k) > MaxBucketTagKeyLen || len(v) > MaxBucketTagValueLen {
			return fail(op, bucket, "", coldstore.ErrInvalidArgument, "tag %q=%q: keys 1-%d bytes, values up to %d", truncate(k), truncate(v), MaxBucketTagKeyLen, MaxBucketTagValueLen)
		}
	}
	request := "PutBucketTags"
	if len(tags) == 0 {
		tags, request = nil, "DeleteBucketTags"
	}
	return db.changeBucket(ctx, op, bucket, func(w *writeTx, b *bucketState) error {
		b.rec.Tags = maps.Clone(tags)
		if err := w.tx.Bucket(bktBuckets).Put(bytesOf(bucket), b.rec.encode()); err != nil {
			return err
		}
		return w.count(b, request)
	})
}
