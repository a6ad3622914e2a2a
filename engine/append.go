package engine

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"maps"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/internal/crc64ecma"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// MaxAppendableSize is the largest an appendable object may grow (5 GB),
// as OSS sets it.
const MaxAppendableSize = 5 << 30

// appendLimit is MaxAppendableSize; tests lower it.
var appendLimit int64 = MaxAppendableSize

// Append appends the body read from r to bucket/key at position, which must
// be the object's length: 0 creates an appendable object when the key does
// not exist. Only the first append takes opts (class, content type,
// metadata, tags, headers; ForbidOverwrite is ignored: an append never
// replaces an object); later appends keep what the first stored. It returns
// the object's info after the append; its Size is the position of the next
// append, its ETag the MD5 of the whole content and its CRC64 the content's
// CRC-64/ECMA.
//
// An append rewrites only the object's last partial chunk and adds chunks;
// a body of more than 8 MiB is staged under the object's data id, past its
// chunks, before the transaction that publishes it, so a crash before the
// publication leaves the object as it was (Open collects the staged
// chunks). While such an append stages, other appends to the object fail
// with ErrPositionNotEqualToLength.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for a nil reader, a negative position,
// a class an appendable object cannot have (ColdArchive, DeepColdArchive)
// or that is unknown, bad metadata or tags (as Put), and an object that
// would grow past MaxAppendableSize; ErrNoSuchBucket when the bucket is
// absent; ErrObjectNotAppendable when the key holds an object that no
// append created; ErrPositionNotEqualToLength when position is not the
// object's length, or another append to it is under way; with the latter,
// the returned info is the object's as it is (Size is its length; zero
// info when it does not exist). Also ErrInsufficientStorage,
// ErrDataCorrupt, ErrClosed, the context's error and the reader's, as
// Put. On any error nothing is changed.
func (db *DB) Append(ctx context.Context, bucket, key string, position int64, r io.Reader, opts *PutOptions) (ObjectInfo, error) {
	const op = "Append"
	o, err := db.checkWrite(op, bucket, key, r, opts)
	if err != nil {
		return ObjectInfo{}, err
	}
	if position < 0 {
		return ObjectInfo{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "position %d is negative", position)
	}
	if err := checkAppendClass(op, bucket, key, o.StorageClass); err != nil {
		return ObjectInfo{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()
	a := appender{db: db, ctx: ctx, bucket: bucket, key: key, pos: position, opts: &o, r: r}
	return a.run()
}

// checkAppendClass refuses the classes an appendable object cannot have:
// OSS refuses to make one ColdArchive or DeepColdArchive in any way.
func checkAppendClass(op, bucket, key string, c storageclass.Class) error {
	if c == storageclass.ColdArchive || c == storageclass.DeepColdArchive {
		return &coldstore.OpError{Op: op, Bucket: bucket, Key: key, Detail: "an appendable object cannot be " + string(c), Err: coldstore.ErrInvalidArgument, EC: "0016-00000503"}
	}
	return nil
}

// appender is one Append in progress. The content from chunk first on is
// the object's last partial chunk (tail bytes, read when publishing) and
// then the body: the body's first room bytes complete that chunk, and each
// chunk after it is staged or published whole.
type appender struct {
	db          *DB
	ctx         context.Context
	bucket, key string
	pos         int64
	opts        *PutOptions
	r           io.Reader

	exists bool   // the object existed when the append began
	id     uint64 // its data id; or the one allocated to stage under
	first  uint32 // the chunk the append starts in: pos / chunkSize
	md5    hash.Hash
	crc    uint64
	size   int64  // the length so far
	staged uint32 // chunks staged after first
	held   []*[]byte
}

// stagingKey is the staging entry of an append to data id id that stages
// chunks from the n-th on: 12 bytes, where a Put's is 8 (idKey).
func stagingKey(id uint64, n uint32) []byte {
	return chunkKey(id, n)
}

// appendStaged returns the first chunk an append under way stages under
// data id id, and whether one is.
func appendStaged(staging kv.Bucket, id uint64) (uint32, bool) {
	c := staging.Cursor()
	prefix := idKey(id)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == 12 {
			return binary.BigEndian.Uint32(k[8:]), true
		}
	}
	return 0, false
}

func (a *appender) run() (ObjectInfo, error) {
	defer a.release()
	if err := a.begin(); err != nil {
		return a.refused(err)
	}
	room := int(chunkSize - a.pos%chunkSize)
	head, eof, err := a.read(room)
	if err != nil {
		return ObjectInfo{}, err
	}
	var pending [][]byte
	for !eof {
		if len(pending) >= stageChunksPerTx {
			if err := a.stage(pending); err != nil {
				return ObjectInfo{}, a.abort(err)
			}
			pending = pending[:0]
			a.releaseAfter(head)
		}
		var c []byte
		if c, eof, err = a.read(chunkSize); err != nil {
			return ObjectInfo{}, a.abort(err)
		}
		if len(c) > 0 {
			pending = append(pending, c)
		}
	}
	oi, err := a.publish(head, pending)
	if err != nil {
		return a.refused(a.abort(err))
	}
	return oi, nil
}

// refused returns err, with the object's info as it is now when err is
// ErrPositionNotEqualToLength: its Size is where the next append goes.
func (a *appender) refused(err error) (ObjectInfo, error) {
	var oi ObjectInfo
	if !errors.Is(err, coldstore.ErrPositionNotEqualToLength) {
		return oi, err
	}
	_ = a.db.view(context.WithoutCancel(a.ctx), "Append", a.bucket, a.key, func(tx kv.Tx) error {
		var rec objectRecord
		if _, err := loadObject(tx, "Append", a.bucket, a.key, &rec); err != nil {
			return err
		}
		r, err := a.db.rules("Append", a.bucket, a.key, rec.Class)
		if err != nil {
			return err
		}
		oi = info(a.bucket, a.key, &rec, r, a.db.now())
		return nil
	})
	return oi, err
}

// begin reads the object in a read transaction and checks that the append
// may start: refusing it reads none of the body.
func (a *appender) begin() error {
	const op = "Append"
	err := a.db.view(a.ctx, op, a.bucket, a.key, func(tx kv.Tx) error {
		ob, err := objectsOf(tx, op, a.bucket, a.key)
		if err != nil {
			return err
		}
		v := ob.Get(bytesOf(a.key))
		a.exists = v != nil
		a.md5, a.id, a.crc = md5.New(), 0, 0
		if v == nil {
			if a.pos != 0 {
				return fail(op, a.bucket, a.key, coldstore.ErrPositionNotEqualToLength, "position %d, the object does not exist", a.pos)
			}
			return nil
		}
		var rec objectRecord
		if err := rec.decode(a.key, v); err != nil {
			return recordError(op, a.bucket, a.key, err)
		}
		if err := a.check(&rec, tx); err != nil {
			return err
		}
		a.id, a.crc = rec.DataID, rec.CRC64
		if err := a.md5.(encoding.BinaryUnmarshaler).UnmarshalBinary(rec.State); err != nil {
			return recordError(op, a.bucket, a.key, errBadRecord)
		}
		return nil
	})
	a.size, a.first = a.pos, uint32(a.pos/chunkSize)
	return err
}

// check refuses an append to rec: not appendable, at another position,
// or while another append stages.
func (a *appender) check(rec *objectRecord, tx kv.Tx) error {
	const op = "Append"
	if rec.Kind != kindAppendable {
		return fail(op, a.bucket, a.key, coldstore.ErrObjectNotAppendable, "%q is a %s object", truncate(a.key), typeNames[rec.Kind])
	}
	if rec.Size != a.pos {
		return fail(op, a.bucket, a.key, coldstore.ErrPositionNotEqualToLength, "position %d, the object's length %d", a.pos, rec.Size)
	}
	if rec.DataID != 0 {
		if _, busy := appendStaged(tx.Bucket(bktStaging), rec.DataID); busy {
			return fail(op, a.bucket, a.key, coldstore.ErrPositionNotEqualToLength, "another append to the object is under way")
		}
	}
	return nil
}

// read fills a chunk buffer with up to n bytes of the body, as putter.read.
func (a *appender) read(n int) (chunk []byte, eof bool, err error) {
	if err := a.ctx.Err(); err != nil {
		return nil, false, err
	}
	bp := chunkPool.Get().(*[]byte)
	a.held = append(a.held, bp)
	buf := (*bp)[:n]
	got, stalls := 0, 0
	for got < len(buf) && !eof {
		k, err := a.r.Read(buf[got:])
		got += k
		switch {
		case err == io.EOF:
			eof = true
		case err != nil:
			return nil, false, &coldstore.OpError{Op: "Append", Bucket: a.bucket, Key: a.key, Detail: "reading the body", Err: err}
		case k == 0:
			if stalls++; stalls >= 100 {
				return nil, false, &coldstore.OpError{Op: "Append", Bucket: a.bucket, Key: a.key, Detail: "reading the body", Err: io.ErrNoProgress}
			}
		}
	}
	if a.size+int64(got) > appendLimit {
		return nil, false, fail("Append", a.bucket, a.key, coldstore.ErrInvalidArgument, "the object would grow past %d bytes", appendLimit)
	}
	a.md5.Write(buf[:got])
	a.crc = crc64ecma.Update(a.crc, buf[:got])
	a.size += int64(got)
	return buf[:got], eof, nil
}

// release returns every held buffer to the pool.
func (a *appender) release() {
	for _, b := range a.held {
		chunkPool.Put(b)
	}
	a.held = a.held[:0]
}

// releaseAfter returns the held buffers but the one holding keep (the
// first chunk's bytes, kept until publishing).
func (a *appender) releaseAfter(keep []byte) {
	kept := a.held[:0]
	for _, b := range a.held {
		if cap(keep) > 0 && &(*b)[:1][0] == &keep[:1][0] {
			kept = append(kept, b)
			continue
		}
		chunkPool.Put(b)
	}
	a.held = kept
}

// current loads the object in a write transaction and checks that it is
// still the one the append began on, with no other append staging. It
// returns the record (absent: nil) and the objects' kv bucket.
func (a *appender) current(tx kv.Tx, rec *objectRecord) (kv.Bucket, bool, error) {
	const op = "Append"
	ob, err := objectsOf(tx, op, a.bucket, a.key)
	if err != nil {
		return nil, false, err
	}
	v := ob.Get(bytesOf(a.key))
	if v == nil {
		if a.exists {
			return nil, false, fail(op, a.bucket, a.key, coldstore.ErrPositionNotEqualToLength, "position %d, the object was deleted", a.pos)
		}
		return ob, false, nil
	}
	if err := rec.decode(a.key, v); err != nil {
		return nil, false, recordError(op, a.bucket, a.key, err)
	}
	if rec.Kind != kindAppendable {
		return nil, false, a.check(rec, tx)
	}
	if rec.Size != a.pos || !a.exists || (rec.DataID != 0 && rec.DataID != a.id) {
		return nil, false, fail(op, a.bucket, a.key, coldstore.ErrPositionNotEqualToLength, "position %d, the object's length %d", a.pos, rec.Size)
	}
	if first, busy := appendStaged(tx.Bucket(bktStaging), a.id); a.id != 0 && busy && (a.staged == 0 || first != a.first+1) {
		return nil, false, fail(op, a.bucket, a.key, coldstore.ErrPositionNotEqualToLength, "another append to the object is under way")
	}
	return ob, true, nil
}

// putChunks writes chunks under a.id from chunk n on, allocating the id
// first if the object has none.
func (a *appender) putChunks(tx kv.Tx, n uint32, chunks [][]byte) error {
	data := tx.Bucket(bktData)
	if a.id == 0 && len(chunks) > 0 {
		id, err := data.NextSequence()
		if err != nil {
			return err
		}
		a.id = id
	}
	for i, c := range chunks {
		k := chunkKey(a.id, n+uint32(i))
		if err := putChunk(data, k, sealChunk(k, c), a.db.nestChunks()); err != nil {
			return err
		}
	}
	return nil
}

// stage commits chunks past the object's last before the record changes,
// under a staging entry that lets Open collect them after a crash and
// keeps other appends off the object meanwhile.
func (a *appender) stage(chunks [][]byte) error {
	id, staged := a.id, a.staged
	err := a.db.update(a.ctx, "Append", a.bucket, a.key, func(tx kv.Tx) error {
		a.id, a.staged = id, staged // this function may run more than once
		if err := a.ctx.Err(); err != nil {
			return err
		}
		var rec objectRecord
		if _, _, err := a.current(tx, &rec); err != nil {
			return err
		}
		if staged > 0 {
			if err := a.db.staged(tx, "Append", a.bucket, a.key, a.id, stagingKey(a.id, a.first+1)); err != nil {
				return err
			}
		}
		if err := a.putChunks(tx, a.first+1+a.staged, chunks); err != nil {
			return err
		}
		a.staged += uint32(len(chunks))
		return tx.Bucket(bktStaging).Put(stagingKey(a.id, a.first+1), a.db.stagingValue(a.bucket, a.key))
	})
	if err != nil {
		a.id, a.staged = id, staged // the transaction rolled back
	}
	return err
}

// publish writes the first chunk (the old tail and head), the last chunks
// and the record in one transaction.
func (a *appender) publish(head []byte, chunks [][]byte) (ObjectInfo, error) {
	const op = "Append"
	var oi ObjectInfo
	id, staged := a.id, a.staged
	err := a.db.writeShared(a.ctx, op, a.bucket, a.key, func(w *writeTx) error {
		a.id, a.staged = id, staged // this function may run more than once
		if err := a.ctx.Err(); err != nil {
			return err
		}
		var old objectRecord
		ob, exists, err := a.current(w.tx, &old)
		if err != nil {
			return err
		}
		b, err := w.bucket(op, a.bucket, a.key)
		if err != nil {
			return err
		}
		rec := old
		if !exists {
			rec = a.created(w, b)
		}
		if err := checkAppendClass(op, a.bucket, a.key, rec.Class); err != nil {
			return err
		}
		rules, err := a.db.rules(op, a.bucket, a.key, rec.Class)
		if err != nil {
			return err
		}
		tail, err := a.tail(w.tx, &old)
		if err != nil {
			return err
		}
		first := append(tail, head...)
		switch {
		case a.id == 0 && a.size <= inlineMax:
			rec.Body = first
			if len(rec.Body) == 0 {
				rec.Body = nil
			}
		case len(head) > 0 || old.DataID == 0:
			rec.Body = nil
			if err := a.putChunks(w.tx, a.first, [][]byte{first}); err != nil {
				return err
			}
		}
		if err := a.putChunks(w.tx, a.first+1+a.staged, chunks); err != nil {
			return err
		}
		rec.Size, rec.CRC64, rec.DataID = a.size, a.crc, a.id
		rec.Chunks = 0
		if a.id != 0 {
			rec.Chunks = chunksOf(a.size)
		}
		copy(rec.ETag[:], a.md5.Sum(nil))
		if rec.State, err = a.md5.(encoding.BinaryMarshaler).MarshalBinary(); err != nil {
			return err
		}
		rec.LastModified = w.now
		if exists {
			err = w.grow(ob, a.bucket, a.key, &old, &rec)
		} else {
			err = w.create(ob, a.bucket, a.key, &rec)
		}
		if err != nil {
			return err
		}
		w.created("Append", a.bucket, a.key, &rec)
		if a.staged > 0 {
			if err := w.unstage("Append", a.bucket, a.key, stagingKey(a.id, a.first+1)); err != nil {
				return err
			}
		}
		if err := w.count(b, "AppendObject"); err != nil {
			return err
		}
		oi = info(a.bucket, a.key, &rec, rules, w.now)
		return nil
	})
	if err != nil {
		a.id, a.staged = id, staged
	}
	return oi, err
}

// created is the record of an object the append creates, with the
// options' class, content type, metadata, tags and headers.
func (a *appender) created(w *writeTx, b *bucketState) objectRecord {
	class := a.opts.StorageClass
	if class == "" {
		class = b.rec.Class
	}
	ct := a.db.contentType(a.opts.ContentType)
	return objectRecord{
		ContentType: ct,
		Metadata:    a.opts.Metadata,
		Tags:        a.opts.Tags,
		Headers:     maps.Clone(a.opts.Headers),
		ACL:         a.opts.ACL,
		Class:       class,
		ClassSince:  w.now,
		LastAccess:  w.now,
		Kind:        kindAppendable,
	}
}

// tail returns a copy of the bytes of old's last partial chunk (its inline
// body, or chunk first), those the append's first chunk starts with.
func (a *appender) tail(tx kv.Tx, old *objectRecord) ([]byte, error) {
	n := int(a.pos % chunkSize)
	out := make([]byte, 0, n+int(chunkSize))
	if n == 0 {
		return out, nil
	}
	if old.DataID == 0 {
		return append(out, old.Body...), nil
	}
	k := chunkKey(old.DataID, a.first)
	v := getChunk(tx.Bucket(bktData), k)
	if v == nil {
		return nil, fail("Append", a.bucket, a.key, ErrCorrupt, "chunk %d missing", a.first)
	}
	c, err := openChunk(k, v)
	if err != nil {
		return nil, fail("Append", a.bucket, a.key, coldstore.ErrDataCorrupt, "chunk %d: %v", a.first, err)
	}
	if len(c) != n {
		return nil, fail("Append", a.bucket, a.key, ErrCorrupt, "chunk %d holds %d bytes, the size says %d", a.first, len(c), n)
	}
	return append(out, c...), nil
}

// abort removes the chunks staged so far and their entry, and returns err.
// If the removal itself fails, the entry stays and the next Open collects
// them.
func (a *appender) abort(err error) error {
	if a.staged > 0 {
		id, from := a.id, a.first+1
		_ = a.db.store.Update(context.WithoutCancel(a.ctx), func(tx kv.Tx) error {
			if err := deleteChunksFrom(tx, id, from); err != nil {
				return err
			}
			return tx.Bucket(bktStaging).Delete(stagingKey(id, from))
		})
	}
	return err
}
