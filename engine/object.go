package engine

import (
	"context"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// ObjectInfo describes an object at the instant of the call.
type ObjectInfo struct {
	Bucket, Key  string
	Size         int64
	ETag         string // lowercase hex MD5 of the content, unquoted (ossapi quotes it); a multipart object's is MD5(part MD5s)-parts
	CRC64        uint64 // CRC-64/ECMA of the content, as OSS's x-oss-hash-crc64ecma
	ContentType  string
	Metadata     map[string]string // user metadata (x-oss-meta-*); nil when none
	Tags         map[string]string // object tags; nil when none
	Headers      map[string]string // stored HTTP headers (PutOptions.Headers); nil when none
	LastModified time.Time         // last Put, or last SetStorageClass
	StorageClass storageclass.Class
	ClassSince   time.Time // when it entered its class
	Restore      RestoreStatus
	// Type is how the object was written, as OSS's x-oss-object-type
	// names it: TypeNormal, TypeMultipart, TypeAppendable or TypeSymlink.
	Type string
	// ACL is the object's own ACL (private, public-read,
	// public-read-write), "" when it follows the bucket's ("default").
	ACL string
	// Expiration is when a rule of the bucket's lifecycle configuration
	// deletes the object, as S3's x-amz-expiration and OSS's
	// x-oss-expiration tell it: for a link, the link's own. Head, Get, Put
	// and CompleteUpload fill it in; zero when no rule will, and from the
	// other calls.
	Expiration LifecycleExpiration
}

// LifecycleExpiration is an expiration that a lifecycle rule has set for
// an object.
type LifecycleExpiration struct {
	// Date is when the rule deletes the object (S3: the midnight UTC that
	// ends its last day); in the past when the sweep has yet to do it.
	// Zero: no rule expires the object.
	Date   time.Time
	RuleID string // the rule's ID
}

// expirationIn is the expiration cfg sets for rec at bucket/key; none for
// a nil cfg.
func expirationIn(cfg *lifecycle.Configuration, key string, rec *objectRecord) LifecycleExpiration {
	if cfg == nil {
		return LifecycleExpiration{}
	}
	due, id := cfg.ExpirationOf(lcObject(&bucketState{}, key, rec))
	return LifecycleExpiration{Date: due, RuleID: id}
}

// expiration is the expiration the bucket's configuration in tx sets for
// rec at bucket/key.
func (db *DB) expiration(tx kv.Tx, op, bucket, key string, rec *objectRecord) (LifecycleExpiration, error) {
	if !db.lifecycles.Load() {
		return LifecycleExpiration{}, nil
	}
	cfg, err := db.configOf(tx, bucket)
	if err != nil {
		return LifecycleExpiration{}, fail(op, bucket, key, ErrCorrupt, "lifecycle: %v", err)
	}
	return expirationIn(cfg, key, rec), nil
}

// The object types of ObjectInfo.Type.
const (
	TypeNormal     = "Normal"
	TypeMultipart  = "Multipart"
	TypeAppendable = "Appendable"
	TypeSymlink    = "Symlink"
)

// typeNames are the ObjectInfo.Type of each objectKind.
var typeNames = [...]string{kindNormal: TypeNormal, kindMultipart: TypeMultipart, kindAppendable: TypeAppendable, kindSymlink: TypeSymlink}

// PutOptions are the optional arguments of Put. A nil *PutOptions is valid.
type PutOptions struct {
	// StorageClass of the object. "": the bucket's default class.
	StorageClass storageclass.Class
	// ContentType. "": the dialect's default (dialect.DefaultContentType:
	// application/octet-stream in OSS, binary/octet-stream in S3).
	ContentType string
	// Metadata is user metadata, at most MaxMetadataSize bytes of keys and
	// values together; keys must not be empty. It is copied.
	Metadata map[string]string
	// Tags are the object's tags (x-oss-tagging), which lifecycle rules
	// select on: at most MaxTags, keys 1-128 bytes, values at most 256.
	Tags map[string]string
	// Headers are standard HTTP headers stored with the object and returned
	// with it, by their canonical names: Cache-Control,
	// Content-Disposition, Content-Encoding, Content-Language and Expires
	// (StoredHeaders); at most MaxMetadataSize bytes together. It is
	// copied.
	Headers map[string]string
	// ForbidOverwrite makes the Put fail with coldstore.ErrFileAlreadyExists
	// when the key exists (OSS x-oss-forbid-overwrite). The check is made
	// in the transaction that publishes the object: of two racing Puts
	// that forbid overwriting, one succeeds.
	ForbidOverwrite bool
	// ACL is the object's ACL (x-oss-object-acl): ACLPrivate,
	// ACLPublicRead, ACLPublicReadWrite, or ACLDefault or "" to follow the
	// bucket's. Any other value is ErrInvalidArgument.
	ACL string
	// Copy marks a Put that copies an object (a CopyObject): its
	// EventObjectCreated has Op "Copy" rather than "Put". It changes
	// nothing else.
	Copy bool
}

// StoredHeaders are the HTTP headers an object keeps (PutOptions.Headers).
var StoredHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"}

// contentType is ct, or, when it is "", the content type the dialect's
// service answers for an object stored without one.
func (db *DB) contentType(ct string) string {
	if ct == "" {
		return db.defaultType
	}
	return ct
}

// info builds the ObjectInfo of rec at now. The info takes rec's Metadata
// and Tags maps as they are: callers pass a record they decoded (or built)
// and do not change afterwards.
func info(bucket, key string, rec *objectRecord, rules *storageclass.Rules, now time.Time) ObjectInfo {
	var oi ObjectInfo
	setInfo(&oi, bucket, key, rec, rules, now)
	return oi
}

// setInfo is info written in place, for Get, whose info lives in the
// Object it allocates anyway.
func setInfo(oi *ObjectInfo, bucket, key string, rec *objectRecord, rules *storageclass.Rules, now time.Time) {
	oi.Bucket, oi.Key = bucket, key
	oi.Size = rec.Size
	oi.ETag = etagOf(rec)
	oi.CRC64 = rec.CRC64
	oi.ContentType = rec.ContentType
	oi.Metadata, oi.Tags, oi.Headers = rec.Metadata, rec.Tags, rec.Headers
	oi.LastModified = rec.LastModified
	oi.StorageClass = rec.Class
	oi.ClassSince = rec.ClassSince
	oi.Restore = status(rec, rules, now)
	oi.Type = typeNames[rec.Kind]
	oi.ACL = rec.ACL
}

// etagOf is rec's ETag as ObjectInfo gives it: lowercase hex MD5, and for
// a multipart object "-" and its number of parts after it.
func etagOf(rec *objectRecord) string {
	if rec.Kind == kindMultipart {
		return hex.EncodeToString(rec.ETag[:]) + "-" + strconv.Itoa(len(rec.Parts))
	}
	return hex.EncodeToString(rec.ETag[:])
}

// objectsOf returns the kv bucket holding the objects of bucket, or an
// error wrapping ErrNoSuchBucket.
func objectsOf(tx kv.Tx, op, bucket, key string) (kv.Bucket, error) {
	ob := objectsBucket(tx, bucket)
	if ob == nil {
		return nil, objectsMissing(op, bucket, key)
	}
	return ob, nil
}

// loadObject decodes the record of bucket/key into rec and returns the
// kv bucket holding it, or an error wrapping ErrNoSuchBucket or
// ErrNoSuchKey.
func loadObject(tx kv.Tx, op, bucket, key string, rec *objectRecord) (kv.Bucket, error) {
	ob, err := objectsOf(tx, op, bucket, key)
	if err != nil {
		return nil, err
	}
	v := ob.Get(bytesOf(key))
	if v == nil {
		return nil, noSuchKey(op, bucket, key)
	}
	if err := rec.decode(key, v); err != nil {
		return nil, recordError(op, bucket, key, err)
	}
	return ob, nil
}

// noSuchKey is the error for an object that does not exist.
func noSuchKey(op, bucket, key string) error {
	return fail(op, bucket, key, coldstore.ErrNoSuchKey, "no object %q in bucket %q", truncate(key), bucket)
}

// Head returns the object's info, including its restore status, without
// reading its content. Head never needs a restore. It follows a symbolic
// link as Get does.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names, ErrNoSuchBucket or ErrNoSuchKey when absent,
// ErrSymlinkTargetNotExist or ErrInvalidTargetType for a link to a missing
// object or to a link, and ErrClosed after Close.
func (db *DB) Head(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	const op = "Head"
	if err := db.checkObject(op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()
	var oi ObjectInfo
	err := db.view(ctx, op, bucket, key, func(tx kv.Tx) error {
		now := db.now()
		var rec, link objectRecord
		ob, err := loadObject(tx, op, bucket, key, &rec)
		if err != nil {
			return err
		}
		if rec.Kind == kindSymlink { // the target's info (symlink.go)
			if link, err = followLink(ob, op, bucket, key, &rec, nil); err != nil {
				return err
			}
		}
		r, err := db.rules(op, bucket, key, rec.Class)
		if err != nil {
			return err
		}
		oi = info(bucket, key, &rec, r, now)
		own := &rec // the object at key: a link's own record, not its target's
		if link.Kind == kindSymlink {
			linkInfo(&oi, &link)
			own = &link
		}
		oi.Expiration, err = db.expiration(tx, op, bucket, key, own)
		return err
	})
	if err == nil {
		db.live.count(nil, bucket, opHeadObject)
	}
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
	return db.deleteIf(ctx, "Delete", bucket, key, nil)
}

// DeleteIfMatch removes the object as Delete does, but only when match,
// given its ETag (lowercase hex, unquoted, as ObjectInfo.ETag), returns
// true: S3's conditional delete (If-Match), the condition judged in the
// transaction that removes the object, so no write between them goes
// unseen. match must not call the DB.
//
// It returns the errors Delete returns, and an error wrapping
// ErrNoSuchKey when the object is absent, ErrPreconditionFailed when
// match refuses its ETag, or ErrInvalidArgument for a nil match; nothing
// is removed then.
func (db *DB) DeleteIfMatch(ctx context.Context, bucket, key string, match func(etag string) bool) error {
	if match == nil {
		return fail("DeleteIfMatch", bucket, key, coldstore.ErrInvalidArgument, "no condition")
	}
	return db.deleteIf(ctx, "DeleteIfMatch", bucket, key, match)
}

// deleteIf is Delete, and DeleteIfMatch when match is not nil.
func (db *DB) deleteIf(ctx context.Context, op, bucket, key string, match func(string) bool) error {
	if err := db.checkObject(op, bucket, key); err != nil {
		return err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return err
	}
	defer db.release()
	return db.writeShared(ctx, op, bucket, key, func(w *writeTx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var old objectRecord
		ob, err := loadObject(w.tx, op, bucket, key, &old)
		if err != nil && !isNoSuchKey(err) {
			return err
		}
		b, err := w.bucket(op, bucket, key)
		if err != nil {
			return err
		}
		if match != nil {
			if ob == nil {
				return noSuchKey(op, bucket, key)
			}
			if !match(etagOf(&old)) {
				return fail(op, bucket, key, coldstore.ErrPreconditionFailed, "its ETag is %s", etagOf(&old))
			}
		}
		if err := w.count(b, "DeleteObject"); err != nil {
			return err
		}
		if ob == nil {
			return nil
		}
		w.emit(EventObjectDeleted, bucket, key, &old)
		return w.remove(ob, bucket, key, &old)
	})
}
