package engine_test

import (
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/engine"
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
