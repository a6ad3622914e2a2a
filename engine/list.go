package engine

import (
	"bytes"
	"context"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
)

// ListOptions are the optional arguments of List. A nil *ListOptions is
// valid.
type ListOptions struct {
	Prefix     string // only keys that start with it
	StartAfter string // only entries after it, in byte order
	Limit      int    // at most this many entries (objects and common prefixes), 1-1000; 0: 1000
	// Delimiter groups keys: every key that holds it after Prefix is
	// listed once, as its common prefix (the key up to and including the
	// first Delimiter after Prefix), in CommonPrefixes. A common prefix is
	// one entry, read with one seek past all its keys however many there
	// are, so a page costs what it lists. A common prefix equal to
	// StartAfter is not listed again. "": no grouping.
	Delimiter string
}

// ListPage is one page of a listing.
type ListPage struct {
	Objects        []ObjectInfo // in key byte order, each with its restore status
	CommonPrefixes []string     // with a Delimiter: the common prefixes, in byte order
	NextStartAfter string       // StartAfter of the next page when Truncated: the last entry
	Truncated      bool         // more entries match after this page
}

// MaxListLimit is the largest page, as OSS's max-keys.
const MaxListLimit = 1000

// List returns the objects of bucket in key order, with their restore
// status (the RestoreInfo of OSS listings), and with a Delimiter the
// common prefixes that stand for the keys they group. A page of n entries
// reads n+1 records or seeks, whatever the keys it skips.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrInvalidArgument for a Limit outside 0-1000, ErrNoSuchBucket when the
// bucket is absent, coldstore.ErrDataCorrupt for a record that fails its
// checksum, ErrCorrupt for a record that does not decode, the
// context's error when it has ended, and ErrClosed after Close.
func (db *DB) List(ctx context.Context, bucket string, opts *ListOptions) (ListPage, error) {
	page, _, err := db.list(ctx, bucket, opts)
	return page, err
}

// list is List, which also counts the cursor positions it read (for the
// tests of what a page costs).
func (db *DB) list(ctx context.Context, bucket string, opts *ListOptions) (page ListPage, visited int, err error) {
	const op = "List"
	if err := db.checkBucket(op, bucket); err != nil {
		return ListPage{}, 0, err
	}
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 || o.Limit > MaxListLimit {
		return ListPage{}, 0, fail(op, bucket, "", coldstore.ErrInvalidArgument, "limit %d outside 0-%d", o.Limit, MaxListLimit)
	}
	if o.Limit == 0 {
		o.Limit = MaxListLimit
	}
	if err := db.acquire(ctx, op, bucket, ""); err != nil {
		return ListPage{}, 0, err
	}
	defer db.release()
	err = db.view(ctx, op, bucket, "", func(tx kv.Tx) error {
		now := db.now()
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
		visited++
		if k != nil && o.StartAfter != "" && string(k) == o.StartAfter {
			k, v = c.Next()
			visited++
		}
		delim := []byte(o.Delimiter)
		entries, last := 0, ""
		for k != nil && bytes.HasPrefix(k, prefix) && !isExpiryKey(k) {
			var cp []byte
			if len(delim) > 0 {
				if i := bytes.Index(k[len(prefix):], delim); i >= 0 {
					cp = k[:len(prefix)+i+len(delim)]
				}
			}
			if cp == nil || string(cp) != o.StartAfter {
				if entries == o.Limit {
					page.Truncated = true
					page.NextStartAfter = last
					break
				}
				entries++
			}
			if cp != nil {
				if string(cp) != o.StartAfter {
					last = string(cp)
					page.CommonPrefixes = append(page.CommonPrefixes, last)
				}
				// Past every key under cp: no key holds 0xff (keys are
				// UTF-8), and the expiry index after the keys starts with
				// it. cp lies in the file's pages: copied, never appended to.
				past := make([]byte, len(cp)+1)
				copy(past, cp)
				past[len(cp)] = 0xff
				k, v = c.Seek(past)
				visited++
				continue
			}
			rec, err := decodeRecord(string(k), v)
			if err != nil {
				return recordError(op, bucket, string(k), err)
			}
			rules, err := db.rules(op, bucket, string(k), rec.Class)
			if err != nil {
				return err
			}
			last = string(k)
			page.Objects = append(page.Objects, info(bucket, last, &rec, rules, now))
			k, v = c.Next()
			visited++
		}
		return nil
	})
	if err == nil {
		db.live.count(nil, bucket, opListObjects)
	}
	return page, visited, err
}
