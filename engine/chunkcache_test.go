package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/stretchr/testify/require"
)

// openCached opens a database in a temporary folder whose cache of body
// chunks has room for slots chunks, with the bucket "bkt".
func openCached(t *testing.T, slots int) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "db"), &Options{DisableSweeper: true, BodyCache: int64(slots) * slotSize})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
	return db
}

// putBody puts a random body of size bytes, drawn from seed, at bkt/key,
// and returns it.
func putBody(t *testing.T, db *DB, key string, seed uint64, size int) []byte {
	t.Helper()
	body := randomBody(rand.New(rand.NewPCG(seed, seed+1)), size)
	_, err := db.Put(context.Background(), "bkt", key, bytes.NewReader(body), nil)
	require.NoError(t, err)
	return body
}

// cachedIDs lists the data ids c holds chunks of.
func (c *chunkCache) cachedIDs() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[uint64]bool{}
	var ids []uint64
	for r := range c.index {
		if !seen[r.id] {
			seen[r.id] = true
			ids = append(ids, r.id)
		}
	}
	return ids
}

// sendAll reads bucket/key whole through WriteTo.
func sendAll(t *testing.T, db *DB, key string) ([]byte, error) {
	t.Helper()
	obj, err := db.Get(context.Background(), "bkt", key)
	require.NoError(t, err)
	defer obj.Close()
	var got bytes.Buffer
	_, err = obj.WriteTo(&got)
	return got.Bytes(), err
}

// TestBodyCache_SendsWhatWasChecked: once a read has checked a body's
// chunks, the reads after it send them from the cache: damage done to the
// file since is not read (the stored bytes go out, as checked), while
// Check, which reads the files, finds it, and a database without the
// cache refuses the read. Bodies of one chunk and a byte, of several, and
// of a multipart upload's parts.
func TestBodyCache_SendsWhatWasChecked(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "db")
	db, err := Open(path, &Options{DisableSweeper: true, BodyCache: 64 * slotSize})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	r := rand.New(rand.NewPCG(7, 8))
	bodies := map[string][]byte{"a": randomBody(r, chunkSize+1), "b": randomBody(r, 4*chunkSize+77)}
	for k, b := range bodies {
		_, err := db.Put(ctx, "bkt", k, bytes.NewReader(b), nil)
		require.NoError(t, err)
	}
	up, err := db.InitiateUpload(ctx, "bkt", "m", nil)
	require.NoError(t, err)
	var parts []CompletedPart
	var whole []byte
	for n := 1; n <= 2; n++ {
		b := randomBody(r, 2*chunkSize+n)
		whole = append(whole, b...)
		p, err := db.UploadPart(ctx, "bkt", "m", up.UploadID, n, bytes.NewReader(b))
		require.NoError(t, err)
		parts = append(parts, CompletedPart{Number: n, ETag: p.ETag})
	}
	_, err = db.CompleteUpload(ctx, "bkt", "m", up.UploadID, parts, nil)
	require.NoError(t, err)
	bodies["m"] = whole

	for k, b := range bodies {
		got, err := sendAll(t, db, k)
		require.NoError(t, err)
		require.Equal(t, b, got, k)
	}
	// Damage a chunk of every body file.
	ids := db.files.cache.cachedIDs()
	require.Len(t, ids, 4, "a, b and m's two parts are cached")
	for _, id := range ids {
		flipFileByte(t, db, id, fileOffset(1)-chunkTrailer-3)
	}
	for k, b := range bodies {
		got, err := sendAll(t, db, k)
		require.NoError(t, err, "%s: from the cache", k)
		require.Equal(t, b, got, k)
		obj, err := db.Get(ctx, "bkt", k)
		require.NoError(t, err)
		got, err = io.ReadAll(obj) // Read, 512 bytes on
		require.NoError(t, err, "%s: Read from the cache", k)
		require.Equal(t, b, got, k)
		require.NoError(t, obj.Close())
	}
	err = db.Check(ctx)
	require.ErrorIs(t, err, ErrCorrupt, "Check reads the files")
	for _, id := range ids {
		require.ErrorContains(t, err, fmt.Sprintf("body file %016x: chunk 0: chunk fails its checksum", id))
	}
	require.NotContains(t, err.Error(), "belongs to no object", "a damaged part leaves the parts after it owned")
	require.NoError(t, db.Close())

	db, err = Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	for k, b := range bodies {
		got, err := sendAll(t, db, k)
		require.ErrorIs(t, err, coldstore.ErrDataCorrupt, k)
		require.True(t, bytes.HasPrefix(b, got), "%s: only stored bytes", k)
	}
}

// TestBodyCache_DamageIsNotCached: a chunk that fails its check is
// neither sent nor kept: every read of it fails, with the cache too, and
// the chunks before it are sent.
func TestBodyCache_DamageIsNotCached(t *testing.T) {
	db := openCached(t, 16)
	body := putBody(t, db, "k", 9, 3*chunkSize)
	flipFileByte(t, db, dataIDOf(t, db, "bkt", "k"), fileOffset(1)+5)
	for range 2 {
		got, err := sendAll(t, db, "k")
		require.ErrorIs(t, err, coldstore.ErrDataCorrupt)
		require.Equal(t, body[:chunkSize], got)
	}
	require.Len(t, db.files.cache.index, 1, "chunk 0 only")
}

// TestBodyCache_Ranges: ranges that start and end anywhere, after a Read
// into a chunk too, read through a cache of three chunks, whose slots are
// taken again and again, give the body's bytes.
func TestBodyCache_Ranges(t *testing.T) {
	ctx := context.Background()
	db := openCached(t, 3)
	r := rand.New(rand.NewPCG(11, 12))
	size := int64(7*chunkSize + 9)
	body := randomBody(r, int(size))
	_, err := db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
	require.NoError(t, err)
	for range 60 {
		off, n, first := r.Int64N(size+1), r.Int64N(size+2), r.IntN(3*chunkSize)
		end := min(off+n, size)
		obj, err := db.Get(ctx, "bkt", "k")
		require.NoError(t, err)
		require.NoError(t, obj.SetRange(off, n))
		head := make([]byte, first)
		k, err := io.ReadFull(obj, head)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		require.NoError(t, err)
		var rest bytes.Buffer
		_, err = obj.WriteTo(&rest)
		require.NoError(t, err)
		require.NoError(t, obj.Close())
		got := append(head[:k], rest.Bytes()...)
		require.True(t, bytes.Equal(body[min(off, end):end], got), "range %d+%d after a Read of %d", off, n, first)
	}
	require.LessOrEqual(t, len(db.files.cache.index), 3)
}

// shortWriter writes at most n bytes of its first call, then fails; then
// it writes everything.
type shortWriter struct {
	bytes.Buffer
	n    int
	done bool
}

var errShort = errors.New("cut")

func (w *shortWriter) Write(p []byte) (int, error) {
	if !w.done {
		w.done = true
		k, _ := w.Buffer.Write(p[:min(w.n, len(p))])
		return k, errShort
	}
	return w.Buffer.Write(p)
}

// TestBodyCache_CutWrite: a write cut short in a chunk sent from the cache
// leaves the object at the first byte not written; WriteTo again sends
// the rest.
func TestBodyCache_CutWrite(t *testing.T) {
	ctx := context.Background()
	db := openCached(t, 8)
	body := putBody(t, db, "k", 13, 3*chunkSize+5)
	for _, cut := range []int{0, 1000, chunkSize - 1} {
		obj, err := db.Get(ctx, "bkt", "k")
		require.NoError(t, err)
		_, err = obj.Seek(chunkSize+7, io.SeekStart)
		require.NoError(t, err)
		w := &shortWriter{n: cut}
		k, err := obj.WriteTo(w)
		require.ErrorIs(t, err, errShort)
		require.Equal(t, int64(cut), k)
		_, err = obj.WriteTo(w)
		require.NoError(t, err)
		require.Equal(t, body[chunkSize+7:], w.Bytes(), "cut at %d", cut)
		require.NoError(t, obj.Close())
	}
}

// blockingWriter holds its first call until release is closed.
type blockingWriter struct {
	bytes.Buffer
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.started); <-w.release })
	return w.Buffer.Write(p)
}

// TestBodyCache_AllPinned: while a write holds the only slot, another read
// loads its chunks as without a cache, and both send the body; the slot
// is not taken from under the first. Closing the database while a write
// still holds a slot leaves its bytes in place until the write is done.
func TestBodyCache_AllPinned(t *testing.T) {
	ctx := context.Background()
	db := openCached(t, 1)
	r := rand.New(rand.NewPCG(15, 16))
	a, b := randomBody(r, slotChunks*chunkSize+1), randomBody(r, 2*chunkSize+2)
	for k, body := range map[string][]byte{"a": a, "b": b} {
		_, err := db.Put(ctx, "bkt", k, bytes.NewReader(body), nil)
		require.NoError(t, err)
	}
	obj, err := db.Get(ctx, "bkt", "a")
	require.NoError(t, err)
	w := &blockingWriter{started: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error)
	go func() {
		_, err := obj.WriteTo(w)
		done <- err
	}()
	<-w.started
	got, err := sendAll(t, db, "b")
	require.NoError(t, err)
	require.Equal(t, b, got)
	require.Equal(t, int32(1), db.files.cache.slots[0].pins, "the first write's slot")
	require.Equal(t, []uint64{dataIDOf(t, db, "bkt", "a")}, db.files.cache.cachedIDs(), "b's chunks found no slot")

	cache := db.files.cache
	require.NoError(t, db.Close())
	require.NotNil(t, cache.arena, "kept while pinned")
	close(w.release)
	err = <-done
	require.Equal(t, a[:slotChunks*chunkSize], w.Bytes(), "the pinned slot's bytes went out whole")
	require.ErrorIs(t, err, coldstore.ErrClosed, "the next chunk is refused after Close")
	require.Nil(t, cache.arena, "freed by the last release")
	require.NoError(t, obj.Close())
}

// TestBodyCache_Dropped: deleting or replacing an object drops its cached
// chunks with its file.
func TestBodyCache_Dropped(t *testing.T) {
	ctx := context.Background()
	db := openCached(t, 16)
	r := rand.New(rand.NewPCG(17, 18))
	for _, k := range []string{"a", "b"} {
		_, err := db.Put(ctx, "bkt", k, bytes.NewReader(randomBody(r, 2*chunkSize)), nil)
		require.NoError(t, err)
		_, err = sendAll(t, db, k)
		require.NoError(t, err)
	}
	a, b := dataIDOf(t, db, "bkt", "a"), dataIDOf(t, db, "bkt", "b")
	require.ElementsMatch(t, []uint64{a, b}, db.files.cache.cachedIDs())
	require.NoError(t, db.Delete(ctx, "bkt", "a"))
	require.Equal(t, []uint64{b}, db.files.cache.cachedIDs())
	_, err := db.Put(ctx, "bkt", "b", bytes.NewReader(randomBody(r, 2*chunkSize)), nil)
	require.NoError(t, err)
	require.Empty(t, db.files.cache.cachedIDs())
}

// TestBodyCache_Concurrent: readers of several bodies through a cache
// smaller than them, with writers replacing them, each get a whole body
// that was stored or ErrReplaced, never other bytes (run it with -race).
func TestBodyCache_Concurrent(t *testing.T) {
	ctx := context.Background()
	db := openCached(t, 5)
	r := rand.New(rand.NewPCG(19, 20))
	versions := make([][]byte, 6)
	for i := range versions {
		versions[i] = randomBody(r, 2*chunkSize+i)
	}
	keys := []string{"k0", "k1", "k2"}
	for _, k := range keys {
		_, err := db.Put(ctx, "bkt", k, bytes.NewReader(versions[0]), nil)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr := rand.New(rand.NewPCG(uint64(g), 21))
			for range 30 {
				k := keys[rr.IntN(len(keys))]
				if g < 2 {
					if _, err := db.Put(ctx, "bkt", k, bytes.NewReader(versions[rr.IntN(len(versions))]), nil); err != nil {
						errs <- err
						return
					}
					continue
				}
				obj, err := db.Get(ctx, "bkt", k)
				if err != nil {
					errs <- err
					return
				}
				var got bytes.Buffer
				_, err = obj.WriteTo(&got)
				obj.Close()
				if errors.Is(err, ErrReplaced) {
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				found := false
				for _, v := range versions {
					found = found || bytes.Equal(v, got.Bytes())
				}
				if !found {
					errs <- errors.New("a read returned bytes no Put stored")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// TestBodyCache_RangeReadsItsChunks: a range read through the cache reads
// no chunk after it, and a damaged chunk of its group before it costs the
// range nothing: its chunks are then read as without a cache.
func TestBodyCache_RangeReadsItsChunks(t *testing.T) {
	ctx := context.Background()
	db := openCached(t, 4)
	body := putBody(t, db, "k", 23, 9*chunkSize)
	id := dataIDOf(t, db, "bkt", "k")
	flipFileByte(t, db, id, fileOffset(0)+7)
	flipFileByte(t, db, id, fileOffset(6)+7)
	for _, rg := range [][2]int64{{chunkSize, 5 * chunkSize}, {chunkSize + 9, 5*chunkSize - 20}, {6*chunkSize - 1, 1}, {4 * chunkSize, 1}} {
		off, n := rg[0], rg[1]
		for range 2 { // filling, then from the cache
			obj, err := db.Get(ctx, "bkt", "k")
			require.NoError(t, err)
			require.NoError(t, obj.SetRange(off, n))
			var got bytes.Buffer
			_, err = obj.WriteTo(&got)
			require.NoError(t, err, "range %d+%d", off, n)
			require.True(t, bytes.Equal(body[off:off+n], got.Bytes()), "range %d+%d", off, n)
			require.NoError(t, obj.Close())
		}
	}
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	defer obj.Close()
	require.NoError(t, obj.SetRange(5*chunkSize, 2*chunkSize))
	var got bytes.Buffer
	_, err = obj.WriteTo(&got)
	require.ErrorIs(t, err, coldstore.ErrDataCorrupt, "the damaged chunk, in the range, fails")
	require.Equal(t, body[5*chunkSize:6*chunkSize], got.Bytes())
}

// TestChunkCache_Clock: reserve takes slots never filled first, then
// passes a slot read since the hand last passed once, and never takes a
// pinned one; publish keeps the fuller of two fills of a group; after
// close nothing is found or reserved.
func TestChunkCache_Clock(t *testing.T) {
	c := newChunkCache(3 * slotSize)
	require.NotNil(t, c)
	require.Nil(t, newChunkCache(slotSize-1), "no room for a slot: no cache")
	fill := func(r chunkRef, n int) int32 {
		s, b := c.reserve()
		require.GreaterOrEqual(t, s, int32(0))
		b[0] = byte(r.g)
		c.publish(s, r, n, c.generation())
		c.release(s)
		return s
	}
	a, b, d := chunkRef{1, 0}, chunkRef{1, 1}, chunkRef{2, 0}
	require.Equal(t, []int32{0, 1, 2}, []int32{fill(a, 10), fill(b, 10), fill(d, 10)})
	// Every slot was read since the hand passed: a full turn clears them, and the first is taken.
	s, _ := c.get(b) // pinned: never taken
	require.Equal(t, int32(0), fill(chunkRef{3, 0}, 10), "a, the first the hand finds unread on its second turn")
	_, found := c.index[a]
	require.False(t, found)
	require.Equal(t, int32(2), fill(chunkRef{4, 0}, 10), "b is pinned, d unread since")
	c.release(s)

	c.close()

	// A fuller fill of a group replaces a shorter one; a shorter one does not.
	c = newChunkCache(3 * slotSize)
	require.Equal(t, int32(0), fill(b, 10))
	s1, _ := c.reserve()
	c.publish(s1, b, 5, 0)
	require.Equal(t, int32(0), c.index[b], "b's fill of 10 bytes stays")
	c.release(s1)
	s2, _ := c.reserve()
	require.Equal(t, int32(2), s2)
	c.publish(s2, b, 20, 0)
	require.Equal(t, s2, c.index[b])
	require.False(t, c.slots[0].live, "the shorter fill is found no more")
	got, bytes := c.get(b)
	require.Equal(t, s2, got)
	require.Len(t, bytes, 20)
	c.release(got)
	c.release(s2)

	// A fill of a file opened before a drop is not kept: the file may have
	// been removed, and its id drawn again.
	g := c.generation()
	c.drop([]uint64{99})
	s3, _ := c.reserve()
	c.publish(s3, chunkRef{5, 0}, 10, g)
	_, found = c.index[chunkRef{5, 0}]
	require.False(t, found, "filled across a drop")
	c.release(s3)
	s3, _ = c.reserve()
	c.publish(s3, chunkRef{5, 0}, 10, c.generation())
	_, found = c.index[chunkRef{5, 0}]
	require.True(t, found)
	c.release(s3)

	c.close()
	c.close()
	s, _ = c.get(b)
	require.Equal(t, int32(-1), s)
	s, _ = c.reserve()
	require.Equal(t, int32(-1), s)
	require.Nil(t, c.arena, "freed: nothing was pinned")
}
