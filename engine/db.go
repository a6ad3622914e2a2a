package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// DB is an open coldstore database: a store (one bbolt file by default, see
// package kv), the injected clock and, unless disabled, one background
// goroutine that sweeps expired restores. All methods are safe for
// concurrent use. Writes are serializable transactions of the store; reads
// never block writes.
//
// Beside the errors each method lists, every method that reads an object's
// record returns an error wrapping coldstore.ErrDataCorrupt when the record
// fails its checksum; every method that writes returns one wrapping
// coldstore.ErrInsufficientStorage when the disk is full,
// coldstore.ErrUnavailable when a remote store (PostgreSQL) cannot be
// reached or cannot commit, ErrStorage for another failure of the store, and coldstore.ErrInvalidArgument while the
// clock reads outside [coldstore.MinTime, coldstore.MaxTime]. None of them
// changes anything.
type DB struct {
	store   kv.Store
	opts    Options
	clock   clock.Clock
	dialect dialect.Dialect
	cat     *storageclass.Catalog
	// defaultType is the dialect's content type for an object stored
	// without one (contentType).
	defaultType string
	// ruleSet holds the catalog's rules, looked up once at Open: the hot
	// paths read them without copying.
	ruleSet map[storageclass.Class]*storageclass.Rules

	// calls counts the calls using the file, so Close waits for them and
	// no call starts on a closed file (calls.go).
	calls     calls
	closeOnce sync.Once
	closeErr  error

	live    liveBuckets // per bucket: access monitor on, reads not yet stored (live.go)
	events  hub         // the subscriptions to committed changes (events.go)
	configs configCache // parsed lifecycle configurations
	// lifecycles is false while no bucket has had a lifecycle
	// configuration since Open (always true over a shared store): reads
	// then skip looking for one (expiration, in object.go).
	lifecycles atomic.Bool

	sweeping sync.Mutex // one Sweep at a time: completions are told once

	// cluster is the store when several processes share it: the meter
	// is kept as deltas (meterdelta.go) and background work runs on the
	// leader (loop.go). nil for a store of one process.
	cluster kv.Cluster
	node    [8]byte           // this process's part of its delta keys
	deltas  atomic.Uint64     // the delta keys it made
	leading atomic.Bool       // this process leads the cluster's background work
	stripes [64]chan struct{} // writers of one bucket take turns in this process (writeWith)

	// files is the folder of large bodies beside a local store
	// (bodyfiles.go); nil for a store that is not kv.Local.
	files *bodyFiles

	cancel context.CancelFunc
	loop   sync.WaitGroup
	wake   chan struct{} // poked when a write sets an expiry earlier than armed
	armed  atomic.Int64  // UnixMicro the loop sleeps until; 0 while it is not sleeping
}

// Errors about the database itself. They are wrapped in a *coldstore.OpError
// naming the operation and, for Open, the path. The store's own are the
// kv package's, under the same names.
var (
	// ErrNotDatabase is returned by Open for a file that is not a coldstore
	// database: empty, random bytes, or another program's bbolt file.
	ErrNotDatabase = kv.ErrNotDatabase
	// ErrCorrupt is returned by Open for a damaged database file, and by
	// Check for every broken invariant it finds.
	ErrCorrupt = kv.ErrCorrupt
	// ErrNewerSchema is returned by Open for a database written by a newer
	// coldstore with a schema this version does not know.
	ErrNewerSchema = kv.ErrNewerSchema
	// ErrWrongDialect is returned by Open for a database of another
	// dialect than Options.Dialect: its classes and rules are not the
	// ones the database was written with.
	ErrWrongDialect = errors.New("database is of another dialect")
	// ErrLocked is returned by Open when another process holds the file's
	// lock for longer than Options.OpenTimeout.
	ErrLocked = kv.ErrLocked
	// ErrStorage wraps a failure of the store (I/O, bbolt, the network). Its
	// text is kept in the OpError's Detail; the store's own errors never
	// leak.
	ErrStorage = kv.ErrStorage
	// ErrReplaced is returned by a reader of a multi-chunk object whose
	// object was replaced or deleted while it was being read, rather than
	// a mix of two versions.
	ErrReplaced = errors.New("object replaced or deleted during the read")
)

// fail returns the typed error of a broken rule.
func fail(op, bucket, key string, sentinel error, format string, args ...any) error {
	return &coldstore.OpError{Op: op, Bucket: bucket, Key: key, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

// wrap gives err the operation's context, once: typed errors, context errors
// and io.EOF pass through; a store out of reach (kv.ErrUnavailable) becomes
// coldstore.ErrUnavailable; a full disk (ENOSPC, EDQUOT) becomes
// coldstore.ErrInsufficientStorage; anything else (bbolt, I/O) becomes
// ErrStorage. The text of err is kept as the detail.
func wrap(op, bucket, key string, err error) error {
	if err == nil {
		return nil
	}
	var oe *coldstore.OpError
	if errors.As(err, &oe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, kv.ErrUnavailable) {
		return &coldstore.OpError{Op: op, Bucket: bucket, Key: key, Err: coldstore.ErrUnavailable, Detail: err.Error()}
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return &coldstore.OpError{Op: op, Bucket: bucket, Key: key, Err: coldstore.ErrInsufficientStorage, Detail: err.Error()}
	}
	return &coldstore.OpError{Op: op, Bucket: bucket, Key: key, Err: ErrStorage, Detail: err.Error()}
}

// acquire starts a call: it returns the context's error if it is done, and
// ErrClosed after Close. On success the caller must call db.release.
func (db *DB) acquire(ctx context.Context, op, bucket, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !db.calls.enter() {
		return &coldstore.OpError{Op: op, Bucket: bucket, Key: key, Err: coldstore.ErrClosed}
	}
	return nil
}

func (db *DB) release() { db.calls.leave() }

// update runs fn in one write transaction of its own and wraps its error.
// fn may run more than once (kv.Store).
func (db *DB) update(ctx context.Context, op, bucket, key string, fn func(tx kv.Tx) error) error {
	return wrap(op, bucket, key, db.store.Update(ctx, fn))
}

// view runs fn in one read transaction and wraps its error.
func (db *DB) view(ctx context.Context, op, bucket, key string, fn func(tx kv.Tx) error) error {
	return wrap(op, bucket, key, db.store.View(ctx, fn))
}

// Catalog returns the storage classes the database was opened with
// (Options.Catalog, or its dialect's): the names a front parses and the
// rules a caller may look up.
func (db *DB) Catalog() *storageclass.Catalog { return db.cat }

// Dialect returns the archive service whose rules the database follows.
func (db *DB) Dialect() dialect.Dialect { return db.dialect }

// rules returns the rules of a stored class. A class the catalog lacks
// means the file was written with another catalog: ErrCorrupt.
func (db *DB) rules(op, bucket, key string, c storageclass.Class) (*storageclass.Rules, error) {
	r, ok := db.ruleSet[c]
	if !ok {
		return nil, fail(op, bucket, key, ErrCorrupt, "stored class %q is not in the catalog", c)
	}
	return r, nil
}

// ruleSetOf reads every class of cat once.
func ruleSetOf(cat *storageclass.Catalog) map[storageclass.Class]*storageclass.Rules {
	m := make(map[storageclass.Class]*storageclass.Rules)
	for _, c := range cat.Classes() {
		r, err := cat.Rules(c)
		if err == nil {
			m[c] = &r
		}
	}
	return m
}

func isNoSuchKey(err error) bool { return errors.Is(err, coldstore.ErrNoSuchKey) }

// objectsMissing is the error for a bucket that does not exist.
func objectsMissing(op, bucket, key string) error {
	return fail(op, bucket, key, coldstore.ErrNoSuchBucket, "bucket %q does not exist", bucket)
}

// Close stops the background loop and waits for it, refuses new calls,
// waits for the calls in flight, stores the read requests counted in
// memory, and closes the file. It is idempotent: a second Close returns
// nil. Every call that starts after Close began, including a read of an
// Object returned before, returns an error wrapping coldstore.ErrClosed; a
// call in flight that reads from such an Object (a Put copying a Get)
// therefore fails rather than keep Close waiting. A call in flight that
// waits on something else (a Put whose reader stalls) keeps Close waiting
// until it ends: its context is checked between reads, so a read that
// never returns must be made to fail (close the pipe, set a deadline). A
// subscription's Next returns ErrClosed once it has handed out the events
// queued before.
func (db *DB) Close() error {
	first := false
	db.closeOnce.Do(func() {
		first = true
		db.cancel()
		db.loop.Wait()
		db.calls.close()
		db.events.close()
		if err := db.flushReads(); err != nil {
			db.opts.Logger.Error("coldstore: storing read counts", "err", err)
		}
		db.closeErr = wrap("Close", "", "", db.store.Close())
		if db.files != nil {
			db.files.close()
		}
	})
	if !first {
		return nil
	}
	return db.closeErr
}
