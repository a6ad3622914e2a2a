package boltkv_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// schema2File copies the engine's fixture of schema 2 (a file written by
// the last coldstore of schema 2) to a temporary path, and returns it with
// the instant that coldstore's answers were taken at.
func schema2File(t *testing.T) (string, time.Time) {
	t.Helper()
	b, err := os.ReadFile("../../engine/testdata/schema2/schema2.db")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "old.db")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	j, err := os.ReadFile("../../engine/testdata/schema2/schema2.json")
	require.NoError(t, err)
	var want struct{ Now time.Time }
	require.NoError(t, json.Unmarshal(j, &want))
	return path, want.Now
}

// toSchema1 rewrites a closed database in the layout of schema 1: every
// bucket's objects nested in one "objects" bucket, its meter beside them
// under <name>\x00meter.
func toSchema1(t *testing.T, path string) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer bdb.Close()
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		objs, err := tx.CreateBucket([]byte("objects"))
		if err != nil {
			return err
		}
		var names []string
		_ = tx.Bucket([]byte("buckets")).ForEach(func(k, _ []byte) error { names = append(names, string(k)); return nil })
		for _, name := range names {
			nested, err := objs.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			if err := tx.Bucket([]byte("objects/" + name)).ForEach(func(k, v []byte) error { return nested.Put(k, v) }); err != nil {
				return err
			}
			if err := objs.Put([]byte(name+"\x00meter"), tx.Bucket([]byte("objects/"+name+"\x00meter")).Get([]byte("m"))); err != nil {
				return err
			}
			if err := tx.DeleteBucket([]byte("objects/" + name)); err != nil {
				return err
			}
			if err := tx.DeleteBucket([]byte("objects/" + name + "\x00meter")); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("version"), binary.BigEndian.AppendUint32(nil, 1))
	}))
}

// dump opens the database at path at the instant now and returns
// everything it answers: every bucket's usage, every object's information
// and readable body, and what a lifecycle pass and a sweep a month later do.
func dump(t *testing.T, path string, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	m := clock.NewMock()
	m.Set(now)
	db, err := engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Check(ctx))
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	buckets, err := db.ListBuckets(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, buckets)
	for _, b := range buckets {
		u, err := db.Usage(ctx, b.Name)
		require.NoError(t, err)
		require.NoError(t, enc.Encode(u))
		page, err := db.List(ctx, b.Name, nil)
		require.NoError(t, err)
		require.NotEmpty(t, page.Objects)
		for _, oi := range page.Objects {
			require.NoError(t, enc.Encode(oi))
			obj, err := db.Get(ctx, b.Name, oi.Key)
			if err != nil {
				require.NoError(t, enc.Encode(err.Error()))
				continue
			}
			body, err := io.ReadAll(obj)
			require.NoError(t, err)
			require.NoError(t, obj.Close())
			out.Write(body)
		}
	}
	m.Add(31 * 24 * time.Hour)
	lc, err := db.RunLifecycle(ctx)
	require.NoError(t, err)
	sw, err := db.Sweep(ctx)
	require.NoError(t, err)
	require.NoError(t, enc.Encode([]any{lc, sw.Expired}))
	require.NoError(t, db.Check(ctx))
	return out.String()
}

// A file of schema 1 opens as the same file of schema 2 does: its layout
// is moved here, its encodings by the engine.
func TestOpen_MigratesSchema1(t *testing.T) {
	two, now := schema2File(t)
	one, _ := schema2File(t)
	toSchema1(t, one)
	require.Equal(t, dump(t, two, now), dump(t, one, now))
	bdb, err := bolt.Open(one, 0o600, nil)
	require.NoError(t, err)
	defer bdb.Close()
	require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
		require.Nil(t, tx.Bucket([]byte("objects")), "schema 1's objects bucket is gone")
		return nil
	}))
}

func TestOpen_BadSchemaVersions(t *testing.T) {
	for name, tc := range map[string]struct {
		harm func(tx *bolt.Tx) error
		want string
	}{
		"version 0": {func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("version"), binary.BigEndian.AppendUint32(nil, 0))
		}, "schema version 0"},
		"schema 1 with a stray key": {func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("objects")).Put([]byte("stray"), []byte("x"))
		}, `unexpected key "stray"`},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			db, err := engine.Open(path, &engine.Options{DisableSweeper: true})
			require.NoError(t, err)
			require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
			require.NoError(t, db.Close())
			toSchema1(t, path)
			bdb, err := bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			require.NoError(t, bdb.Update(tc.harm))
			require.NoError(t, bdb.Close())

			_, err = engine.Open(path, &engine.Options{DisableSweeper: true})
			require.ErrorIs(t, err, engine.ErrCorrupt)
			require.ErrorContains(t, err, tc.want)
			bdb, err = bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			defer bdb.Close()
			require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
				require.NotNil(t, tx.Bucket([]byte("objects")), "a failed migration changes nothing")
				return nil
			}))
		})
	}
}
