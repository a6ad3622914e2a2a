package engine

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/internal/crc64ecma"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/zeebo/xxh3"
)

// A multipart upload stores each part as UploadPart receives it, in chunks
// under a data id of the part's own, and CompleteUpload turns the parts
// into an object without copying a byte: the object's record lists the
// parts' data ids and sizes (objectRecord.Parts), and a read walks them in
// order. An upload and its parts live in the uploads bucket, nested per
// bucket (schema.go):
//
//	<key>\x00<upload id>           -> the upload: an objectRecord with the
//	                                  options of the object to be (class,
//	                                  content type, metadata, tags, headers,
//	                                  ACL) and LastModified = initiation
//	<key>\x00<upload id>\x00<part#> -> partRecord
//
// "\x00" sorts before every byte a key may hold, so the uploads list in
// order of key, then of upload id; upload ids start with a sequence number,
// so the uploads of one key list in order of initiation.
//
// Parts are metered as OSS bills them: their bytes are storage of the
// upload's class from the moment they are stored (no minimum billable
// size, no minimum duration), and the meter counts the uploads and parts in
// progress (Usage.MultipartUploads, MultipartParts).

// Upload is a multipart upload in progress.
type Upload struct {
	Bucket, Key  string
	UploadID     string
	Initiated    time.Time
	StorageClass storageclass.Class // of the object it will complete into
	// AbortAt is when a rule of the bucket's lifecycle configuration
	// aborts the upload (AbortIncompleteMultipartUpload), AbortRuleID the
	// rule's ID, as S3's x-amz-abort-date and x-amz-abort-rule-id tell
	// them; zero when none does. InitiateUpload and ListParts fill them
	// in.
	AbortAt     time.Time
	AbortRuleID string
}

// abortIn sets up's abort under cfg (none for a nil cfg).
func (up *Upload) abortIn(cfg *lifecycle.Configuration) {
	if due, id, ok := cfg.AbortOf(up.Key, up.Initiated); ok {
		up.AbortAt, up.AbortRuleID = due, id
	}
}

// Part is one stored part of an upload.
type Part struct {
	Number       int
	Size         int64
	ETag         string // lowercase hex MD5 of the part, unquoted
	CRC64        uint64 // CRC-64/ECMA of the part
	LastModified time.Time
}

// CompletedPart names a part in CompleteUpload's list: its number and the
// ETag UploadPart returned (quotes and case are ignored).
type CompletedPart struct {
	Number int
	ETag   string
}

// CompleteOptions are the optional arguments of CompleteUpload. A nil
// *CompleteOptions is valid.
type CompleteOptions struct {
	// All completes the upload with every part stored, in order of part
	// number, ignoring the list (OSS's x-oss-complete-all: yes).
	All bool
	// ForbidOverwrite fails the completion with ErrFileAlreadyExists when
	// the key exists (x-oss-forbid-overwrite).
	ForbidOverwrite bool
	// ACL, when not "", is the object's ACL (x-oss-object-acl), in place
	// of the one the upload was initiated with; ACLDefault: its
	// bucket's. A value IsObjectACL refuses is ErrInvalidArgument.
	ACL string
}

// partRecord is what the file holds for one part.
type partRecord struct {
	DataID       uint64 // 0 for an empty part
	Size         int64
	ETag         [16]byte
	CRC64        uint64
	LastModified time.Time
}

// partVersion leads every encoded part record.
const partVersion = 1

func (r *partRecord) encode(key []byte) []byte {
	b := make([]byte, 0, 1+8+8+16+8+8+sumSize)
	b = append(b, partVersion)
	b = binary.BigEndian.AppendUint64(b, r.DataID)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Size))
	b = append(b, r.ETag[:]...)
	b = binary.BigEndian.AppendUint64(b, r.CRC64)
	b = appendTime(b, r.LastModified)
	return binary.BigEndian.AppendUint64(b, recordSum(string(key), b))
}

func decodePart(key, v []byte) (partRecord, error) {
	var r partRecord
	if len(v) != 1+8+8+16+8+8+sumSize || v[0] != partVersion {
		return r, errBadRecord
	}
	body := v[:len(v)-sumSize]
	if recordSum(string(key), body) != binary.BigEndian.Uint64(v[len(body):]) {
		return r, errChecksum
	}
	d := decoder{b: body[1:]}
	r.DataID = d.uint64()
	r.Size = int64(d.uint64())
	copy(r.ETag[:], d.bytes(16))
	r.CRC64 = d.uint64()
	r.LastModified = d.time()
	if r.Size < 0 || r.Size > MaxPartSize || (r.DataID == 0) != (r.Size == 0) {
		return partRecord{}, errBadRecord
	}
	return r, nil
}

func (r *partRecord) part(number int) Part {
	return Part{Number: number, Size: r.Size, ETag: hex.EncodeToString(r.ETag[:]), CRC64: r.CRC64, LastModified: r.LastModified}
}

// uploadKey is <key>\x00<upload id>.
func uploadKey(key, id string) []byte {
	return []byte(key + "\x00" + id)
}

// partKey is <key>\x00<upload id>\x00<part#>, the number in 4 bytes
// big-endian.
func partKey(key, id string, n int) []byte {
	return binary.BigEndian.AppendUint32(append(uploadKey(key, id), 0), uint32(n))
}

// uploadsOf returns the kv bucket of bucket's uploads, nil when it has had
// none.
func uploadsOf(tx kv.Tx, bucket string) kv.Bucket {
	return tx.Bucket(bktUploads).Bucket([]byte(bucket))
}

// upload is an upload loaded in a write transaction.
type upload struct {
	ub  kv.Bucket
	rec objectRecord
	b   *bucketState
}

// loadUpload loads bucket/key's upload id, or returns an error wrapping
// ErrNoSuchBucket or ErrNoSuchUpload.
func (w *writeTx) loadUpload(op, bucket, key, id string) (*upload, error) {
	b, err := w.bucket(op, bucket, key)
	if err != nil {
		return nil, err
	}
	ub := uploadsOf(w.tx, bucket)
	var v []byte
	if ub != nil {
		v = ub.Get(uploadKey(key, id))
	}
	if v == nil {
		return nil, fail(op, bucket, key, coldstore.ErrNoSuchUpload, "upload %q", truncate(id))
	}
	rec, err := decodeRecord(key+"\x00"+id, v)
	if err != nil {
		return nil, recordError(op, bucket, key, err)
	}
	return &upload{ub: ub, rec: rec, b: b}, nil
}

// meterParts moves n parts of size bytes into (n > 0) or out of (n < 0)
// the upload's class, and uploads by dUploads.
func (w *writeTx) meterParts(b *bucketState, class storageclass.Class, dUploads, n, size int64) error {
	u, err := w.usage(b)
	if err != nil {
		return err
	}
	u.Uploads += dUploads
	u.Parts += n
	if size != 0 {
		m := u.class(class, w.now)
		m.accrue(w.now)
		m.Bytes += size
		if u.PartBytes == nil {
			u.PartBytes = map[storageclass.Class]int64{}
		}
		if u.PartBytes[class] += size; u.PartBytes[class] == 0 {
			delete(u.PartBytes, class)
		}
	}
	return nil
}

// checkPartNumber refuses a part number outside 1-MaxParts.
func checkPartNumber(op, bucket, key string, n int) error {
	if n < 1 || n > MaxParts {
		return fail(op, bucket, key, coldstore.ErrInvalidArgument, "Part number must be an integer between 1 and %d, inclusive.", MaxParts)
	}
	return nil
}

// InitiateUpload starts a multipart upload of bucket/key and returns it.
// The options are those of the object it completes into (ContentType,
// Metadata, Tags, Headers, StorageClass: an Archive upload completes into
// an Archive object, archived); ForbidOverwrite is checked now and again
// by CompleteUpload when it is given there.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for options Put would refuse;
// ErrNoSuchBucket when the bucket is absent; ErrFileAlreadyExists when
// opts.ForbidOverwrite and the key exists; ErrClosed after Close.
func (db *DB) InitiateUpload(ctx context.Context, bucket, key string, opts *PutOptions) (Upload, error) {
	const op = "InitiateMultipartUpload"
	if err := db.checkObject(op, bucket, key); err != nil {
		return Upload{}, err
	}
	var o PutOptions
	if opts != nil {
		o = *opts
	}
	if err := db.checkPut(op, bucket, key, &o); err != nil {
		return Upload{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return Upload{}, err
	}
	defer db.release()
	var up Upload
	err := db.write(ctx, op, bucket, key, func(w *writeTx) error {
		b, err := w.bucket(op, bucket, key)
		if err != nil {
			return err
		}
		if o.ForbidOverwrite {
			if ob := objectsBucket(w.tx, bucket); ob != nil && ob.Get(bytesOf(key)) != nil {
				return fail(op, bucket, key, coldstore.ErrFileAlreadyExists, "%q exists and the upload forbids overwriting it", truncate(key))
			}
		}
		class := o.StorageClass
		if class == "" {
			class = b.rec.Class
		}
		ub, err := w.tx.Bucket(bktUploads).CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		seq, err := ub.NextSequence()
		if err != nil {
			return err
		}
		id := fmt.Sprintf("%016X%016X", seq, xxh3.HashString(bucket+"\x00"+key)^uint64(w.now.UnixNano()))
		ct := w.db.contentType(o.ContentType)
		rec := objectRecord{
			ContentType: ct, Metadata: o.Metadata, Tags: o.Tags, Headers: maps.Clone(o.Headers),
			LastModified: w.now, Class: class, ClassSince: w.now, LastAccess: w.now, ACL: o.ACL,
		}
		if err := ub.Put(uploadKey(key, id), rec.encode(key+"\x00"+id)); err != nil {
			return err
		}
		if err := w.meterParts(b, class, 1, 0, 0); err != nil {
			return err
		}
		up = Upload{Bucket: bucket, Key: key, UploadID: id, Initiated: w.now, StorageClass: class}
		if up.abortIn(b.cfg); !up.AbortAt.IsZero() {
			w.soon(up.AbortAt) // wake the loop to abort it
		}
		return w.count(b, op)
	})
	return up, err
}

// partTarget is the part an UploadPart stores, and what it stored.
type partTarget struct {
	uploadID string
	number   int
	stored   Part
}

// UploadPart stores the body read from r as part number of an upload,
// replacing a part of that number. It streams as Put does: a crash before
// it returns leaves the upload as it was.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for a nil reader or a number outside
// 1-MaxParts; ErrEntityTooLarge for a body over MaxPartSize;
// ErrNoSuchBucket; ErrNoSuchUpload when the upload is not in progress;
// ErrInsufficientStorage; ErrClosed; the context's error; and the reader's
// error, wrapped. On any error the upload is unchanged.
func (db *DB) UploadPart(ctx context.Context, bucket, key, uploadID string, number int, r io.Reader) (Part, error) {
	const op = "UploadPart"
	if err := db.checkObject(op, bucket, key); err != nil {
		return Part{}, err
	}
	if r == nil {
		return Part{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "nil reader")
	}
	if err := checkPartNumber(op, bucket, key, number); err != nil {
		return Part{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return Part{}, err
	}
	defer db.release()
	// A missing upload is refused before the body is read.
	if err := db.view(ctx, op, bucket, key, func(tx kv.Tx) error {
		if objectsBucket(tx, bucket) == nil {
			return objectsMissing(op, bucket, key)
		}
		if ub := uploadsOf(tx, bucket); ub == nil || ub.Get(uploadKey(key, uploadID)) == nil {
			return fail(op, bucket, key, coldstore.ErrNoSuchUpload, "upload %q", truncate(uploadID))
		}
		return nil
	}); err != nil {
		return Part{}, err
	}
	t := &partTarget{uploadID: uploadID, number: number}
	p := putter{db: db, ctx: ctx, op: op, bucket: bucket, key: key, opts: &PutOptions{}, r: r, md5: md5.New(), part: t}
	if _, err := p.run(); err != nil {
		return Part{}, err
	}
	return t.stored, nil
}

// publishPart writes the last chunks and the part's record in one
// transaction, and drops the part it replaces.
func (p *putter) publishPart(chunks [][]byte) error {
	t := p.part
	id, n := p.id, p.chunks
	err := p.db.writeShared(p.ctx, p.op, p.bucket, p.key, func(w *writeTx) error {
		p.id, p.chunks = id, n // this function may run more than once
		if err := p.ctx.Err(); err != nil {
			return err
		}
		up, err := w.loadUpload(p.op, p.bucket, p.key, t.uploadID)
		if err != nil {
			return err
		}
		if err := p.putChunks(w.tx, chunks); err != nil {
			return err
		}
		etag, crc := p.sums()
		rec := partRecord{DataID: p.id, Size: p.size, CRC64: crc, LastModified: w.now}
		copy(rec.ETag[:], etag)
		pk := partKey(p.key, t.uploadID, t.number)
		dParts := int64(1)
		size := rec.Size
		if v := up.ub.Get(pk); v != nil {
			old, err := decodePart(pk, v)
			if err != nil {
				return recordError(p.op, p.bucket, p.key, err)
			}
			if err := w.dropData(old.DataID); err != nil {
				return err
			}
			dParts, size = 0, size-old.Size
		}
		if err := up.ub.Put(pk, rec.encode(pk)); err != nil {
			return err
		}
		if id != 0 && !isFileID(id) { // staged before: its entry goes
			if err := w.unstage(p.op, p.bucket, p.key, idKey(p.id)); err != nil {
				return err
			}
		}
		if err := w.meterParts(up.b, up.rec.Class, 0, dParts, size); err != nil {
			return err
		}
		t.stored = rec.part(t.number)
		return w.count(up.b, p.op)
	})
	if err != nil {
		p.id, p.chunks = id, n
	}
	return err
}

// CopyPart stores length bytes of srcBucket/srcKey from offset as part
// number of an upload (OSS's UploadPartCopy); a negative length copies to
// the end. The source is read as Get reads it: an archived object that is
// not restored is refused.
//
// It returns the errors of Get for the source (ErrInvalidObjectState for
// an unreadable one), ErrInvalidArgument for a range outside the source,
// ErrInvalidArgument (EC 0042-00000308) when the source is a symbolic
// link, which OSS refuses to copy from, and the errors of UploadPart.
func (db *DB) CopyPart(ctx context.Context, bucket, key, uploadID string, number int, srcBucket, srcKey string, offset, length int64) (Part, error) {
	const op = "UploadPartCopy"
	if err := checkPartNumber(op, bucket, key, number); err != nil {
		return Part{}, err
	}
	if _, _, err := db.Symlink(ctx, srcBucket, srcKey); err == nil {
		return Part{}, &coldstore.OpError{Op: op, Bucket: bucket, Key: key, Detail: fmt.Sprintf("the source %q is a symbolic link", truncate(srcKey)), Err: coldstore.ErrInvalidArgument, EC: "0042-00000308"}
	}
	src, err := db.Get(ctx, srcBucket, srcKey)
	if err != nil {
		return Part{}, err
	}
	defer src.Close()
	size := src.Info().Size
	if length < 0 {
		length = size - offset
	}
	if offset < 0 || offset > size || length < 0 || length > size-offset {
		return Part{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "range %d+%d outside the source's %d bytes", offset, length, size)
	}
	if err := src.SetRange(offset, length); err != nil {
		return Part{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "%v", err)
	}
	part, err := db.UploadPart(ctx, bucket, key, uploadID, number, src)
	// The refusals of UploadPart (a missing upload) name this operation:
	// OSS answers UploadPartCopy with its own EC for them.
	var oe *coldstore.OpError
	if errors.As(err, &oe) && err == error(oe) && oe.Op == "UploadPart" {
		c := *oe
		c.Op = op
		err = &c
	}
	return part, err
}

// CompleteUpload makes an object of the upload's parts listed, in order,
// and ends the upload: parts not listed are deleted. The object replaces
// any of its key, takes the options given to InitiateUpload, and is of type
// Multipart: its ETag is the MD5 of the parts' MD5s followed by "-" and
// the number of parts, as OSS computes it; its CRC64 is that of the whole
// content, combined from the parts' without reading them. Nothing is
// copied: the object's content is the parts' chunks.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for an empty list (without opts.All),
// an opts.ACL that is not an object's (nothing changes), a part number
// outside 1-MaxParts or more than MaxParts parts;
// ErrInvalidPartOrder when the numbers do not ascend; ErrInvalidPart when
// a listed part is missing or its ETag differs; ErrEntityTooSmall when a
// part but the last is under the dialect's MinPartSize (OSS's 100 KB,
// S3's 5 MiB); ErrNoSuchBucket; ErrNoSuchUpload;
// ErrFileAlreadyExists when opts.ForbidOverwrite and the key exists;
// ErrClosed. On any error nothing changes.
func (db *DB) CompleteUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, opts *CompleteOptions) (ObjectInfo, error) {
	const op = "CompleteMultipartUpload"
	if err := db.checkObject(op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	var o CompleteOptions
	if opts != nil {
		o = *opts
	}
	acl, err := objectACL(op, bucket, key, o.ACL)
	if err != nil {
		return ObjectInfo{}, err
	}
	if !o.All {
		if len(parts) == 0 {
			return ObjectInfo{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "no parts listed")
		}
		if len(parts) > MaxParts {
			return ObjectInfo{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "%d parts exceed %d", len(parts), MaxParts)
		}
		for i, cp := range parts {
			if err := checkPartNumber(op, bucket, key, cp.Number); err != nil {
				return ObjectInfo{}, err
			}
			if i > 0 && cp.Number <= parts[i-1].Number {
				return ObjectInfo{}, fail(op, bucket, key, coldstore.ErrInvalidPartOrder, "part %d after part %d", cp.Number, parts[i-1].Number)
			}
		}
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()
	var oi ObjectInfo
	err = db.write(ctx, op, bucket, key, func(w *writeTx) error {
		up, err := w.loadUpload(op, bucket, key, uploadID)
		if err != nil {
			return err
		}
		stored, err := loadParts(up.ub, op, bucket, key, uploadID)
		if err != nil {
			return err
		}
		list := parts
		if o.All {
			list = make([]CompletedPart, 0, len(stored))
			for _, sp := range stored {
				list = append(list, CompletedPart{Number: sp.number})
			}
			if len(list) == 0 {
				return fail(op, bucket, key, coldstore.ErrInvalidArgument, "the upload has no parts")
			}
		}
		byNumber := make(map[int]*storedPart, len(stored))
		for i := range stored {
			byNumber[stored[i].number] = &stored[i]
		}
		rec := up.rec
		if o.ACL != "" {
			rec.ACL = acl
		}
		rec.Kind = kindMultipart
		rec.LastModified, rec.ClassSince, rec.LastAccess = w.now, w.now, w.now
		rec.Parts = make([]partExtent, 0, len(list))
		sums := make([]byte, 0, 16*len(list))
		// Every part listed must exist with its ETag before any size is
		// judged.
		for _, cp := range list {
			sp := byNumber[cp.Number]
			if sp == nil {
				return fail(op, bucket, key, coldstore.ErrInvalidPart, "part %d was not uploaded", cp.Number)
			}
			if !o.All && !etagMatches(cp.ETag, sp.rec.ETag) {
				return fail(op, bucket, key, coldstore.ErrInvalidPart, "part %d: ETag %q is not the part's", cp.Number, truncate(cp.ETag))
			}
		}
		for i, cp := range list {
			sp := byNumber[cp.Number]
			if min := db.dialect.MinPartSize(); i < len(list)-1 && sp.rec.Size < min {
				return fail(op, bucket, key, coldstore.ErrEntityTooSmall, "part %d of %d bytes: every part but the last is at least %d", cp.Number, sp.rec.Size, min)
			}
			sp.used = true
			rec.Parts = append(rec.Parts, partExtent{DataID: sp.rec.DataID, Size: sp.rec.Size})
			rec.Size += sp.rec.Size
			rec.Chunks += chunksOf(sp.rec.Size)
			rec.CRC64 = crc64ecma.Combine(rec.CRC64, sp.rec.CRC64, sp.rec.Size)
			sums = append(sums, sp.rec.ETag[:]...)
		}
		rec.ETag = md5.Sum(sums)
		rules, err := db.rules(op, bucket, key, rec.Class)
		if err != nil {
			return err
		}
		ob, err := objectsOf(w.tx, op, bucket, key)
		if err != nil {
			return err
		}
		if v := ob.Get(bytesOf(key)); v != nil {
			if o.ForbidOverwrite {
				return fail(op, bucket, key, coldstore.ErrFileAlreadyExists, "%q exists and the completion forbids overwriting it", truncate(key))
			}
			old, err := decodeRecord(key, v)
			if err != nil {
				return recordError(op, bucket, key, err)
			}
			if err := w.remove(ob, bucket, key, &old); err != nil {
				return err
			}
		}
		if err := w.endUpload(up, key, uploadID, stored); err != nil {
			return err
		}
		if err := w.create(ob, bucket, key, &rec); err != nil {
			return err
		}
		w.created("CompleteUpload", bucket, key, &rec)
		oi = info(bucket, key, &rec, rules, w.now)
		oi.Expiration = expirationIn(up.b.cfg, key, &rec)
		return w.count(up.b, op)
	})
	return oi, err
}

// etagMatches reports whether an ETag given by a client names sum: hex,
// either case, quoted or not.
func etagMatches(given string, sum [16]byte) bool {
	given = strings.Trim(strings.TrimSpace(given), `"`)
	b, err := hex.DecodeString(given)
	return err == nil && bytes.Equal(b, sum[:])
}

// storedPart is a part loaded for CompleteUpload or AbortUpload.
type storedPart struct {
	number int
	rec    partRecord
	used   bool // listed: its chunks become the object's
}

// loadParts returns the parts of an upload in order of number.
func loadParts(ub kv.Bucket, op, bucket, key, id string) ([]storedPart, error) {
	prefix := append(uploadKey(key, id), 0)
	var parts []storedPart
	c := ub.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != len(prefix)+4 {
			return nil, fail(op, bucket, key, ErrCorrupt, "part key of %d bytes", len(k))
		}
		rec, err := decodePart(k, v)
		if err != nil {
			return nil, recordError(op, bucket, key, err)
		}
		parts = append(parts, storedPart{number: int(binary.BigEndian.Uint32(k[len(prefix):])), rec: rec})
	}
	return parts, nil
}

// endUpload deletes an upload's record and its parts' records, and the
// chunks of the parts not used; the meter loses the upload, its parts and
// their bytes.
func (w *writeTx) endUpload(up *upload, key, id string, parts []storedPart) error {
	var size int64
	for _, sp := range parts {
		size += sp.rec.Size
		if !sp.used {
			if err := w.dropData(sp.rec.DataID); err != nil {
				return err
			}
		}
		if err := up.ub.Delete(partKey(key, id, sp.number)); err != nil {
			return err
		}
	}
	if err := up.ub.Delete(uploadKey(key, id)); err != nil {
		return err
	}
	return w.meterParts(up.b, up.rec.Class, -1, -int64(len(parts)), -size)
}

// AbortUpload ends an upload and deletes its parts.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrNoSuchBucket; ErrNoSuchUpload when the upload is not in
// progress; ErrClosed after Close.
func (db *DB) AbortUpload(ctx context.Context, bucket, key, uploadID string) error {
	const op = "AbortMultipartUpload"
	if err := db.checkObject(op, bucket, key); err != nil {
		return err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return err
	}
	defer db.release()
	return db.write(ctx, op, bucket, key, func(w *writeTx) error {
		if err := w.abortUpload(op, bucket, key, uploadID); err != nil {
			return err
		}
		return w.count(w.buckets[bucket], op)
	})
}

// abortUpload deletes an upload and its parts in w.
func (w *writeTx) abortUpload(op, bucket, key, id string) error {
	up, err := w.loadUpload(op, bucket, key, id)
	if err != nil {
		return err
	}
	parts, err := loadParts(up.ub, op, bucket, key, id)
	if err != nil {
		return err
	}
	return w.endUpload(up, key, id, parts)
}
