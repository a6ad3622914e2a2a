package engine

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/stretchr/testify/require"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "db"), &Options{DisableSweeper: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
	return db
}

// TestObject_Seek checks Seek and the reads after it against bytes.Reader,
// for bodies inline, of one chunk, and of several.
func TestObject_Seek(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 10, inlineMax, inlineMax + 1, chunkSize, chunkSize + 3, 3*chunkSize + 5} {
		body := randomBody(r, size)
		_, err := db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
		require.NoError(t, err)
		obj, err := db.Get(ctx, "bkt", "k")
		require.NoError(t, err)
		want := bytes.NewReader(body)
		for range 40 {
			off := r.Int64N(int64(size)+10) - 5
			whence := r.IntN(3)
			gotPos, gotErr := obj.Seek(off, whence)
			wantPos, wantErr := want.Seek(off, whence)
			if wantErr != nil {
				require.Error(t, gotErr, "size %d: Seek(%d, %d)", size, off, whence)
				continue
			}
			require.NoError(t, gotErr)
			require.Equal(t, wantPos, gotPos)
			n := r.IntN(2 * chunkSize)
			a, b := make([]byte, n), make([]byte, n)
			ka, _ := io.ReadFull(obj, a)
			kb, _ := io.ReadFull(want, b)
			require.Equal(t, b[:kb], a[:ka], "size %d: read %d at %d", size, n, wantPos)
		}
		_, err = obj.Seek(math.MaxInt64, io.SeekStart)
		require.NoError(t, err)
		_, err = obj.Seek(1, io.SeekCurrent)
		require.Error(t, err, "an offset that wraps is refused")
		_, err = obj.Seek(0, 7)
		require.Error(t, err)
		require.NoError(t, obj.Close())
	}
}

// TestObject_SeekLoadsOnlyItsChunk: a ranged read of the last chunk reads
// nothing before it (its chunks are gone, and the read still succeeds).
func TestObject_SeekLoadsOnlyItsChunk(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	body := bytes.Repeat([]byte("0123456789abcdef"), 3*chunkSize/16+1)
	_, err := db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
	require.NoError(t, err)
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	defer obj.Close()
	require.NoError(t, db.store.Update(context.Background(), func(tx kv.Tx) error {
		for i := range uint32(3) {
			if err := deleteChunk(tx, obj.id, i); err != nil {
				return err
			}
		}
		return nil
	}))
	_, err = obj.Seek(3*chunkSize+5, io.SeekStart)
	require.NoError(t, err)
	var out bytes.Buffer
	_, err = io.Copy(&out, obj)
	require.NoError(t, err)
	require.Equal(t, body[3*chunkSize+5:], out.Bytes())
}

// TestObject_SetRange checks the bytes of ranges, read by Read with small
// buffers and with buffers of a chunk or more, and by WriteTo, against the
// body's, for bodies inline, of one chunk, and of several, in a file or in
// the store, through the cache of body chunks too: ranges that start and end anywhere, empty ones, ones that
// reach past the end (math.MaxInt64 long too), and ones after it.
func TestObject_SetRange(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	for _, o := range []Options{{}, {SingleFile: true}, {BodyCache: 2 * slotSize}} {
		single := o.SingleFile
		o.DisableSweeper = true
		db, err := Open(filepath.Join(t.TempDir(), "c.db"), &o)
		require.NoError(t, err)
		require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
		for _, size := range []int64{0, 10, inlineMax + 1, chunkSize + 3, 5*chunkSize + 5} {
			body := randomBody(r, int(size))
			_, err := db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
			require.NoError(t, err)
			ranges := [][2]int64{{0, 0}, {0, size}, {0, math.MaxInt64}, {size, 1}, {size + 7, 3}, {0, chunkSize}, {chunkSize, chunkSize}, {chunkSize - 1, 2}}
			for range 12 {
				ranges = append(ranges, [2]int64{r.Int64N(size + 1), r.Int64N(size + 2)})
			}
			for _, rg := range ranges {
				off, n := rg[0], rg[1]
				want := body[min(off, size) : min(off, size)+min(n, size-min(off, size))]
				for _, how := range []string{"ReadAll", "ReadFull", "WriteTo"} {
					obj, err := db.Get(ctx, "bkt", "k")
					require.NoError(t, err)
					require.NoError(t, obj.SetRange(off, n))
					var got []byte
					switch how {
					case "ReadAll": // io.ReadAll's buffers start at 512 bytes
						got, err = io.ReadAll(obj)
					case "ReadFull": // a buffer of two chunks: Read copies whole chunks into it
						buf := make([]byte, 2*chunkSize+1)
						for err == nil {
							var k int
							k, err = io.ReadFull(obj, buf)
							got = append(got, buf[:k]...)
						}
						if err == io.EOF || err == io.ErrUnexpectedEOF {
							err = nil
						}
					case "WriteTo":
						var w callRecorder
						var k int64
						k, err = obj.WriteTo(&w)
						require.Equal(t, int64(w.Len()), k)
						got = w.Bytes()
					}
					require.NoError(t, err)
					require.True(t, bytes.Equal(want, got), "SingleFile %v, cache %d, size %d, range %d+%d, %s: %d bytes, want %d", single, o.BodyCache, size, off, n, how, len(got), len(want))
					k, err := obj.Read(make([]byte, 1))
					require.Equal(t, 0, k)
					require.ErrorIs(t, err, io.EOF, "after the range")
					require.NoError(t, obj.Close())
				}
			}
		}
		require.NoError(t, db.Close())
	}
}

// TestObject_SetRangeLoadsOnlyItsChunks: a range reads no chunk before or
// after it (those are damaged, and its reads still succeed), and WriteTo
// hands it to its writer in pieces of sendPiece bytes as a whole body's.
// Bad arguments are refused, and a closed Object refuses a range.
func TestObject_SetRangeLoadsOnlyItsChunks(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	body := putBody(t, db, "k", 5, 9*chunkSize)
	id := dataIDOf(t, db, "bkt", "k")
	flipFileByte(t, db, id, fileOffset(0)+7)
	flipFileByte(t, db, id, fileOffset(6)+7)
	for _, rg := range [][2]int64{{chunkSize, 5 * chunkSize}, {chunkSize + 9, 5*chunkSize - 20}, {6*chunkSize - 1, 1}} {
		off, n := rg[0], rg[1]
		obj, err := db.Get(ctx, "bkt", "k")
		require.NoError(t, err)
		require.NoError(t, obj.SetRange(off, n))
		var w callRecorder
		_, err = obj.WriteTo(&w)
		require.NoError(t, err, "range %d+%d", off, n)
		require.True(t, bytes.Equal(body[off:off+n], w.Bytes()), "range %d+%d", off, n)
		if off == chunkSize && n == 5*chunkSize {
			require.Equal(t, []int{sendPiece, chunkSize}, w.calls)
		}
		require.NoError(t, obj.SetRange(off, n))
		got, err := io.ReadAll(obj)
		require.NoError(t, err, "range %d+%d by Read", off, n)
		require.True(t, bytes.Equal(body[off:off+n], got))
		require.NoError(t, obj.Close())
	}

	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	require.NoError(t, obj.SetRange(2*chunkSize, 3))
	require.ErrorIs(t, obj.SetRange(-1, 5), coldstore.ErrInvalidArgument)
	require.ErrorIs(t, obj.SetRange(5, -1), coldstore.ErrInvalidArgument)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.Equal(t, body[2*chunkSize:2*chunkSize+3], got, "a refused range changes nothing")
	require.NoError(t, obj.SetRange(6*chunkSize, 10))
	_, err = io.ReadAll(obj)
	require.ErrorIs(t, err, coldstore.ErrDataCorrupt, "the damaged chunk, in the range, fails")
	require.NoError(t, obj.Close())
	require.ErrorIs(t, obj.SetRange(0, 1), fs.ErrClosed)
}
