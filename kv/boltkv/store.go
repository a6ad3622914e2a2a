// Package boltkv is the kv store on one bbolt file: coldstore's default,
// embedded store. It keeps on its side of the seam what is bbolt's: group
// commit of Batch calls (batch.go), reuse of read transactions between
// commits (readtx.go), the check of a file's pages before bbolt maps it
// (fileheader.go, pagecheck.go) and the migration of the file layouts older
// than coldstore's schema 2 (migrate.go).
//
// kv buckets are bbolt buckets, keys and values are stored as given: the
// file is exactly what the engine wrote before the seam existed.
package boltkv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Options configure Open. The zero value is ready to use.
type Options struct {
	// Timeout bounds the wait for another process's lock on the file; 0
	// means 1 s.
	Timeout time.Duration
	// NoSync skips fsync after each commit: faster, and a crash of the
	// machine (not of the process) may lose the last commits.
	NoSync bool
}

// Store is a kv.Store on a bbolt file. It is safe for concurrent use.
type Store struct {
	db      *bolt.DB
	commits committer // group commit of Batch calls
	readTxs readTxs   // read transactions reused between commits

	closeOnce sync.Once
	closeErr  error
}

var (
	_ kv.Store = (*Store)(nil)
	_ kv.Local = (*Store)(nil)
)

// Synced reports whether commits are fsynced: Options.NoSync off
// (kv.Local).
func (s *Store) Synced() bool { return !s.db.NoSync }

// Open opens the bbolt file at path, creating it when it does not exist.
//
// It returns an error wrapping kv.ErrNotDatabase for a directory, an empty
// file or a file that is not bbolt's; kv.ErrCorrupt for a damaged file (its
// pages are checked before bbolt reads them: bbolt trusts them, and would
// crash the process); kv.ErrLocked when another process holds the file
// longer than opts.Timeout; and kv.ErrStorage when the file cannot be read
// or written. It never panics on a bad file.
//
// A file holding a coldstore database of schema 1 is brought to schema 2's
// layout, in one transaction (migrate.go).
func Open(path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout == 0 {
		o.Timeout = time.Second
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return nil, fail(kv.ErrNotDatabase, "%s is a directory", path)
		}
		if fi.Size() == 0 {
			return nil, fail(kv.ErrNotDatabase, "%s is an empty file", path)
		}
	}
	if err := checkFileHeader(path); err != nil {
		return nil, err
	}
	bdb, err := openBolt(path, &o)
	if err != nil {
		return nil, err
	}
	s := &Store{db: bdb}
	if err := s.migrateLayout(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return s, nil
}

// fail returns a typed error of Open.
func fail(sentinel error, format string, args ...any) error {
	return &coldstore.OpError{Op: "Open", Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

// openBolt opens the bbolt file, turning its errors and panics on damaged
// files into typed errors.
func openBolt(path string, o *Options) (bdb *bolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			bdb, err = nil, fail(kv.ErrCorrupt, "%s: %v", path, p)
		}
	}()
	bdb, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout, NoSync: o.NoSync, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fail(kv.ErrLocked, "%s: still locked after %v", path, o.Timeout)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fail(kv.ErrNotDatabase, "%s: %v", path, err)
	case errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrInvalidMapping):
		return nil, fail(kv.ErrCorrupt, "%s: %v", path, err)
	default:
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fail(kv.ErrStorage, "%v", err)
		}
		return nil, fail(kv.ErrCorrupt, "%s: %v", path, err)
	}
}

// Path returns the file's path (kv.Local).
func (s *Store) Path() string { return s.db.Path() }

// Update runs fn in a bbolt write transaction of its own. See kv.Store.
func (s *Store) Update(ctx context.Context, fn func(kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return kvError(s.update(func(tx *bolt.Tx) error { return fn((*boltTx)(tx)) }))
}

// Batch runs fn in a write transaction shared with concurrent Batch calls:
// one commit and one fsync for all of them (batch.go). See kv.Store.
func (s *Store) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return kvError(s.batch(func(tx *bolt.Tx) error { return fn((*boltTx)(tx)) }))
}

// View runs fn in a read transaction, reused from an earlier read when no
// commit happened since (readtx.go). See kv.Store.
func (s *Store) View(ctx context.Context, fn func(kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return kvError(s.view(func(tx *readTx) error { return fn(tx) }))
}

// Close retires the parked read transactions, waits for the transactions in
// flight and closes the file. A second Close returns nil.
func (s *Store) Close() error {
	first := false
	s.closeOnce.Do(func() {
		first = true
		s.readTxs.writing() // for good: retires the parked read transactions
		s.closeErr = kvError(s.db.Close())
	})
	if !first {
		return nil
	}
	return s.closeErr
}
