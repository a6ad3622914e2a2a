package engine

import (
	"context"
	"crypto/md5"
	"maps"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
)

// A symbolic link is an object of its own (Kind symlink) that holds the key
// of its target in the same bucket and no content: Size 0, the ETag the MD5
// of the target's key. It has its own class, content type, metadata, tags
// and headers. Get and Head follow it, as OSS's GetObject and HeadObject
// do: the content, size, ETag, CRC-64, class and restore are the target's,
// Last-Modified the later of the two, everything else the link's. A link
// to a missing target is ErrSymlinkTargetNotExist; a link to a link is
// ErrInvalidTargetType. Delete removes the link, never its target.

// PutSymlink stores bucket/key as a symbolic link to target, a key of the
// same bucket, replacing any object of that key. The target need not
// exist, and may be any object: reads through the link check it. opts
// gives the link's class (the bucket's when ""), content type, metadata,
// tags and headers, and ForbidOverwrite.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for a target that is not a valid key
// (an empty one included), an unknown class, or metadata, headers or tags
// beyond the limits; ErrNoSuchBucket when the bucket is absent;
// ErrFileAlreadyExists when opts.ForbidOverwrite and the key exists;
// ErrDataCorrupt when the record it replaces fails its checksum; ErrClosed
// after Close; and the context's error. On any error nothing is changed.
func (db *DB) PutSymlink(ctx context.Context, bucket, key, target string, opts *PutOptions) (ObjectInfo, error) {
	const op = "PutSymlink"
	if err := db.checkObject(op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := db.dialect.CheckKey(target); err != nil {
		return ObjectInfo{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "target %q is not a valid key: %v", truncate(target), err)
	}
	var o PutOptions
	if opts != nil {
		o = *opts
	}
	if err := db.checkPut(op, bucket, key, &o); err != nil {
		return ObjectInfo{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()
	var oi ObjectInfo
	err := db.writeShared(ctx, op, bucket, key, func(w *writeTx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ob, err := objectsOf(w.tx, op, bucket, key)
		if err != nil {
			return err
		}
		b, err := w.bucket(op, bucket, key)
		if err != nil {
			return err
		}
		class := o.StorageClass
		if class == "" {
			class = b.rec.Class
		}
		rules, err := db.rules(op, bucket, key, class)
		if err != nil {
			return err
		}
		ct := db.contentType(o.ContentType)
		rec := objectRecord{
			ETag:         md5.Sum([]byte(target)),
			ContentType:  ct,
			Metadata:     o.Metadata,
			Tags:         o.Tags,
			Headers:      maps.Clone(o.Headers),
			ACL:          o.ACL,
			LastModified: w.now,
			Class:        class,
			ClassSince:   w.now,
			LastAccess:   w.now,
			Kind:         kindSymlink,
			Target:       target,
		}
		if v := ob.Get(bytesOf(key)); v != nil {
			if o.ForbidOverwrite {
				return fail(op, bucket, key, coldstore.ErrFileAlreadyExists, "%q exists and the PutSymlink forbids overwriting it", truncate(key))
			}
			old, err := decodeRecord(key, v)
			if err != nil {
				return recordError(op, bucket, key, err)
			}
			if err := w.remove(ob, bucket, key, &old); err != nil {
				return err
			}
		}
		if err := w.create(ob, bucket, key, &rec); err != nil {
			return err
		}
		w.created("PutSymlink", bucket, key, &rec)
		if err := w.count(b, "PutSymlink"); err != nil {
			return err
		}
		oi = info(bucket, key, &rec, rules, w.now)
		return nil
	})
	return oi, err
}

// Symlink returns the target of the symbolic link bucket/key and the
// link's own info (Type TypeSymlink), without reading the target.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrNoSuchBucket or ErrNoSuchKey when absent; ErrNotSymlink
// when the object is not a symbolic link; ErrDataCorrupt when its record
// fails its checksum; and ErrClosed after Close.
func (db *DB) Symlink(ctx context.Context, bucket, key string) (target string, oi ObjectInfo, err error) {
	const op = "GetSymlink"
	if err := db.checkObject(op, bucket, key); err != nil {
		return "", ObjectInfo{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return "", ObjectInfo{}, err
	}
	defer db.release()
	err = db.view(ctx, op, bucket, key, func(tx kv.Tx) error {
		var rec objectRecord
		if _, err := loadObject(tx, op, bucket, key, &rec); err != nil {
			return err
		}
		if rec.Kind != kindSymlink {
			return fail(op, bucket, key, coldstore.ErrNotSymlink, "%q is a %s object", truncate(key), typeNames[rec.Kind])
		}
		r, err := db.rules(op, bucket, key, rec.Class)
		if err != nil {
			return err
		}
		target, oi = rec.Target, info(bucket, key, &rec, r, db.now())
		return nil
	})
	if err == nil {
		db.live.count(nil, bucket, opHeadObject)
	}
	return target, oi, err
}

// followLink decodes into rec the record of the target of the link, whose
// record rec holds, from the objects' kv bucket ob; with dst != nil it
// copies the target's inline body into *dst (as decodeCopying). It returns
// the link's record, or an error wrapping ErrSymlinkTargetNotExist,
// ErrInvalidTargetType or ErrDataCorrupt.
func followLink(ob kv.Bucket, op, bucket, key string, rec *objectRecord, dst *[]byte) (objectRecord, error) {
	link := *rec
	link.Body = nil
	v := ob.Get(bytesOf(link.Target))
	if v == nil {
		return link, fail(op, bucket, key, coldstore.ErrSymlinkTargetNotExist, "the target %q of the link does not exist", truncate(link.Target))
	}
	var err error
	if dst != nil {
		*dst, err = rec.decodeCopying(link.Target, v, *dst)
	} else {
		err = rec.decode(link.Target, v)
	}
	if err != nil {
		return link, recordError(op, bucket, link.Target, err)
	}
	if rec.Kind == kindSymlink {
		return link, fail(op, bucket, key, coldstore.ErrInvalidTargetType, "the target %q of the link is a link", truncate(link.Target))
	}
	return link, nil
}

// linkInfo makes oi, the info of a link's target, the info of a read
// through the link: the link's content type, metadata, tags, headers, type
// and ACL, and the later of the two times.
func linkInfo(oi *ObjectInfo, link *objectRecord) {
	oi.ContentType = link.ContentType
	oi.Metadata, oi.Tags, oi.Headers = link.Metadata, link.Tags, link.Headers
	oi.Type = TypeSymlink
	oi.ACL = link.ACL
	if link.LastModified.After(oi.LastModified) {
		oi.LastModified = link.LastModified
	}
}
