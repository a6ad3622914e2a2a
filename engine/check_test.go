package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// damaged opens a database with one restored ColdArchive object "bkt/k" of
// two chunks, in the store's file (SingleFile), applies harm in a raw
// transaction, and returns Check's answer. (bodyfiles_test.go damages
// bodies in files.)
func damaged(t *testing.T, harm func(tx kv.Tx, rec objectRecord) error) error {
	m := clock.NewMock()
	m.Set(epoch)
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := Open(path, &Options{Clock: m, DisableSweeper: true, SingleFile: true})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(make([]byte, chunkSize+5)), &PutOptions{StorageClass: storageclass.ColdArchive})
	require.NoError(t, err)
	_, err = db.Restore(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	require.NoError(t, db.Check(ctx), "healthy before the harm")
	require.NoError(t, db.store.Update(context.Background(), func(tx kv.Tx) error {
		rec, err := decodeRecord("k", objectsBucket(tx, "bkt").Get([]byte("k")))
		require.NoError(t, err)
		return harm(tx, rec)
	}))
	return db.Check(ctx)
}

func TestCheck_FindsDamage(t *testing.T) {
	objects := func(tx kv.Tx) kv.Bucket { return objectsBucket(tx, "bkt") }
	cases := map[string]struct {
		harm func(tx kv.Tx, rec objectRecord) error
		want string
	}{
		"restore missing from the index": {func(tx kv.Tx, rec objectRecord) error {
			return objects(tx).Delete(expiryKey(rec.ExpiresAt, "k"))
		}, "not in the expiry index"},
		"index entry of a missing object": {func(tx kv.Tx, rec objectRecord) error {
			return objects(tx).Put(expiryKey(rec.ExpiresAt, "ghost"), nil)
		}, "missing object"},
		"index entry at the wrong time": {func(tx kv.Tx, rec objectRecord) error {
			return objects(tx).Put(expiryKey(rec.ExpiresAt.Add(time.Hour), "k"), nil)
		}, "whose restore expires"},
		"chunk missing": {func(tx kv.Tx, rec objectRecord) error {
			return deleteChunk(tx, rec.DataID, 1)
		}, "chunk 1 missing"},
		"size mismatch": {func(tx kv.Tx, rec objectRecord) error {
			rec.Size++
			return objects(tx).Put([]byte("k"), rec.encode("k"))
		}, "chunks hold"},
		"orphan chunks": {func(tx kv.Tx, rec objectRecord) error {
			return tx.Bucket(bktData).Put(chunkKey(rec.DataID+100, 0), []byte("x"))
		}, "belong to no object"},
		"restore on a Standard object": {func(tx kv.Tx, rec objectRecord) error {
			rec.Class = storageclass.Standard
			return objects(tx).Put([]byte("k"), rec.encode("k"))
		}, "has a restore"},
		"undecodable record": {func(tx kv.Tx, rec objectRecord) error {
			return objects(tx).Put([]byte("k"), []byte{9, 9})
		}, "malformed object record"},
		"objects bucket of no bucket": {func(tx kv.Tx, rec objectRecord) error {
			_, err := tx.CreateBucket(objectsName("ghost"))
			return err
		}, `"objects/ghost" has no bucket record`},
		"meter of no bucket": {func(tx kv.Tx, rec objectRecord) error {
			return storeMeter(tx, "ghost", newUsage(rec.LastModified))
		}, `"objects/ghost\x00meter" has no bucket record`},
		"stranger at the top": {func(tx kv.Tx, rec objectRecord) error {
			_, err := tx.CreateBucket([]byte("elsewhere"))
			return err
		}, `unknown top-level bucket "elsewhere"`},
		"bucket without objects": {func(tx kv.Tx, rec objectRecord) error {
			return tx.Bucket(bktBuckets).Put([]byte("lonely"), tx.Bucket(bktBuckets).Get([]byte("bkt")))
		}, `bucket "lonely" has no objects bucket`},
		"meter missing": {func(tx kv.Tx, rec objectRecord) error {
			return deleteMeter(tx, "bkt")
		}, `bucket "bkt" has no meter`},
		"unknown class": {func(tx kv.Tx, rec objectRecord) error {
			rec.Class = "Glacier"
			return objects(tx).Put([]byte("k"), rec.encode("k"))
		}, "not in the catalog"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := damaged(t, tc.harm)
			require.ErrorIs(t, err, ErrCorrupt)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestOpen_CollectsStagedChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	// What a crash between staging and publishing leaves.
	p := putter{db: db, ctx: ctx, bucket: "bkt", key: "k"}
	require.NoError(t, p.stage([][]byte{make([]byte, 10), make([]byte, 10)}))
	require.NotZero(t, p.id)
	require.NoError(t, db.Check(ctx), "staged chunks of a Put in progress are not damage")
	require.NoError(t, db.Close())

	db, err = Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.store.View(context.Background(), func(tx kv.Tx) error {
		k, _ := tx.Bucket(bktData).Cursor().First()
		require.Nil(t, k, "staged chunks collected")
		k, _ = tx.Bucket(bktStaging).Cursor().First()
		require.Nil(t, k)
		return nil
	}))
	_, err = db.Head(ctx, "bkt", "k")
	require.Error(t, err)
	require.NoError(t, db.Check(ctx))
}

func TestRecord_RoundTrip(t *testing.T) {
	rec := objectRecord{
		Size: 123, ContentType: "text/plain", Metadata: map[string]string{"b": "2", "a": "1"},
		LastModified: epoch, Class: storageclass.ColdArchive, ClassSince: epoch.Add(time.Hour),
		LastAccess: epoch.Add(2 * time.Hour), DataID: 77, Chunks: 1,
		Tier: storageclass.TierBulk, RequestedAt: epoch, ReadyAt: epoch.Add(time.Hour), ExpiresAt: epoch.Add(25 * time.Hour),
	}
	rec.ETag[0] = 0xab
	got, err := decodeRecord("k", rec.encode("k"))
	require.NoError(t, err)
	require.Equal(t, rec, got)
	require.Equal(t, rec.encode("k"), got.encode("k"), "deterministic")
	b := rec.encode("k")
	for i := range len(b) {
		_, err := decodeRecord("k", b[:i])
		require.Error(t, err, "a record cut at %d decodes", i)
	}
}

// A record with stored headers is version 3; without, version 2, as
// records were before headers existed; both read back whole.
func TestRecord_HeadersVersion(t *testing.T) {
	rec := objectRecord{Size: 5, ContentType: "text/plain", LastModified: epoch, Class: storageclass.Standard, ClassSince: epoch, LastAccess: epoch,
		Headers: map[string]string{"Cache-Control": "no-store", "Expires": "0"}}
	b := rec.encode("k")
	require.Equal(t, byte(3), b[0])
	got, err := decodeRecord("k", b)
	require.NoError(t, err)
	require.Equal(t, rec, got)
	for i := range len(b) {
		_, err := decodeRecord("k", b[:i])
		require.Error(t, err, "a record cut at %d decodes", i)
	}
	rec.Headers = nil
	require.Equal(t, byte(2), rec.encode("k")[0])
	// Version 3 with no headers is written by nobody: refused.
	bad := append([]byte{3}, rec.encode("k")[1:]...)
	bad = bad[:len(bad)-sumSize]
	bad = append(bad, 0) // an empty map
	bad = binary.BigEndian.AppendUint64(bad, recordSum("k", bad))
	_, err = decodeRecord("k", bad)
	require.Error(t, err)
}

// A bucket record with tags is version 2; without, version 1 as before.
func TestBucketRecord_Tags(t *testing.T) {
	r := bucketRecord{Class: storageclass.IA, Created: epoch, Tags: map[string]string{"a": "1"}}
	b := r.encode()
	require.Equal(t, byte(2), b[0])
	got, err := decodeBucket(b)
	require.NoError(t, err)
	require.Equal(t, r, got)
	for i := range len(b) {
		_, err := decodeBucket(b[:i])
		require.Error(t, err, "cut at %d", i)
	}
	r.Tags = nil
	require.Equal(t, byte(1), r.encode()[0])
	_, err = decodeBucket(append([]byte{2}, append(r.encode()[1:], 0)...))
	require.Error(t, err, "version 2 without tags is written by nobody")
}
