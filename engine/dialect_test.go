package engine_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// renamed is OSS's rules under another name: a dialect the database must
// tell from OSS.
type renamed struct{ dialect.Dialect }

func (renamed) Name() string { return "other" }

// A database records its dialect and refuses to open under another.
func TestOpen_WrongDialect(t *testing.T) {
	other := renamed{dialect.OSS()}
	for _, tc := range []struct {
		name          string
		create, later dialect.Dialect
	}{
		{"other as oss", other, nil},
		{"oss as other", nil, other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "d.db")
			db, err := engine.Open(path, &engine.Options{Dialect: tc.create, DisableSweeper: true})
			require.NoError(t, err)
			require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
			require.NoError(t, db.Close())

			_, err = engine.Open(path, &engine.Options{Dialect: tc.later, DisableSweeper: true})
			require.ErrorIs(t, err, engine.ErrWrongDialect)

			db, err = engine.Open(path, &engine.Options{Dialect: tc.create, DisableSweeper: true})
			require.NoError(t, err, "the refusal changed nothing")
			_, err = db.ListBuckets(ctx)
			require.NoError(t, err)
			require.NoError(t, db.Close())
		})
	}
}

// midnight is OSS's rules but for two: keys of at most five bytes, and a
// restored copy that expires at the midnight (UTC) after ReadyAt + Days,
// as S3's does.
type midnight struct{ dialect.Dialect }

func (midnight) Name() string { return "midnight" }

func (m midnight) CheckKey(key string) error {
	if len(key) > 5 {
		return &coldstore.OpError{Err: coldstore.ErrInvalidObjectName, Detail: "longer than 5 bytes"}
	}
	return m.Dialect.CheckKey(key)
}

func (m midnight) Restore(r dialect.RestoreRequest) (dialect.RestoreDecision, error) {
	d, err := m.Dialect.Restore(r)
	if err == nil && d.Accepted && d.Retrieval {
		if t := d.Copy.ExpiresAt; !t.Equal(t.Truncate(24 * time.Hour)) {
			d.Copy.ExpiresAt = t.Truncate(24 * time.Hour).Add(24 * time.Hour)
		}
	}
	return d, err
}

// The engine's rules are the dialect's: its names and its restore
// arithmetic, not OSS's, in every place they apply.
func TestDialect_RulesAreTheDialects(t *testing.T) {
	db, clk := enginetest.New(t, &engine.Options{Dialect: midnight{dialect.OSS()}})
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err := db.Put(ctx, "bkt", "toolong", strings.NewReader("x"), nil)
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectName)
	var oe *coldstore.OpError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "Put", oe.Op, "the engine names the operation of a dialect's refusal")
	_, err = db.Head(ctx, "bkt", "toolong")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectName)

	_, err = db.Put(ctx, "bkt", "k", strings.NewReader("cold"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	clk.Add(90 * time.Minute)
	res, err := db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: 1})
	require.NoError(t, err)
	require.Equal(t, enginetest.Epoch.Add(90*time.Minute+4*time.Hour), res.Restore.ReadyAt)
	require.Equal(t, enginetest.Epoch.Add(48*time.Hour), res.Restore.ExpiresAt, "rounded up to midnight")
	enginetest.Advance(t, db, clk, 40*time.Hour) // 41h30: past ReadyAt + Days, before the midnight
	oi, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, engine.Restored, oi.Restore.State)
	res2 := enginetest.Advance(t, db, clk, 7*time.Hour)
	require.Equal(t, 1, res2.Expired, "the sweeper expires the dialect's expiry")
}
