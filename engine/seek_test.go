package engine

import (
	"bytes"
	"context"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

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
