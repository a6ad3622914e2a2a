package engine

import (
	"slices"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
)

// Completed restores are derived, not stored: a restore is complete once
// the clock reaches its ReadyAt, whether or not anyone reads. While
// somebody subscribes, Sweep tells each such instant once as an
// EventRestoreCompleted. The hub keeps a mark, the instant up to which
// completions have been told; a sweep that finds some of ReadyAt in
// (mark, now] tells them in a write transaction and then moves the mark
// to now, and its SweepResult.Next includes the next ReadyAt, so the
// background loop wakes at it. Only that write moves the mark: a restore
// that commits after it read its instant after the sweep's now, and is
// ready after the mark; one that commits after a sweep merely looked
// stays after the unmoved mark, and the restore's commit wakes the loop
// at its ReadyAt.
//
// The restores a sweep looks at are those of the expiry index after the
// mark (a restore's ExpiresAt is after its ReadyAt): its cost grows with
// the restores not yet expired, and it is paid only while somebody
// subscribes. A restore ready the instant it was accepted (a latency of
// zero) is told by RestoreObject itself, not here.

// readyScan reads the restores whose ReadyAt lies in (mark, now] and
// returns how many there are and the earliest ReadyAt after now (zero if
// none).
func readyScan(tx kv.Tx, mark, now time.Time) (due int, next time.Time) {
	forReady(tx, mark, func(_ string, _ string, rec *objectRecord) {
		switch {
		case !rec.ReadyAt.After(now):
			due++
		case next.IsZero() || rec.ReadyAt.Before(next):
			next = rec.ReadyAt
		}
	})
	return due, next
}

// forReady calls fn for every restore of the expiry index that became or
// becomes ready after mark and took time (ReadyAt after RequestedAt).
func forReady(tx kv.Tx, mark time.Time, fn func(bucket, key string, rec *objectRecord)) {
	_ = tx.Bucket(bktBuckets).ForEach(func(name, _ []byte) error {
		ob := objectsBucket(tx, string(name))
		if ob == nil {
			return nil // Check reports it
		}
		c := ob.Cursor()
		for k, _ := c.Seek(expiryKey(mark, "")); isExpiryKey(k); k, _ = c.Next() {
			t, key, ok := parseExpiryKey(k)
			if !ok {
				continue
			}
			v := ob.Get(bytesOf(key))
			if v == nil {
				continue
			}
			rec, err := decodeRecord(key, v)
			if err != nil || !rec.ExpiresAt.Equal(t) || !rec.ReadyAt.After(mark) || !rec.ReadyAt.After(rec.RequestedAt) {
				continue
			}
			fn(string(name), key, &rec)
		}
		return nil
	})
}

// emitReady emits EventRestoreCompleted for every restore whose ReadyAt
// lies in (mark, w.now], in time order.
func (w *writeTx) emitReady(mark time.Time) {
	start := len(w.events)
	forReady(w.tx, mark, func(bucket, key string, rec *objectRecord) {
		if !rec.ReadyAt.After(w.now) {
			w.emit(EventRestoreCompleted, bucket, key, rec)
		}
	})
	slices.SortStableFunc(w.events[start:], func(a, b Event) int { return a.At.Compare(b.At) })
}
