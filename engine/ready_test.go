package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// noMore fails the test if s has an event waiting.
func noMore(t *testing.T, s *engine.Subscription) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	e, err := s.Next(c)
	require.ErrorIs(t, err, context.DeadlineExceeded, "unexpected %v", e)
}

func clockAt(t time.Time) *clock.Mock {
	m := clock.NewMock()
	m.Set(t)
	return m
}

var restoreKinds = []engine.EventKind{engine.EventRestoreInitiated, engine.EventRestoreCompleted, engine.EventRestoreExpired}

// A restore is told three times, each at its instant: initiated when
// accepted, completed when the clock reaches ReadyAt (nobody reads),
// expired at ExpiresAt; a sweep at any instant between tells nothing
// again.
func TestReady_PostCompletedDelete(t *testing.T) {
	f := newFixture(t)
	f.put("k", storageclass.ColdArchive, "cold")
	s := f.db.Subscribe(&engine.SubscribeOptions{Kinds: restoreKinds})
	defer s.Close()
	res, err := f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: 1, Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	ready, expires := res.Restore.ReadyAt, res.Restore.ExpiresAt
	require.Equal(t, f.m.Now().Add(time.Hour), ready)
	e := next(t, s)
	require.Equal(t, engine.EventRestoreInitiated, e.Kind)

	res2 := enginetest.Advance(t, f.db, f.m, 59*time.Minute)
	require.Equal(t, ready, res2.Next, "the sweep's next instant is the completion")
	enginetest.Advance(t, f.db, f.m, time.Minute)
	e = next(t, s)
	require.Equal(t, engine.Event{Kind: engine.EventRestoreCompleted, At: ready, Bucket: "bkt", Key: "k", Class: storageclass.ColdArchive,
		Size: 4, ETag: f.head("k").ETag, Tier: storageclass.TierExpedited, ExpiresAt: expires, Seq: firstSeq + 1, Sequencer: sequencer(ready, firstSeq+1)}, e)
	enginetest.Advance(t, f.db, f.m, time.Hour)
	enginetest.Advance(t, f.db, f.m, expires.Sub(f.m.Now()))
	e = next(t, s)
	require.Equal(t, engine.EventRestoreExpired, e.Kind, "completed once: the next event is the expiry")
	require.Equal(t, expires, e.At)
	noMore(t, s)
}

// One advance past several completions and expiries tells them all, in
// time order across objects and buckets, before the sweep returns.
func TestReady_OneJumpInTimeOrder(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.db.CreateBucket(ctx, "abc", nil))
	f.put("slow", storageclass.ColdArchive, "s")
	_, err := f.db.Put(ctx, "abc", "fast", strings.NewReader("f"), &engine.PutOptions{StorageClass: storageclass.ColdArchive})
	require.NoError(t, err)
	s := f.db.Subscribe(&engine.SubscribeOptions{Kinds: restoreKinds[1:]})
	defer s.Close()
	slow, err := f.db.Restore(ctx, "bkt", "slow", &engine.RestoreOptions{Days: 1, Tier: storageclass.TierBulk})
	require.NoError(t, err)
	fast, err := f.db.Restore(ctx, "abc", "fast", &engine.RestoreOptions{Days: 1, Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	enginetest.Advance(t, f.db, f.m, 10*day)
	var got []string
	var last time.Time
	for range 4 {
		e := next(t, s)
		require.False(t, e.At.Before(last), "time order")
		last = e.At
		got = append(got, e.Kind.String()+" "+e.Key)
	}
	require.Equal(t, []string{"RestoreCompleted fast", "RestoreCompleted slow", "RestoreExpired fast", "RestoreExpired slow"}, got)
	require.True(t, fast.Restore.ReadyAt.Before(slow.Restore.ReadyAt))
	noMore(t, s)
}

// No completion for an object deleted before its restore was ready; a
// faster tier asked while restoring completes once, at its own instant;
// a restore ready at once (latency zero) is completed by the restore.
func TestReady_Changes(t *testing.T) {
	f := newFixture(t)
	f.put("gone", storageclass.ColdArchive, "g")
	f.put("sped", storageclass.ColdArchive, "s")
	s := f.db.Subscribe(&engine.SubscribeOptions{Kinds: []engine.EventKind{engine.EventRestoreCompleted}})
	defer s.Close()
	_, err := f.db.Restore(ctx, "bkt", "gone", &engine.RestoreOptions{Days: 1, Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	_, err = f.db.Restore(ctx, "bkt", "sped", &engine.RestoreOptions{Days: 1, Tier: storageclass.TierBulk})
	require.NoError(t, err)
	require.NoError(t, f.db.Delete(ctx, "bkt", "gone"))
	enginetest.Advance(t, f.db, f.m, time.Minute)
	sped, err := f.db.Restore(ctx, "bkt", "sped", &engine.RestoreOptions{Days: 1, Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	enginetest.Advance(t, f.db, f.m, day)
	e := next(t, s)
	require.Equal(t, "sped", e.Key)
	require.Equal(t, sped.Restore.ReadyAt, e.At)
	require.Equal(t, storageclass.TierExpedited, e.Tier)
	noMore(t, s)

	db, m := enginetest.New(t, &engine.Options{RestoreLatency: func(storageclass.Class, storageclass.Tier, storageclass.Latency) time.Duration { return 0 }})
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "k", strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	s = db.Subscribe(&engine.SubscribeOptions{Kinds: restoreKinds[:2]})
	defer s.Close()
	_, err = db.Restore(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	require.Equal(t, engine.EventRestoreInitiated, next(t, s).Kind)
	e = next(t, s)
	require.Equal(t, engine.EventRestoreCompleted, e.Kind)
	require.Equal(t, m.Now(), e.At)
	enginetest.Advance(t, db, m, time.Hour)
	noMore(t, s)
}

// Restores completed before anybody subscribed are not told; the
// background loop wakes at a completion by itself: moving the mock clock
// is all it takes.
func TestReady_BackgroundLoop(t *testing.T) {
	m := clockAt(enginetest.Epoch)
	db, err := engine.Open(t.TempDir()+"/db", &engine.Options{Clock: m})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	for _, k := range []string{"early", "k"} {
		_, err = db.Put(ctx, "bkt", k, strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.Archive})
		require.NoError(t, err)
	}
	_, err = db.Restore(ctx, "bkt", "early", nil)
	require.NoError(t, err)
	m.Add(5 * time.Hour) // "early" is ready (4 h at most): before the subscription
	s := db.Subscribe(&engine.SubscribeOptions{Kinds: []engine.EventKind{engine.EventRestoreCompleted}})
	defer s.Close()
	res, err := db.Restore(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	m.Add(res.Restore.ReadyAt.Sub(m.Now()))
	e := next(t, s)
	require.Equal(t, "k", e.Key)
	require.Equal(t, res.Restore.ReadyAt, e.At)
}

// Under concurrent restores, sweeps from two goroutines and a moving
// clock, every restore is told initiated, completed and expired, in that
// order, once each.
func TestReady_ExactlyOnceUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	const writers, each = 4, 10
	for w := range writers {
		for i := range each {
			f.put(fmt.Sprint("w", w, "-", i), storageclass.Archive, "x")
		}
	}
	s := f.db.Subscribe(&engine.SubscribeOptions{Kinds: restoreKinds, Buffer: 10000})
	defer s.Close()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := f.db.Restore(ctx, "bkt", fmt.Sprint("w", w, "-", i), &engine.RestoreOptions{Days: 1})
				require.NoError(t, err)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 30 {
				f.m.Add(10 * time.Minute)
				_, err := f.db.Sweep(ctx)
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	enginetest.Advance(t, f.db, f.m, 10*day)
	seen := map[string][]engine.EventKind{}
	for range writers * each * 3 {
		e := next(t, s)
		seen[e.Key] = append(seen[e.Key], e.Kind)
	}
	for k, kinds := range seen {
		require.Equal(t, restoreKinds, kinds, k)
	}
	require.Len(t, seen, writers*each)
	noMore(t, s)
}
