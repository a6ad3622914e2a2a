package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/boltkv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func openAt(t *testing.T, path string, m *clock.Mock) *engine.DB {
	t.Helper()
	db, err := engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	return db
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	m := clock.NewMock()
	m.Set(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	db := openAt(t, path, m)
	require.NoError(t, db.CreateBucket(ctx, "bkt", &engine.BucketOptions{StorageClass: storageclass.IA}))
	big := randomBytes(1<<20+3, 7)
	_, err := db.Put(ctx, "bkt", "big", bytes.NewReader(big), &engine.PutOptions{StorageClass: storageclass.ColdArchive, Metadata: map[string]string{"a": "b"}, ContentType: "image/png"})
	require.NoError(t, err)
	_, err = db.Put(ctx, "bkt", "small", strings.NewReader("small"), nil)
	require.NoError(t, err)
	_, err = db.Restore(ctx, "bkt", "big", &engine.RestoreOptions{Days: 2, Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	headBig, err := db.Head(ctx, "bkt", "big")
	require.NoError(t, err)
	headSmall, err := db.Head(ctx, "bkt", "small")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db = openAt(t, path, m)
	defer db.Close()
	require.NoError(t, db.Check(ctx))
	got, err := db.Head(ctx, "bkt", "big")
	require.NoError(t, err)
	require.Equal(t, headBig, got)
	got, err = db.Head(ctx, "bkt", "small")
	require.NoError(t, err)
	require.Equal(t, headSmall, got)
	require.Equal(t, storageclass.IA, got.StorageClass, "bucket default class survived")

	m.Add(time.Hour)
	obj, err := db.Get(ctx, "bkt", "big")
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = buf.ReadFrom(obj)
	require.NoError(t, err)
	require.Equal(t, big, buf.Bytes())
	res, err := db.Sweep(ctx)
	require.NoError(t, err)
	require.True(t, res.Next.Equal(headBig.Restore.ExpiresAt), "the expiry index survived")
}

func TestOpen_BadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	// A valid coldstore file, truncated: the body in it (SingleFile), so
	// that cuts land in its pages too.
	good := filepath.Join(dir, "good.db")
	db, err := engine.Open(good, &engine.Options{DisableSweeper: true, SingleFile: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	body := randomBytes(3<<20, 3)
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	full, err := os.ReadFile(good)
	require.NoError(t, err)

	// Another program's bbolt file.
	foreign := filepath.Join(dir, "foreign.db")
	bdb, err := boltkv.Open(foreign, nil) // a bbolt file with a bucket of its own
	require.NoError(t, err)
	require.NoError(t, bdb.Update(ctx, func(tx kv.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err }))
	require.NoError(t, bdb.Close())

	cases := []struct {
		name string
		path string
		want error
	}{
		{"empty", write("empty.db", nil), engine.ErrNotDatabase},
		{"random", write("random.db", randomBytes(64<<10, 9)), engine.ErrNotDatabase},
		{"text", write("text.db", []byte(strings.Repeat("hello world\n", 1000))), engine.ErrNotDatabase},
		{"truncated-header", write("trunc1.db", full[:100]), engine.ErrCorrupt},
		{"truncated-half", write("trunc2.db", full[:len(full)/2]), engine.ErrCorrupt},
		{"foreign-bbolt", foreign, engine.ErrNotDatabase},
		{"directory", dir, engine.ErrNotDatabase},
	}
	for i, cut := range []int{1, 16, 80, 4095, 4096, 4097, 8192, 3 * 4096, 100_000, len(full) / 3, len(full) - 4096, len(full) - 1} {
		cases = append(cases, struct {
			name string
			path string
			want error
		}{fmt.Sprintf("cut-at-%d", cut), write(fmt.Sprintf("cut%d.db", i), full[:cut]), nil})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, err := engine.Open(tc.path, &engine.Options{DisableSweeper: true, OpenTimeout: 100 * time.Millisecond})
			t.Logf("Open: %v", err)
			if err == nil { // cut past the pages in use: the database is whole
				defer db.Close()
				require.NoError(t, db.Check(ctx))
				obj, err := db.Get(ctx, "bkt", "k")
				require.NoError(t, err)
				got, err := io.ReadAll(obj)
				require.NoError(t, err)
				require.Equal(t, body, got)
				return
			}
			var oe *coldstore.OpError
			require.True(t, errors.As(err, &oe), "typed error: %v", err)
			require.Equal(t, "Open", oe.Op)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			} else {
				require.True(t, errors.Is(err, engine.ErrCorrupt) || errors.Is(err, engine.ErrNotDatabase), "%v", err)
			}
		})
	}
}

func TestOpen_NewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := engine.Open(path, &engine.Options{DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	bdb, err := boltkv.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(ctx, func(tx kv.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("version"), []byte{0, 0, 0, 99})
	}))
	require.NoError(t, bdb.Close())
	_, err = engine.Open(path, nil)
	require.ErrorIs(t, err, engine.ErrNewerSchema)
	require.Contains(t, err.Error(), "99")
}

func TestOpen_Locked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := engine.Open(path, &engine.Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	// A second open takes its own flock, as another process would.
	_, err = engine.Open(path, &engine.Options{DisableSweeper: true, OpenTimeout: 50 * time.Millisecond})
	require.ErrorIs(t, err, engine.ErrLocked)
}

func TestClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := engine.Open(path, nil) // the wall clock and the sweeper on
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "k", strings.NewReader("x"), nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	require.NoError(t, db.Close(), "Close is idempotent")

	calls := map[string]error{}
	calls["CreateBucket"] = db.CreateBucket(ctx, "new", nil)
	calls["DeleteBucket"] = db.DeleteBucket(ctx, "bkt")
	_, calls["ListBuckets"] = db.ListBuckets(ctx)
	_, calls["Put"] = db.Put(ctx, "bkt", "k", strings.NewReader("x"), nil)
	_, calls["Get"] = db.Get(ctx, "bkt", "k")
	_, calls["Head"] = db.Head(ctx, "bkt", "k")
	calls["Delete"] = db.Delete(ctx, "bkt", "k")
	_, calls["List"] = db.List(ctx, "bkt", nil)
	_, calls["Restore"] = db.Restore(ctx, "bkt", "k", nil)
	calls["CleanRestored"] = db.CleanRestored(ctx, "bkt", "k")
	_, calls["SetStorageClass"] = db.SetStorageClass(ctx, "bkt", "k", storageclass.IA)
	_, calls["Sweep"] = db.Sweep(ctx)
	calls["Check"] = db.Check(ctx)
	calls["PutBucketLifecycle"] = db.PutBucketLifecycle(ctx, "bkt", &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true, Expiration: &lifecycle.Expiration{Days: 1}}}})
	_, calls["GetBucketLifecycle"] = db.GetBucketLifecycle(ctx, "bkt")
	calls["DeleteBucketLifecycle"] = db.DeleteBucketLifecycle(ctx, "bkt")
	calls["SetAccessMonitor"] = db.SetAccessMonitor(ctx, "bkt", true)
	_, calls["RunLifecycle"] = db.RunLifecycle(ctx)
	_, calls["Usage"] = db.Usage(ctx, "bkt")
	for name, err := range calls {
		require.ErrorIs(t, err, coldstore.ErrClosed, name)
		require.Equal(t, "Closed", coldstore.Code(err), name)
	}
	// The file is free again.
	db, err = engine.Open(path, &engine.Options{DisableSweeper: true, OpenTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, db.Close())
}

func TestOpen_OptionsNotMutated(t *testing.T) {
	opts := &engine.Options{DisableSweeper: true}
	db, err := engine.Open(filepath.Join(t.TempDir(), "c.db"), opts)
	require.NoError(t, err)
	defer db.Close()
	require.Equal(t, engine.Options{DisableSweeper: true}, *opts)
}
