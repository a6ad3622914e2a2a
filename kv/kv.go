// Package kv is the storage seam under the engine: a store of ordered,
// bucketed keys and values with serializable read-write transactions. The
// engine's rules (restore, sweep, lifecycle, meter, put and get, check) are
// written against it and know nothing of the store beneath; a store knows
// nothing of them.
//
// The shape is bbolt's, so that bbolt implements it without a copy and
// without changing its file: a transaction opens buckets by name, a bucket
// holds keys in byte order and may hold nested buckets, a cursor walks a
// bucket. A remote store maps a bucket's path onto a key prefix or a table
// and a cursor onto range reads.
//
// Implementations: boltkv (a file; the default), memkv (memory: tests and
// simulations). Every implementation passes the conformance suites,
// kvtest (this contract) and engine/storetest (the engine over the store).
package kv

import (
	"context"
	"errors"
)

// Store is a transactional ordered key-value store.
//
// Transactions are serializable: a transaction sees every transaction that
// committed before it began and none that committed after, and its reads
// stay valid until it commits, or it is run again.
//
// # Functions may run more than once
//
// Update and Batch may run fn more than once before one run commits: a
// store that detects conflicts re-runs the loser, and a store that shares a
// transaction among Batch callers re-runs the others when one fails. So fn
// must be safe to re-run: it rebuilds its state from what it reads on each
// run, and publishes results only through variables that the last run
// overwrites (never appends to a caller's slice, never sends on a channel).
// Only the effects of the run that commits are kept.
//
// # Reads that fail
//
// Reads (Get, cursor moves) return no error, as bbolt's do. A store whose
// reads can fail (over a network) remembers the first failure, answers
// every later read of the transaction as empty, refuses its writes, and
// returns that failure from Update, Batch or View in place of fn's result,
// committing nothing. A caller therefore uses nothing fn computed unless the
// call returned nil.
type Store interface {
	// Update runs fn in a read-write transaction of its own and commits it
	// when fn returns nil; when fn returns an error, nothing fn wrote is
	// kept and Update returns fn's error. It returns ctx's error if ctx is
	// done before the transaction begins, and an error wrapping ErrClosed
	// after Close.
	Update(ctx context.Context, fn func(Tx) error) error
	// Batch is Update for small transactions that the store may combine
	// with concurrent Batch calls into one commit (group commit). fn gets
	// its own error back, and a failing fn is never applied to, nor seen
	// by, another caller's. A store without group commit runs it as Update.
	Batch(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction: one consistent snapshot,
	// which never blocks writers. Writes in it fail with ErrTxNotWritable.
	// It returns fn's error, ctx's error if ctx is done before the
	// transaction begins, and an error wrapping ErrClosed after Close.
	View(ctx context.Context, fn func(Tx) error) error
	// Close waits for the transactions in flight and releases the store.
	// Calls after Close fail with ErrClosed; a second Close returns nil.
	Close() error
}

// Tx is a transaction. It and everything it returns are valid only until
// fn returns; values and keys read from it must not be modified, and must
// be copied to be kept. A store never modifies a key, name or value it is
// given. It keeps nothing of the argument of a lookup (Bucket, Get, Seek)
// past the call, so a caller may reuse that buffer at once; it may keep
// the keys and values given to Put, and the names given to CreateBucket,
// until the transaction ends, so a caller must not modify them before.
type Tx interface {
	// Bucket returns the top-level bucket name, or nil when there is none.
	Bucket(name []byte) Bucket
	// CreateBucket creates the top-level bucket name. It returns
	// ErrBucketExists when there is one.
	CreateBucket(name []byte) (Bucket, error)
	// CreateBucketIfNotExists returns the top-level bucket name, creating
	// it when there is none.
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	// DeleteBucket removes the top-level bucket name and everything in it.
	// It returns ErrBucketNotFound when there is none.
	DeleteBucket(name []byte) error
	// ForEachBucket calls fn with the name of every top-level bucket, in
	// byte order, until fn returns an error, which it returns.
	ForEachBucket(fn func(name []byte) error) error
	// Writable reports whether the transaction may write.
	Writable() bool
}

// Bucket is an ordered set of keys and values, and of nested buckets.
// Keys are non-empty; a nested bucket's name is a key whose value is nil.
type Bucket interface {
	// Get returns the value of key, or nil when key is absent or names a
	// nested bucket.
	Get(key []byte) []byte
	// Put sets key to value. It returns ErrIncompatibleValue when key names
	// a nested bucket, ErrKeyRequired for an empty key and ErrTxNotWritable
	// in a View.
	Put(key, value []byte) error
	// Delete removes key; an absent key is not an error. It returns
	// ErrIncompatibleValue when key names a nested bucket.
	Delete(key []byte) error
	// Cursor returns a cursor over the bucket's keys.
	Cursor() Cursor
	// ForEach calls fn with every key and value in byte order (value nil
	// for a nested bucket) until fn returns an error, which it returns. fn
	// must not change the bucket.
	ForEach(fn func(k, v []byte) error) error
	// NextSequence returns the bucket's next sequence number: 1 first, then
	// one more on each call in a transaction that commits. It returns
	// ErrTxNotWritable in a View.
	NextSequence() (uint64, error)
	// Bucket returns the nested bucket name, or nil when there is none.
	Bucket(name []byte) Bucket
	// CreateBucket creates the nested bucket name. It returns
	// ErrBucketExists when there is one, and ErrIncompatibleValue when name
	// holds a value.
	CreateBucket(name []byte) (Bucket, error)
	// CreateBucketIfNotExists returns the nested bucket name, creating it
	// when there is none. It returns ErrIncompatibleValue when name holds a
	// value.
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	// DeleteBucket removes the nested bucket name and everything in it. It
	// returns ErrBucketNotFound when there is none.
	DeleteBucket(name []byte) error
	// ForEachBucket calls fn with the name of every nested bucket, in byte
	// order, until fn returns an error, which it returns.
	ForEachBucket(fn func(name []byte) error) error
}

// Cursor walks a bucket in key order. A method that finds no key returns
// nil keys. Values are nil for nested buckets.
type Cursor interface {
	// First moves to the first key.
	First() (k, v []byte)
	// Last moves to the last key.
	Last() (k, v []byte)
	// Next moves to the key after the current one.
	Next() (k, v []byte)
	// Prev moves to the key before the current one.
	Prev() (k, v []byte)
	// Seek moves to the first key at or after seek.
	Seek(seek []byte) (k, v []byte)
	// Delete removes the current key. Where the cursor stands afterwards
	// is unspecified: move it with First, Last or Seek before reading
	// again. It returns ErrIncompatibleValue on a nested bucket and
	// ErrTxNotWritable in a View.
	Delete() error
}

// Errors of the contract. Stores return them, or errors wrapping them.
var (
	ErrBucketNotFound    = errors.New("kv: bucket not found")
	ErrBucketExists      = errors.New("kv: bucket already exists")
	ErrIncompatibleValue = errors.New("kv: incompatible value")
	ErrKeyRequired       = errors.New("kv: key required")
	ErrTxNotWritable     = errors.New("kv: transaction not writable")
	ErrClosed            = errors.New("kv: store closed")
)

// Errors about the store itself, which a store's Open and a transaction's
// commit return wrapped (the engine re-exports them under the same names).
var (
	// ErrNotDatabase: the store holds something that is not a coldstore
	// database (an empty file, random bytes, another program's data).
	ErrNotDatabase = errors.New("not a coldstore database")
	// ErrCorrupt: the store is damaged.
	ErrCorrupt = errors.New("database is corrupt")
	// ErrLocked: another process holds the store.
	ErrLocked = errors.New("database is locked by another process")
	// ErrStorage: a failure beneath the store (I/O, the network).
	ErrStorage = errors.New("storage failure")
	// ErrUnavailable: a remote store cannot be reached, or could not
	// commit (a lost connection, a server restarting, conflicts past the
	// retry budget). Nothing of the transaction was acknowledged; the same
	// call may succeed when retried.
	ErrUnavailable = errors.New("store unavailable")
	// ErrNewerSchema: the store was laid out by a newer coldstore.
	ErrNewerSchema = errors.New("database schema is newer than this coldstore")
)

// Local is implemented by a store kept in a file on this machine's file
// system (boltkv). The engine keeps the bodies of large objects in files
// of their own in a folder beside it, written and synced outside the
// store's transactions, rather than in the store's pages (engine's
// bodyfiles.go); a store that is not Local keeps every body in its
// transactions.
type Local interface {
	// Path is the store's file.
	Path() string
	// Synced reports whether commits are fsynced (boltkv's NoSync off):
	// files kept beside the store are synced alike, or not at all.
	Synced() bool
}
