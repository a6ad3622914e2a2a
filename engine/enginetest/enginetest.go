// Package enginetest is the test double for users' tests: a coldstore
// database in t.TempDir() on a mock clock, with the sweeper off and an
// invariant check at the end of the test. Nothing in it sleeps.
//
//	db, clk := enginetest.New(t, nil)
//	... db.Restore(ctx, "photos", "k", nil)       // 202
//	enginetest.Advance(t, db, clk, 4*time.Hour)   // restore ready
package enginetest

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/dialect"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/kv/memkv"
)

// Epoch is where the mock clock of New starts: 2024-01-01T00:00:00Z.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// New opens a database in t.TempDir(). Unless opts names a clock, it runs on
// a new mock clock set to Epoch, which New returns; when opts names a
// *clock.Mock that one is returned, and for any other clock the returned
// mock is nil. The background sweeper is always off: tests move time with
// Advance, which sweeps. opts may be nil and is not changed.
//
// New registers a cleanup that runs db.Check, failing the test on a broken
// invariant, then closes the database. A test may close the database itself;
// the cleanup then does nothing.
func New(t testing.TB, opts *engine.Options) (*engine.DB, *clock.Mock) {
	t.Helper()
	return open(t, opts, func(o *engine.Options) (*engine.DB, error) {
		return engine.Open(filepath.Join(t.TempDir(), "coldstore.db"), o)
	})
}

// NewInMemory is New on a database in memory (package memkv): the same
// engine and rules, without a file or its fsyncs, for tests that make many
// writes. Nothing of it outlives the test.
func NewInMemory(t testing.TB, opts *engine.Options) (*engine.DB, *clock.Mock) {
	t.Helper()
	return open(t, opts, func(o *engine.Options) (*engine.DB, error) {
		return engine.OpenStore(memkv.New(), o)
	})
}

// NewS3 is New with the S3 dialect (dialect.S3: S3's classes, names and
// Glacier restore rules) unless opts names another: a test double of S3
// in one line.
func NewS3(t testing.TB, opts *engine.Options) (*engine.DB, *clock.Mock) {
	t.Helper()
	var o engine.Options
	if opts != nil {
		o = *opts
	}
	if o.Dialect == nil {
		o.Dialect = dialect.S3()
	}
	return New(t, &o)
}

// open opens a database with openDB as New describes.
func open(t testing.TB, opts *engine.Options, openDB func(*engine.Options) (*engine.DB, error)) (*engine.DB, *clock.Mock) {
	t.Helper()
	var o engine.Options
	if opts != nil {
		o = *opts
	}
	var m *clock.Mock
	switch c := o.Clock.(type) {
	case nil:
		m = clock.NewMock()
		m.Set(Epoch)
		o.Clock = m
	case *clock.Mock:
		m = c
	}
	o.DisableSweeper = true
	db, err := openDB(&o)
	if err != nil {
		t.Fatalf("enginetest: open: %v", err)
	}
	t.Cleanup(func() {
		err := db.Check(context.Background())
		if errors.Is(err, coldstore.ErrClosed) {
			return // the test closed it itself
		}
		if err != nil {
			t.Errorf("enginetest: invariants broken at the end of the test:\n%v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("enginetest: close: %v", err)
		}
	})
	return db, m
}

// Advance moves the mock clock by d and runs db.Sweep, failing the test if
// the sweep fails. It returns what the sweep did. The sweep tells the
// subscribers (DB.Subscribe) of the restores completed and the copies
// expired in those d, in time order, before Advance returns. It refuses (fails the
// test, the clock unmoved) to move the clock backwards or past
// coldstore.MaxTime, the last instant the engine stores.
func Advance(t testing.TB, db *engine.DB, m *clock.Mock, d time.Duration) engine.SweepResult {
	t.Helper()
	if d < 0 || d > coldstore.MaxTime.Sub(m.Now()) {
		t.Fatalf("enginetest: Advance(%v) from %v: the clock moves forward, to %v at most", d, m.Now(), coldstore.MaxTime)
	}
	m.Add(d)
	res, err := db.Sweep(context.Background())
	if err != nil {
		t.Fatalf("enginetest: sweep: %v", err)
	}
	return res
}
