package engine

import (
	"bytes"
	"context"

	"github.com/coldstore-dev/coldstore"
	bolt "go.etcd.io/bbolt"
)

// ListOptions are the optional arguments of List. A nil *ListOptions is
// valid.
type ListOptions struct {
	Prefix     string // only keys that start with it
	StartAfter string // only keys after it, in byte order
	Limit      int    // at most this many objects, 1-1000; 0: 1000
}

// ListPage is one page of a listing.
type ListPage struct {
	Objects        []ObjectInfo // in key byte order, each with its restore status
	NextStartAfter string       // StartAfter of the next page when Truncated
	Truncated      bool         // more objects match after this page
}

// MaxListLimit is the largest page, as OSS's max-keys.
const MaxListLimit = 1000

// List returns the objects of bucket in key order, with their restore
// status (the RestoreInfo of OSS listings).
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrInvalidArgument for a Limit outside 0-1000, ErrNoSuchBucket when the
// bucket is absent, and ErrClosed after Close.
func (db *DB) List(ctx context.Context, bucket string, opts *ListOptions) (ListPage, error) {
	const op = "List"
	if err := checkBucket(op, bucket); err != nil {
		return ListPage{}, err
	}
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 || o.Limit > MaxListLimit {
		return ListPage{}, fail(op, bucket, "", coldstore.ErrInvalidArgument, "limit %d outside 0-%d", o.Limit, MaxListLimit)
	}
	if o.Limit == 0 {
		o.Limit = MaxListLimit
	}
	if err := db.acquire(ctx, op, bucket, ""); err != nil {
		return ListPage{}, err
	}
	defer db.release()
	var page ListPage
	err := db.view(op, bucket, "", func(tx *bolt.Tx) error {
		now := db.clock.Now()
		ob, err := objectsOf(tx, op, bucket, "")
		if err != nil {
			return err
		}
		prefix := []byte(o.Prefix)
		start := prefix
		if o.StartAfter >= o.Prefix {
			start = []byte(o.StartAfter)
		}
		c := ob.Cursor()
		k, v := c.Seek(start)
		if k != nil && o.StartAfter != "" && string(k) == o.StartAfter {
			k, v = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && !isExpiryKey(k); k, v = c.Next() {
			if len(page.Objects) == o.Limit {
				page.Truncated = true
				page.NextStartAfter = page.Objects[len(page.Objects)-1].Key
				break
			}
			rec, err := decodeRecord(string(k), v)
			if err != nil {
				return fail(op, bucket, string(k), ErrCorrupt, "%v", err)
			}
			rules, err := db.rules(op, bucket, string(k), rec.Class)
			if err != nil {
				return err
			}
			page.Objects = append(page.Objects, info(bucket, string(k), &rec, rules, now))
		}
		return nil
	})
	if err == nil {
		db.live.count(nil, bucket, opListObjects, 0)
	}
	return page, err
}
