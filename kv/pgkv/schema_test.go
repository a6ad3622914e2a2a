package pgkv_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/pgkv"
	"github.com/coldstore-dev/coldstore/kv/pgkv/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func exec(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), sql)
	require.NoError(t, err)
}

// Open creates the tables once; a layout of a newer coldstore is refused,
// and so is a table of that name that is not coldstore's.
func TestOpen_Layout(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t, t.TempDir())
	s, err := pgkv.Open(ctx, url, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s, err = pgkv.Open(ctx, url, nil)
	require.NoError(t, err, "a second Open finds the tables")
	require.NoError(t, s.Close())

	exec(t, url, "UPDATE coldstore_meta SET version = 99")
	_, err = pgkv.Open(ctx, url, nil)
	require.ErrorIs(t, err, kv.ErrNewerSchema)

	other := pgtest.URL(t, t.TempDir())
	exec(t, other, "CREATE TABLE coldstore_meta (name text)")
	_, err = pgkv.Open(ctx, other, nil)
	require.ErrorIs(t, err, kv.ErrNotDatabase)
}

// A server that cannot be reached is ErrUnavailable at Open.
func TestOpen_Unreachable(t *testing.T) {
	ctx := context.Background()
	_, err := pgkv.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", nil)
	require.ErrorIs(t, err, kv.ErrUnavailable)
}

// A server that accepts the connection and never answers is ErrUnavailable
// once Options.ConnectTimeout passes.
func TestOpen_Silent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	url := "postgres://nobody@" + ln.Addr().String() + "/none?sslmode=disable"
	_, err = pgkv.Open(context.Background(), url, &pgkv.Options{ConnectTimeout: 300 * time.Millisecond})
	require.ErrorIs(t, err, kv.ErrUnavailable)
}
