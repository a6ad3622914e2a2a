package engine

import (
	"context"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/internal/instant"
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

// Restore asks for a readable copy of an archived object, as OSS
// RestoreObject does. What it does depends on the state now:
//
//	Archived (or expired)  Accepted (202): RequestedAt = now, ReadyAt = now +
//	                       latency(tier), ExpiresAt = ReadyAt + Days.
//	Restoring              ErrRestoreAlreadyInProgress (409), nothing changes;
//	                       except a faster tier (ColdArchive, DeepColdArchive):
//	                       Accepted (202), the tier changes and ReadyAt moves
//	                       earlier if the faster tier finishes sooner, keeping
//	                       the restored copy's lifetime (ExpiresAt - ReadyAt).
//	                       A slower or equal tier, or none, is the 409.
//	Restored               AlreadyRestored (200): ExpiresAt += Days, never past
//	                       ReadyAt + MaxRestoreDays. The tier is checked but
//	                       not used.
//
// Days and tier are validated against the class before the state is looked
// at, so a bad request fails the same way in every state and changes
// nothing. Restore does not change the object's class.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrNoSuchBucket or ErrNoSuchKey when absent;
// ErrOperationNotSupported (400) for a class that needs no restore;
// ErrInvalidArgument for Days outside the class's [MinRestoreDays,
// MaxRestoreDays], an unknown tier, or a tier the class lacks (Bulk on
// DeepColdArchive); ErrMalformedXML for any tier on a class without tiers
// (Archive), as OSS answers JobParameters there; ErrRestoreAlreadyInProgress
// (409) as above; and ErrClosed after Close.
func (db *DB) Restore(ctx context.Context, bucket, key string, opts *RestoreOptions) (RestoreResult, error) {
	const op = "Restore"
	if err := checkObject(op, bucket, key); err != nil {
		return RestoreResult{}, err
	}
	var o RestoreOptions
	if opts != nil {
		o = *opts
	}
	if o.Days < 0 {
		return RestoreResult{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "days %d is negative", o.Days)
	}
	if o.Tier != "" && o.Tier.Speed() < 0 {
		return RestoreResult{}, fail(op, bucket, key, coldstore.ErrInvalidArgument, "unknown restore tier %q", o.Tier)
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return RestoreResult{}, err
	}
	defer db.release()
	var res RestoreResult
	err := db.changeObject(ctx, op, bucket, key, func(t *objectTx) error {
		now, rules, rec := t.now, t.rules, t.rec
		days, tier, err := restoreArgs(op, bucket, key, &rec, rules, &o)
		if err != nil {
			return err
		}
		switch status(&rec, rules, now).State {
		case Archived:
			lat, _ := rules.Latency(tier)
			rec.Tier = tier
			rec.RequestedAt = now
			var ok1, ok2 bool
			rec.ReadyAt, ok1 = instant.Add(now, db.opts.RestoreLatency(rec.Class, tier, lat))
			rec.ExpiresAt, ok2 = instant.AddDays(rec.ReadyAt, int64(days))
			if !ok1 || !ok2 {
				return pastMaxTime(op, bucket, key)
			}
			res.Status = Accepted
			u, err := t.usage(t.b)
			if err != nil {
				return err
			}
			u.restore(rec.Class, tier, rec.Size)
		case Restoring:
			if o.Tier == "" || !o.Tier.FasterThan(rec.Tier) {
				return fail(op, bucket, key, coldstore.ErrRestoreAlreadyInProgress, "restore with tier %q ready at %s", rec.Tier, rec.ReadyAt.Format(httpTime))
			}
			life := rec.ExpiresAt.Sub(rec.ReadyAt)
			lat, _ := rules.Latency(o.Tier)
			if ready, _ := instant.Add(now, db.opts.RestoreLatency(rec.Class, o.Tier, lat)); ready.Before(rec.ReadyAt) {
				rec.ReadyAt = ready
			}
			rec.Tier = o.Tier
			rec.ExpiresAt = rec.ReadyAt.Add(life) // no later than before: ReadyAt moved earlier
			res.Status = Accepted
		case Restored:
			limit, limitOK := instant.AddDays(rec.ReadyAt, int64(rules.MaxRestoreDays))
			exp, ok := instant.AddDays(rec.ExpiresAt, int64(days))
			if !ok && !limitOK {
				return pastMaxTime(op, bucket, key)
			}
			rec.ExpiresAt = exp
			if rec.ExpiresAt.After(limit) {
				rec.ExpiresAt = limit
			}
			res.Status = AlreadyRestored
		}
		res.Restore = status(&rec, rules, now)
		return t.save(&rec, "RestoreObject")
	})
	if err != nil {
		return RestoreResult{}, err
	}
	return res, nil
}

// restoreArgs validates Days and Tier against the class and fills in the
// class's defaults.
func restoreArgs(op, bucket, key string, rec *objectRecord, r *storageclass.Rules, o *RestoreOptions) (int, storageclass.Tier, error) {
	if !r.NeedsRestore {
		return 0, "", fail(op, bucket, key, coldstore.ErrOperationNotSupported, "%s objects need no restore", rec.Class)
	}
	days := o.Days
	if days == 0 {
		days = r.DefaultRestoreDays
	}
	if days < r.MinRestoreDays || days > r.MaxRestoreDays {
		return 0, "", fail(op, bucket, key, coldstore.ErrInvalidArgument, "days %d outside [%d, %d] for %s", days, r.MinRestoreDays, r.MaxRestoreDays, rec.Class)
	}
	tier := o.Tier
	if len(r.Tiers) == 0 {
		if tier != "" {
			return 0, "", fail(op, bucket, key, coldstore.ErrMalformedXML, "%s has no restore tiers; tier %q given", rec.Class, tier)
		}
		return days, "", nil
	}
	if tier == "" {
		tier = r.DefaultTier
	}
	if _, ok := r.Tiers[tier]; !ok {
		return 0, "", fail(op, bucket, key, coldstore.ErrInvalidArgument, "%s has no %s tier", rec.Class, tier)
	}
	return days, tier, nil
}

// CleanRestored ends a restored copy early (OSS CleanRestoredObject): a
// Restored object becomes Archived again and its expiry leaves the index.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrNoSuchBucket or ErrNoSuchKey when absent;
// ErrOperationNotSupported for a class that needs no restore (our choice:
// OSS documents the call for archive classes only);
// ErrArchiveRestoreNotFinished (409) while Restoring;
// ErrArchiveRestoreFileStale (409) when Archived (never restored, expired,
// or already cleaned); and ErrClosed after Close.
func (db *DB) CleanRestored(ctx context.Context, bucket, key string) error {
	const op = "CleanRestored"
	if err := checkObject(op, bucket, key); err != nil {
		return err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return err
	}
	defer db.release()
	return db.changeObject(ctx, op, bucket, key, func(t *objectTx) error {
		rec := t.rec
		switch status(&rec, t.rules, t.now).State {
		case NotArchived:
			return fail(op, bucket, key, coldstore.ErrOperationNotSupported, "%s objects are never restored", rec.Class)
		case Archived:
			return fail(op, bucket, key, coldstore.ErrArchiveRestoreFileStale, "no restored copy")
		case Restoring:
			return fail(op, bucket, key, coldstore.ErrArchiveRestoreNotFinished, "restore ready at %s", rec.ReadyAt.Format(httpTime))
		}
		rec.clearRestore()
		return t.save(&rec, "CleanRestoredObject")
	})
}
