package engine

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/boltkv"
	"github.com/stretchr/testify/require"
)

// flipFileByte flips a bit of the byte at off in the file of data id.
func flipFileByte(t *testing.T, db *DB, id uint64, off int64) {
	t.Helper()
	f, err := os.OpenFile(db.files.path(id), os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	b := make([]byte, 1)
	_, err = f.ReadAt(b, off)
	require.NoError(t, err)
	b[0] ^= 1
	_, err = f.WriteAt(b, off)
	require.NoError(t, err)
}

// bodyFileNames lists the folder of db's body files.
func bodyFileNames(t *testing.T, db *DB) []string {
	t.Helper()
	entries, err := os.ReadDir(db.files.dir)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// dataIDOf returns the data id of bucket/key's record.
func dataIDOf(t *testing.T, db *DB, bucket, key string) uint64 {
	t.Helper()
	var id uint64
	require.NoError(t, db.store.View(context.Background(), func(tx kv.Tx) error {
		rec, err := decodeRecord(key, objectsBucket(tx, bucket).Get([]byte(key)))
		id = rec.DataID
		return err
	}))
	return id
}

// TestBodyFiles_WhereBodiesGo: over a bbolt file, a body of more than one
// chunk goes to a file of its own, indexed; smaller ones stay in the
// store; SingleFile keeps every body in the store; every one reads back.
func TestBodyFiles_WhereBodiesGo(t *testing.T) {
	ctx := context.Background()
	for _, single := range []bool{false, true} {
		db, err := Open(filepath.Join(t.TempDir(), "c.db"), &Options{DisableSweeper: true, SingleFile: single})
		require.NoError(t, err)
		require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
		for _, size := range []int{0, 10, inlineMax + 1, chunkSize, chunkSize + 1, 5*chunkSize + 7} {
			body := bytes.Repeat([]byte{byte(size)}, size)
			key := "k" + string(rune('a'+size%26))
			_, err := db.Put(ctx, "bkt", key, bytes.NewReader(body), nil)
			require.NoError(t, err)
			id := dataIDOf(t, db, "bkt", key)
			require.Equal(t, size > chunkSize && !single, isFileID(id), "size %d, SingleFile %v", size, single)
			obj, err := db.Get(ctx, "bkt", key)
			require.NoError(t, err)
			got, err := io.ReadAll(obj)
			require.NoError(t, err)
			require.NoError(t, obj.Close())
			require.Equal(t, body, got, "size %d", size)
		}
		n := len(bodyFileNames(t, db))
		require.Equal(t, map[bool]int{false: 2, true: 0}[single], n)
		require.NoError(t, db.Check(ctx))
		require.NoError(t, db.Close())
	}
}

// TestBodyFiles_Removed: the file of a body goes when its object is
// deleted, overwritten, or its part replaced or left out of a completed
// upload; a failed Put leaves no file; Check finds all in order.
func TestBodyFiles_Removed(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	big := func(b byte) io.Reader { return bytes.NewReader(bytes.Repeat([]byte{b}, 2*chunkSize+3)) }
	_, err := db.Put(ctx, "bkt", "a", big(1), nil)
	require.NoError(t, err)
	_, err = db.Put(ctx, "bkt", "b", big(2), nil)
	require.NoError(t, err)
	require.Len(t, bodyFileNames(t, db), 2)

	_, err = db.Put(ctx, "bkt", "a", big(3), nil) // overwritten: one file for one
	require.NoError(t, err)
	require.Len(t, bodyFileNames(t, db), 2)
	require.NoError(t, db.Delete(ctx, "bkt", "b"))
	require.Equal(t, []string{fileName(dataIDOf(t, db, "bkt", "a"))}, bodyFileNames(t, db))

	_, err = db.Put(ctx, "bkt", "a", big(4), &PutOptions{ForbidOverwrite: true})
	require.ErrorIs(t, err, coldstore.ErrFileAlreadyExists)
	_, err = db.Put(ctx, "bkt", "c", io.MultiReader(big(5), iotestErr{}), nil)
	require.Error(t, err)
	require.Len(t, bodyFileNames(t, db), 1, "failed Puts leave no file")

	u, err := db.InitiateUpload(ctx, "bkt", "m", nil)
	up := u.UploadID
	require.NoError(t, err)
	for _, n := range []int{1, 1, 2} { // part 1 replaced once
		_, err = db.UploadPart(ctx, "bkt", "m", up, n, big(byte(n)))
		require.NoError(t, err)
	}
	require.Len(t, bodyFileNames(t, db), 3, "the replaced part's file went")
	require.NoError(t, db.Check(ctx))
	require.NoError(t, db.AbortUpload(ctx, "bkt", "m", up))
	require.Len(t, bodyFileNames(t, db), 1)
	require.NoError(t, db.Check(ctx))
}

// iotestErr fails every read.
type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestBodyFiles_OpenCollects: the files a crash can leave, one written
// and never published and one whose object's removal committed before
// the file went, are removed by the next Open; the published one, and
// files of other names, stay.
func TestBodyFiles_OpenCollects(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	body := bytes.Repeat([]byte("x"), 3*chunkSize)
	for _, k := range []string{"kept", "dropped"} {
		_, err = db.Put(ctx, "bkt", k, bytes.NewReader(body), nil)
		require.NoError(t, err)
	}
	kept, dropped := dataIDOf(t, db, "bkt", "kept"), dataIDOf(t, db, "bkt", "dropped")
	unpublished, id, err := db.files.create() // a Put's file, then the crash
	require.NoError(t, err)
	_, err = unpublished.Write([]byte("half a body"))
	require.NoError(t, err)
	require.NoError(t, unpublished.Close())
	require.NoError(t, db.Check(ctx), "a file being written is no damage")
	db.files.written(id)
	require.ErrorContains(t, db.Check(ctx), "not indexed")
	// The removal committed, the crash came before the file went: the
	// file put back after the Delete.
	saved, err := os.ReadFile(db.files.path(dropped))
	require.NoError(t, err)
	require.NoError(t, db.Delete(ctx, "bkt", "dropped"))
	require.NoFileExists(t, db.files.path(dropped))
	require.NoError(t, os.WriteFile(db.files.path(dropped), saved, 0o600))
	stranger := filepath.Join(db.files.dir, "notes.txt")
	require.NoError(t, os.WriteFile(stranger, []byte("mine"), 0o600))
	require.NoError(t, db.Close())

	db, err = Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.ElementsMatch(t, []string{fileName(kept), "notes.txt"}, bodyFileNames(t, db))
	require.NotEqual(t, kept, dropped)
	obj, err := db.Get(ctx, "bkt", "kept")
	require.NoError(t, err)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.Equal(t, body, got)
	require.NoError(t, obj.Close())
	require.NoError(t, db.Check(ctx), "Check looks at its own names only")
}

// TestBodyFiles_CheckFindsDamage: Check reports a body file missing, cut
// short, grown, with a flipped bit, unindexed, or indexed for no object;
// a read of the damaged one fails with ErrDataCorrupt (a missing file
// too, while the index names it), never with other bytes.
func TestBodyFiles_CheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	size := 2*chunkSize + 100
	cases := map[string]struct {
		harm     func(t *testing.T, db *DB, id uint64)
		want     string
		readFail error // nil: the read is whole
	}{
		"missing": {func(t *testing.T, db *DB, id uint64) {
			require.NoError(t, os.Remove(db.files.path(id)))
		}, "no such file", coldstore.ErrDataCorrupt}, // still indexed: damage, not a replacement
		"cut short": {func(t *testing.T, db *DB, id uint64) {
			require.NoError(t, os.Truncate(db.files.path(id), fileOffset(2)+10))
		}, "chunk 2", coldstore.ErrDataCorrupt},
		"grown": {func(t *testing.T, db *DB, id uint64) {
			f, err := os.OpenFile(db.files.path(id), os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.Write([]byte("tail"))
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}, "chunk 2", coldstore.ErrDataCorrupt}, // the last chunk, read to the end of the file
		"flipped bit": {func(t *testing.T, db *DB, id uint64) {
			flipFileByte(t, db, id, fileOffset(1)+7)
		}, "chunk 1", coldstore.ErrDataCorrupt},
		"flipped checksum": {func(t *testing.T, db *DB, id uint64) {
			flipFileByte(t, db, id, fileOffset(1)-1)
		}, "chunk 0", coldstore.ErrDataCorrupt},
		"unindexed": {func(t *testing.T, db *DB, id uint64) {
			require.NoError(t, db.store.Update(ctx, func(tx kv.Tx) error { return tx.Bucket(bktFiles).Delete(idKey(id)) }))
		}, "not indexed", nil},
		"indexed for no object": {func(t *testing.T, db *DB, id uint64) {
			require.NoError(t, db.store.Update(ctx, func(tx kv.Tx) error {
				return tx.Bucket(bktFiles).Put(idKey(id^1), fileEntry(5))
			}))
		}, "belongs to no object", nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			db := openTemp(t)
			body := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
			_, err := db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
			require.NoError(t, err)
			require.NoError(t, db.Check(ctx))
			tc.harm(t, db, dataIDOf(t, db, "bkt", "k"))
			require.ErrorContains(t, db.Check(ctx), tc.want)
			obj, err := db.Get(ctx, "bkt", "k")
			require.NoError(t, err)
			defer obj.Close()
			var got bytes.Buffer
			_, err = io.Copy(&got, obj)
			require.True(t, bytes.HasPrefix(body, got.Bytes()), "only stored bytes")
			if tc.readFail == nil {
				require.NoError(t, err)
				require.Equal(t, body, got.Bytes())
			} else {
				require.ErrorIs(t, err, tc.readFail)
			}
		})
	}
}

// TestBodyFiles_NoFolder: a database whose bodies are in files, opened
// over a store that has no folder for them, is refused, not misread.
func TestBodyFiles_NoFolder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(make([]byte, 2*chunkSize)), nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s, err := boltkv.Open(path, nil)
	require.NoError(t, err)
	_, err = OpenStore(struct{ kv.Store }{s}, &Options{DisableSweeper: true}) // not kv.Local
	require.ErrorIs(t, err, ErrCorrupt)
	require.ErrorContains(t, err, "files")
}

// TestBodyFiles_FailedDrop: a transaction that drops a body and then fails
// keeps the file and its entry, and leaves nothing marked busy; one that
// commits removes the file, and leaves nothing marked busy either.
func TestBodyFiles_FailedDrop(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	_, err := db.Put(ctx, "bkt", "k", bytes.NewReader(make([]byte, 3*chunkSize)), nil)
	require.NoError(t, err)
	id := dataIDOf(t, db, "bkt", "k")
	boom := fail("Test", "bkt", "k", coldstore.ErrInvalidArgument, "boom")
	drop := func(fail bool) error {
		return db.write(ctx, "Test", "bkt", "k", func(w *writeTx) error {
			rec, err := decodeRecord("k", objectsBucket(w.tx, "bkt").Get([]byte("k")))
			require.NoError(t, err)
			if err := w.remove(objectsBucket(w.tx, "bkt"), "bkt", "k", &rec); err != nil {
				return err
			}
			if fail {
				return boom
			}
			return nil
		})
	}
	require.ErrorIs(t, drop(true), coldstore.ErrInvalidArgument)
	require.FileExists(t, db.files.path(id))
	require.Empty(t, db.files.writing)
	require.NoError(t, db.Check(ctx))
	require.NoError(t, drop(false))
	require.NoFileExists(t, db.files.path(id))
	require.Empty(t, db.files.writing)
	require.NoError(t, db.Check(ctx))
}

// TestBodyFiles_CheckWalksEveryPart: Check reports the damage of each part
// of a multipart object whose parts are in files, the parts after a
// damaged one included, and calls none of their files unowned.
func TestBodyFiles_CheckWalksEveryPart(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	up, err := db.InitiateUpload(ctx, "bkt", "m", nil)
	require.NoError(t, err)
	var parts []CompletedPart
	for n := 1; n <= 3; n++ {
		p, err := db.UploadPart(ctx, "bkt", "m", up.UploadID, n, bytes.NewReader(bytes.Repeat([]byte{byte(n)}, 2*chunkSize)))
		require.NoError(t, err)
		parts = append(parts, CompletedPart{Number: n, ETag: p.ETag})
	}
	_, err = db.CompleteUpload(ctx, "bkt", "m", up.UploadID, parts, nil)
	require.NoError(t, err)
	require.NoError(t, db.Check(ctx))
	var rec objectRecord
	require.NoError(t, db.store.View(ctx, func(tx kv.Tx) error {
		var err error
		rec, err = decodeRecord("m", objectsBucket(tx, "bkt").Get([]byte("m")))
		return err
	}))
	require.Len(t, rec.Parts, 3)
	flipFileByte(t, db, rec.Parts[0].DataID, 3)
	flipFileByte(t, db, rec.Parts[2].DataID, 3)
	err = db.Check(ctx)
	require.ErrorContains(t, err, "bkt/m: part 1: body file")
	require.ErrorContains(t, err, "bkt/m: part 3: body file")
	require.NotContains(t, err.Error(), "belongs to no object")
}
