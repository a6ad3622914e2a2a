package engine

import (
	"context"
	"time"

	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// RestoreOptions are the optional arguments of Restore. A nil
// *RestoreOptions is valid.
type RestoreOptions struct {
	// Days the restored copy stays readable once ready. 0: the class's
	// DefaultRestoreDays (1 in OSS).
	Days int
	// Tier of the restore. "": the class's DefaultTier; must be "" for a
	// class without tiers (Archive).
	Tier storageclass.Tier
}

// Restore asks for a readable copy of an archived object, as the dialect's
// RestoreObject does (OSS by default: dialect.OSS documents its rules).
// What it does depends on the state now: a restore starts (Accepted, 202),
// speeds up (Accepted), or prolongs a restored copy (AlreadyRestored, 200),
// or it is refused and nothing changes. Restore does not change the
// object's class.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrNoSuchBucket or ErrNoSuchKey when absent; the
// dialect's refusals (in OSS: ErrOperationNotSupported (400) for a class
// that needs no restore; ErrInvalidArgument for Days outside the class's
// [MinRestoreDays, MaxRestoreDays], an unknown tier, or a tier the class
// lacks; ErrMalformedXML for any tier on a class without tiers;
// ErrRestoreAlreadyInProgress (409) while a restore runs); and ErrClosed
// after Close.
func (db *DB) Restore(ctx context.Context, bucket, key string, opts *RestoreOptions) (RestoreResult, error) {
	const op = "Restore"
	if err := db.checkObject(op, bucket, key); err != nil {
		return RestoreResult{}, err
	}
	var o RestoreOptions
	if opts != nil {
		o = *opts
	}
	if err := db.dialect.CheckRestore(o.Days, o.Tier); err != nil {
		return RestoreResult{}, refusal(op, bucket, key, err)
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return RestoreResult{}, err
	}
	defer db.release()
	var res RestoreResult
	err := db.changeObject(ctx, op, bucket, key, func(t *objectTx) error {
		rec, rules := t.rec, t.rules
		d, err := db.dialect.Restore(dialect.RestoreRequest{
			Class: rec.Class, Rules: rules, State: status(&rec, rules, t.now).State, Copy: copyOf(&rec),
			Days: o.Days, Tier: o.Tier, Now: t.now,
			Latency: func(tier storageclass.Tier) time.Duration {
				lat, _ := rules.Latency(tier)
				return db.opts.RestoreLatency(rec.Class, tier, lat)
			},
		})
		if err != nil {
			return refusal(op, bucket, key, err)
		}
		rec.Tier, rec.RequestedAt, rec.ReadyAt, rec.ExpiresAt = d.Copy.Tier, d.Copy.RequestedAt, d.Copy.ReadyAt, d.Copy.ExpiresAt
		res.Status = AlreadyRestored
		if d.Accepted {
			res.Status = Accepted
		}
		if d.Retrieval {
			u, err := t.usage(t.b)
			if err != nil {
				return err
			}
			u.restore(rec.Class, rec.Tier, rec.Size)
		}
		res.Restore = status(&rec, rules, t.now)
		if d.Accepted {
			t.emit(EventRestoreInitiated, bucket, key, &rec)
			if !rec.ReadyAt.After(rec.RequestedAt) {
				t.emit(EventRestoreCompleted, bucket, key, &rec) // ready at once: no sweep tells it
			}
		}
		return t.save(&rec, "RestoreObject")
	})
	if err != nil {
		return RestoreResult{}, err
	}
	return res, nil
}

// copyOf returns the restore rec holds.
func copyOf(rec *objectRecord) dialect.Copy {
	return dialect.Copy{Tier: rec.Tier, RequestedAt: rec.RequestedAt, ReadyAt: rec.ReadyAt, ExpiresAt: rec.ExpiresAt}
}

// CleanRestored ends a restored copy early (OSS CleanRestoredObject): a
// Restored object becomes Archived again and its expiry leaves the index.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrNoSuchBucket or ErrNoSuchKey when absent; the
// dialect's refusals (in OSS: ErrOperationNotSupported for a class that
// needs no restore; ErrArchiveRestoreNotFinished (409) while Restoring;
// ErrArchiveRestoreFileStale (409) when Archived: never restored, expired,
// or already cleaned); and ErrClosed after Close.
func (db *DB) CleanRestored(ctx context.Context, bucket, key string) error {
	const op = "CleanRestored"
	if err := db.checkObject(op, bucket, key); err != nil {
		return err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return err
	}
	defer db.release()
	return db.changeObject(ctx, op, bucket, key, func(t *objectTx) error {
		rec := t.rec
		if err := db.dialect.CleanRestored(rec.Class, status(&rec, t.rules, t.now).State, copyOf(&rec)); err != nil {
			return refusal(op, bucket, key, err)
		}
		rec.clearRestore()
		return t.save(&rec, "CleanRestoredObject")
	})
}
