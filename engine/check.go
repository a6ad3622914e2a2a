package engine

import (
	"context"
	"encoding/binary"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// maxProblems bounds the problems Check reports.
const maxProblems = 100

// Check verifies the invariants of the file in one read transaction and
// returns nil, or an error joining every broken invariant it found (up to
// 100), each wrapping ErrCorrupt:
//
//   - every bucket record has its object bucket and the other way round;
//   - every object record decodes, names a class of the catalog, and its
//     chunks exist, are numbered 0..n-1 and add up to its size;
//   - a restore's times are ordered (RequestedAt <= ReadyAt <= ExpiresAt),
//     only objects of classes that need a restore have one, and each has its
//     expiry index entry;
//   - every expiry index entry points at an object whose ExpiresAt it holds;
//   - every chunk belongs to an object or to a Put in progress.
//
// It returns an error wrapping ErrClosed after Close.
func (db *DB) Check(ctx context.Context) error {
	const op = "Check"
	if err := db.acquire(ctx, op, "", ""); err != nil {
		return err
	}
	defer db.release()
	var problems []error
	report := func(format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, fail(op, "", "", ErrCorrupt, format, args...))
		}
	}
	err := db.view(op, "", "", func(tx *bolt.Tx) error {
		owned := make(map[uint64]uint32) // data id -> chunks expected
		objs := tx.Bucket(bktObjects)
		err := tx.Bucket(bktBuckets).ForEach(func(name, v []byte) error {
			if _, err := decodeBucket(v); err != nil {
				report("bucket %q: %v", name, err)
			}
			ob := objs.Bucket(name)
			if ob == nil {
				report("bucket %q has no objects bucket", name)
				return nil
			}
			return ob.ForEach(func(k, v []byte) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				db.checkObject(tx, string(name), string(k), v, owned, report)
				return nil
			})
		})
		if err != nil {
			return err
		}
		_ = objs.ForEachBucket(func(name []byte) error {
			if tx.Bucket(bktBuckets).Get(name) == nil {
				report("objects bucket %q has no bucket record", name)
			}
			return nil
		})
		checkIndex(tx, report)
		checkChunks(tx, owned, report)
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(problems...)
}

func (db *DB) checkObject(tx *bolt.Tx, bucket, key string, v []byte, owned map[uint64]uint32, report func(string, ...any)) {
	where := bucket + "/" + truncate(key)
	rec, err := decodeRecord(v)
	if err != nil {
		report("%s: %v", where, err)
		return
	}
	rules, ok := db.ruleSet[rec.Class]
	if !ok {
		report("%s: class %q not in the catalog", where, rec.Class)
		return
	}
	if rec.hasRestore() {
		if !rules.NeedsRestore {
			report("%s: %s object has a restore", where, rec.Class)
		}
		if rec.ReadyAt.Before(rec.RequestedAt) || rec.ExpiresAt.Before(rec.ReadyAt) {
			report("%s: restore times out of order", where)
		}
		if tx.Bucket(bktExpiry).Get(indexKey(rec.ExpiresAt, bucket, key)) == nil {
			report("%s: restore expiring %v is not in the expiry index", where, rec.ExpiresAt)
		}
	} else if !rec.ReadyAt.IsZero() || !rec.RequestedAt.IsZero() || rec.Tier != "" {
		report("%s: partial restore without an expiry", where)
	}
	if (rec.DataID == 0) != (rec.Chunks == 0) {
		report("%s: data id %d with %d chunks", where, rec.DataID, rec.Chunks)
		return
	}
	if rec.DataID == 0 {
		if rec.Size != 0 {
			report("%s: size %d without chunks", where, rec.Size)
		}
		return
	}
	if _, dup := owned[rec.DataID]; dup {
		report("%s: data id %d shared with another object", where, rec.DataID)
	}
	owned[rec.DataID] = rec.Chunks
	var sum int64
	for i := range rec.Chunks {
		c := tx.Bucket(bktData).Get(chunkKey(rec.DataID, i))
		if c == nil {
			report("%s: chunk %d missing", where, i)
			return
		}
		sum += int64(len(c))
	}
	if sum != rec.Size {
		report("%s: chunks hold %d bytes, size is %d", where, sum, rec.Size)
	}
}

func checkIndex(tx *bolt.Tx, report func(string, ...any)) {
	objs := tx.Bucket(bktObjects)
	_ = tx.Bucket(bktExpiry).ForEach(func(k, _ []byte) error {
		t, bucket, key, ok := parseIndexKey(k)
		if !ok {
			report("malformed expiry index key %x", k)
			return nil
		}
		where := bucket + "/" + truncate(key)
		ob := objs.Bucket([]byte(bucket))
		var v []byte
		if ob != nil {
			v = ob.Get([]byte(key))
		}
		if v == nil {
			report("expiry index entry for missing object %s", where)
			return nil
		}
		if rec, err := decodeRecord(v); err == nil && !rec.ExpiresAt.Equal(t) {
			report("expiry index entry %v for %s, whose restore expires %v", t, where, rec.ExpiresAt)
		}
		return nil
	})
}

// checkChunks reports chunks that no object owns and no Put in progress
// staged, and chunks past an object's count.
func checkChunks(tx *bolt.Tx, owned map[uint64]uint32, report func(string, ...any)) {
	staging := tx.Bucket(bktStaging)
	seen := make(map[uint64]bool)
	_ = tx.Bucket(bktData).ForEach(func(k, _ []byte) error {
		if len(k) != 12 {
			report("malformed chunk key %x", k)
			return nil
		}
		id, i := binary.BigEndian.Uint64(k), binary.BigEndian.Uint32(k[8:])
		n, ok := owned[id]
		switch {
		case ok && i >= n:
			report("chunk %d of data id %d past its object's %d chunks", i, id, n)
		case !ok && staging.Get(k[:8]) == nil && !seen[id]:
			seen[id] = true
			report("chunks of data id %d belong to no object", id)
		}
		return nil
	})
}
