package pgkv

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Advisory locks and notification channels are PostgreSQL's, one set for
// a whole database: coldstore's carry a name of the schema its tables are
// in (namespace), so that databases in two schemas of one PostgreSQL
// database elect their leaders and wake them apart.

// namespace names the tables' schema: a hash of the database's and the
// schema's names. It sets the leader's lock and the channels' names.
type namespace struct {
	leader int64  // the advisory lock held by the leading process
	wake   string // the channel of wake-ups for the leader
	clock  string // the channel of the mock clock's moves
}

func newNamespace(database, schema string) namespace {
	sum := sha256.Sum256([]byte(database + "\x00" + schema))
	tag := hex.EncodeToString(sum[:6])
	return namespace{
		leader: int64(binary.BigEndian.Uint64(sum[8:])),
		wake:   "coldstore_wake_" + tag,
		clock:  "coldstore_clock_" + tag,
	}
}

// learnNamespace reads the names of the database and of the schema the
// tables are in.
func (s *Store) learnNamespace(ctx context.Context) error {
	var database, schema string
	if err := s.pool.QueryRow(ctx, "SELECT current_database(), current_schema()").Scan(&database, &schema); err != nil {
		return classify(ctx, err)
	}
	s.ns = newNamespace(database, schema)
	return nil
}

// leader holds, while this process leads, a connection of its own (outside
// the pool) that holds the session-level advisory lock namespace.leader
// and LISTENs on namespace.wake. The lock is PostgreSQL's: it is released the
// moment that connection ends, when the process dies (its socket closes)
// or the server restarts, so another process's blocked pg_advisory_lock
// returns within a round trip of it. A leader learns that it lost the lock
// when its connection fails.
type leader struct {
	s      *Store
	mu     sync.Mutex
	cancel []context.CancelFunc
	wg     sync.WaitGroup
}

func (l *leader) init(s *Store) { l.s = s }

// stop ends every Lead in progress and waits for its connection to close.
func (l *leader) stop() {
	l.mu.Lock()
	for _, c := range l.cancel {
		c()
	}
	l.cancel = nil
	l.mu.Unlock()
	l.wg.Wait()
}

// Lead blocks until this process holds the leader's lock, or ctx ends.
// See kv.Cluster. A failure to connect is retried after a second on the
// store's clock, for as long as ctx lasts.
func (s *Store) Lead(ctx context.Context, wake func(time.Time)) (<-chan struct{}, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	defer s.calls.Done()
	ctx, cancel := context.WithCancel(ctx)
	s.lead.mu.Lock()
	s.lead.cancel = append(s.lead.cancel, cancel)
	s.lead.wg.Add(1)
	s.lead.mu.Unlock()
	for {
		conn, err := s.acquireLead(ctx)
		if err == nil {
			lost := make(chan struct{})
			go s.lead.hold(ctx, cancel, conn, wake, lost)
			return lost, nil
		}
		if ctx.Err() != nil {
			s.lead.wg.Done()
			cancel()
			return nil, ctx.Err()
		}
		t := s.clock.Timer(time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

// acquireLead connects, LISTENs and takes the lock, blocking in
// PostgreSQL while another process holds it.
func (s *Store) acquireLead(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return nil, err
	}
	for _, q := range []string{"LISTEN " + s.ns.wake, "SELECT pg_advisory_lock(" + strconv.FormatInt(s.ns.leader, 10) + ")"} {
		if _, err := conn.Exec(ctx, q); err != nil {
			_ = conn.Close(context.Background())
			return nil, err
		}
	}
	return conn, nil
}

// hold keeps the leadership until conn fails or ctx ends, passing every
// wake-up notified to wake, then closes lost.
func (l *leader) hold(ctx context.Context, cancel context.CancelFunc, conn *pgx.Conn, wake func(time.Time), lost chan struct{}) {
	defer l.wg.Done()
	defer close(lost)
	defer cancel()
	defer func() {
		cctx, c := l.s.clock.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(cctx) // the lock goes with the session
		c()
	}()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		ns, err := strconv.ParseInt(n.Payload, 10, 64)
		if err == nil && wake != nil {
			wake(time.Unix(0, ns))
		}
	}
}
