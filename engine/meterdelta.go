package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// On a store that several processes share (kv.Cluster), a meter that every
// change rewrites would be one row every writer of a bucket updates: each
// would conflict with the others and run again (the research note measured
// 242 transactions/s and 6,066 retries per 2,000 against 835/s and none).
// So there each change writes what it changed, a delta, under a key of its
// own in the meter's kv bucket; the leader folds deltas into the meter in
// batches (foldMeters); and every reader folds the meter and the deltas
// left (loadUsage). The sums are the same in any order: a delta carries
// its instant, and storage accrues from it (add).
//
// A delta's key is deltaPrefix, the process's node id (8 random bytes
// drawn at Open) and a counter of the process: unique without a shared
// counter. It sorts before keyMeter.

// deltaPrefix starts the key of every meter delta.
const deltaPrefix = 'd'

// foldBatch is how many deltas one fold transaction takes.
const foldBatch = 1000

// deltaKey returns a new delta key of this process.
func (db *DB) deltaKey() []byte {
	k := make([]byte, 0, 17)
	k = append(k, deltaPrefix)
	k = append(k, db.node[:]...)
	return binary.BigEndian.AppendUint64(k, db.deltas.Add(1))
}

func isDeltaKey(k []byte) bool { return len(k) == 17 && k[0] == deltaPrefix }

// storeDelta writes d, what one transaction changed of bucket's meter.
func (db *DB) storeDelta(tx kv.Tx, bucket string, d *usageRecord) error {
	mb, err := tx.CreateBucketIfNotExists(meterName(bucket))
	if err != nil {
		return err
	}
	return mb.Put(db.deltaKey(), d.encode())
}

// loadUsage returns bucket's meter with every delta not yet folded added,
// and whether the bucket has a meter at all.
func loadUsage(tx kv.Tx, bucket string) (*usageRecord, bool, error) {
	mb := tx.Bucket(meterName(bucket))
	if mb == nil {
		return nil, false, nil
	}
	v := mb.Get(keyMeter)
	if v == nil {
		return nil, false, nil
	}
	u, err := decodeMeter(v)
	if err != nil {
		return nil, true, err
	}
	c := mb.Cursor()
	for k, v := c.Seek([]byte{deltaPrefix}); k != nil && isDeltaKey(k); k, v = c.Next() {
		d, err := decodeMeter(v)
		if err != nil {
			return nil, true, err
		}
		u.add(d)
	}
	return u, true, nil
}

// add folds d, a delta, into u. Storage accrues in u up to the later of
// the two instants; a delta older than u's accrual adds the byte-hours of
// its bytes since its instant, so the byte-hours are the same in any order.
func (u *usageRecord) add(d *usageRecord) {
	for c, dm := range d.Classes {
		m := u.class(c, dm.At)
		if dm.At.After(m.At) {
			m.accrue(dm.At)
		} else {
			m.ByteHours += float64(dm.Bytes) * m.At.Sub(dm.At).Hours()
		}
		m.Bytes += dm.Bytes
		m.Objects += dm.Objects
		m.ByteHours += dm.ByteHours
		m.EarlyDelete += dm.EarlyDelete
	}
	for c, byTier := range d.Retrieval {
		for t, n := range byTier {
			u.retrieval(c, t, n)
		}
	}
	for c, byTier := range d.Restores {
		for t, n := range byTier {
			if u.Restores == nil {
				u.Restores = map[storageclass.Class]map[storageclass.Tier]int64{}
			}
			if u.Restores[c] == nil {
				u.Restores[c] = map[storageclass.Tier]int64{}
			}
			u.Restores[c][t] += n
		}
	}
	for op, n := range d.Requests {
		u.request(op, n)
	}
	u.Uploads += d.Uploads
	u.Parts += d.Parts
	for c, n := range d.PartBytes {
		if u.PartBytes == nil {
			u.PartBytes = map[storageclass.Class]int64{}
		}
		u.PartBytes[c] += n
		if u.PartBytes[c] == 0 {
			delete(u.PartBytes, c)
		}
	}
}

// foldMeters folds every bucket's deltas into its meter, foldBatch at a
// time, each batch in one transaction: the meter and the deltas it took
// change together, so a reader never counts a delta twice or not at all.
// The leader runs it after each sweep.
func (db *DB) foldMeters(ctx context.Context) error {
	var names []string
	err := db.view(ctx, "foldMeters", "", "", func(tx kv.Tx) error {
		names = names[:0]
		return tx.Bucket(bktBuckets).ForEach(func(k, _ []byte) error {
			names = append(names, string(k))
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, name := range names {
		for more := true; more; {
			if err := ctx.Err(); err != nil {
				return err
			}
			err := db.update(ctx, "foldMeters", name, "", func(tx kv.Tx) error {
				more = false
				mb := tx.Bucket(meterName(name))
				if mb == nil {
					return nil // deleted meanwhile
				}
				v := mb.Get(keyMeter)
				if v == nil {
					return nil
				}
				u, err := decodeMeter(v)
				if err != nil {
					return fail("foldMeters", name, "", ErrCorrupt, "meter: %v", err)
				}
				var keys [][]byte
				c := mb.Cursor()
				for k, v := c.Seek([]byte{deltaPrefix}); k != nil && isDeltaKey(k); k, v = c.Next() {
					if len(keys) == foldBatch {
						more = true
						break
					}
					d, err := decodeMeter(v)
					if err != nil {
						return fail("foldMeters", name, "", ErrCorrupt, "meter delta: %v", err)
					}
					u.add(d)
					keys = append(keys, bytes.Clone(k))
				}
				if len(keys) == 0 {
					return nil
				}
				for _, k := range keys {
					if err := mb.Delete(k); err != nil {
						return err
					}
				}
				return mb.Put(keyMeter, u.encode())
			})
			if err != nil && !errors.Is(err, coldstore.ErrNoSuchBucket) {
				return err
			}
		}
	}
	return nil
}
