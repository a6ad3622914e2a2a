package pgkv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/kv/pgkv"
	"github.com/coldstore-dev/coldstore/kv/pgkv/pgtest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

var start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// node is one engine over its own store and clock, as one server is.
type node struct {
	db    *engine.DB
	clock *pgkv.MockClock
	store *pgkv.Store
}

// openNodes opens n engines over the database at url, each on its own
// connection pool and its own handle of the database's mock clock.
func openNodes(t *testing.T, url string, n int, opts engine.Options) []*node {
	t.Helper()
	nodes := make([]*node, n)
	for i := range nodes {
		st, err := pgkv.Open(context.Background(), url, nil)
		require.NoError(t, err)
		clk, err := st.MockClock(context.Background(), start)
		require.NoError(t, err)
		o := opts
		o.Clock = clk
		db, err := engine.OpenStore(st, &o)
		require.NoError(t, err)
		nodes[i] = &node{db: db, clock: clk, store: st}
		t.Cleanup(func() {
			_ = db.Close()
			_ = clk.Close()
		})
	}
	return nodes
}

// Three engines over one database, 32 clients racing the restore of each
// object across them: exactly one restore is accepted per object, the
// others are told it is in progress; once the clock, moved through one
// engine, passes the restore's latency every engine reads the object.
func TestCluster_RacingRestores(t *testing.T) {
	ctx := context.Background()
	nodes := openNodes(t, pgtest.URL(t, t.TempDir()), 3, engine.Options{DisableSweeper: true})
	require.NoError(t, nodes[0].db.CreateBucket(ctx, "bkt", nil))
	const objects, clients = 8, 32
	for i := range objects {
		_, err := nodes[i%3].db.Put(ctx, "bkt", fmt.Sprint("k", i), bytes.NewReader([]byte(fmt.Sprint("body", i))), &engine.PutOptions{StorageClass: storageclass.Archive})
		require.NoError(t, err)
	}
	for i := range objects {
		key := fmt.Sprint("k", i)
		var accepted, inProgress int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				res, err := nodes[c%3].db.Restore(ctx, "bkt", key, &engine.RestoreOptions{Days: 1})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && res.Status == engine.Accepted:
					accepted++
				case errors.Is(err, coldstore.ErrRestoreAlreadyInProgress):
					inProgress++
				default:
					t.Errorf("%s, client %d: %v, %v", key, c, res.Status, err)
				}
			})
		}
		wg.Wait()
		require.Equal(t, 1, accepted, "%s: one restore accepted", key)
		require.Equal(t, clients-1, inProgress, "%s: the others in progress", key)
	}
	nodes[1].clock.Add(5 * time.Hour)
	for i := range objects {
		for _, n := range nodes {
			obj, err := n.db.Get(ctx, "bkt", fmt.Sprint("k", i))
			require.NoError(t, err, "the clock moved through one engine moved for all")
			b, err := io.ReadAll(obj)
			require.NoError(t, err)
			require.NoError(t, obj.Close())
			require.Equal(t, fmt.Sprint("body", i), string(b))
		}
	}
	for _, n := range nodes {
		require.NoError(t, n.db.Check(ctx))
	}
	u, err := nodes[2].db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.EqualValues(t, objects, u.Restores[storageclass.Archive], "one restore billed per object")
}

// A restore on a follower wakes the leader (NOTIFY), asleep until a far
// SweepInterval, so the leader sweeps the expiry when the shared clock
// passes it; the leader's subscribers are told.
func TestCluster_FollowerWakesLeader(t *testing.T) {
	ctx := context.Background()
	nodes := openNodes(t, pgtest.URL(t, t.TempDir()), 2, engine.Options{SweepInterval: 1000 * time.Hour})
	var leader, follower *node
	require.Eventually(t, func() bool {
		for i, n := range nodes {
			if n.db.Leading() {
				leader, follower = n, nodes[1-i]
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond)
	sub := leader.db.Subscribe(&engine.SubscribeOptions{Kinds: []engine.EventKind{engine.EventRestoreExpired}})
	defer sub.Close()
	require.NoError(t, follower.db.CreateBucket(ctx, "bkt", nil))
	_, err := follower.db.Put(ctx, "bkt", "k", bytes.NewReader([]byte("x")), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	res, err := follower.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: 1})
	require.NoError(t, err)
	require.Equal(t, engine.Accepted, res.Status)
	follower.clock.Add(40 * time.Hour)
	// The NOTIFY may reach the leader after this move: nudge the clock a
	// minute at a time (never near the 1,000 h the leader would sleep
	// without it) until the leader tells the expiry.
	var e engine.Event
	require.Eventually(t, func() bool {
		follower.clock.Add(time.Minute)
		wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		e, err = sub.Next(wctx)
		return err == nil
	}, 10*time.Second, time.Millisecond, "the leader swept the follower's restore at its expiry")
	require.Equal(t, "k", e.Key)
}

// A lost server fails calls with coldstore.ErrUnavailable (503 on the
// wire), changing nothing; once it is back, calls succeed and everything
// acknowledged before is there.
func TestCluster_ServerRestart(t *testing.T) {
	ctx := context.Background()
	pg := pgtest.Start(t)
	nodes := openNodes(t, pg.URL, 1, engine.Options{DisableSweeper: true})
	db := nodes[0].db
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err := db.Put(ctx, "bkt", "before", bytes.NewReader([]byte("kept")), nil)
	require.NoError(t, err)
	pg.Stop("immediate")
	_, err = db.Put(ctx, "bkt", "during", bytes.NewReader([]byte("x")), nil)
	require.ErrorIs(t, err, coldstore.ErrUnavailable)
	require.Equal(t, 503, coldstore.HTTPStatus(err))
	_, err = db.Head(ctx, "bkt", "before")
	require.ErrorIs(t, err, coldstore.ErrUnavailable)
	pg.Start()
	require.Eventually(t, func() bool {
		_, err := db.Put(ctx, "bkt", "after", bytes.NewReader([]byte("y")), nil)
		return err == nil
	}, 20*time.Second, 100*time.Millisecond)
	obj, err := db.Get(ctx, "bkt", "before")
	require.NoError(t, err)
	b, _ := io.ReadAll(obj)
	require.NoError(t, obj.Close())
	require.Equal(t, "kept", string(b))
	_, err = db.Head(ctx, "bkt", "during")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey, "a write that failed left nothing")
	require.NoError(t, db.Check(ctx))
}

// Two databases in two schemas of one PostgreSQL database keep apart:
// each elects its own leader, and moving one's mock clock leaves the
// other's.
func TestCluster_SchemasApart(t *testing.T) {
	a := openNodes(t, pgtest.URL(t, t.TempDir()), 1, engine.Options{})[0]
	b := openNodes(t, pgtest.URL(t, t.TempDir()), 1, engine.Options{})[0]
	require.Eventually(t, func() bool { return a.db.Leading() && b.db.Leading() }, 10*time.Second, 10*time.Millisecond,
		"each database has its leader")
	a.clock.Add(100 * time.Hour)
	require.Equal(t, start.Add(100*time.Hour), a.clock.Now())
	require.Equal(t, start, b.clock.Now(), "the other database's clock stays")
}
