package engine

import (
	"context"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
)

// LatestInstant returns the latest clock reading the database recorded: the
// latest creation of a bucket, Put, class change, recorded access, restore
// request and meter update; the zero time for a new database. A test
// double that restarts on a mock clock resumes from it, so that time never
// runs backwards for what is stored (coldstore serve -clock mock does).
// It reads every record: its cost grows with the number of objects.
//
// It returns an error wrapping ErrCorrupt for a record that does not
// decode, coldstore.ErrDataCorrupt for one that fails its checksum, the
// context's error when it ends first, and ErrClosed after Close.
func (db *DB) LatestInstant(ctx context.Context) (time.Time, error) {
	const op = "LatestInstant"
	if err := db.acquire(ctx, op, "", ""); err != nil {
		return time.Time{}, err
	}
	defer db.release()
	var latest time.Time
	see := func(ts ...time.Time) {
		for _, t := range ts {
			if t.After(latest) {
				latest = t
			}
		}
	}
	err := db.view(ctx, op, "", "", func(tx kv.Tx) error {
		var names []string
		err := tx.Bucket(bktBuckets).ForEach(func(k, v []byte) error {
			r, err := decodeBucket(v)
			if err != nil {
				return fail(op, string(k), "", ErrCorrupt, "bucket record: %v", err)
			}
			see(r.Created, r.AccessSince)
			names = append(names, string(k))
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range names {
			if u, found, err := loadUsage(tx, name); err != nil {
				return fail(op, name, "", ErrCorrupt, "meter: %v", err)
			} else if found {
				see(u.Since)
				for _, m := range u.Classes {
					see(m.At)
				}
			}
			ob := objectsBucket(tx, name)
			if ob == nil {
				continue
			}
			c := ob.Cursor()
			var rec objectRecord
			for k, v := c.First(); k != nil && !isExpiryKey(k); k, v = c.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := rec.decode(string(k), v); err != nil {
					return recordError(op, name, string(k), err)
				}
				see(rec.LastModified, rec.ClassSince, rec.LastAccess, rec.RequestedAt)
			}
		}
		return nil
	})
	return latest, err
}
