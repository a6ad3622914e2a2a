package pgkv

import (
	"context"
	"errors"
	"fmt"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// layoutVersion is the version of the tables this code reads and writes.
// A later version migrates from it in migrate, in one transaction.
const layoutVersion = 1

// lockMigrate is the advisory lock that serialises the processes creating
// or migrating the tables at once.
const lockMigrate = 0x636f6c6473746f01 // "coldsto" 01

var createTables = []string{
	`CREATE TABLE IF NOT EXISTS coldstore_meta (
		id int PRIMARY KEY CHECK (id = 1),
		version int NOT NULL,
		buckets bigint NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS coldstore_buckets (p bytea PRIMARY KEY)`,
	`CREATE TABLE IF NOT EXISTS coldstore_kv (
		p bytea NOT NULL,
		k bytea NOT NULL,
		v bytea,
		PRIMARY KEY (p, k))`,
	`CREATE TABLE IF NOT EXISTS coldstore_seq (p bytea PRIMARY KEY, n bigint NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS coldstore_clock (id int PRIMARY KEY CHECK (id = 1), t bigint NOT NULL)`,
}

// migrate creates the tables when they are missing and checks the
// version of those it finds, under an advisory lock so that processes
// starting together do not race.
func (s *Store) migrate(ctx context.Context) error {
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockMigrate)); err != nil {
			return err
		}
		for _, q := range createTables {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		var version int
		err := tx.QueryRow(ctx, "SELECT version FROM coldstore_meta WHERE id = 1").Scan(&version)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			_, err = tx.Exec(ctx, "INSERT INTO coldstore_meta (id, version, buckets) VALUES (1, $1, 0)", layoutVersion)
			return err
		case err != nil:
			return err
		case version > layoutVersion:
			return fmt.Errorf("%w: tables of layout %d; this coldstore reads up to %d", kv.ErrNewerSchema, version, layoutVersion)
		case version < 1:
			return fmt.Errorf("%w: coldstore_meta holds version %d", kv.ErrNotDatabase, version)
		}
		return nil
	})
	var pe *pgconn.PgError
	switch {
	case err == nil, errors.Is(err, kv.ErrNewerSchema), errors.Is(err, kv.ErrNotDatabase):
		return err
	case errors.As(err, &pe) && (pe.Code == "42703" || pe.Code == "42P01" || pe.Code == "42804"):
		// A table of that name without coldstore's columns.
		return fmt.Errorf("%w: %v", kv.ErrNotDatabase, err)
	}
	return classify(ctx, err)
}
