package engine_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// historyFixture is a fixture whose database keeps the last keep events.
func historyFixture(t *testing.T, keep int) *fixture {
	t.Helper()
	db, m := enginetest.New(t, &engine.Options{EventHistory: keep})
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	return &fixture{t: t, db: db, m: m}
}

// keys reads n events and returns their keys and numbers, a gap as
// "gap N".
func keys(t *testing.T, s *engine.Subscription, n int) (got []string, seqs []uint64) {
	t.Helper()
	for range n {
		e := next(t, s)
		if e.Kind == engine.EventGap {
			got = append(got, "gap "+strconv.Itoa(e.Missed))
			seqs = append(seqs, 0)
			continue
		}
		got = append(got, e.Key)
		seqs = append(seqs, e.Seq)
	}
	return got, seqs
}

// A subscription resumes where an earlier one stopped: the events of the
// changes made while none was open come first, numbered on from the last
// one seen, then those made later; every subscription sees an event
// under the same number.
func TestEvents_Resume(t *testing.T) {
	f := historyFixture(t, 100)
	first := f.db.Subscribe(nil)
	other := f.db.Subscribe(nil)
	defer other.Close()
	f.put("a", storageclass.Standard, "1")
	f.put("b", storageclass.Standard, "2")
	got, seqs := keys(t, first, 2)
	require.Equal(t, []string{"a", "b"}, got)
	require.Equal(t, []uint64{1, 2}, seqs)
	_, oseqs := keys(t, other, 2)
	require.Equal(t, seqs, oseqs, "the same event, the same number")
	first.Close()
	other.Close()

	f.put("c", storageclass.Standard, "3") // nobody subscribed
	f.put("d", storageclass.Standard, "4")
	again := f.db.Subscribe(&engine.SubscribeOptions{From: 3})
	defer again.Close()
	f.put("e", storageclass.Standard, "5")
	got, seqs = keys(t, again, 3)
	require.Equal(t, []string{"c", "d", "e"}, got)
	require.Equal(t, []uint64{3, 4, 5}, seqs)

	// From past the last event: from now on; a filter applies to what is
	// resumed too.
	late := f.db.Subscribe(&engine.SubscribeOptions{From: 99})
	defer late.Close()
	sel := f.db.Subscribe(&engine.SubscribeOptions{From: 1, Prefix: "d"})
	defer sel.Close()
	f.put("dd", storageclass.Standard, "6")
	got, _ = keys(t, late, 1)
	require.Equal(t, []string{"dd"}, got)
	got, seqs = keys(t, sel, 2)
	require.Equal(t, []string{"d", "dd"}, got)
	require.Equal(t, []uint64{4, 6}, seqs)
}

// What the history no longer holds is told as a gap counting every event
// lost; a database that keeps none tells all it numbered since as lost.
func TestEvents_ResumePastHistory(t *testing.T) {
	f := historyFixture(t, 3)
	f.db.Subscribe(nil).Close()
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		f.put(k, storageclass.Standard, k)
	}
	s := f.db.Subscribe(&engine.SubscribeOptions{From: 2})
	defer s.Close()
	got, seqs := keys(t, s, 4)
	require.Equal(t, []string{"gap 2", "d", "e", "f"}, got, "b and c are gone")
	require.Equal(t, []uint64{0, 4, 5, 6}, seqs)

	// A buffer smaller than what is resumed: the oldest are kept, the
	// rest told as lost.
	small := f.db.Subscribe(&engine.SubscribeOptions{From: 4, Buffer: 2})
	defer small.Close()
	got, _ = keys(t, small, 3)
	require.Equal(t, []string{"d", "e", "gap 1"}, got)

	none := newFixture(t)
	first := none.db.Subscribe(nil)
	none.put("a", storageclass.Standard, "1")
	none.put("b", storageclass.Standard, "2")
	_, seqs = keys(t, first, 2)
	require.Equal(t, []uint64{1, 2}, seqs)
	first.Close()
	s2 := none.db.Subscribe(&engine.SubscribeOptions{From: 1})
	defer s2.Close()
	none.put("c", storageclass.Standard, "3")
	got, seqs = keys(t, s2, 2)
	require.Equal(t, []string{"gap 2", "c"}, got)
	require.Equal(t, uint64(3), seqs[1])
}

// With a history, a restore's completion is told at its instant even
// while no subscription is open, and a later one resumes it.
func TestEvents_ResumeCompletion(t *testing.T) {
	f := historyFixture(t, 10)
	s := f.db.Subscribe(nil)
	f.put("k", storageclass.Archive, "cold")
	_, err := f.db.Restore(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	_, seqs := keys(t, s, 2)
	s.Close()
	ready := f.head("k").Restore.ReadyAt
	enginetest.Advance(t, f.db, f.m, 2*24*time.Hour)

	again := f.db.Subscribe(&engine.SubscribeOptions{From: seqs[1] + 1})
	defer again.Close()
	e := next(t, again)
	require.Equal(t, engine.EventRestoreCompleted, e.Kind)
	require.Equal(t, ready, e.At)
	require.Equal(t, seqs[1]+1, e.Seq)
}
