package engine_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/stretchr/testify/require"
)

// A Put that forbids overwriting fails on an existing key and leaves it,
// and nothing of its own body (Check at cleanup finds no stray chunk).
func TestPut_ForbidOverwrite(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	forbid := &engine.PutOptions{ForbidOverwrite: true}
	_, err := db.Put(ctx, "bkt", "k", bytes.NewReader([]byte("first")), forbid)
	require.NoError(t, err)
	for _, size := range []int{5, 20 << 20} { // inline, and staged in several transactions
		_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(make([]byte, size)), forbid)
		require.ErrorIs(t, err, coldstore.ErrFileAlreadyExists, "size %d", size)
		require.Equal(t, 409, coldstore.HTTPStatus(err))
	}
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	require.Equal(t, "first", string(got))
	require.NoError(t, db.Check(ctx))
	u, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, int64(1), u.Requests["PutObject"], "a refused Put is not a request billed")
}
