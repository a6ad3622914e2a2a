package engine

import (
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"slices"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// A bucket's meter is the one key of a small top-level kv bucket named
// after the bucket's objects bucket (schema.go). bbolt inlines a bucket
// under a quarter page in its parent, here the root page, which every
// commit rewrites anyway (a written bucket's root moves): so the meter
// costs no page of its own in a commit. On this machine each extra dirty
// page costs about 60 µs of fsync. A 4 KiB Put writes 5.5 pages a commit
// (bbolt's TxStats) with up to a handful of buckets; with more (20 and 100
// measured) the root page splits, a commit rewrites the root's branch and
// one of its leaves, and a Put writes 6.5. Schema 1 wrote one page more at
// each count: 6.5 with 1 to 20 buckets, 7.5 with 100. bbolt inlines a
// bucket while it fits in a quarter page, here a meter of up to about 990
// bytes: one bucket that used all five classes, every restore tier and
// every object request measured 624. A larger meter is still correct; it
// then costs its own page.

// loadMeter returns the stored meter of bucket, nil when there is none.
func loadMeter(tx kv.Tx, bucket string) []byte {
	if mb := tx.Bucket(meterName(bucket)); mb != nil {
		return mb.Get(keyMeter)
	}
	return nil
}

// storeMeter writes the meter of bucket, creating its kv bucket.
func storeMeter(tx kv.Tx, bucket string, u *usageRecord) error {
	mb, err := tx.CreateBucketIfNotExists(meterName(bucket))
	if err != nil {
		return err
	}
	return mb.Put(keyMeter, u.encode())
}

// deleteMeter removes the meter of bucket and its kv bucket.
func deleteMeter(tx kv.Tx, bucket string) error {
	err := tx.DeleteBucket(meterName(bucket))
	if errors.Is(err, kv.ErrBucketNotFound) {
		return nil
	}
	return err
}

// meterVersionParts is the version of a meter with multipart counts:
// version 1, then the uploads, the parts and the parts' bytes by class. A
// meter without them is written as version 1.
const meterVersionParts = 2

func (u *usageRecord) hasParts() bool {
	return u.Uploads != 0 || u.Parts != 0 || len(u.PartBytes) != 0
}

func (u *usageRecord) encode() []byte {
	b := make([]byte, 0, 256)
	if u.hasParts() {
		b = append(b, meterVersionParts)
	} else {
		b = append(b, recordVersion)
	}
	b = appendTime(b, u.Since)
	b = binary.AppendUvarint(b, uint64(len(u.Classes)))
	for _, c := range slices.Sorted(maps.Keys(u.Classes)) {
		m := u.Classes[c]
		b = appendString(b, string(c))
		b = binary.BigEndian.AppendUint64(b, uint64(m.Objects))
		b = binary.BigEndian.AppendUint64(b, uint64(m.Bytes))
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(m.ByteHours))
		b = appendTime(b, m.At)
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(m.EarlyDelete))
	}
	b = appendTiered(b, u.Retrieval)
	b = appendTiered(b, u.Restores)
	b = binary.AppendUvarint(b, uint64(len(u.Requests)))
	for _, op := range slices.Sorted(maps.Keys(u.Requests)) {
		b = appendString(b, op)
		b = binary.BigEndian.AppendUint64(b, uint64(u.Requests[op]))
	}
	if u.hasParts() {
		b = binary.BigEndian.AppendUint64(b, uint64(u.Uploads))
		b = binary.BigEndian.AppendUint64(b, uint64(u.Parts))
		b = binary.AppendUvarint(b, uint64(len(u.PartBytes)))
		for _, c := range slices.Sorted(maps.Keys(u.PartBytes)) {
			b = appendString(b, string(c))
			b = binary.BigEndian.AppendUint64(b, uint64(u.PartBytes[c]))
		}
	}
	return b
}

func appendTiered(b []byte, m map[storageclass.Class]map[storageclass.Tier]int64) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for _, c := range slices.Sorted(maps.Keys(m)) {
		b = appendString(b, string(c))
		b = binary.AppendUvarint(b, uint64(len(m[c])))
		for _, t := range slices.Sorted(maps.Keys(m[c])) {
			b = appendString(b, string(t))
			b = binary.BigEndian.AppendUint64(b, uint64(m[c][t]))
		}
	}
	return b
}

func decodeMeter(v []byte) (*usageRecord, error) {
	d := decoder{b: v}
	version := d.byte()
	if version != recordVersion && version != meterVersionParts {
		return nil, errBadRecord
	}
	u := &usageRecord{Since: d.time()}
	if n := d.count(); n > 0 {
		u.Classes = make(map[storageclass.Class]*classMeter, n)
		for range n {
			c := storageclass.Class(d.string())
			u.Classes[c] = &classMeter{
				Objects:     int64(d.uint64()),
				Bytes:       int64(d.uint64()),
				ByteHours:   math.Float64frombits(d.uint64()),
				At:          d.time(),
				EarlyDelete: math.Float64frombits(d.uint64()),
			}
		}
	}
	u.Retrieval = d.tiered()
	u.Restores = d.tiered()
	if n := d.count(); n > 0 {
		u.Requests = make(map[string]int64, n)
		for range n {
			op := d.string()
			u.Requests[op] = int64(d.uint64())
		}
	}
	if version == meterVersionParts {
		u.Uploads = int64(d.uint64())
		u.Parts = int64(d.uint64())
		if n := d.count(); n > 0 {
			u.PartBytes = make(map[storageclass.Class]int64, n)
			for range n {
				c := storageclass.Class(d.string())
				u.PartBytes[c] = int64(d.uint64())
			}
		}
	}
	if d.err || len(d.b) != 0 {
		return nil, errBadRecord
	}
	return u, nil
}

// count reads a length that cannot exceed the bytes left.
func (d *decoder) count() uint64 {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err = true
		return 0
	}
	return n
}

func (d *decoder) tiered() map[storageclass.Class]map[storageclass.Tier]int64 {
	n := d.count()
	if n == 0 {
		return nil
	}
	m := make(map[storageclass.Class]map[storageclass.Tier]int64, n)
	for range n {
		c := storageclass.Class(d.string())
		k := d.count()
		m[c] = make(map[storageclass.Tier]int64, k)
		for range k {
			t := storageclass.Tier(d.string())
			m[c][t] = int64(d.uint64())
		}
	}
	return m
}
