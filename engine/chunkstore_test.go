package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/memkv"
	"github.com/stretchr/testify/require"
)

// deleteChunk removes chunk i of data id, in either form.
func deleteChunk(tx kv.Tx, id uint64, i uint32) error {
	data, k := tx.Bucket(bktData), chunkKey(id, i)
	if data.Bucket(k) != nil {
		return data.DeleteBucket(k)
	}
	return data.Delete(k)
}

// chunkForms returns the form of each chunk stored under data id:
// 'n' for a nested bucket, 'v' for a value.
func chunkForms(t *testing.T, db *DB, id uint64) string {
	t.Helper()
	var forms []byte
	require.NoError(t, db.store.View(context.Background(), func(tx kv.Tx) error {
		c := tx.Bucket(bktData).Cursor()
		for k, v := c.Seek(idKey(id)); k != nil && bytes.HasPrefix(k, idKey(id)); k, v = c.Next() {
			if v == nil {
				forms = append(forms, 'n')
			} else {
				forms = append(forms, 'v')
			}
		}
		return nil
	}))
	return string(forms)
}

func randomBody(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// readAll returns the body of bucket/key.
func readAll(t *testing.T, db *DB, key string) []byte {
	t.Helper()
	obj, err := db.Get(context.Background(), "bkt", key)
	require.NoError(t, err)
	defer obj.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(obj)
	require.NoError(t, err)
	return b.Bytes()
}

// TestChunkStore_Forms: over a bbolt file a chunk of a page or more is a
// nested bucket and a smaller one a value; over a store that is not local
// every chunk is a value. Either way the bodies read back and Check finds
// nothing.
func TestChunkStore_Forms(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 7))
	single, err := Open(filepath.Join(t.TempDir(), "db"), &Options{DisableSweeper: true, SingleFile: true})
	require.NoError(t, err)
	defer single.Close()
	mem, err := OpenStore(memkv.New(), &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer mem.Close()
	for _, db := range []*DB{single, mem} {
		require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	}
	for _, tc := range []struct {
		db    *DB
		size  int
		forms string
	}{
		{single, inlineMax + 1, "n"},
		{single, 64 << 10, "n"},
		{single, chunkSize, "n"},
		{single, chunkSize + 5, "nv"},
		{single, 2*chunkSize + nestMin, "nnn"},
		{mem, 64 << 10, "v"},
		{mem, chunkSize + 5, "vv"},
	} {
		body := randomBody(r, tc.size)
		_, err := tc.db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
		require.NoError(t, err)
		require.Equal(t, tc.forms, chunkForms(t, tc.db, dataIDOf(t, tc.db, "bkt", "k")), "%d bytes", tc.size)
		require.Equal(t, body, readAll(t, tc.db, "k"), "%d bytes", tc.size)
		require.NoError(t, tc.db.Check(ctx))
	}
	// An overwrite and a delete leave no chunk of either form behind.
	_, err = single.Put(ctx, "bkt", "k", bytes.NewReader(nil), nil)
	require.NoError(t, err)
	require.NoError(t, single.Delete(ctx, "bkt", "k"))
	require.NoError(t, single.store.View(ctx, func(tx kv.Tx) error {
		k, _ := tx.Bucket(bktData).Cursor().First()
		require.Nil(t, k)
		return nil
	}))
}

// TestChunkStore_Replace: putChunk replaces a chunk of either form with
// one of either form, and deleteChunksFrom removes both forms from the
// n-th chunk on, nothing of another data id.
func TestChunkStore_Replace(t *testing.T) {
	db := openTemp(t)
	big, small := bytes.Repeat([]byte("b"), nestMin), []byte("small")
	require.NoError(t, db.store.Update(context.Background(), func(tx kv.Tx) error {
		data, k := tx.Bucket(bktData), chunkKey(5, 0)
		for i, v := range [][]byte{small, big, append(big, 'c'), small, big} {
			require.NoError(t, putChunk(data, k, v, true), "step %d", i)
			require.Equal(t, v, getChunk(data, k), "step %d", i)
			require.Equal(t, len(v) < nestMin, data.Get(k) != nil, "step %d: a value only below nestMin", i)
		}
		require.NoError(t, putChunk(data, k, big, false))
		require.Equal(t, big, data.Get(k), "not nested when told not to")
		require.NoError(t, putChunk(data, chunkKey(5, 1), small, true))
		require.NoError(t, putChunk(data, chunkKey(5, 2), big, true))
		require.NoError(t, putChunk(data, chunkKey(6, 0), big, true))
		return nil
	}))
	require.Equal(t, "vvn", chunkForms(t, db, 5))
	del := func(id uint64, n uint32) {
		require.NoError(t, db.store.Update(context.Background(), func(tx kv.Tx) error { return deleteChunksFrom(tx, id, n) }))
	}
	del(5, 1)
	require.Equal(t, "v", chunkForms(t, db, 5))
	del(5, 0)
	require.Equal(t, "", chunkForms(t, db, 5))
	require.Equal(t, "n", chunkForms(t, db, 6))
	require.Equal(t, big, func() (v []byte) {
		_ = db.store.View(context.Background(), func(tx kv.Tx) error {
			v = bytes.Clone(getChunk(tx.Bucket(bktData), chunkKey(6, 0)))
			return nil
		})
		return v
	}())
}

// TestChunkStore_AppendGrowsAChunk: an Append that grows a small last
// chunk past nestMin moves it into a nested bucket, and one that grows a
// nested chunk rewrites it there.
func TestChunkStore_AppendGrowsAChunk(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	r := rand.New(rand.NewPCG(3, 4))
	body := randomBody(r, chunkSize+5)
	_, err := db.Append(ctx, "bkt", "k", 0, bytes.NewReader(body), nil)
	require.NoError(t, err)
	id := dataIDOf(t, db, "bkt", "k")
	require.Equal(t, "nv", chunkForms(t, db, id))
	for _, n := range []int{nestMin, 1000, chunkSize} {
		more := randomBody(r, n)
		_, err = db.Append(ctx, "bkt", "k", int64(len(body)), bytes.NewReader(more), nil)
		require.NoError(t, err)
		body = append(body, more...)
		require.Equal(t, body, readAll(t, db, "k"))
		require.NoError(t, db.Check(ctx))
	}
	require.Equal(t, "nnn", chunkForms(t, db, id))
}

// TestChunkStore_Schema6: a database of schema 6, every chunk a value,
// opens as schema 7 and reads as it did; replacing its object removes the
// old chunks.
func TestChunkStore_Schema6(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	body := randomBody(rand.New(rand.NewPCG(1, 1)), 64<<10)
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
	require.NoError(t, err)
	id := dataIDOf(t, db, "bkt", "k")
	require.NoError(t, db.store.Update(ctx, func(tx kv.Tx) error { // as schema 6 wrote it
		data, k := tx.Bucket(bktData), chunkKey(id, 0)
		v := bytes.Clone(getChunk(data, k))
		require.NoError(t, data.DeleteBucket(k))
		require.NoError(t, data.Put(k, v))
		return tx.Bucket(bktMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, 6))
	}))
	require.NoError(t, db.Close())

	db, err = Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.store.View(ctx, func(tx kv.Tx) error {
		require.Equal(t, uint32(7), binary.BigEndian.Uint32(tx.Bucket(bktMeta).Get(keyVersion)))
		return nil
	}))
	require.Equal(t, "v", chunkForms(t, db, id))
	require.Equal(t, body, readAll(t, db, "k"))
	require.NoError(t, db.Check(ctx))
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(body[:20<<10]), nil)
	require.NoError(t, err)
	require.Equal(t, "", chunkForms(t, db, id))
	require.Equal(t, "n", chunkForms(t, db, dataIDOf(t, db, "bkt", "k")))
	require.NoError(t, db.Check(ctx))
}
