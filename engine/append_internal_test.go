package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/stretchr/testify/require"
)

// TestAppend_Limit: an append that would grow the object past the limit
// is refused and changes nothing.
func TestAppend_Limit(t *testing.T) {
	ctx := context.Background()
	defer func(l int64) { appendLimit = l }(appendLimit)
	appendLimit = 3 * chunkSize
	db := openTemp(t)
	_, err := db.Append(ctx, "bkt", "k", 0, bytes.NewReader(make([]byte, 2*chunkSize)), nil)
	require.NoError(t, err)
	_, err = db.Append(ctx, "bkt", "k", 2*chunkSize, bytes.NewReader(make([]byte, chunkSize+1)), nil)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	oi, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, int64(2*chunkSize), oi.Size)
	_, err = db.Append(ctx, "bkt", "k", 2*chunkSize, bytes.NewReader(make([]byte, chunkSize)), nil)
	require.NoError(t, err)
	require.NoError(t, db.Check(ctx))
}

// stagedAppend begins an append to key at pos and stages n whole chunks
// of it, as a large append does before it publishes; then it stops, as a
// crash would.
func stagedAppend(t *testing.T, db *DB, key string, pos int64, n int) *appender {
	t.Helper()
	a := &appender{db: db, ctx: context.Background(), bucket: "bkt", key: key, pos: pos, opts: &PutOptions{}, r: bytes.NewReader(make([]byte, chunkSize*(n+1)))}
	require.NoError(t, a.begin())
	_, _, err := a.read(int(chunkSize - pos%chunkSize))
	require.NoError(t, err)
	var chunks [][]byte
	for range n {
		c, _, err := a.read(chunkSize)
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	require.NoError(t, a.stage(chunks))
	return a
}

// TestAppend_CrashWhileStaged: chunks an append staged before a crash
// leave the object as it was, keep other appends off it while they are
// there (Check accepts them), and Open collects them.
func TestAppend_CrashWhileStaged(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	body := bytes.Repeat([]byte("0123456789"), chunkSize/5) // two chunks, the last partial
	body = body[:chunkSize+100]
	_, err = db.Append(ctx, "bkt", "k", 0, bytes.NewReader(body), nil)
	require.NoError(t, err)
	_, err = db.Append(ctx, "bkt", "new", 0, strings.NewReader(""), nil)
	require.NoError(t, err)
	stagedAppend(t, db, "k", int64(len(body)), 3)
	stagedAppend(t, db, "fresh", 0, 2) // a new object: a fresh data id
	require.NoError(t, db.Check(ctx), "Check takes staged chunks for an append under way")
	_, err = db.Append(ctx, "bkt", "k", int64(len(body)), strings.NewReader("x"), nil)
	require.ErrorIs(t, err, coldstore.ErrPositionNotEqualToLength, "another append stages")
	require.NoError(t, db.Close())

	db, err = Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Check(ctx))
	err = db.view(ctx, "test", "", "", func(tx kv.Tx) error {
		n := 0
		_ = tx.Bucket(bktStaging).ForEach(func(_, _ []byte) error { n++; return nil })
		require.Zero(t, n, "staging entries left")
		return nil
	})
	require.NoError(t, err)
	_, err = db.Head(ctx, "bkt", "fresh")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	require.Equal(t, body, got)
	oi, err := db.Append(ctx, "bkt", "k", int64(len(body)), strings.NewReader("x"), nil)
	require.NoError(t, err)
	require.Equal(t, int64(len(body)+1), oi.Size)
	require.NoError(t, db.Check(ctx))
}

// TestAppend_LosesRace: an append whose object changed while it staged
// fails and removes what it staged.
func TestAppend_LosesRace(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	_, err := db.Append(ctx, "bkt", "k", 0, bytes.NewReader(make([]byte, chunkSize+1)), nil)
	require.NoError(t, err)
	a := stagedAppend(t, db, "k", chunkSize+1, 2)
	_, err = db.Put(ctx, "bkt", "k", strings.NewReader("replaced"), nil)
	require.NoError(t, err)
	_, err = a.publish(nil, nil)
	require.ErrorIs(t, err, coldstore.ErrObjectNotAppendable)
	require.True(t, errors.Is(a.abort(err), coldstore.ErrObjectNotAppendable))
	require.NoError(t, db.Check(ctx))
}
