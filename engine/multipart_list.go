package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
)

// MaxListUploads is the most uploads, and MaxListParts the most parts, one
// page of ListUploads or ListParts holds (OSS's 1000).
const (
	MaxListUploads = 1000
	MaxListParts   = 1000
)

// ListUploadsOptions select a page of ListUploads. A nil pointer lists the
// first page of every upload.
type ListUploadsOptions struct {
	Prefix    string // only keys starting with it
	Delimiter string // group keys sharing a prefix up to it into CommonPrefixes
	// KeyMarker and UploadIDMarker continue a listing: uploads of keys after
	// KeyMarker, and, when UploadIDMarker is set, also the uploads of
	// KeyMarker itself after that id.
	KeyMarker, UploadIDMarker string
	// Limit is the most uploads and common prefixes of the page: 1-1000; 0
	// means 1000.
	Limit int
}

// UploadList is a page of uploads in progress, in order of key, then of
// initiation.
type UploadList struct {
	Uploads        []Upload
	CommonPrefixes []string
	// Truncated says more follow; NextKeyMarker and NextUploadIDMarker
	// continue from the last entry of the page.
	Truncated                         bool
	NextKeyMarker, NextUploadIDMarker string
}

// ListUploads lists the multipart uploads in progress in bucket.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name;
// ErrInvalidArgument for a Limit outside 0-1000; ErrNoSuchBucket when the
// bucket is absent; ErrClosed after Close.
func (db *DB) ListUploads(ctx context.Context, bucket string, opts *ListUploadsOptions) (UploadList, error) {
	const op = "ListMultipartUploads"
	if err := db.checkBucket(op, bucket); err != nil {
		return UploadList{}, err
	}
	var o ListUploadsOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 || o.Limit > MaxListUploads {
		return UploadList{}, fail(op, bucket, "", coldstore.ErrInvalidArgument, "limit %d outside 1-%d", o.Limit, MaxListUploads)
	}
	if o.Limit == 0 {
		o.Limit = MaxListUploads
	}
	if err := db.acquire(ctx, op, bucket, ""); err != nil {
		return UploadList{}, err
	}
	defer db.release()
	var out UploadList
	err := db.view(ctx, op, bucket, "", func(tx kv.Tx) error {
		out = UploadList{}
		if objectsBucket(tx, bucket) == nil {
			return objectsMissing(op, bucket, "")
		}
		ub := uploadsOf(tx, bucket)
		if ub == nil {
			return nil
		}
		c := ub.Cursor()
		var k, v []byte
		switch {
		case o.KeyMarker != "" && o.UploadIDMarker != "":
			k, v = c.Seek(uploadKey(o.KeyMarker, o.UploadIDMarker))
			if k != nil && bytes.Equal(k, uploadKey(o.KeyMarker, o.UploadIDMarker)) {
				k, v = c.Next()
			}
		case o.KeyMarker != "":
			// Past every entry of KeyMarker: "\x01" sorts after its "\x00...".
			k, v = c.Seek([]byte(o.KeyMarker + "\x01"))
		default:
			k, v = c.Seek([]byte(o.Prefix))
		}
		n := 0
		lastPrefix := ""
		for ; k != nil; k, v = c.Next() {
			key, rest, ok := bytes.Cut(k, []byte{0})
			if !ok {
				return fail(op, bucket, "", ErrCorrupt, "upload key without an id")
			}
			if bytes.IndexByte(rest, 0) >= 0 {
				continue // a part
			}
			skey := string(key)
			if !strings.HasPrefix(skey, o.Prefix) {
				if skey > o.Prefix {
					break
				}
				continue
			}
			if o.Delimiter != "" {
				if i := strings.Index(skey[len(o.Prefix):], o.Delimiter); i >= 0 {
					cp := skey[:len(o.Prefix)+i+len(o.Delimiter)]
					if cp == lastPrefix || (o.KeyMarker != "" && cp <= o.KeyMarker) {
						continue
					}
					if n == o.Limit {
						out.Truncated = true
						break
					}
					out.CommonPrefixes = append(out.CommonPrefixes, cp)
					lastPrefix = cp
					out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
					n++
					continue
				}
			}
			if n == o.Limit {
				out.Truncated = true
				break
			}
			id := string(rest)
			rec, err := decodeRecord(skey+"\x00"+id, v)
			if err != nil {
				return recordError(op, bucket, skey, err)
			}
			out.Uploads = append(out.Uploads, Upload{Bucket: bucket, Key: skey, UploadID: id, Initiated: rec.LastModified, StorageClass: rec.Class})
			out.NextKeyMarker, out.NextUploadIDMarker = skey, id
			n++
		}
		if !out.Truncated {
			out.NextKeyMarker, out.NextUploadIDMarker = "", ""
		}
		return nil
	})
	if err == nil {
		db.live.count(db.live.lookup(bucket), bucket, opListUploads)
	}
	return out, err
}

// ListPartsOptions select a page of ListParts. A nil pointer lists the
// first 1000 parts.
type ListPartsOptions struct {
	Marker int // parts numbered after it
	Limit  int // 1-1000; 0 means 1000
}

// PartList is a page of an upload's parts, in order of number.
type PartList struct {
	Upload     Upload
	Parts      []Part
	Truncated  bool
	NextMarker int // the number of the page's last part
}

// ListParts lists the parts stored for an upload.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for a negative Marker or a Limit
// outside 0-1000; ErrNoSuchBucket; ErrNoSuchUpload when the upload is not
// in progress; ErrClosed after Close.
func (db *DB) ListParts(ctx context.Context, bucket, key, uploadID string, opts *ListPartsOptions) (PartList, error) {
	const op = "ListParts"
	if err := db.checkObject(op, bucket, key); err != nil {
		return PartList{}, err
	}
	var o ListPartsOptions
	if opts != nil {
		o = *opts
	}
	if o.Marker < 0 || o.Limit < 0 || o.Limit > MaxListParts {
		return PartList{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "marker %d, limit %d", o.Marker, o.Limit)
	}
	if o.Limit == 0 {
		o.Limit = MaxListParts
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return PartList{}, err
	}
	defer db.release()
	var out PartList
	err := db.view(ctx, op, bucket, key, func(tx kv.Tx) error {
		out = PartList{}
		if objectsBucket(tx, bucket) == nil {
			return objectsMissing(op, bucket, key)
		}
		ub := uploadsOf(tx, bucket)
		var v []byte
		if ub != nil {
			v = ub.Get(uploadKey(key, uploadID))
		}
		if v == nil {
			return fail(op, bucket, key, coldstore.ErrNoSuchUpload, "upload %q", truncate(uploadID))
		}
		rec, err := decodeRecord(key+"\x00"+uploadID, v)
		if err != nil {
			return recordError(op, bucket, key, err)
		}
		out.Upload = Upload{Bucket: bucket, Key: key, UploadID: uploadID, Initiated: rec.LastModified, StorageClass: rec.Class}
		if db.lifecycles.Load() {
			cfg, err := db.configOf(tx, bucket)
			if err != nil {
				return fail(op, bucket, key, ErrCorrupt, "lifecycle: %v", err)
			}
			out.Upload.abortIn(cfg)
		}
		prefix := append(uploadKey(key, uploadID), 0)
		c := ub.Cursor()
		start := partKey(key, uploadID, min(o.Marker, MaxParts)+1)
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(out.Parts) == o.Limit {
				out.Truncated = true
				break
			}
			pr, err := decodePart(k, v)
			if err != nil {
				return recordError(op, bucket, key, err)
			}
			n := int(binary.BigEndian.Uint32(k[len(prefix):]))
			out.Parts = append(out.Parts, pr.part(n))
			out.NextMarker = n
		}
		return nil
	})
	if err == nil {
		db.live.count(db.live.lookup(bucket), bucket, opListParts)
	}
	return out, err
}
