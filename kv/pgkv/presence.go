package pgkv

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// presence holds, on a connection of its own, the session advisory lock
// named by this process's node id for as long as the store is open: a
// process that holds its lock is alive (Alive). The lock goes with the
// connection, at once when the process dies; when the connection breaks
// while the process lives, it is taken again after a second.
type presence struct {
	node   [8]byte
	cancel context.CancelFunc
	done   chan struct{}
	held   chan struct{} // closed once the lock is first held
}

func (s *Store) startPresence() error {
	p := &s.presence
	if _, err := rand.Read(p.node[:]); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done, p.held = cancel, make(chan struct{}), make(chan struct{})
	go s.holdPresence(ctx)
	return nil
}

func (s *Store) holdPresence(ctx context.Context) {
	p := &s.presence
	defer close(p.done)
	first := true
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, s.url)
		if err == nil {
			if _, err = conn.Exec(ctx, "SELECT pg_advisory_lock($1)", nodeLock(p.node[:])); err == nil {
				if first {
					close(p.held)
					first = false
				}
				// Wait on the connection until it breaks or ctx ends.
				_, _ = conn.WaitForNotification(ctx)
			}
			cctx, c := s.clock.WithTimeout(context.Background(), time.Second)
			_ = conn.Close(cctx)
			c()
		}
		t := s.clock.Timer(time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

func (s *Store) stopPresence() {
	if s.presence.cancel != nil {
		s.presence.cancel()
		<-s.presence.done
	}
}

func nodeLock(node []byte) int64 { return int64(binary.BigEndian.Uint64(node)) }

// Node returns this process's id among the store's. See kv.Cluster.
func (s *Store) Node() []byte { return s.presence.node[:] }

// Alive reports whether the process of id node holds its lock: a probe
// that takes the lock (and gives it back at once) finds it dead. See
// kv.Cluster.
func (s *Store) Alive(ctx context.Context, node []byte) (bool, error) {
	if len(node) != 8 {
		return false, fmt.Errorf("pgkv: node id of %d bytes", len(node))
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, classify(ctx, err)
	}
	defer conn.Release()
	var took bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", nodeLock(node)).Scan(&took); err != nil {
		return false, classify(ctx, err)
	}
	if took {
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", nodeLock(node)); err != nil {
			conn.Conn().Close(ctx) // the lock goes with the session
		}
	}
	return !took, nil
}
