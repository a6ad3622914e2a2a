// Package pgkv is the kv store on PostgreSQL: the store several coldstore
// processes share. Any number of them may open one database at once; each
// transaction is PostgreSQL's SERIALIZABLE, so the engine's rules hold
// across processes as they hold in one (exactly one 202 per restore: the
// loser of a race re-runs and sees the winner's record).
//
// # Layout
//
// Five tables, created by Open in the database (and schema, by the URL's
// search_path) it connects to:
//
//	coldstore_meta    one row: the layout's version and the buckets' generation
//	coldstore_buckets one row per kv bucket, by its path
//	coldstore_kv      (p, k) → v: the keys of every bucket; v NULL names a nested bucket
//	coldstore_seq     each bucket's sequence (NextSequence)
//	coldstore_clock   the instant of the mock clock processes share (MockClock)
//
// A bucket's path p is its names from the top, each with its 0x00 bytes
// escaped (0x00 0xFF) and ended by 0x00 0x01: so paths sort as the names do,
// and a bucket's keys and every bucket inside it are one range of p.
// Bodies are chunks in coldstore_kv like any other value, so one
// transaction covers a record and its data.
//
// # Round trips
//
// A transaction begins, and reads the buckets' generation, in one round
// trip; when the generation is the one this process last saw, the set of
// buckets comes from its cache, so that opening a bucket costs nothing.
// Each Get and each cursor page is a round trip; writes are queued and sent
// with the next read or with the COMMIT, in the same round trip. Creating
// or deleting a bucket moves the generation: every transaction reads it, so
// SERIALIZABLE orders those against every other.
//
// # Failures
//
// A transaction that loses a serialization conflict (SQLSTATE 40001, or a
// deadlock, 40P01) runs again from the start, after a jittered wait that
// doubles up to 100 ms, at most Options.Retries times. A lost connection,
// a server that is restarting or refusing connections, and conflicts past
// the budget fail the transaction with an error wrapping kv.ErrUnavailable:
// nothing of it was acknowledged, and the caller may retry. When the
// connection breaks during the COMMIT, the outcome is unknown to the caller
// (PostgreSQL may have committed it); it is reported as unavailable, never
// as done.
package pgkv

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options configure Open. A nil *Options is valid; zero fields mean their
// defaults.
type Options struct {
	// MaxConns bounds the connections of the pool. 0: 16.
	MaxConns int32
	// Retries bounds the runs of a transaction that keeps losing
	// serialization conflicts. 0: 100.
	Retries int
	// ConnectTimeout bounds Open's wait for the server. 0: 10 seconds.
	ConnectTimeout time.Duration
	// Clock times the waits between those runs, and the store's timeouts.
	// nil: the wall clock. (It is not the engine's clock: a mock clock
	// would never end a wait.)
	Clock clock.Clock
}

// Store is a kv.Store on a PostgreSQL database. It is safe for concurrent
// use, and any number of processes may open the same database.
type Store struct {
	pool    *pgxpool.Pool
	url     string
	retries int
	clock   clock.Clock

	mu      sync.Mutex // guards buckets and closed
	buckets bucketSet  // the set of buckets at generation buckets.gen
	closed  bool
	calls   sync.WaitGroup

	lead     leader    // the background work's election (cluster.go)
	presence presence  // this process's lock, that tells it alive (presence.go)
	ns       namespace // the names of its lock and channels (cluster.go)

	trips     atomic.Uint64 // round trips of transactions, for RoundTrips
	conflicts atomic.Uint64 // runs lost to serialization conflicts, for Conflicts
}

// Conflicts returns how many transaction runs lost a serialization
// conflict (and ran again, or failed past the budget) since Open.
func (s *Store) Conflicts() uint64 { return s.conflicts.Load() }

// RoundTrips returns how many round trips to PostgreSQL this store's
// transactions have made since Open: the figure benchmarks divide by the
// operations they ran.
func (s *Store) RoundTrips() uint64 { return s.trips.Load() }

var (
	_ kv.Store   = (*Store)(nil)
	_ kv.Cluster = (*Store)(nil)
)

// Open connects to the PostgreSQL database that url names (postgres://
// or postgresql://, or a key=value connection string), creates
// coldstore's tables there when they are missing, and checks their
// version.
//
// It returns an error wrapping kv.ErrUnavailable when the server cannot be
// reached or does not answer within Options.ConnectTimeout, ctx's error
// when ctx ends first, kv.ErrNewerSchema when the tables were laid out by a newer
// coldstore, kv.ErrNotDatabase when a table of that name is not
// coldstore's, and kv.ErrStorage for a URL that does not parse and for any
// other failure.
func Open(ctx context.Context, url string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 16
	}
	if o.Retries <= 0 {
		o.Retries = 100
	}
	if o.Clock == nil {
		o.Clock = clock.New()
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	parent := ctx
	ctx, cancel := o.Clock.WithTimeout(ctx, o.ConnectTimeout)
	defer cancel()
	late := func(err error) error {
		if ctx.Err() != nil && parent.Err() == nil {
			return fmt.Errorf("%w: no answer within %v: %v", kv.ErrUnavailable, o.ConnectTimeout, err)
		}
		return err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", kv.ErrStorage, err)
	}
	cfg.MaxConns = o.MaxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", kv.ErrStorage, err)
	}
	s := &Store{pool: pool, url: url, retries: o.Retries, clock: o.Clock, buckets: bucketSet{gen: -1}}
	s.lead.init(s)
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, late(err)
	}
	if err := s.learnNamespace(ctx); err != nil {
		pool.Close()
		return nil, late(err)
	}
	if err := s.startPresence(); err != nil {
		pool.Close()
		return nil, fmt.Errorf("%w: %v", kv.ErrStorage, err)
	}
	select {
	case <-s.presence.held:
	case <-ctx.Done():
		s.stopPresence()
		pool.Close()
		return nil, late(ctx.Err())
	}
	return s, nil
}

// Update runs fn in a SERIALIZABLE transaction and commits it when fn
// returns nil, running fn again after a serialization conflict. See
// kv.Store.
func (s *Store) Update(ctx context.Context, fn func(kv.Tx) error) error {
	return s.run(ctx, true, fn)
}

// Batch is Update: PostgreSQL already writes the WAL of concurrent commits
// together.
func (s *Store) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	return s.run(ctx, true, fn)
}

// View runs fn in a REPEATABLE READ READ ONLY transaction: one snapshot.
func (s *Store) View(ctx context.Context, fn func(kv.Tx) error) error {
	return s.run(ctx, false, fn)
}

// Close stops the election, waits for the transactions in flight and
// closes the pool. A second Close returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.lead.stop()
	s.calls.Wait()
	s.stopPresence()
	s.pool.Close()
	return nil
}

func (s *Store) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return kv.ErrClosed
	}
	s.calls.Add(1)
	return nil
}

// run runs fn in transactions until one commits, fn fails, or the failure
// is not a serialization conflict, or the retries are spent.
func (s *Store) run(ctx context.Context, writable bool, fn func(kv.Tx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.calls.Done()
	for attempt := 1; ; attempt++ {
		err := s.once(ctx, writable, fn)
		if !isConflict(err) {
			return err
		}
		s.conflicts.Add(1)
		if attempt >= s.retries {
			return fmt.Errorf("%w: serialization conflicts in %d runs: %v", kv.ErrUnavailable, attempt, err)
		}
		if err := s.backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// backoff waits a random time below min(2^attempt, 100) ms on the store's
// clock, or until ctx ends.
func (s *Store) backoff(ctx context.Context, attempt int) error {
	ceiling := time.Duration(min(1<<min(attempt, 7), 100)) * time.Millisecond
	t := s.clock.Timer(time.Duration(rand.Int64N(int64(ceiling))) + time.Microsecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// once runs fn in one transaction.
func (s *Store) once(ctx context.Context, writable bool, fn func(kv.Tx) error) (err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return classify(ctx, err)
	}
	t := &tx{s: s, ctx: ctx, conn: conn.Conn(), writable: writable}
	defer func() {
		if t.open {
			// A failure or a conflict: roll back, on a fresh context so
			// that a cancelled request still frees the connection.
			rctx, cancel := s.clock.WithTimeout(context.Background(), 5*time.Second)
			if _, rerr := conn.Exec(rctx, "ROLLBACK"); rerr != nil {
				_ = conn.Conn().Close(rctx)
			}
			cancel()
		}
		conn.Release()
	}()
	if err := t.begin(); err != nil {
		return err
	}
	ferr := fn(t)
	if t.err != nil {
		return t.err
	}
	if ferr != nil {
		return ferr
	}
	return t.commit()
}

// isConflict reports whether err is a serialization failure or a deadlock,
// after which the transaction runs again.
func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// classify turns a failure of PostgreSQL or of the connection into the
// store's errors: conflicts stay as they are (run retries them); ctx's end
// is ctx's error; a lost or refused connection, a server shutting down or
// starting (SQLSTATE classes 08 and 57P) and an exhausted pool are
// kv.ErrUnavailable; anything else is kv.ErrStorage.
func classify(ctx context.Context, err error) error {
	if err == nil || isConflict(err) {
		return err
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)) {
		return ctx.Err()
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if len(pe.Code) >= 2 && pe.Code[:2] == "08" || len(pe.Code) >= 3 && pe.Code[:3] == "57P" || pe.Code == "53300" {
			return fmt.Errorf("%w: %v", kv.ErrUnavailable, err)
		}
		return fmt.Errorf("%w: %v", kv.ErrStorage, err)
	}
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, pgx.ErrTxClosed) {
		return fmt.Errorf("%w: %v", kv.ErrStorage, err)
	}
	// Anything else comes from the connection: the network, a reset, a
	// server gone.
	return fmt.Errorf("%w: %v", kv.ErrUnavailable, err)
}
