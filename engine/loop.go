package engine

import (
	"context"
	"time"
)

// runLoop is the background loop that Open starts. It sleeps on the
// injected clock until the earliest pending expiry or lifecycle due time,
// or SweepInterval, whichever comes first, or until a write sets an earlier
// one (poke), or until Close; then it sweeps and runs the lifecycle. It
// never reads the wall clock.
//
// On a store several processes share it runs while this process leads
// (leadLoop), and returns when lost is closed.
func (db *DB) runLoop(ctx context.Context, lost <-chan struct{}) {
	defer db.loop.Done()
	log := db.opts.Logger
	for {
		next, err := db.RunDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Error("coldstore: background work failed", "err", err)
		}
		now := db.now()
		wait := db.opts.SweepInterval
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(now), 0))
		}
		timer := db.clock.Timer(wait)
		db.armed.Store(now.Add(wait).UnixMicro())
		select {
		case <-ctx.Done():
			timer.Stop()
			db.armed.Store(0)
			return
		case <-timer.C:
		case <-db.wake:
			timer.Stop()
		case <-lost:
			timer.Stop()
			db.armed.Store(0)
			return
		}
		db.armed.Store(0)
	}
}

// leadLoop runs the background loop whenever this process leads the
// cluster's background work: it waits for the leadership (kv.Cluster.Lead,
// which passes other processes' wake-ups to poke), runs the loop until the
// leadership is lost, and waits again, until Close.
func (db *DB) leadLoop(ctx context.Context) {
	defer db.loop.Done()
	for ctx.Err() == nil {
		lost, err := db.cluster.Lead(ctx, db.poke)
		if err != nil {
			if ctx.Err() == nil {
				db.opts.Logger.Error("coldstore: waiting to lead", "err", err)
			}
			return
		}
		db.opts.Logger.Info("coldstore: leading the background work")
		db.leading.Store(true)
		db.loop.Add(1)
		db.runLoop(ctx, lost)
		db.leading.Store(false)
		if ctx.Err() == nil {
			db.opts.Logger.Warn("coldstore: lost the lead of the background work")
		}
	}
}

// Leading reports whether this process runs the background loop: always,
// on a store of one process, unless Options.DisableSweeper; on a store
// several processes share, while it is their elected leader.
func (db *DB) Leading() bool {
	if db.cluster == nil {
		return !db.opts.DisableSweeper
	}
	return db.leading.Load()
}

// followLoop stores this process's read counts every SweepInterval, as the
// leader's sweeps do for its own: on a shared store every process counts
// the reads it serves.
func (db *DB) followLoop(ctx context.Context) {
	defer db.loop.Done()
	for {
		timer := db.clock.Timer(db.opts.SweepInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		if err := db.flushReads(); err != nil {
			db.opts.Logger.Error("coldstore: storing read counts", "err", err)
		}
	}
}

// RunDue does what the background loop does when it wakes: Sweep, then
// RunLifecycle, at the clock's instant. It returns the earliest instant
// either has work pending (a restore's expiry or, while somebody
// subscribes, its completion; a lifecycle action), zero if none. A test
// moving a mock clock far can step it from one such instant to the next
// and call RunDue at each, so that every change happens, and is told, at
// its instant (wire.MockClock does). It returns the first error of the
// two; the other still runs.
func (db *DB) RunDue(ctx context.Context) (time.Time, error) {
	log := db.opts.Logger
	res, serr := db.Sweep(ctx)
	if serr == nil && res.Expired > 0 {
		log.Debug("coldstore: swept expired restores", "expired", res.Expired, "next", res.Next)
	}
	if ctx.Err() != nil {
		return time.Time{}, ctx.Err()
	}
	lc, lerr := db.RunLifecycle(ctx)
	if lerr == nil && lc.Transitioned+lc.Expired > 0 {
		log.Debug("coldstore: lifecycle applied", "transitioned", lc.Transitioned, "expired", lc.Expired, "next", lc.Next)
	}
	if db.cluster != nil {
		if err := db.foldMeters(ctx); err != nil && lerr == nil {
			lerr = err
		}
		if err := db.collectOrphans(ctx); err != nil && lerr == nil {
			lerr = err
		}
	}
	next := res.Next
	if !lc.Next.IsZero() && (next.IsZero() || lc.Next.Before(next)) {
		next = lc.Next
	}
	if serr != nil {
		return next, serr
	}
	return next, lerr
}

// poke wakes the loop when t is earlier than the time it sleeps until, or
// when it is not sleeping (it may be about to sleep on an older answer).
func (db *DB) poke(t time.Time) {
	if t.IsZero() || db.opts.DisableSweeper {
		return
	}
	if a := db.armed.Load(); a == 0 || t.UnixMicro() < a {
		select {
		case db.wake <- struct{}{}:
		default:
		}
	}
}
