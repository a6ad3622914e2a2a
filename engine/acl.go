package engine

import (
	"context"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
)

// The access control lists (ACLs) of buckets and objects, as OSS names
// them. A bucket has one of the first three; a new bucket's is
// ACLPrivate. An object has one of the four; ACLDefault (what a new
// object has) means it follows its bucket's. The engine stores and
// returns them; it does not enforce them: a server does (ossapi, for
// anonymous requests).
const (
	ACLPrivate         = "private"           // the owner alone reads and writes
	ACLPublicRead      = "public-read"       // anyone reads; the owner alone writes
	ACLPublicReadWrite = "public-read-write" // anyone reads and writes
	ACLDefault         = "default"           // an object's: its bucket's ACL
)

// IsBucketACL reports whether acl is an ACL a bucket may have:
// ACLPrivate, ACLPublicRead or ACLPublicReadWrite.
func IsBucketACL(acl string) bool {
	return acl == ACLPrivate || acl == ACLPublicRead || acl == ACLPublicReadWrite
}

// IsObjectACL reports whether acl is an ACL an object may have: a
// bucket's or ACLDefault.
func IsObjectACL(acl string) bool {
	return acl == ACLDefault || IsBucketACL(acl)
}

// objectACL checks an object's ACL as a caller gives it ("" or
// ACLDefault: the bucket's) and returns it as the record keeps it: ""
// for the bucket's. It returns an error wrapping ErrInvalidArgument for
// any other value than IsObjectACL's.
func objectACL(op, bucket, key, acl string) (string, error) {
	switch {
	case acl == "" || acl == ACLDefault:
		return "", nil
	case IsBucketACL(acl):
		return acl, nil
	}
	return "", fail(op, bucket, key, coldstore.ErrInvalidArgument, "object ACL %q is none of default, private, public-read, public-read-write", truncate(acl))
}

// bucketACL checks a bucket's ACL as a caller gives it ("" for private)
// and returns it as the record keeps it: "" for private, which is what a
// bucket record without an ACL means. It returns an error wrapping
// ErrInvalidArgument for any other value than IsBucketACL's.
func bucketACL(op, bucket, acl string) (string, error) {
	switch {
	case acl == "" || acl == ACLPrivate:
		return "", nil
	case IsBucketACL(acl):
		return acl, nil
	}
	return "", fail(op, bucket, "", coldstore.ErrInvalidArgument, "bucket ACL %q is none of private, public-read, public-read-write", truncate(acl))
}

// checkPutACL checks PutOptions.ACL and leaves it as the record keeps it
// ("" for the bucket's).
func checkPutACL(op, bucket, key string, o *PutOptions) error {
	acl, err := objectACL(op, bucket, key, o.ACL)
	o.ACL = acl
	return err
}

// aclOf is the ACL a bucket record stands for: ACLPrivate when it has
// none.
func (r *bucketRecord) aclOf() string {
	if r.ACL == "" {
		return ACLPrivate
	}
	return r.ACL
}

// SetObjectACL sets the ACL of an object (OSS PutObjectACL): acl is
// ACLPrivate, ACLPublicRead, ACLPublicReadWrite, or ACLDefault (or "")
// to follow the bucket's. Nothing else of the object changes: not its
// content, class, times nor restore; an archived object's ACL may be
// set without a restore. It counts the request PutObjectACL.
//
// It returns an error wrapping ErrInvalidBucketName or
// ErrInvalidObjectName for bad names; ErrInvalidArgument for any other
// acl (nothing changes); ErrNoSuchBucket or ErrNoSuchKey when absent; and
// ErrClosed after Close.
func (db *DB) SetObjectACL(ctx context.Context, bucket, key, acl string) (ObjectInfo, error) {
	const op = "SetObjectACL"
	if err := db.checkObject(op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	acl, err := objectACL(op, bucket, key, acl)
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()
	var oi ObjectInfo
	err = db.changeObject(ctx, op, bucket, key, func(t *objectTx) error {
		rec := t.rec
		rec.ACL = acl
		oi = info(bucket, key, &rec, t.rules, t.now)
		return t.save(&rec, "PutObjectACL")
	})
	return oi, err
}

// SetBucketACL sets the ACL of a bucket (OSS PutBucketAcl): ACLPrivate,
// ACLPublicRead or ACLPublicReadWrite. Nothing else of the bucket
// changes. It counts the request PutBucketAcl.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name;
// ErrInvalidArgument for any other acl, ACLDefault and "" included
// (nothing changes); ErrNoSuchBucket when the bucket is absent; and
// ErrClosed after Close.
func (db *DB) SetBucketACL(ctx context.Context, bucket, acl string) error {
	const op = "SetBucketACL"
	if acl == "" { // bucketACL takes "" for private: here it is no ACL at all
		return fail(op, bucket, "", coldstore.ErrInvalidArgument, "no bucket ACL")
	}
	acl, err := bucketACL(op, bucket, acl)
	if err != nil {
		return err
	}
	return db.changeBucket(ctx, op, bucket, func(w *writeTx, b *bucketState) error {
		b.rec.ACL = acl
		if err := w.tx.Bucket(bktBuckets).Put(bytesOf(bucket), b.rec.encode()); err != nil {
			return err
		}
		return w.count(b, "PutBucketAcl")
	})
}

// EffectiveACL returns the ACL that governs bucket/key: the object's own
// when it has one, else the bucket's (when the object's is ACLDefault,
// and when no object of that key exists: a write of it would create one
// that follows the bucket). With key "" it returns the bucket's. The
// answer is ACLPrivate, ACLPublicRead or ACLPublicReadWrite, never
// ACLDefault. It reads in one transaction and counts no request: it is
// the question a server asks before it serves a request, not one.
//
// It returns an error wrapping ErrInvalidBucketName or
// ErrInvalidObjectName for bad names, ErrNoSuchBucket when the bucket is
// absent, ErrDataCorrupt or ErrCorrupt for a damaged record, and
// ErrClosed after Close.
func (db *DB) EffectiveACL(ctx context.Context, bucket, key string) (string, error) {
	const op = "EffectiveACL"
	if key == "" {
		if err := db.checkBucket(op, bucket); err != nil {
			return "", err
		}
	} else if err := db.checkObject(op, bucket, key); err != nil {
		return "", err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return "", err
	}
	defer db.release()
	var acl string
	err := db.view(ctx, op, bucket, key, func(tx kv.Tx) error {
		v := tx.Bucket(bktBuckets).Get(bytesOf(bucket))
		if v == nil {
			return objectsMissing(op, bucket, key)
		}
		br, err := decodeBucket(v)
		if err != nil {
			return fail(op, bucket, key, ErrCorrupt, "bucket record: %v", err)
		}
		acl = br.aclOf()
		if key == "" {
			return nil
		}
		var rec objectRecord
		if _, err := loadObject(tx, op, bucket, key, &rec); err != nil {
			if isNoSuchKey(err) {
				return nil
			}
			return err
		}
		if rec.ACL != "" {
			acl = rec.ACL
		}
		return nil
	})
	return acl, err
}
