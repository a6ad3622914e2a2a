// Package pgtest gives tests a PostgreSQL to run pgkv on: a schema of its
// own, on the server that COLDSTORE_TEST_PG names, for each name asked.
// scripts/with-postgres starts a throwaway server and sets the variable;
// .ci/run runs the tests under it.
package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that names the server, as a postgres:// URL.
const Env = "COLDSTORE_TEST_PG"

// Server returns the URL of the test server. It fails the test, saying how
// to get one, when Env is unset: a test that needs PostgreSQL never skips.
func Server(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		t.Fatalf("pgtest: %s is not set: this test needs a PostgreSQL server it may create schemas on. "+
			"Run the tests under scripts/with-postgres (it starts a throwaway server from Debian's postgresql package: "+
			"apt-get install postgresql), as .ci/run does, or set %s to a server's postgres:// URL", Env, Env)
	}
	return u
}

// URL returns a URL of the test server whose search_path is a schema for
// name (SchemaURL), failing the test when there is none.
func URL(t testing.TB, name string) string {
	t.Helper()
	Server(t)
	u, err := SchemaURL(name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// SchemaURL returns a URL of the server Env names whose search_path is a
// schema for name, created when missing, so that tables made through it
// are name's alone. The same name gives the same schema, in this process
// and in a child one; a schema is never dropped here (a test's names are
// its temporary directories, unique to it).
func SchemaURL(name string) (string, error) {
	base := os.Getenv(Env)
	if base == "" {
		return "", fmt.Errorf("%s is not set", Env)
	}
	sum := sha256.Sum256([]byte(name))
	schema := "t_" + hex.EncodeToString(sum[:10])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect to %s (%s): %w", Env, base, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil && !strings.Contains(err.Error(), "23505") {
		return "", fmt.Errorf("create schema: %w", err)
	}
	return WithSchema(base, schema), nil
}

// WithSchema returns base with its search_path set to schema.
func WithSchema(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
