package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Object is the content of an object being read, and its info as of Get.
// Read streams the content: a single-chunk object was copied out by Get; a
// larger one is read a chunk per short read transaction, so no transaction
// spans the caller's Read calls, or, for a body in a file, from the
// database's cache of checked chunks (Options.BodyCache) when it has one.
// WriteTo (io.Copy) streams it without the copy into a caller's buffer;
// Seek moves to any offset, loading only the chunk it lands in; SetRange
// also sets where the content ends. Close it when done.
type Object struct {
	info   ObjectInfo
	etag   [16]byte
	db     *DB
	ctx    context.Context
	id     uint64
	chunks uint32
	parts  []partExtent // a multipart object's parts; nil: chunks 0, 1, ...
	next   uint32       // next chunk to load
	skip   uint32       // bytes of the next chunk loaded that a Seek passed
	closed bool
	pos    int64 // offset of the next byte Read returns
	end    int64 // offset where the content read ends: the size, or SetRange's end
	buf    []byte
	// store is the backing array of buf: the whole content when Get copied
	// it out (an object of at most one chunk), else the chunk being read,
	// reused per chunk.
	store  []byte
	pooled *[]byte // store when it came from bodyPool
	chunk  *[]byte // store when it came from chunkPool
	batch  *[]byte // WriteTo's pieces of several chunks, from batchPool
	// file is the open file of data id fileID, for chunks kept in files
	// (bodyfiles.go); nil until one is read.
	file    *os.File
	fileID  uint64
	fileGen uint64 // the body cache's generation when file was opened
}

// inMemory reports whether Get copied out the whole content: an object of
// at most one chunk.
func (o *Object) inMemory() bool { return o.chunks <= 1 }

// bodyPool recycles the buffers of small objects' bodies between Gets.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, inlineMax); return &b }}

// sendPiece is the most WriteTo hands its writer in one call: four chunks.
// A GET of 1 MiB written in one call of 992 KiB, after its first 32 KiB,
// rather than a call per chunk, took 30% less of the server's CPU
// (bench/README.md): the connection sends it in fewer, larger bursts.
const sendPiece = 4 * chunkSize

// batchPool recycles WriteTo's buffers of sendPiece bytes, with room for
// the last chunk's checksum, which is read with it.
var batchPool = sync.Pool{New: func() any { b := make([]byte, 0, sendPiece+chunkTrailer); return &b }}

// chunkBuffer returns a buffer of n bytes for o's chunks, from chunkPool
// (put.go) when a sealed chunk fits one, returned by Close: a fresh one
// cost each Get of a chunked object the allocation of a chunk, zeroed.
func (o *Object) chunkBuffer(n int) []byte {
	if n > chunkSize+chunkTrailer {
		return make([]byte, n)
	}
	if o.chunk == nil {
		o.chunk = chunkPool.Get().(*[]byte)
	}
	return (*o.chunk)[:n]
}

// Info returns the object's info as of the Get.
func (o *Object) Info() ObjectInfo { return o.info }

// Read reads the content. It returns io.EOF at the end (SetRange's, after
// one); an error wrapping ErrReplaced when the object was replaced or
// deleted during the read; coldstore.ErrDataCorrupt when a stored chunk
// fails its checksum (no byte of that chunk is returned), or the file it
// is kept in is missing; ErrClosed after the database closed; the Get
// context's error once it is done; and fs.ErrClosed after Close.
func (o *Object) Read(p []byte) (int, error) {
	if o.closed {
		return 0, fs.ErrClosed
	}
	if err := o.live(); err != nil {
		return 0, err
	}
	for len(o.buf) == 0 {
		if o.next >= o.chunks || o.pos >= o.end {
			return 0, io.EOF
		}
		if cache := o.db.files.chunkCache(); cache != nil {
			run, ok, err := o.openRun(cache)
			if err != nil {
				return 0, err
			}
			if ok {
				n := copy(p, o.rest(&run))
				o.consumed(&run, n)
				cache.release(run.s)
				return n, nil
			}
		}
		if len(p) >= chunkSize && o.skip == 0 && o.end-o.pos >= chunkSize { // the chunk fits: copy it straight into p
			n, err := o.load(p)
			o.pos += int64(n)
			return n, err
		}
		if _, err := o.load(nil); err != nil {
			return 0, err
		}
	}
	n := copy(p, o.buf)
	o.buf = o.buf[n:]
	o.pos += int64(n)
	return n, nil
}

// live is the error a Read or WriteTo meets before it hands out any
// byte, even one already in memory: ErrClosed once the database began
// closing, the Get context's error once it is done; nil otherwise.
func (o *Object) live() error {
	if o.db.calls.closing() {
		return &coldstore.OpError{Op: "Read", Bucket: o.info.Bucket, Key: o.info.Key, Err: coldstore.ErrClosed}
	}
	return o.ctx.Err()
}

// errNegativeOffset is Seek's error for an offset before the start.
var errNegativeOffset = errors.New("coldstore: Seek to a negative offset")

// Seek sets the offset of the next Read or WriteTo, relative to the start
// (io.SeekStart), the current offset (io.SeekCurrent) or the end
// (io.SeekEnd), and returns it. It reads nothing: the next Read loads only
// the chunk the offset lies in. An offset at or past the end reads io.EOF.
// It returns an error wrapping errors.ErrUnsupported for another whence, an
// error for a negative offset, and fs.ErrClosed after Close.
func (o *Object) Seek(offset int64, whence int) (int64, error) {
	if o.closed {
		return 0, fs.ErrClosed
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.pos + offset
	case io.SeekEnd:
		abs = o.info.Size + offset
	default:
		return o.pos, fmt.Errorf("coldstore: Seek whence %d: %w", whence, errors.ErrUnsupported)
	}
	if abs < 0 || (offset > 0 && abs < o.pos && whence == io.SeekCurrent) { // negative, or wrapped
		return o.pos, errNegativeOffset
	}
	o.pos, o.skip = abs, 0
	switch {
	case abs >= o.info.Size:
		o.buf, o.next = nil, o.chunks
	case o.inMemory():
		o.buf = o.store[abs:]
	default:
		o.buf, o.next, o.skip = nil, 0, 0
		o.next, o.skip = seekChunk(o.parts, abs)
	}
	o.cut()
	return abs, nil
}

// SetRange limits the content read to the n bytes from offset off, or to
// those before the end of the object when fewer: it seeks to off, as
// Seek(off, io.SeekStart) does, and then Read returns io.EOF and WriteTo
// stops after those bytes, loading no chunk past them. It serves a GET of
// a range: io.LimitReader would stop at the same byte but hide WriteTo,
// and with it the pieces of a MiB (bench/README.md: "A range through
// WriteTo"). A later Seek moves within the object; the end stays. It
// returns an error wrapping ErrInvalidArgument for a negative off or n,
// changing nothing, and fs.ErrClosed after Close.
func (o *Object) SetRange(off, n int64) error {
	if o.closed {
		return fs.ErrClosed
	}
	if off < 0 || n < 0 {
		return fail("SetRange", o.info.Bucket, o.info.Key, coldstore.ErrInvalidArgument, "offset %d, length %d: neither may be negative", off, n)
	}
	o.end = o.info.Size
	if off < o.end && n < o.end-off {
		o.end = off + n
	}
	_, err := o.Seek(off, io.SeekStart)
	return err
}

// cut trims buf to the bytes before end.
func (o *Object) cut() {
	if rest := o.end - o.pos; int64(len(o.buf)) > rest {
		o.buf = o.buf[:max(rest, 0)]
	}
}

// WriteTo writes the rest of the content to w, up to SetRange's end after
// one; io.Copy uses it. The bytes Get copied out go to w as they are,
// without the copy into a caller's buffer that Read makes. The chunks of a
// larger object are loaded as Read loads them, each checked, and handed to
// w up to four at a time (sendPiece, 1 MiB): one call of w per MiB, not per
// chunk. Bytes of a chunk that fails its check are never written; the
// chunks before it are. With a cache of checked chunks (Options.BodyCache),
// the chunks of a body in a file are written from the cache's slots, a MiB
// at most a call, each slot filled from the file and checked by the first
// read that needs it. It returns the errors Read returns (but never
// io.EOF), w's error, or io.ErrShortWrite when w writes less than it was
// given without saying why.
func (o *Object) WriteTo(w io.Writer) (int64, error) {
	if o.closed {
		return 0, fs.ErrClosed
	}
	if err := o.live(); err != nil {
		return 0, err
	}
	var n int64
	var loadErr error
	cache := o.db.files.chunkCache()
	for {
		if cache != nil && len(o.buf) == 0 && loadErr == nil && o.next < o.chunks && o.pos < o.end {
			done, k, err := o.writeCached(w, cache)
			n += int64(k)
			if err != nil {
				return n, err
			}
			if done {
				if o.next >= o.chunks || o.pos >= o.end {
					return n, nil
				}
				continue
			}
		}
		if o.next < o.chunks && o.skip == 0 && loadErr == nil && o.pos+int64(len(o.buf)) < o.end {
			loadErr = o.loadBatch()
		}
		if len(o.buf) > 0 {
			k, err := w.Write(o.buf)
			n += int64(k)
			o.pos += int64(k)
			o.buf = o.buf[k:]
			if err != nil {
				return n, err
			}
			if len(o.buf) > 0 {
				return n, io.ErrShortWrite
			}
		}
		if loadErr != nil {
			return n, loadErr
		}
		if o.next >= o.chunks || o.pos >= o.end {
			return n, nil
		}
		if o.skip != 0 { // a Seek into a chunk: load it whole, then skip
			if _, err := o.load(nil); err != nil {
				return n, err
			}
		}
	}
}

// cachedRun is the part of a slot of the cache that a read hands out
// next: the bytes b of the chunks of group first/slotChunks in the slot s,
// pinned, the read at byte at of them, its next chunk the group's
// chunk i.
type cachedRun struct {
	s        int32
	b        []byte
	at       int
	i, first uint32
}

// rest is what the read hands out of run: the slot's bytes from its
// position to the slot's end or the range's.
func (o *Object) rest(run *cachedRun) []byte {
	c := run.b[run.at:]
	if rest := o.end - o.pos; int64(len(c)) > rest {
		c = c[:max(rest, 0)]
	}
	return c
}

// consumed moves the read past k bytes handed out of run.
func (o *Object) consumed(run *cachedRun, k int) {
	o.pos += int64(k)
	if at := run.at + k; at == len(run.b) { // past the slot's last chunk
		o.next += (uint32(len(run.b))+chunkSize-1)/chunkSize - (run.i - run.first)
		o.skip = 0
	} else {
		o.next += uint32(at/chunkSize) - (run.i - run.first)
		o.skip = uint32(at % chunkSize)
	}
}

// openRun finds the next chunk in cache, with the chunks after it in the
// slot that holds their group; else it fills a slot for the group from
// the file, checking each chunk, up to the group's last chunk that the
// read needs. It reports false, pinning nothing, for a chunk in the store,
// when every slot is pinned by a write under way, or when a chunk of the
// group before this one fails its check: that chunk is then loaded as a
// read without a cache loads it. The caller releases run.s.
func (o *Object) openRun(cache *chunkCache) (cachedRun, bool, error) {
	id, i, count := extentAt(o.id, o.parts, o.chunks, o.next)
	if !isFileID(id) {
		return cachedRun{}, false, nil
	}
	if err := o.live(); err != nil {
		return cachedRun{}, false, err
	}
	// The file is opened at the read's first chunk, found in the cache or
	// not: a read under way is then never cut by the object's removal (an
	// open file outlives it), as without a cache.
	if o.file == nil || o.fileID != id {
		if err := o.db.acquire(o.ctx, "Read", o.info.Bucket, o.info.Key); err != nil {
			return cachedRun{}, false, err
		}
		err := o.openFile(id)
		o.db.release()
		if err != nil {
			return cachedRun{}, false, err
		}
	}
	r := chunkRef{id: id, g: i / slotChunks}
	run := cachedRun{i: i, first: r.g * slotChunks}
	run.at = int(i-run.first)*chunkSize + int(o.skip)
	run.s, run.b = cache.get(r)
	if run.s >= 0 && run.at >= len(run.b) { // the group holds fewer chunks than this read needs
		cache.release(run.s)
		run.s = -1
	}
	if run.s < 0 {
		// The chunks the read still needs, this one's start on.
		need := uint32(min((o.end-o.pos+int64(o.skip)+chunkSize-1)/chunkSize, slotChunks))
		last := min(run.first+slotChunks, count, i+need) - 1
		var err error
		if run.s, run.b, err = o.fillSlot(cache, r, i, last); err != nil || run.s < 0 {
			return cachedRun{}, false, err
		}
	}
	return run, true, nil
}

// writeCached writes the next bytes to w from cache (openRun): it reports
// false, having written nothing, when openRun finds no run. A write cut
// short leaves the object at the first byte not written.
func (o *Object) writeCached(w io.Writer, cache *chunkCache) (bool, int, error) {
	run, ok, err := o.openRun(cache)
	if !ok {
		return err != nil, 0, err
	}
	defer cache.release(run.s)
	c := o.rest(&run)
	k, err := w.Write(c)
	o.consumed(&run, k)
	if k < len(c) && err == nil {
		err = io.ErrShortWrite
	}
	return true, k, err
}

// fillSlot reads the chunks of group r of a body file, from its first to
// last, into a slot of cache it reserves, checks each there and publishes
// what it read: it returns the slot, pinned, and the chunks' bytes in it.
// A chunk that fails its check ends the group before it when it comes
// after chunk want; when it is want, fillSlot returns its error, and when
// it comes before, or every slot is pinned, it returns -1 and no error.
// Its other errors are loadFile's.
func (o *Object) fillSlot(cache *chunkCache, r chunkRef, want, last uint32) (int32, []byte, error) {
	const op = "Read"
	if err := o.db.acquire(o.ctx, op, o.info.Bucket, o.info.Key); err != nil {
		return -1, nil, err
	}
	defer o.db.release()
	s, into := cache.reserve()
	if s < 0 {
		return -1, nil, nil
	}
	n := 0
	for k := r.g * slotChunks; k <= last; k++ {
		c, err := o.readChunk(r.id, k, into[n:], o.next+k-want)
		if err != nil && k <= want {
			cache.release(s)
			if k < want {
				err = nil
			}
			return -1, nil, err
		}
		if err != nil {
			break
		}
		n += len(c)
		if len(c) < chunkSize {
			break // the id's last chunk
		}
	}
	cache.publish(s, r, n, o.fileGen)
	return s, into[:n], nil
}

// loadBatch loads the next chunks into o's batch buffer, after what is
// left of the last (o.buf), as many as fit in sendPiece bytes, and points
// o.buf at them all. The error is the first chunk's that failed to load;
// o.buf then holds the chunks before it.
func (o *Object) loadBatch() error {
	if o.batch == nil {
		o.batch = batchPool.Get().(*[]byte)
	}
	b := append((*o.batch)[:0], o.buf...) // o.buf may lie in it: copy moves it down
	var err error
	for o.next < o.chunks && cap(b)-len(b) >= chunkSize+chunkTrailer && o.pos+int64(len(b)) < o.end {
		var k int
		if k, err = o.load(b[len(b):cap(b)]); err != nil {
			break
		}
		b = b[:len(b)+k]
	}
	o.buf = b
	o.cut()
	return err
}

// load copies the next chunk out of one read transaction: into dst when it
// is not nil (dst holds a whole chunk), returning the count, else into the
// object's buffer.
func (o *Object) load(dst []byte) (int, error) {
	const op = "Read"
	b, k := o.info.Bucket, o.info.Key
	if err := o.db.acquire(o.ctx, op, b, k); err != nil {
		return 0, err
	}
	defer o.db.release()
	if id, i := chunkAt(o.id, o.parts, o.next); isFileID(id) {
		return o.loadFile(id, i, dst)
	}
	n := 0
	err := o.db.view(o.ctx, op, b, k, func(tx kv.Tx) error {
		ck := chunkKey(chunkAt(o.id, o.parts, o.next))
		v := getChunk(tx.Bucket(bktData), ck)
		if v == nil {
			return fail(op, b, k, ErrReplaced, "chunk %d of %d is gone", o.next, o.chunks)
		}
		into := dst
		if into == nil {
			if cap(o.store) < len(v) {
				o.store = o.chunkBuffer(len(v))
			}
			into = o.store[:cap(o.store)]
		}
		c, err := copyChunk(into, ck, v)
		if err != nil {
			return fail(op, b, k, coldstore.ErrDataCorrupt, "chunk %d of %d: %v", o.next, o.chunks, err)
		}
		n = o.loaded(dst, c)
		return nil
	})
	return n, err
}

// loaded moves past the chunk of c bytes just loaded: into dst when it is
// not nil, returning the count, else into o.store, which buf then reads.
func (o *Object) loaded(dst []byte, c int) int {
	o.next++
	if dst != nil {
		return c
	}
	o.buf = o.store[min(int(o.skip), c):c]
	o.skip = 0
	o.cut()
	return 0
}

// loadFile is load for chunk i of data id, kept in a file: it reads it
// with no transaction, from the file opened at the first chunk of id
// (bodyfiles.go). A file removed since Get (the object was replaced or
// deleted, and the file's removal followed the commit) fails with
// ErrReplaced, as a chunk gone from the store does; a file missing while
// the index of files still names it (removed by something else) is
// ErrDataCorrupt, as Check reports it: reading again would not help.
func (o *Object) loadFile(id uint64, i uint32, dst []byte) (int, error) {
	if err := o.openFile(id); err != nil {
		return 0, err
	}
	into := dst
	if len(into) < chunkSize+chunkTrailer { // no room for the checksum: read into the chunk buffer
		if cap(o.store) < chunkSize+chunkTrailer {
			o.store = o.chunkBuffer(chunkSize + chunkTrailer)
		}
		into = o.store[:cap(o.store)]
	}
	c, err := o.readChunk(id, i, into, o.next)
	if err != nil {
		return 0, err
	}
	if dst != nil && &into[0] != &dst[0] {
		copy(dst, c)
	}
	return o.loaded(dst, len(c)), nil
}

// openFile makes o.file the open file of data id, opening it unless it
// already is. Its errors are loadFile's for a file that cannot be opened.
func (o *Object) openFile(id uint64) error {
	if o.file != nil && o.fileID == id {
		return nil
	}
	const op = "Read"
	b, k := o.info.Bucket, o.info.Key
	o.closeFile()
	if c := o.db.files.chunkCache(); c != nil {
		o.fileGen = c.generation() // before the open: see chunkCache
	}
	f, err := o.db.files.open(id)
	if errors.Is(err, fs.ErrNotExist) {
		indexed := false
		if verr := o.db.view(o.ctx, op, b, k, func(tx kv.Tx) error {
			indexed = tx.Bucket(bktFiles).Get(idKey(id)) != nil
			return nil
		}); verr != nil {
			return verr
		}
		if indexed {
			return fail(op, b, k, coldstore.ErrDataCorrupt, "chunk %d of %d: the body file %016x is missing", o.next, o.chunks, id)
		}
		return fail(op, b, k, ErrReplaced, "chunk %d of %d is gone", o.next, o.chunks)
	}
	if err != nil {
		return wrap(op, b, k, err)
	}
	o.file, o.fileID = f, id
	return nil
}

// readChunk reads chunk i of data id from o.file into into, which has room
// for a sealed chunk, checks it and returns its bytes, in into: a chunk
// that fails its check is ErrDataCorrupt, named as the object's chunk n.
func (o *Object) readChunk(id uint64, i uint32, into []byte, n uint32) ([]byte, error) {
	const op = "Read"
	b, k := o.info.Bucket, o.info.Key
	c, err := readFileChunk(o.file, id, i, into)
	if errors.Is(err, errChunkChecksum) {
		return nil, fail(op, b, k, coldstore.ErrDataCorrupt, "chunk %d of %d: %v", n, o.chunks, err)
	}
	if err != nil {
		return nil, wrap(op, b, k, err)
	}
	return c, nil
}

// closeFile closes the file o reads, if any.
func (o *Object) closeFile() {
	if o.file != nil {
		_ = o.file.Close()
		o.file = nil
	}
}

// Close releases the reader. It is idempotent and always returns nil.
func (o *Object) Close() error {
	if o.pooled != nil && !o.closed {
		bodyPool.Put(o.pooled) // its array is buf's: bodies fit its capacity
		o.buf = nil
		o.pooled = nil
	}
	if o.chunk != nil && !o.closed {
		chunkPool.Put(o.chunk) // nothing refers to it past Close
		o.chunk = nil
	}
	if o.batch != nil && !o.closed {
		batchPool.Put(o.batch)
		o.batch = nil
	}
	o.closeFile()
	o.closed = true
	o.buf, o.store = nil, nil
	return nil
}

// Get returns a reader of the object's content with its info. An object of
// a class that needs a restore is readable only while Restored. Get follows
// a symbolic link to its target (see PutSymlink), whose class and restore
// then apply.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrNoSuchBucket or ErrNoSuchKey when absent;
// ErrSymlinkTargetNotExist or ErrInvalidTargetType for a link to a missing
// object or to a link; ErrInvalidObjectState (403) when the object is Archived or Restoring;
// ErrDataCorrupt when its record, or the one chunk Get copies out, fails
// its checksum; and ErrClosed after Close. ctx also bounds the reads of the
// returned Object.
//
// A read of an IA object is metered as retrieval. With the bucket's access
// monitor on, the first read of an object in 24 hours records its last
// access; a lifecycle rule with ReturnToStdWhenVisit moves an IA object it
// applies to back to Standard. Both are written in a second transaction
// before Get returns, and the returned info shows them.
func (db *DB) Get(ctx context.Context, bucket, key string) (*Object, error) {
	const op = "Get"
	if err := db.checkObject(op, bucket, key); err != nil {
		return nil, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return nil, err
	}
	defer db.release()
	// The transaction's function and state come from a pool (getTx): a
	// closure handed to the store would be allocated on every Get, with the
	// Object it fills. The Object is copied out to the stack, and to the
	// heap once: stores into a freshly allocated object need no GC write
	// barriers, stores into a live one do (about 6% of a Get's
	// instructions while the collector marks).
	g := getTxs.Get().(*getTx)
	g.db, g.ctx, g.bucket, g.key, g.lb = db, ctx, bucket, key, db.live.lookup(bucket)
	err := db.view(ctx, op, bucket, key, g.fn)
	o, lb, touch, retrieval := g.o, g.lb, g.touch, g.retrieval
	*g = getTx{fn: g.fn}
	getTxs.Put(g)
	if err != nil {
		if o.pooled != nil {
			bodyPool.Put(o.pooled)
		}
		return nil, err
	}
	obj := new(Object)
	*obj = o
	obj.end = obj.info.Size
	if retrieval {
		db.live.retrieve(lb, bucket, obj.info.StorageClass, obj.info.Size)
	}
	db.live.count(lb, bucket, opGetObject)
	if touch {
		if err := db.touch(ctx, obj); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

// readTouches reports whether a read of rec now must be recorded: the
// bucket's access monitor is on and the last recorded access is a day old
// (or older than the monitor), or a lifecycle rule returns the object to
// Standard when it is read. lb is the bucket's state in memory, nil when
// it has none.
func (db *DB) readTouches(tx kv.Tx, lb *liveBucket, bucket, key string, rec *objectRecord, now time.Time) (bool, error) {
	if db.cluster == nil && (lb == nil || !lb.monitored.Load()) {
		// Access-time rules, ReturnToStdWhenVisit included, need the
		// monitor. (Another process may turn a shared store's on: there
		// the bucket record is read.)
		return false, nil
	}
	br, err := decodeBucket(tx.Bucket(bktBuckets).Get(bytesOf(bucket)))
	if err != nil {
		return false, fail("Get", bucket, key, ErrCorrupt, "bucket record: %v", err)
	}
	if !br.AccessMonitor {
		return false, nil // access-time rules, ReturnToStdWhenVisit included, need the monitor
	}
	cfg, err := db.configOf(tx, bucket)
	if err != nil {
		return false, fail("Get", bucket, key, ErrCorrupt, "lifecycle: %v", err)
	}
	b := &bucketState{name: bucket, rec: br, cfg: cfg}
	if cfg != nil && cfg.ReturnsToStandard(lcObject(b, key, rec)) {
		return true, nil
	}
	return br.AccessMonitor && (rec.LastAccess.Before(br.AccessSince) || now.Sub(rec.LastAccess) >= accessGranularity), nil
}

// accessGranularity: OSS records at most one access per object a day.
const accessGranularity = 24 * time.Hour

// touch records the read of obj in its own write transaction: the last
// access, and the return to Standard that a lifecycle rule asks for. The
// record is changed only if it is still the object that was read.
func (db *DB) touch(ctx context.Context, obj *Object) error {
	bucket, key := obj.info.Bucket, obj.info.Key
	return db.writeShared(ctx, "Get", bucket, key, func(w *writeTx) error {
		var rec objectRecord
		ob, err := loadObject(w.tx, "Get", bucket, key, &rec)
		if err != nil || rec.DataID != obj.id || rec.ETag != obj.etag {
			return nil // replaced or deleted since: nothing to record
		}
		b, err := w.bucket("Get", bucket, key)
		if err != nil {
			return err
		}
		next := rec
		if b.rec.AccessMonitor {
			next.LastAccess = w.now
		}
		if b.cfg != nil && b.cfg.ReturnsToStandard(lcObject(b, key, &rec)) {
			next.Class, next.ClassSince = storageclass.Standard, w.now
		}
		if err := w.modify(ob, bucket, key, &rec, &next); err != nil {
			return err
		}
		rules, err := db.rules("Get", bucket, key, next.Class)
		if err != nil {
			return err
		}
		obj.info = info(bucket, key, &next, rules, w.now)
		return nil
	})
}

// getTx is the state of one Get's read transaction, pooled with its
// function (read) bound once.
type getTx struct {
	db          *DB
	ctx         context.Context
	bucket, key string
	lb          *liveBucket // the bucket's state in memory; nil when none
	o           Object      // what the read found
	touch       bool        // the read is recorded: last access, or a return to Standard
	retrieval   bool        // the read is a retrieval (Rules.RetrievalOnRead)
	fn          func(kv.Tx) error
}

var getTxs = sync.Pool{New: func() any {
	g := new(getTx)
	g.fn = g.read
	return g
}}

// read is Get's read transaction: it loads the record, refuses an object
// that is not readable now, and copies out a body of at most one chunk.
func (g *getTx) read(tx kv.Tx) error {
	const op = "Get"
	db, bucket, key := g.db, g.bucket, g.key
	g.o = Object{db: db, ctx: g.ctx}
	g.touch, g.retrieval = false, false
	now := db.now()
	ob, err := objectsOf(tx, op, bucket, key)
	if err != nil {
		return err
	}
	v := ob.Get(bytesOf(key))
	if v == nil {
		return noSuchKey(op, bucket, key)
	}
	var rec objectRecord
	g.o.pooled = bodyPool.Get().(*[]byte)
	if *g.o.pooled, err = rec.decodeCopying(key, v, *g.o.pooled); err != nil {
		return recordError(op, bucket, key, err)
	}
	// The link's record, when key is one: only then is it kept (a record
	// is large; zeroing a second one would cost every Get).
	var link *objectRecord
	if rec.Kind == kindSymlink { // read the target instead (symlink.go)
		l, err := followLink(ob, op, bucket, key, &rec, g.o.pooled)
		if err != nil {
			return err
		}
		link = &l
	}
	rules, err := db.rules(op, bucket, key, rec.Class)
	if err != nil {
		return err
	}
	g.retrieval = rules.RetrievalOnRead
	setInfo(&g.o.info, bucket, key, &rec, rules, now)
	if link != nil {
		linkInfo(&g.o.info, link)
	}
	g.o.etag = rec.ETag
	if st := g.o.info.Restore.State; st == Archived || st == Restoring {
		return refusal(op, bucket, key, db.dialect.Unreadable(rec.Class, st, copyOf(&rec)))
	}
	own := &rec // the object at key: a link's own record, not its target's
	if link != nil {
		own = link
	}
	if g.o.info.Expiration, err = db.expiration(tx, op, bucket, key, own); err != nil {
		return err
	}
	g.o.id, g.o.chunks, g.o.parts = rec.DataID, rec.Chunks, rec.Parts
	if link == nil { // a read through a link is not recorded
		if g.touch, err = db.readTouches(tx, g.lb, bucket, key, &rec, now); err != nil {
			return err
		}
	}
	if rec.Body != nil { // decodeCopying copied it out of the transaction
		g.o.buf = *g.o.pooled
		g.o.store = g.o.buf
	} else if rec.Chunks == 1 { // copy it now: one transaction for the whole read (files hold larger bodies only)
		ck := chunkKey(chunkAt(rec.DataID, rec.Parts, 0))
		v := getChunk(tx.Bucket(bktData), ck)
		if v == nil {
			return fail(op, bucket, key, ErrCorrupt, "chunk 0 missing")
		}
		g.o.buf = g.o.chunkBuffer(max(len(v)-chunkTrailer, 0))
		if _, err := copyChunk(g.o.buf, ck, v); err != nil {
			return fail(op, bucket, key, coldstore.ErrDataCorrupt, "chunk 0: %v", err)
		}
		g.o.store = g.o.buf
		g.o.next = 1
	}
	return nil
}
