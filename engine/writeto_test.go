package engine

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/stretchr/testify/require"
)

// callRecorder keeps what each Write call was given.
type callRecorder struct {
	bytes.Buffer
	calls []int
}

func (c *callRecorder) Write(p []byte) (int, error) {
	c.calls = append(c.calls, len(p))
	return c.Buffer.Write(p)
}

// TestGet_WriteToPieces: WriteTo hands a chunked body to its writer in
// calls of at most sendPiece bytes, as few as the rest of the body needs,
// after a Read or a Seek into a chunk too, from a body file or from the
// store; the bytes are the body's.
func TestGet_WriteToPieces(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(9, 10))
	body := randomBody(r, 9*chunkSize+123)
	for _, single := range []bool{false, true} {
		db, err := Open(filepath.Join(t.TempDir(), "c.db"), &Options{DisableSweeper: true, SingleFile: single})
		require.NoError(t, err)
		require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
		_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
		require.NoError(t, err)
		for _, from := range []int64{0, -1000, chunkSize + 5, 8*chunkSize + 1, int64(len(body)) - 3} {
			obj, err := db.Get(ctx, "bkt", "k")
			require.NoError(t, err)
			start := from
			if from < 0 { // a Read of -from bytes first
				start = -from
				_, err := io.ReadFull(obj, make([]byte, start))
				require.NoError(t, err)
			} else if from > 0 {
				_, err := obj.Seek(from, io.SeekStart)
				require.NoError(t, err)
			}
			var w callRecorder
			n, err := obj.WriteTo(&w)
			require.NoError(t, err)
			require.NoError(t, obj.Close())
			rest := int64(len(body)) - start
			require.Equal(t, rest, n)
			require.True(t, bytes.Equal(body[start:], w.Bytes()), "SingleFile %v, from %d: the bytes", single, from)
			for _, c := range w.calls {
				require.LessOrEqual(t, c, sendPiece)
			}
			require.Len(t, w.calls, int((rest+sendPiece-1)/sendPiece), "SingleFile %v, from %d: calls %v", single, from, w.calls)
		}
		require.NoError(t, db.Close())
	}
}

// TestGet_WriteToStopsAtDamage: a chunk that fails its check ends WriteTo
// with ErrDataCorrupt; the whole chunks before it were written, in the
// same piece, and no byte of it or after it.
func TestGet_WriteToStopsAtDamage(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "c.db"), &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	body := bytes.Repeat([]byte("0123456789abcdef"), 6*chunkSize/16)
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
	require.NoError(t, err)
	flipFileByte(t, db, dataIDOf(t, db, "bkt", "k"), fileOffset(2)+100)
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	defer obj.Close()
	var w callRecorder
	n, err := obj.WriteTo(&w)
	require.ErrorIs(t, err, coldstore.ErrDataCorrupt)
	require.Equal(t, int64(2*chunkSize), n)
	require.Equal(t, []int{2 * chunkSize}, w.calls)
	require.True(t, bytes.Equal(body[:2*chunkSize], w.Bytes()))
}
