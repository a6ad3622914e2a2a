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
func (db *DB) runLoop(ctx context.Context) {
	defer db.loop.Done()
	log := db.opts.Logger
	for {
		res, err := db.Sweep(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Error("coldstore: sweep failed", "err", err)
		} else if res.Expired > 0 {
			log.Debug("coldstore: swept expired restores", "expired", res.Expired, "next", res.Next)
		}
		lc, err := db.RunLifecycle(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Error("coldstore: lifecycle failed", "err", err)
		} else if lc.Transitioned+lc.Expired > 0 {
			log.Debug("coldstore: lifecycle applied", "transitioned", lc.Transitioned, "expired", lc.Expired, "next", lc.Next)
		}
		now := db.now()
		wait := db.opts.SweepInterval
		for _, next := range []time.Time{res.Next, lc.Next} {
			if !next.IsZero() {
				wait = min(wait, max(next.Sub(now), 0))
			}
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
		}
		db.armed.Store(0)
	}
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
