package engine

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// toSchema1 rewrites a closed database in the layout of schema 1: every
// bucket's objects nested in one "objects" bucket, its meter beside them
// under <name>\x00meter.
func toSchema1(t *testing.T, path string) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer bdb.Close()
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		objs, err := tx.CreateBucket(schema1Objects)
		if err != nil {
			return err
		}
		var names []string
		_ = tx.Bucket(bktBuckets).ForEach(func(k, _ []byte) error { names = append(names, string(k)); return nil })
		for _, name := range names {
			nested, err := objs.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			if err := objectsBucket(tx, name).ForEach(func(k, v []byte) error { return nested.Put(k, v) }); err != nil {
				return err
			}
			if err := objs.Put([]byte(name+meterSuffix), loadMeter(tx, name)); err != nil {
				return err
			}
			if err := tx.DeleteBucket(objectsName(name)); err != nil {
				return err
			}
			if err := tx.DeleteBucket(meterName(name)); err != nil {
				return err
			}
		}
		return tx.Bucket(bktMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, 1))
	}))
}

func TestOpen_MigratesSchema1(t *testing.T) {
	path, want := schema2Fixture(t)
	toSchema1(t, path)
	checkMigrated(t, path, want) // schema 1 to 2, then 2 to 3
	bdb, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer bdb.Close()
	require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
		require.Nil(t, tx.Bucket(schema1Objects), "schema 1's objects bucket is gone")
		return nil
	}))
}

func TestOpen_BadSchemaVersions(t *testing.T) {
	for name, tc := range map[string]struct {
		harm func(tx *bolt.Tx) error
		want string
	}{
		"version 0": {func(tx *bolt.Tx) error {
			return tx.Bucket(bktMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, 0))
		}, "schema version 0"},
		"schema 1 with a stray key": {func(tx *bolt.Tx) error {
			return tx.Bucket(schema1Objects).Put([]byte("stray"), []byte("x"))
		}, `unexpected key "stray"`},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			db, err := Open(path, &Options{DisableSweeper: true})
			require.NoError(t, err)
			require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
			require.NoError(t, db.Close())
			toSchema1(t, path)
			bdb, err := bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			require.NoError(t, bdb.Update(tc.harm))
			require.NoError(t, bdb.Close())

			_, err = Open(path, &Options{DisableSweeper: true})
			require.ErrorIs(t, err, ErrCorrupt)
			require.ErrorContains(t, err, tc.want)
			bdb, err = bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			defer bdb.Close()
			require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
				require.NotNil(t, tx.Bucket(schema1Objects), "a failed migration changes nothing")
				return nil
			}))
		})
	}
}
