package engine_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
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
	require.Equal(t, []uint64{firstSeq, firstSeq + 1}, seqs)
	_, oseqs := keys(t, other, 2)
	require.Equal(t, seqs, oseqs, "the same event, the same number")
	first.Close()
	other.Close()

	f.put("c", storageclass.Standard, "3") // nobody subscribed
	f.put("d", storageclass.Standard, "4")
	again := f.db.Subscribe(&engine.SubscribeOptions{From: firstSeq + 2})
	defer again.Close()
	f.put("e", storageclass.Standard, "5")
	got, seqs = keys(t, again, 3)
	require.Equal(t, []string{"c", "d", "e"}, got)
	require.Equal(t, []uint64{firstSeq + 2, firstSeq + 3, firstSeq + 4}, seqs)

	// From past the next event, a number never given: a gap of an unknown
	// count, then from now on; From the next event: from now on, no gap;
	// a filter applies to what is resumed too.
	late := f.db.Subscribe(&engine.SubscribeOptions{From: firstSeq + 99})
	defer late.Close()
	next := f.db.Subscribe(&engine.SubscribeOptions{From: firstSeq + 5})
	defer next.Close()
	sel := f.db.Subscribe(&engine.SubscribeOptions{From: firstSeq, Prefix: "d"})
	defer sel.Close()
	f.put("dd", storageclass.Standard, "6")
	got, _ = keys(t, late, 2)
	require.Equal(t, []string{"gap -1", "dd"}, got)
	got, _ = keys(t, next, 1)
	require.Equal(t, []string{"dd"}, got)
	got, seqs = keys(t, sel, 2)
	require.Equal(t, []string{"d", "dd"}, got)
	require.Equal(t, []uint64{firstSeq + 3, firstSeq + 5}, seqs)
}

// What the history no longer holds is told as a gap counting every event
// lost, at most; what it holds is all handed out, whatever the buffer; a
// database that keeps none tells all it numbered since as lost.
func TestEvents_ResumePastHistory(t *testing.T) {
	f := historyFixture(t, 3)
	f.db.Subscribe(nil).Close()
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		f.put(k, storageclass.Standard, k)
	}
	s := f.db.Subscribe(&engine.SubscribeOptions{From: firstSeq + 1})
	defer s.Close()
	got, seqs := keys(t, s, 4)
	require.Equal(t, []string{"gap 2", "d", "e", "f"}, got, "b and c are gone")
	require.Equal(t, []uint64{0, firstSeq + 3, firstSeq + 4, firstSeq + 5}, seqs)

	// A buffer smaller than what is resumed: all of it, then the events
	// after it.
	small := f.db.Subscribe(&engine.SubscribeOptions{From: firstSeq + 3, Buffer: 2})
	defer small.Close()
	f.put("g", storageclass.Standard, "g")
	got, _ = keys(t, small, 4)
	require.Equal(t, []string{"d", "e", "f", "g"}, got)

	none := newFixture(t)
	first := none.db.Subscribe(nil)
	none.put("a", storageclass.Standard, "1")
	none.put("b", storageclass.Standard, "2")
	_, seqs = keys(t, first, 2)
	require.Equal(t, []uint64{firstSeq, firstSeq + 1}, seqs)
	first.Close()
	s2 := none.db.Subscribe(&engine.SubscribeOptions{From: firstSeq})
	defer s2.Close()
	none.put("c", storageclass.Standard, "3")
	got, seqs = keys(t, s2, 2)
	require.Equal(t, []string{"gap 2", "c"}, got)
	require.Equal(t, uint64(firstSeq+2), seqs[1])
}

// A reopened database numbers its events above every number of the
// openings before it, a crash's included (S3's sequencer must grow per
// key); a resume from an earlier opening's event is a gap of an unknown
// count (-1).
func TestEvents_SeqAcrossOpenings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	m := clock.NewMock()
	m.Set(enginetest.Epoch)
	var last uint64
	var lastSequencer string
	for range 3 {
		db, err := engine.Open(path, &engine.Options{Clock: m, EventHistory: 10, DisableSweeper: true})
		require.NoError(t, err)
		_ = db.CreateBucket(ctx, "bkt", nil)
		s := db.Subscribe(nil)
		_, err = db.Put(ctx, "bkt", "k", strings.NewReader("x"), nil)
		require.NoError(t, err)
		e := next(t, s)
		require.Greater(t, e.Seq, last, "the same key, the same instant, a later opening")
		require.Greater(t, e.Sequencer, lastSequencer, "S3's sequencer grows too")
		lastSequencer = e.Sequencer
		if last != 0 {
			r := db.Subscribe(&engine.SubscribeOptions{From: last + 1})
			g := next(t, r)
			require.Equal(t, engine.EventGap, g.Kind)
			require.Equal(t, -1, g.Missed)
			require.Equal(t, "k", next(t, r).Key, "then what this opening keeps")
			r.Close()
		}
		last = e.Seq
		s.Close()
		require.NoError(t, db.Close())
	}
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

// The room a resume took in the buffer goes as its events are handed
// out: afterwards a subscription misses what its own Buffer cannot hold.
func TestEvents_ResumeBufferShrinksBack(t *testing.T) {
	f := historyFixture(t, 100)
	f.db.Subscribe(nil).Close()
	for i := range 6 {
		f.put("r"+strconv.Itoa(i), storageclass.Standard, "x")
	}
	s := f.db.Subscribe(&engine.SubscribeOptions{From: firstSeq, Buffer: 1})
	defer s.Close()
	got, _ := keys(t, s, 6)
	require.Equal(t, []string{"r0", "r1", "r2", "r3", "r4", "r5"}, got, "all the history, whatever the buffer")
	for i := range 5 {
		f.put("l"+strconv.Itoa(i), storageclass.Standard, "x")
	}
	got, _ = keys(t, s, 2)
	require.Equal(t, []string{"l0", "gap 4"}, got, "a buffer of 1 again")
}
