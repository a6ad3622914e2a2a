package engine_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// firstSeq is the number of the first event of a new database: its
// first opening's epoch, 1, above the count.
const firstSeq = 1<<40 + 1

// sequencer is the Sequencer of event seq at at, as the engine writes it.
func sequencer(at time.Time, seq uint64) string {
	return fmt.Sprintf("%016X%08X%016X", at.Unix(), at.Nanosecond(), seq)
}

// next reads one event, failing the test if none comes within a second.
func next(t *testing.T, s *engine.Subscription) engine.Event {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	e, err := s.Next(c)
	require.NoError(t, err)
	return e
}

func TestEvents_CommittedChanges(t *testing.T) {
	f := newFixture(t)
	s := f.db.Subscribe(nil)
	defer s.Close()
	t0 := f.m.Now()
	oi := f.put("k", storageclass.Archive, "cold bytes")
	f.m.Add(time.Hour)
	res, err := f.db.Restore(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	f.m.Add(time.Hour)
	_, err = f.db.SetStorageClass(ctx, "bkt", "k", storageclass.ColdArchive)
	require.NoError(t, err)
	require.NoError(t, f.db.Delete(ctx, "bkt", "k"))

	e := next(t, s)
	require.Equal(t, engine.Event{Kind: engine.EventObjectCreated, Op: "Put", At: t0, Bucket: "bkt", Key: "k", Class: storageclass.Archive, Size: 10, ETag: oi.ETag, Seq: firstSeq, Sequencer: sequencer(t0, firstSeq)}, e)
	e = next(t, s)
	require.Equal(t, engine.EventRestoreInitiated, e.Kind)
	require.Equal(t, t0.Add(time.Hour), e.At, "the instant on the database clock")
	require.Equal(t, res.Restore.ExpiresAt, e.ExpiresAt)
	e = next(t, s)
	require.Equal(t, engine.EventStorageClassChanged, e.Kind)
	require.Equal(t, storageclass.ColdArchive, e.Class)
	e = next(t, s)
	require.Equal(t, engine.EventObjectDeleted, e.Kind)
	require.Equal(t, storageclass.ColdArchive, e.Class, "a deletion tells the class it had")
	require.Equal(t, "RestoreInitiated", engine.EventRestoreInitiated.String())
}

// Refused or failed writes commit nothing, and emit nothing.
func TestEvents_NothingForRefusals(t *testing.T) {
	f := newFixture(t)
	f.put("std", storageclass.Standard, "x")
	s := f.db.Subscribe(nil)
	defer s.Close()
	_, err := f.db.Put(ctx, "bkt", "std", strings.NewReader("y"), &engine.PutOptions{ForbidOverwrite: true})
	require.ErrorIs(t, err, coldstore.ErrFileAlreadyExists)
	_, err = f.db.Restore(ctx, "bkt", "std", nil)
	require.Error(t, err)
	require.NoError(t, f.db.Delete(ctx, "bkt", "missing"), "nothing to delete: no event")
	f.put("after", storageclass.Standard, "z")
	e := next(t, s)
	require.Equal(t, "after", e.Key, "the first event is the first change that committed")
}

func TestEvents_Filters(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.db.CreateBucket(ctx, "other", nil))
	s := f.db.Subscribe(&engine.SubscribeOptions{Bucket: "bkt", Prefix: "logs/", Kinds: []engine.EventKind{engine.EventObjectDeleted}})
	defer s.Close()
	f.put("logs/a", storageclass.Standard, "a")
	f.put("data/b", storageclass.Standard, "b")
	_, err := f.db.Put(ctx, "other", "logs/a", strings.NewReader("c"), nil)
	require.NoError(t, err)
	require.NoError(t, f.db.Delete(ctx, "other", "logs/a"))
	require.NoError(t, f.db.Delete(ctx, "bkt", "data/b"))
	require.NoError(t, f.db.Delete(ctx, "bkt", "logs/a"))
	e := next(t, s)
	require.Equal(t, engine.EventObjectDeleted, e.Kind)
	require.Equal(t, "bkt", e.Bucket)
	require.Equal(t, "logs/a", e.Key)
}

// A subscriber that does not read misses events without slowing the
// writers, and is told how many, where.
func TestEvents_Gap(t *testing.T) {
	f := newFixture(t)
	s := f.db.Subscribe(&engine.SubscribeOptions{Buffer: 2})
	defer s.Close()
	for i := range 5 {
		f.put(fmt.Sprint("k", i), storageclass.Standard, "x")
	}
	require.Equal(t, "k0", next(t, s).Key)
	require.Equal(t, "k1", next(t, s).Key)
	require.Equal(t, engine.Event{Kind: engine.EventGap, Missed: 3}, next(t, s))
	f.put("k5", storageclass.Standard, "x")
	require.Equal(t, "k5", next(t, s).Key)

	for i := range 3 {
		f.put(fmt.Sprint("m", i), storageclass.Standard, "x")
	}
	require.Equal(t, "m0", next(t, s).Key)
	f.put("m3", storageclass.Standard, "x") // one free place: not enough for the gap and m3
	require.Equal(t, "m1", next(t, s).Key)
	f.put("m4", storageclass.Standard, "x") // the gap (m2, m3) and m4 fit
	require.Equal(t, engine.Event{Kind: engine.EventGap, Missed: 2}, next(t, s))
	require.Equal(t, "m4", next(t, s).Key)

	s.Close()
	_, err := s.Next(ctx)
	require.ErrorIs(t, err, fs.ErrClosed)
}

// Under concurrent writers, each subscriber gets every change once, each
// object's in the order they happened.
func TestEvents_OrderUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	subs := []*engine.Subscription{f.db.Subscribe(&engine.SubscribeOptions{Buffer: 10000}), f.db.Subscribe(&engine.SubscribeOptions{Buffer: 10000})}
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := f.db.Put(ctx, "bkt", fmt.Sprint("w", w), strings.NewReader(fmt.Sprint(i)), nil)
				require.NoError(t, err)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			f.m.Add(time.Minute)
		}
	})
	wg.Wait()
	for _, s := range subs {
		last := map[string]int{}
		for range writers * each {
			e := next(t, s)
			require.Equal(t, engine.EventObjectCreated, e.Kind)
			require.Equal(t, md5hex([]byte(fmt.Sprint(last[e.Key]))), e.ETag, "%s's puts in the order they committed", e.Key)
			last[e.Key]++
		}
		for w := range writers {
			require.Equal(t, each, last[fmt.Sprint("w", w)], "every put of w%d, once", w)
		}
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, err := s.Next(c)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded, "no event twice")
		s.Close()
	}
}

func TestEvents_Lifecycle(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("logs/a", storageclass.Standard, 100<<10)
	f.lifecycle(lifecycle.Rule{ID: "r", Prefix: "logs/", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 1, StorageClass: storageclass.IA}}, Expiration: &lifecycle.Expiration{Days: 3}})
	s := f.db.Subscribe(&engine.SubscribeOptions{Kinds: []engine.EventKind{engine.EventLifecycleTransition, engine.EventLifecycleExpiration}})
	defer s.Close()
	f.at(start, 2*day)
	e := next(t, s)
	require.Equal(t, engine.EventLifecycleTransition, e.Kind)
	require.Equal(t, storageclass.IA, e.Class)
	f.at(start, 4*day)
	e = next(t, s)
	require.Equal(t, engine.EventLifecycleExpiration, e.Kind)
	require.Equal(t, start.Add(4*day), e.At)
}

// A restored copy's expiry is told at its instant, in time order across
// buckets, by the sweep that clears it.
func TestEvents_RestoreExpired(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.db.CreateBucket(ctx, "abc", nil))
	f.put("k", storageclass.Archive, "x")
	_, err := f.db.Put(ctx, "abc", "k", strings.NewReader("y"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	_, err = f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: 1})
	require.NoError(t, err)
	f.m.Add(time.Hour)
	_, err = f.db.Restore(ctx, "abc", "k", &engine.RestoreOptions{Days: 1})
	require.NoError(t, err)
	bkt, _ := f.db.Head(ctx, "bkt", "k")
	abc, _ := f.db.Head(ctx, "abc", "k")
	s := f.db.Subscribe(&engine.SubscribeOptions{Kinds: []engine.EventKind{engine.EventRestoreExpired}})
	defer s.Close()
	f.m.Add(10 * day)
	_, err = f.db.Sweep(ctx)
	require.NoError(t, err)
	e := next(t, s)
	require.Equal(t, "bkt", e.Bucket, "the earlier expiry first, though its bucket sorts later")
	require.Equal(t, bkt.Restore.ExpiresAt, e.At)
	e = next(t, s)
	require.Equal(t, "abc", e.Bucket)
	require.Equal(t, abc.Restore.ExpiresAt, e.At)
	require.Equal(t, abc.Restore.ExpiresAt, e.ExpiresAt)
}

// TestSubscription_DatabaseClosed: once the database closes, a
// subscription hands out the events queued before, then ErrClosed, and a
// Next waiting with no deadline wakes; one made on a closed database
// returns ErrClosed at once.
func TestSubscription_DatabaseClosed(t *testing.T) {
	ctx := context.Background()
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	queued := db.Subscribe(nil)
	waiting := db.Subscribe(&engine.SubscribeOptions{Bucket: "other"})
	_, err := db.Put(ctx, "bkt", "k", strings.NewReader("v"), nil)
	require.NoError(t, err)
	woke := make(chan error, 1)
	go func() {
		_, err := waiting.Next(ctx)
		woke <- err
	}()
	require.NoError(t, db.Close())
	select {
	case err := <-woke:
		require.ErrorIs(t, err, coldstore.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("a waiting Next did not wake at Close")
	}
	e, err := queued.Next(ctx)
	require.NoError(t, err, "the event committed before Close")
	require.Equal(t, "k", e.Key)
	_, err = queued.Next(ctx)
	require.ErrorIs(t, err, coldstore.ErrClosed)
	late := db.Subscribe(nil)
	_, err = late.Next(ctx)
	require.ErrorIs(t, err, coldstore.ErrClosed)
	late.Close()
	_, err = late.Next(ctx)
	require.ErrorIs(t, err, fs.ErrClosed, "its own Close")
}
