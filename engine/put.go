package engine

import (
	"context"
	"crypto/md5"
	"hash"
	"io"
	"maps"
	"os"
	"slices"
	"sync"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/internal/crc64ecma"
	"github.com/coldstore-dev/coldstore/kv"
)

// Put stores the body read from r as bucket/key, replacing any object of
// that key whole: its class, its content and any restore. It streams: a body
// that fits in one chunk is written with its record in one transaction; a
// larger one is staged in transactions of at most 8 MiB under a fresh data
// id and published by a last transaction, so memory does not grow with the
// object's size and a crash before publishing leaves the old object intact
// (Open collects the staged chunks).
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for a nil reader, an unknown storage
// class, metadata that is too large or has an empty key, tags beyond
// the limits, or an ACL that is not an object's; ErrNoSuchBucket
// when the bucket is absent; ErrFileAlreadyExists when opts.ForbidOverwrite
// and the key exists; ErrInsufficientStorage when the disk is full;
// ErrDataCorrupt when the record of the object it replaces fails its
// checksum; ErrClosed after Close; the context's error when it ends first
// (it is checked between reads of r: a Read that never returns holds the
// Put until r is made to fail); and the reader's error, wrapped, when r
// fails with any error but io.EOF
// (io.ErrUnexpectedEOF and errors returned together with bytes included).
// On any error nothing is stored and the old object is intact.
func (db *DB) Put(ctx context.Context, bucket, key string, r io.Reader, opts *PutOptions) (ObjectInfo, error) {
	const op = "Put"
	o, err := db.checkWrite(op, bucket, key, r, opts)
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()

	p := putter{db: db, ctx: ctx, op: op, bucket: bucket, key: key, opts: &o, r: r, md5: md5.New()}
	return p.run()
}

// checkWrite validates what Put and Append are given, before any
// transaction: the names, the reader and a copy of opts, which it returns.
func (db *DB) checkWrite(op, bucket, key string, r io.Reader, opts *PutOptions) (PutOptions, error) {
	if err := db.checkObject(op, bucket, key); err != nil {
		return PutOptions{}, err
	}
	var o PutOptions
	if opts != nil {
		o = *opts
	}
	if r == nil {
		return PutOptions{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "nil reader")
	}
	return o, db.checkPut(op, bucket, key, &o)
}

// checkPut validates PutOptions, which need no transaction: the class,
// metadata, headers and tags.
func (db *DB) checkPut(op, bucket, key string, o *PutOptions) error {
	if o.StorageClass != "" {
		if _, ok := db.ruleSet[o.StorageClass]; !ok {
			return fail(op, bucket, key, coldstore.ErrInvalidArgument, "unknown storage class %q", o.StorageClass)
		}
	}
	if len(o.Metadata) == 0 {
		o.Metadata = nil
	}
	size := 0
	for k, v := range o.Metadata {
		if k == "" {
			return fail(op, bucket, key, coldstore.ErrInvalidArgument, "metadata key is empty")
		}
		size += len(k) + len(v)
	}
	if size > MaxMetadataSize {
		return fail(op, bucket, key, coldstore.ErrInvalidArgument, "metadata of %d bytes exceeds %d", size, MaxMetadataSize)
	}
	if len(o.Headers) == 0 {
		o.Headers = nil
	}
	size = 0
	for k, v := range o.Headers {
		if !slices.Contains(StoredHeaders, k) {
			return fail(op, bucket, key, coldstore.ErrInvalidArgument, "header %q is not one an object keeps", truncate(k))
		}
		size += len(k) + len(v)
	}
	if size > MaxMetadataSize {
		return fail(op, bucket, key, coldstore.ErrInvalidArgument, "headers of %d bytes exceed %d", size, MaxMetadataSize)
	}
	if err := checkPutACL(op, bucket, key, o); err != nil {
		return err
	}
	if len(o.Tags) == 0 {
		o.Tags = nil
	}
	return checkTags(op, bucket, key, o.Tags)
}

// checkTags checks an object's tags against the limits: at most MaxTags,
// keys 1-MaxTagKeyLen bytes, values at most MaxTagValueLen.
func checkTags(op, bucket, key string, tags map[string]string) error {
	if len(tags) > MaxTags {
		return fail(op, bucket, key, coldstore.ErrInvalidArgument, "%d tags exceed %d", len(tags), MaxTags)
	}
	for k, v := range tags {
		if k == "" || len(k) > MaxTagKeyLen || len(v) > MaxTagValueLen {
			return fail(op, bucket, key, coldstore.ErrInvalidArgument, "tag %q=%q: keys 1-%d bytes, values up to %d", truncate(k), truncate(v), MaxTagKeyLen, MaxTagValueLen)
		}
	}
	return nil
}

// putter is one Put in progress.
type putter struct {
	db          *DB
	ctx         context.Context
	op          string // the operation, for errors: Put, UploadPart
	bucket, key string
	part        *partTarget // the part an UploadPart stores; nil for a Put
	opts        *PutOptions
	r           io.Reader
	md5         hash.Hash
	crc         uint64 // CRC-64/ECMA of the bytes read so far
	size        int64
	id          uint64 // data id of the staged chunks; 0 before the first
	chunks      uint32
	held        []*[]byte      // chunk buffers read and not yet committed
	file        *os.File       // the file being written (toFile); nil once closed
	hashing     sync.WaitGroup // the MD5 of the last chunk read, while it runs (hash)
}

// chunkPool recycles chunk buffers between Puts. A buffer goes back only
// after the transaction that stored its bytes has committed: a store may
// keep the slices passed to Put until then (kv.Tx; bbolt does).
// Each buffer has room for the checksum after a whole chunk (sealChunk).
var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize, chunkSize+chunkTrailer); return &b }}

// release returns the held buffers to the pool, once nothing references
// them: no transaction, and no hash (it waits for the last).
func (p *putter) release() {
	p.hashing.Wait()
	for _, b := range p.held {
		chunkPool.Put(b)
	}
	p.held = p.held[:0]
}

// releaseOlder returns the held buffers but the last read to the pool,
// for a caller that has written them out: right after read, which waited
// for their hashes.
func (p *putter) releaseOlder() {
	if len(p.held) < 2 {
		return
	}
	last := p.held[len(p.held)-1]
	for _, b := range p.held[:len(p.held)-1] {
		chunkPool.Put(b)
	}
	p.held = append(p.held[:0], last)
}

// hash adds c, the chunk just read, to the body's MD5 and CRC-64. The MD5
// of a whole chunk runs in a goroutine of its own while the caller goes on
// (the CRC-64, writing the chunk out, reading the next, and the SHA-256
// the S3 front computes as the body is read): a large body's sums then
// take about the time of the slowest, the MD5, rather than of all of them,
// where a core is free. The next hash, release and sums waits for it. A
// shorter chunk, the last or the only one, is hashed in place: a
// goroutine would cost a small body more than it saves.
func (p *putter) hash(c []byte) {
	p.hashing.Wait()
	if len(c) < chunkSize {
		p.md5.Write(c)
	} else {
		p.hashing.Add(1)
		go func() {
			defer p.hashing.Done()
			p.md5.Write(c)
		}()
	}
	p.crc = crc64ecma.Update(p.crc, c)
}

// sums returns the body's MD5 and CRC-64, once every chunk is read.
func (p *putter) sums() ([]byte, uint64) {
	p.hashing.Wait()
	return p.md5.Sum(nil), p.crc
}

// read fills a chunk buffer from the reader. eof is true when the body
// ended in or right after this chunk's bytes. The buffer is held until
// release.
func (p *putter) read() (chunk []byte, eof bool, err error) {
	if err := p.ctx.Err(); err != nil {
		return nil, false, err
	}
	bp := chunkPool.Get().(*[]byte)
	p.held = append(p.held, bp)
	buf := *bp
	// Not io.ReadFull: it drops an error returned with the bytes that fill
	// the buffer, and takes io.ErrUnexpectedEOF (what a cut HTTP body
	// reads as) for the end. Only io.EOF ends the body; any other error,
	// with or without bytes, fails the Put.
	n, stalls := 0, 0
	for n < len(buf) && !eof {
		k, err := p.r.Read(buf[n:])
		n += k
		switch {
		case err == io.EOF:
			eof = true
		case err != nil:
			return nil, false, &coldstore.OpError{Op: p.op, Bucket: p.bucket, Key: p.key, Detail: "reading the body", Err: err}
		case k == 0:
			if stalls++; stalls >= 100 {
				return nil, false, &coldstore.OpError{Op: p.op, Bucket: p.bucket, Key: p.key, Detail: "reading the body", Err: io.ErrNoProgress}
			}
		}
	}
	p.hash(buf[:n])
	p.size += int64(n)
	if p.part != nil && p.size > MaxPartSize {
		return nil, false, fail(p.op, p.bucket, p.key, coldstore.ErrEntityTooLarge, "a part is at most %d bytes", int64(MaxPartSize))
	}
	return buf[:n], eof, nil
}

func (p *putter) run() (ObjectInfo, error) {
	defer p.release() // every transaction that used the buffers has ended
	first, eof, err := p.read()
	if err != nil {
		return ObjectInfo{}, err
	}
	pending := [][]byte{first}
	if !eof { // a full chunk: is there more?
		next, eof2, err := p.read()
		if err != nil {
			return ObjectInfo{}, err
		}
		if len(next) > 0 {
			pending = append(pending, next)
		}
		eof = eof2
	}
	if len(pending) == 2 && p.db.files != nil && p.db.files.write {
		defer func() {
			if isFileID(p.id) {
				p.db.files.written(p.id) // published, or removed by abort
			}
		}()
		if err := p.toFile(pending, eof); err != nil {
			return ObjectInfo{}, p.abort(err)
		}
		pending, eof = nil, true
	}
	for !eof {
		if len(pending) >= stageChunksPerTx {
			if err := p.stage(pending); err != nil {
				return ObjectInfo{}, p.abort(err)
			}
			pending = pending[:0]
			p.release()
		}
		var c []byte
		c, eof, err = p.read()
		if err != nil {
			return ObjectInfo{}, p.abort(err)
		}
		if len(c) > 0 {
			pending = append(pending, c)
		}
	}
	if len(pending) == 1 && len(pending[0]) == 0 {
		pending = nil // empty body: no chunks
	}
	if p.part != nil {
		return ObjectInfo{}, p.abort(p.publishPart(pending))
	}
	oi, err := p.publish(pending)
	if err != nil {
		return ObjectInfo{}, p.abort(err)
	}
	return oi, nil
}

// putChunks writes chunks under p.id in tx, allocating the id first; for
// a body in a file (toFile), it writes the file's index entry instead.
func (p *putter) putChunks(tx kv.Tx, chunks [][]byte) error {
	if isFileID(p.id) {
		return tx.Bucket(bktFiles).Put(idKey(p.id), fileEntry(p.size))
	}
	data := tx.Bucket(bktData)
	if p.id == 0 && len(chunks) > 0 {
		id, err := data.NextSequence()
		if err != nil {
			return err
		}
		p.id = id
	}
	for _, c := range chunks {
		k := chunkKey(p.id, p.chunks)
		if err := putChunk(data, k, sealChunk(k, c), p.db.nestChunks()); err != nil {
			return err
		}
		p.chunks++
	}
	return nil
}

// toFile writes the body to a file of its own (bodyfiles.go): the chunks
// read so far, then the rest of the body as it reads it, a chunk at a
// time, and makes the file durable. The record, published next, names it.
func (p *putter) toFile(pending [][]byte, eof bool) error {
	file, id, err := p.db.files.create()
	if err != nil {
		return wrap(p.op, p.bucket, p.key, err)
	}
	p.id, p.file = id, file
	var end, started int64
	write := func(c []byte) error {
		n, err := file.Write(sealChunk(chunkKey(id, p.chunks), c))
		if err != nil {
			return wrap(p.op, p.bucket, p.key, err)
		}
		p.chunks++
		end += int64(n)
		started = p.db.files.writeback(file, started, end)
		return nil
	}
	for _, c := range pending {
		if err := write(c); err != nil {
			return err
		}
	}
	for !eof {
		var c []byte
		if c, eof, err = p.read(); err != nil {
			return err
		}
		p.releaseOlder() // written, and hashed: read waited
		if len(c) > 0 {
			if err := write(c); err != nil {
				return err
			}
		}
	}
	if err := p.db.files.seal(file); err != nil {
		return wrap(p.op, p.bucket, p.key, err)
	}
	p.file = nil
	if err := file.Close(); err != nil {
		return wrap(p.op, p.bucket, p.key, err)
	}
	return nil
}

// stage commits chunks before the record exists, under a staging entry that
// lets Open collect them after a crash.
func (p *putter) stage(chunks [][]byte) error {
	id, n := p.id, p.chunks
	err := p.db.update(p.ctx, p.op, p.bucket, p.key, func(tx kv.Tx) error {
		p.id, p.chunks = id, n // this function may run more than once
		if err := p.ctx.Err(); err != nil {
			return err
		}
		if _, err := objectsOf(tx, p.op, p.bucket, p.key); err != nil {
			return err
		}
		if err := p.db.staged(tx, p.op, p.bucket, p.key, id, idKey(id)); err != nil {
			return err
		}
		if err := p.putChunks(tx, chunks); err != nil {
			return err
		}
		return tx.Bucket(bktStaging).Put(idKey(p.id), p.db.stagingValue(p.bucket, p.key))
	})
	if err != nil {
		p.id, p.chunks = id, n // the transaction rolled back
	}
	return err
}

// publish writes the last chunks and the record in one transaction, and
// drops the object it replaces.
func (p *putter) publish(chunks [][]byte) (ObjectInfo, error) {
	var oi ObjectInfo
	id, n := p.id, p.chunks
	err := p.db.writeShared(p.ctx, "Put", p.bucket, p.key, func(w *writeTx) error {
		p.id, p.chunks = id, n // this function may run more than once
		if err := p.ctx.Err(); err != nil {
			return err
		}
		ob, err := objectsOf(w.tx, "Put", p.bucket, p.key)
		if err != nil {
			return err
		}
		b, err := w.bucket("Put", p.bucket, p.key)
		if err != nil {
			return err
		}
		class := p.opts.StorageClass
		if class == "" {
			class = b.rec.Class
		}
		rules, err := p.db.rules("Put", p.bucket, p.key, class)
		if err != nil {
			return err
		}
		var body []byte
		stored := chunks // local: this function may run again with the same chunks
		if len(stored) == 1 && p.id == 0 && len(stored[0]) <= inlineMax {
			body, stored = stored[0], nil
		}
		if err := p.putChunks(w.tx, stored); err != nil {
			return err
		}
		ct := p.db.contentType(p.opts.ContentType)
		rec := objectRecord{
			Size:         p.size,
			ContentType:  ct,
			Metadata:     p.opts.Metadata,
			Tags:         p.opts.Tags,
			Headers:      maps.Clone(p.opts.Headers),
			LastModified: w.now,
			Class:        class,
			ClassSince:   w.now,
			LastAccess:   w.now,
			DataID:       p.id,
			Chunks:       p.chunks,
			Body:         body,
			ACL:          p.opts.ACL,
		}
		etag, crc := p.sums()
		copy(rec.ETag[:], etag)
		rec.CRC64 = crc
		if v := ob.Get(bytesOf(p.key)); v != nil {
			if p.opts.ForbidOverwrite {
				return fail("Put", p.bucket, p.key, coldstore.ErrFileAlreadyExists, "%q exists and the Put forbids overwriting it", truncate(p.key))
			}
			old, err := decodeRecord(p.key, v)
			if err != nil {
				return recordError("Put", p.bucket, p.key, err)
			}
			if err := w.remove(ob, p.bucket, p.key, &old); err != nil {
				return err
			}
		}
		if err := w.create(ob, p.bucket, p.key, &rec); err != nil {
			return err
		}
		op := p.op
		if p.opts.Copy && op == "Put" {
			op = "Copy"
		}
		w.created(op, p.bucket, p.key, &rec)
		if id != 0 && !isFileID(id) { // staged before: its entry goes
			if err := w.unstage("Put", p.bucket, p.key, idKey(p.id)); err != nil {
				return err
			}
		}
		if err := w.count(b, "PutObject"); err != nil {
			return err
		}
		oi = info(p.bucket, p.key, &rec, rules, w.now)
		oi.Expiration = expirationIn(b.cfg, p.key, &rec)
		return nil
	})
	if err != nil {
		p.id, p.chunks = id, n
	}
	return oi, err
}

// abort removes the chunks staged so far, or the file written, and returns
// err; with a nil err it does nothing. If the removal itself fails, the
// staging entry stays, or the file unindexed, and the next Open collects
// them.
func (p *putter) abort(err error) error {
	if err != nil && isFileID(p.id) {
		if p.file != nil {
			_ = p.file.Close()
			p.file = nil
		}
		p.db.files.remove([]uint64{p.id})
		return err
	}
	if err != nil && p.id != 0 {
		id := p.id
		// Without p.ctx's cancellation: a cancelled Put is aborted too.
		_ = p.db.store.Update(context.WithoutCancel(p.ctx), func(tx kv.Tx) error {
			if err := deleteChunks(tx, id); err != nil {
				return err
			}
			return tx.Bucket(bktStaging).Delete(idKey(id))
		})
	}
	return err
}
