package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/boltkv"
	"github.com/stretchr/testify/require"
)

// schema2Fixture copies testdata/schema2/schema2.db, a file written by the
// last coldstore of schema 2 (testdata/schema2/gen_test.go.txt says how),
// to a temporary path, and returns it with what that coldstore answered
// about it.
func schema2Fixture(t *testing.T) (path string, want map[string]json.RawMessage) {
	t.Helper()
	b, err := os.ReadFile("testdata/schema2/schema2.db")
	require.NoError(t, err)
	path = filepath.Join(t.TempDir(), "schema2.db")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	j, err := os.ReadFile("testdata/schema2/schema2.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(j, &want))
	return path, want
}

// schema2Bodies are the bodies the fixture's objects hold.
func schema2Bodies() map[string][]byte {
	big := make([]byte, chunkSize+7)
	for i := range big {
		big[i] = byte(i * 7)
	}
	return map[string][]byte{
		"photos/small": []byte("hello photos"), "photos/big": big, "photos/cold": []byte("cold"),
		"logs/tmp/a": []byte("temporary"), "logs/keep": []byte("kept"),
	}
}

// checkMigrated opens the migrated fixture at path and checks that it
// answers as the coldstore of schema 2 did, plus the CRC-64s it now keeps,
// and that its indexes came along.
func checkMigrated(t *testing.T, path string, want map[string]json.RawMessage) {
	t.Helper()
	ctx := context.Background()
	var now time.Time
	require.NoError(t, json.Unmarshal(want["now"], &now))
	m := clock.NewMock()
	m.Set(now)
	db, err := Open(path, &Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Check(ctx), "sound after its migration")
	require.NoError(t, db.store.View(context.Background(), func(tx kv.Tx) error {
		require.Equal(t, uint32(schemaVersion), binary.BigEndian.Uint32(tx.Bucket(bktMeta).Get(keyVersion)))
		return nil
	}))
	for _, b := range []string{"photos", "logs"} {
		u, err := db.Usage(ctx, b)
		require.NoError(t, err)
		require.Zero(t, u.MultipartUploads+u.MultipartParts)
		require.Empty(t, u.MultipartBytes)
		u.MultipartBytes = nil // fields schema 2's snapshot does not have
		got, err := json.Marshal(u)
		require.NoError(t, err)
		require.JSONEq(t, string(want["usage/"+b]), string(got), "the meter of %s came along", b)
	}
	for name, body := range schema2Bodies() {
		bucket, key, _ := bytes.Cut([]byte(name), []byte("/"))
		var before ObjectInfo
		require.NoError(t, json.Unmarshal(want[name], &before))
		oi, err := db.Head(ctx, string(bucket), string(key))
		require.NoError(t, err)
		require.Equal(t, crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), oi.CRC64, name)
		oi.CRC64 = 0
		require.Equal(t, TypeNormal, oi.Type, name)
		oi.Type = ""
		oi.Expiration = LifecycleExpiration{} // a field schema 2's snapshot does not have
		require.Equal(t, before, oi, "%s answers as before", name)
		if oi.Restore.State == Archived || oi.Restore.State == Restoring {
			continue
		}
		obj, err := db.Get(ctx, string(bucket), string(key))
		require.NoError(t, err)
		got, err := io.ReadAll(obj)
		require.NoError(t, err)
		require.Equal(t, body, got, name)
		require.NoError(t, obj.Close())
	}
	m.Add(31 * 24 * time.Hour)
	lc, err := db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, lc.Expired, "the due index came along: tmp/a expires at day 30")
	sw, err := db.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, sw.Expired, "the expiry index came along")
	require.NoError(t, db.Check(ctx))
}

func TestOpen_MigratesSchema2(t *testing.T) {
	path, want := schema2Fixture(t)
	checkMigrated(t, path, want)
}

// TestOpen_MigrationRebuildsTheDueIndex: schema 2 wrapped Days past
// 106,751 into the past and wrote due entries there; the migration builds
// the due index anew, so a wrong entry does not survive it.
func TestOpen_MigrationRebuildsTheDueIndex(t *testing.T) {
	path, want := schema2Fixture(t)
	bdb, err := boltkv.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(context.Background(), func(tx kv.Tx) error {
		due := tx.Bucket(bktDue).Bucket([]byte("logs"))
		k := binary.BigEndian.AppendUint64(nil, uint64(time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()))
		return due.Put(append(k, "keep"...), nil) // "keep" matches no rule
	}))
	require.NoError(t, bdb.Close())
	checkMigrated(t, path, want) // Check finds no stray due entry; tmp/a still expires on time
}

func TestOpen_FailedSchema2MigrationChangesNothing(t *testing.T) {
	path, _ := schema2Fixture(t)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	bdb, err := boltkv.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(context.Background(), func(tx kv.Tx) error {
		return objectsBucket(tx, "photos").Put([]byte("broken"), []byte{1, 2, 3})
	}))
	require.NoError(t, bdb.Close())
	harmed, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEqual(t, before, harmed)

	_, err = Open(path, &Options{DisableSweeper: true})
	require.ErrorIs(t, err, ErrCorrupt)
	require.ErrorContains(t, err, `"broken"`)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, harmed, after, "a failed migration leaves the file as it was")
}

// A file of schema 3 opens as schema 4: only its version is written.
func TestOpen_Schema3(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "three.db")
	db, err := Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader([]byte("three")), nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s, err := boltkv.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Update(ctx, func(tx kv.Tx) error {
		return tx.Bucket(bktMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, 3))
	}))
	require.NoError(t, s.Close())

	db, err = Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.store.View(ctx, func(tx kv.Tx) error {
		require.Equal(t, uint32(schemaVersion), binary.BigEndian.Uint32(tx.Bucket(bktMeta).Get(keyVersion)))
		return nil
	}))
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	require.Equal(t, "three", string(got))
	require.NoError(t, db.Check(ctx))
}
