package pgkv

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/jackc/pgx/v5"
)

// MockClock is a mock clock whose instant lives in the database (the
// coldstore_clock row), so that every process over it reads the same
// instant and a move made through any of them is seen by all: a test
// moves one clock for a whole cluster. It never moves back.
//
// Now reads the row, on a connection of the clock's own (never the pool's:
// a transaction that reads the clock holds a pooled connection already).
// Timers run on a clock.Mock that follows the row: it is set forward
// whenever Now reads a later instant and whenever another process moves
// the row (a NOTIFY on the namespace's clock channel), so a process's loop
// asleep on the clock wakes when any process moves it past its timer. When the database
// cannot be reached, Now answers the last instant read.
type MockClock struct {
	*clock.Mock
	s      *Store
	mu     sync.Mutex // guards conn
	conn   *pgx.Conn
	cancel context.CancelFunc
	done   chan struct{}
}

// MockClock returns the database's mock clock, at start when the database
// has none yet (later if a process moved it). Close stops it; the Store's
// Close does not.
//
// It returns an error wrapping kv.ErrUnavailable when the server cannot be
// reached.
func (s *Store) MockClock(ctx context.Context, start time.Time) (*MockClock, error) {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return nil, classify(ctx, err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO coldstore_clock (id, t) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", start.UnixNano()); err != nil {
		_ = conn.Close(ctx)
		return nil, classify(ctx, err)
	}
	c := &MockClock{Mock: clock.NewMock(), s: s, conn: conn, done: make(chan struct{})}
	c.Mock.Set(start)
	c.Now()
	lctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go c.listen(lctx)
	return c, nil
}

// Now returns the database's instant.
func (c *MockClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read(context.Background())
	return c.Mock.Now()
}

// read sets the mock to the row's instant, if later; c.mu is held.
func (c *MockClock) read(ctx context.Context) {
	if c.conn == nil || c.conn.IsClosed() {
		conn, err := pgx.Connect(ctx, c.s.url)
		if err != nil {
			return
		}
		c.conn = conn
	}
	var ns int64
	if err := c.conn.QueryRow(ctx, "SELECT t FROM coldstore_clock WHERE id = 1").Scan(&ns); err != nil {
		_ = c.conn.Close(ctx)
		return
	}
	c.forward(time.Unix(0, ns))
}

func (c *MockClock) forward(t time.Time) {
	if t.After(c.Mock.Now()) {
		c.Mock.Set(t) // fires the timers due by t
	}
}

// Since returns the time elapsed since t on the clock.
func (c *MockClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Until returns the time until t on the clock.
func (c *MockClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// Timer returns a timer that fires when the database's instant reaches
// d from now.
func (c *MockClock) Timer(d time.Duration) *clock.Timer {
	c.Now()
	return c.Mock.Timer(d)
}

// After is Timer(d).C.
func (c *MockClock) After(d time.Duration) <-chan time.Time { return c.Timer(d).C }

// Set moves the database's instant to t, for every process, unless it is
// already later; and this process's timers with it.
func (c *MockClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx := context.Background()
	if c.conn == nil || c.conn.IsClosed() {
		c.read(ctx)
	}
	if c.conn != nil && !c.conn.IsClosed() {
		_, err := c.conn.Exec(ctx, "WITH m AS (UPDATE coldstore_clock SET t = greatest(t, $1) WHERE id = 1 RETURNING t) SELECT pg_notify($2, t::text) FROM m", t.UnixNano(), c.s.ns.clock)
		if err != nil {
			_ = c.conn.Close(ctx)
		}
	}
	c.forward(t)
}

// Add moves the clock forward by d.
func (c *MockClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// Close stops the clock's listener and closes its connections.
func (c *MockClock) Close() error {
	c.cancel()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		_ = c.conn.Close(context.Background())
	}
	return nil
}

// listen follows the moves other processes make, reconnecting (after a
// second on the store's clock) when the connection breaks.
func (c *MockClock) listen(ctx context.Context) {
	defer close(c.done)
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, c.s.url)
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+c.s.ns.clock); err == nil {
				for {
					n, werr := conn.WaitForNotification(ctx)
					if werr != nil {
						break
					}
					if ns, perr := strconv.ParseInt(n.Payload, 10, 64); perr == nil {
						c.mu.Lock()
						c.forward(time.Unix(0, ns))
						c.mu.Unlock()
					}
				}
			}
			_ = conn.Close(context.Background())
		}
		t := c.s.clock.Timer(time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}
