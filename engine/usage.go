package engine

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Usage is what a bucket used from its creation to the instant of the call:
// the quantities OSS bills, before prices (Cost applies them).
type Usage struct {
	// From is the bucket's creation; To the instant of the call.
	From, To time.Time
	// StorageByteHours per class, of billable size (MinBillableSize applied).
	StorageByteHours map[storageclass.Class]float64
	// EarlyDeleteByteHours per class: the remainder of the minimum storage
	// duration of objects deleted, overwritten or moved out of the class
	// early, of billable size.
	EarlyDeleteByteHours map[storageclass.Class]float64
	// RetrievalBytes per class and tier: each accepted restore (202) of an
	// archive class, by its tier ("" for Archive); each read of an IA
	// object, tier "". Sizes are the objects' own.
	RetrievalBytes map[storageclass.Class]map[storageclass.Tier]int64
	// Restores per class: accepted restores (202). A repeated restore of a
	// restoring or restored object, or a tier upgrade, is not counted.
	Restores map[storageclass.Class]int64
	// RestoresByTier splits Restores by tier ("" for Archive), as retrieval
	// requests are priced by tier.
	RestoresByTier map[storageclass.Class]map[storageclass.Tier]int64
	// Objects and Bytes are the objects of each class at the end (To), and
	// their billable bytes.
	Objects map[storageclass.Class]int64
	Bytes   map[storageclass.Class]int64
	// MultipartUploads and MultipartParts are the multipart uploads in
	// progress at the end and their parts; MultipartBytes the parts' bytes
	// by the class of their upload. Parts are billed as storage of that
	// class (their byte-hours are in StorageByteHours) at their own size.
	MultipartUploads int64                        `json:",omitempty"`
	MultipartParts   int64                        `json:",omitempty"`
	MultipartBytes   map[storageclass.Class]int64 `json:",omitempty"`
	// Requests by OSS operation name (PutObject, GetObject, HeadObject,
	// DeleteObject, ListObjects, RestoreObject, CleanRestoredObject,
	// CopyObject for SetStorageClass, and the lifecycle's CommitTransition
	// and ExpireObject). Only successful requests count, as OSS bills them.
	Requests map[string]int64
}

// usageRecord is the stored meter of a bucket. Storage accrues lazily: each
// class keeps its billable bytes now and the byte-hours up to At; a change
// first accrues to now (O(1)), then moves bytes.
type usageRecord struct {
	Since     time.Time
	Classes   map[storageclass.Class]*classMeter
	Retrieval map[storageclass.Class]map[storageclass.Tier]int64
	Restores  map[storageclass.Class]map[storageclass.Tier]int64
	Requests  map[string]int64
	// Uploads and Parts are the multipart uploads in progress and their
	// parts; PartBytes the parts' bytes by class, also counted in the
	// class's Bytes (parts accrue storage).
	Uploads, Parts int64
	PartBytes      map[storageclass.Class]int64
}

type classMeter struct {
	Objects     int64     // objects in the class now
	Bytes       int64     // billable bytes in the class now
	ByteHours   float64   // accrued up to At
	At          time.Time // when ByteHours was last accrued
	EarlyDelete float64   // early-deletion byte-hours
}

func newUsage(since time.Time) *usageRecord {
	return &usageRecord{Since: since}
}

func (u *usageRecord) class(c storageclass.Class, now time.Time) *classMeter {
	if u.Classes == nil {
		u.Classes = map[storageclass.Class]*classMeter{}
	}
	m := u.Classes[c]
	if m == nil {
		m = &classMeter{At: now}
		u.Classes[c] = m
	}
	return m
}

// accrue brings a class's byte-hours up to now.
func (m *classMeter) accrue(now time.Time) {
	if now.After(m.At) {
		m.ByteHours += float64(m.Bytes) * now.Sub(m.At).Hours()
		m.At = now
	}
}

func (u *usageRecord) request(op string, n int64) {
	if u.Requests == nil {
		u.Requests = map[string]int64{}
	}
	u.Requests[op] += n
}

// restore counts an accepted restore of size bytes.
func (u *usageRecord) restore(c storageclass.Class, t storageclass.Tier, size int64) {
	if u.Restores == nil {
		u.Restores = map[storageclass.Class]map[storageclass.Tier]int64{}
	}
	if u.Restores[c] == nil {
		u.Restores[c] = map[storageclass.Tier]int64{}
	}
	u.Restores[c][t]++
	u.retrieval(c, t, size)
}

func (u *usageRecord) retrieval(c storageclass.Class, t storageclass.Tier, n int64) {
	if u.Retrieval == nil {
		u.Retrieval = map[storageclass.Class]map[storageclass.Tier]int64{}
	}
	if u.Retrieval[c] == nil {
		u.Retrieval[c] = map[storageclass.Tier]int64{}
	}
	u.Retrieval[c][t] += n
}

// billable is the size rec is billed for in its class.
func billable(r *storageclass.Rules, size int64) int64 {
	return max(size, r.MinBillableSize)
}

// usage returns the bucket's meter, loading it once per transaction.
func (w *writeTx) usage(b *bucketState) (*usageRecord, error) {
	if b.usage != nil {
		return b.usage, nil
	}
	bucket := b.name
	if w.db.cluster != nil {
		// A delta: what this transaction changes (meterdelta.go).
		b.usage = newUsage(b.rec.Created)
		return b.usage, nil
	}
	u := newUsage(b.rec.Created)
	if v := loadMeter(w.tx, bucket); v != nil {
		var err error
		if u, err = decodeMeter(v); err != nil {
			return nil, fail("", bucket, "", ErrCorrupt, "meter: %v", err)
		}
	}
	b.usage = u
	return u, nil
}

// meter moves an object out of old's class (nil: created) into rec's
// (nil: deleted), charging early deletion for what it leaves before the
// class's minimum duration.
func (w *writeTx) meter(b *bucketState, old, rec *objectRecord) error {
	u, err := w.usage(b)
	if err != nil {
		return err
	}
	if old != nil {
		r, ok := w.db.ruleSet[old.Class]
		if ok {
			m := u.class(old.Class, w.now)
			m.accrue(w.now)
			size := billable(r, old.Size)
			m.Bytes -= size
			m.Objects--
			since := old.LastModified
			if r.MinDurationFromEntry {
				since = old.ClassSince
			}
			if left := r.MinStorageDuration - w.now.Sub(since); left > 0 {
				m.EarlyDelete += float64(size) * left.Hours()
			}
		}
	}
	if rec != nil {
		if r, ok := w.db.ruleSet[rec.Class]; ok {
			m := u.class(rec.Class, w.now)
			m.accrue(w.now)
			m.Bytes += billable(r, rec.Size)
			m.Objects++
		}
	}
	return nil
}

// resize moves the billable bytes of an object that stays in its class
// from old's size to rec's (an append): no early deletion is charged, the
// object is the same.
func (w *writeTx) resize(b *bucketState, old, rec *objectRecord) error {
	u, err := w.usage(b)
	if err != nil {
		return err
	}
	if r, ok := w.db.ruleSet[rec.Class]; ok {
		m := u.class(rec.Class, w.now)
		m.accrue(w.now)
		m.Bytes += billable(r, rec.Size) - billable(r, old.Size)
	}
	return nil
}

// count adds one successful request to the bucket's meter.
func (w *writeTx) count(b *bucketState, op string) error {
	u, err := w.usage(b)
	if err != nil {
		return err
	}
	u.request(op, 1)
	return nil
}

// saveUsage writes back the meters the transaction changed.
func (w *writeTx) saveUsage() error {
	for name, b := range w.buckets {
		if b.usage == nil {
			continue
		}
		if w.db.cluster != nil {
			if err := w.db.storeDelta(w.tx, name, b.usage); err != nil {
				return err
			}
			continue
		}
		if err := storeMeter(w.tx, name, b.usage); err != nil {
			return err
		}
	}
	return nil
}

// readCounts are the reads of a bucket counted in memory until a sweep or
// Close stores them (reads do not write the file). A crash loses at most
// these.
type readCounts struct {
	requests  map[string]int64
	retrieval map[storageclass.Class]int64 // bytes read of classes whose reads are retrievals
}

func (r readCounts) mergeInto(u *usageRecord) {
	for op, n := range r.requests {
		u.request(op, n)
	}
	for class, n := range r.retrieval {
		u.retrieval(class, "", n)
	}
}

// flushReads stores every bucket's pending reads in its meter, in one
// transaction; Sweep and Close call it.
func (db *DB) flushReads() error {
	names := db.live.pending()
	if len(names) == 0 {
		return nil
	}
	taken := map[string]readCounts{}
	err := db.write(context.Background(), "flushReads", "", "", func(w *writeTx) error {
		clear(taken)
		for _, name := range names {
			b, err := w.bucket("flushReads", name, "")
			if err != nil {
				if errors.Is(err, coldstore.ErrNoSuchBucket) {
					db.live.drop(name) // deleted meanwhile, after a late read
				}
				continue
			}
			u, err := w.usage(b)
			if err != nil {
				return err
			}
			r := db.live.take(name)
			r.mergeInto(u)
			taken[name] = r
		}
		return nil
	})
	if err != nil {
		return err
	}
	for name, r := range taken {
		db.live.forget(name, r)
	}
	return nil
}

// Usage returns what the bucket used from its creation to now, including
// reads not yet stored.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrNoSuchBucket when the bucket is absent, and ErrClosed after Close.
func (db *DB) Usage(ctx context.Context, bucket string) (Usage, error) {
	const op = "Usage"
	if err := db.checkBucket(op, bucket); err != nil {
		return Usage{}, err
	}
	if err := db.acquire(ctx, op, bucket, ""); err != nil {
		return Usage{}, err
	}
	defer db.release()
	var u *usageRecord
	var now time.Time
	err := db.view(ctx, op, bucket, "", func(tx kv.Tx) error {
		now = db.now()
		v := tx.Bucket(bktBuckets).Get(bytesOf(bucket))
		if v == nil {
			return objectsMissing(op, bucket, "")
		}
		br, err := decodeBucket(v)
		if err != nil {
			return fail(op, bucket, "", ErrCorrupt, "%v", err)
		}
		var found bool
		if u, found, err = loadUsage(tx, bucket); err != nil {
			return fail(op, bucket, "", ErrCorrupt, "meter: %v", err)
		} else if !found {
			u = newUsage(br.Created)
		}
		db.live.take(bucket).mergeInto(u)
		return nil
	})
	if err != nil {
		return Usage{}, err
	}
	out := Usage{
		From: u.Since, To: now,
		StorageByteHours:     map[storageclass.Class]float64{},
		EarlyDeleteByteHours: map[storageclass.Class]float64{},
		RetrievalBytes:       map[storageclass.Class]map[storageclass.Tier]int64{},
		Restores:             map[storageclass.Class]int64{},
		RestoresByTier:       map[storageclass.Class]map[storageclass.Tier]int64{},
		Requests:             maps.Clone(u.Requests),
		Objects:              map[storageclass.Class]int64{},
		Bytes:                map[storageclass.Class]int64{},
		MultipartUploads:     u.Uploads,
		MultipartParts:       u.Parts,
		MultipartBytes:       map[storageclass.Class]int64{},
	}
	for c, n := range u.PartBytes {
		if n != 0 {
			out.MultipartBytes[c] = n
		}
	}
	for c, byTier := range u.Restores {
		out.RestoresByTier[c] = maps.Clone(byTier)
		for _, n := range byTier {
			out.Restores[c] += n
		}
	}
	for c, m := range u.Classes {
		m.accrue(now)
		if m.ByteHours != 0 {
			out.StorageByteHours[c] = m.ByteHours
		}
		if m.EarlyDelete != 0 {
			out.EarlyDeleteByteHours[c] = m.EarlyDelete
		}
		if m.Objects != 0 {
			out.Objects[c], out.Bytes[c] = m.Objects, m.Bytes-u.PartBytes[c]
		}
	}
	for c, byTier := range u.Retrieval {
		out.RetrievalBytes[c] = maps.Clone(byTier)
	}
	if out.Requests == nil {
		out.Requests = map[string]int64{}
	}
	return out, nil
}
