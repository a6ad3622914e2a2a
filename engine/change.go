package engine

import (
	"context"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// writeTx is one write transaction and what its changes share: the clock
// read once, the bucket records, lifecycle configurations and usage records
// it has loaded, and the earliest expiry or due time it set (to wake the
// background loop after the commit).
//
// Every change of an object goes through create, modify or remove, which
// keep the expiry index, the lifecycle due index and the usage meter in
// step with the record, in the same transaction.
type writeTx struct {
	db      *DB
	tx      kv.Tx
	now     time.Time
	buckets map[string]*bucketState
	wake    time.Time
	events  []Event  // of the changes made, delivered once committed (events.go)
	unlink  []uint64 // data ids whose files go once committed (dropData)
	seq     uint64   // the events' number in commit order; 0: none drawn
}

// bucketState is what a transaction loaded of one bucket.
type bucketState struct {
	name  string
	rec   bucketRecord
	cfg   *lifecycle.Configuration // nil: no lifecycle
	usage *usageRecord             // nil until needed
}

// write runs fn in a write transaction of its own with a writeTx, saves
// the usage records it touched, and after the commit wakes the background
// loop if a sooner expiry or due time was set.
func (db *DB) write(ctx context.Context, op, bucket, key string, fn func(w *writeTx) error) error {
	return db.writeWith(ctx, db.store.Update, op, bucket, key, fn)
}

// writeShared is write in a transaction the store may share with
// concurrent writers (group commit, kv.Store.Batch): for the changes of one
// object.
//
// In both, fn may run more than once (kv.Store): it starts from what it
// reads on each run.
func (db *DB) writeShared(ctx context.Context, op, bucket, key string, fn func(w *writeTx) error) error {
	return db.writeWith(ctx, db.store.Batch, op, bucket, key, fn)
}

func (db *DB) writeWith(ctx context.Context, run func(context.Context, func(kv.Tx) error) error, op, bucket, key string, fn func(w *writeTx) error) error {
	if db.cluster != nil && bucket != "" {
		// On a shared store, writers of one bucket conflict: SERIALIZABLE
		// PostgreSQL locks the index pages a transaction reads, and a
		// bucket's keys share pages, so concurrent writers each insert
		// into a page another read, and all but one run again. At most
		// writersPerBucket of them at once in this process (a stripe of
		// buckets, in fact) keeps most of the commits' overlap and drops
		// most of the conflicts.
		sem := db.stripes[stripeOf(bucket)]
		sem <- struct{}{}
		defer func() { <-sem }()
	}
	var w *writeTx
	var drawn []uint64  // every run's event number: all but the committed one are void
	var unlink []uint64 // every run's files to remove: those of the committed one go
	defer func() {
		if len(unlink) > 0 {
			if w != nil {
				db.files.remove(w.unlink)
			}
			db.files.written(unlink...)
		}
	}()
	defer func() {
		for _, seq := range drawn {
			if w == nil || seq != w.seq {
				db.events.publish(seq, nil)
			}
		}
	}()
	err := run(ctx, func(tx kv.Tx) error {
		w = &writeTx{db: db, tx: tx, now: db.now(), buckets: map[string]*bucketState{}}
		if err := checkClock(op, bucket, key, w.now); err != nil {
			return err
		}
		err := fn(w)
		unlink = append(unlink, w.unlink...)
		if err != nil {
			return err
		}
		if !w.wake.IsZero() && w.db.cluster != nil && !w.db.leading.Load() {
			if wk, ok := tx.(kv.Waker); ok {
				wk.Wake(w.wake) // the leader is another process
			}
		}
		if len(w.events) > 0 {
			// Drawn here, where the store runs one writer at a time: the
			// numbers follow the commit order.
			if w.seq = db.events.draw(); w.seq != 0 {
				drawn = append(drawn, w.seq)
			}
		}
		return w.saveUsage()
	})
	if err != nil {
		w = nil // every number drawn is void
		return wrap(op, bucket, key, err)
	}
	db.events.publish(w.seq, w.events)
	db.poke(w.wake)
	return nil
}

// writersPerBucket is how many writers of a stripe of buckets run at once
// in a process over a shared store. Measured with 32 clients writing 4 KiB
// objects into one bucket on one PostgreSQL (bench/README.md): 1 halved
// the throughput (commits no longer overlap), 8 kept most conflicts.
const writersPerBucket = 4

// stripeOf picks the stripe of bucket's writers (FNV-1a).
func stripeOf(bucket string) int {
	h := uint32(2166136261)
	for i := 0; i < len(bucket); i++ {
		h = (h ^ uint32(bucket[i])) * 16777619
	}
	return int(h % uint32(len(DB{}.stripes)))
}

// emit records an event of kind about rec, the record of bucket/key after
// the change (before it, for a deletion), at the transaction's instant.
func (w *writeTx) emit(kind EventKind, bucket, key string, rec *objectRecord) {
	if w.db.events.subscribers.Load() == 0 {
		return // nobody could receive it
	}
	e := Event{Kind: kind, At: w.now, Bucket: bucket, Key: key, Class: rec.Class, Size: rec.Size, ETag: etagOf(rec)}
	switch kind {
	case EventRestoreInitiated:
		e.Tier, e.ExpiresAt = rec.Tier, rec.ExpiresAt
	case EventRestoreCompleted: // when it happened, not when the sweep noticed
		e.Tier, e.ExpiresAt, e.At = rec.Tier, rec.ExpiresAt, rec.ReadyAt
	case EventRestoreExpired:
		e.Tier, e.ExpiresAt, e.At = rec.Tier, rec.ExpiresAt, rec.ExpiresAt
	}
	w.events = append(w.events, e)
}

// created emits EventObjectCreated of the call op.
func (w *writeTx) created(op, bucket, key string, rec *objectRecord) {
	n := len(w.events)
	w.emit(EventObjectCreated, bucket, key, rec)
	if len(w.events) > n {
		w.events[n].Op = op
	}
}

func (w *writeTx) soon(t time.Time) {
	if !t.IsZero() && (w.wake.IsZero() || t.Before(w.wake)) {
		w.wake = t
	}
}

// objectTx is one object loaded in a write transaction.
type objectTx struct {
	*writeTx
	ob          kv.Bucket
	b           *bucketState
	bucket, key string
	rec         objectRecord // as loaded
	rules       *storageclass.Rules
}

// changeObject runs fn with bucket/key loaded, in a write transaction
// shared with concurrent writers: fn may run more than once. The caller has
// checked the names and holds the database (acquire). It returns an error
// wrapping ErrNoSuchBucket or ErrNoSuchKey when the object is absent.
func (db *DB) changeObject(ctx context.Context, op, bucket, key string, fn func(o *objectTx) error) error {
	return db.writeShared(ctx, op, bucket, key, func(w *writeTx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var rec objectRecord
		ob, err := loadObject(w.tx, op, bucket, key, &rec)
		if err != nil {
			return err
		}
		rules, err := db.rules(op, bucket, key, rec.Class)
		if err != nil {
			return err
		}
		b, err := w.bucket(op, bucket, key)
		if err != nil {
			return err
		}
		return fn(&objectTx{writeTx: w, ob: ob, b: b, bucket: bucket, key: key, rec: rec, rules: rules})
	})
}

// save replaces the loaded record with rec and counts the request.
func (o *objectTx) save(rec *objectRecord, request string) error {
	if err := o.modify(o.ob, o.bucket, o.key, &o.rec, rec); err != nil {
		return err
	}
	return o.count(o.b, request)
}

// bucket returns the state of a bucket, loading it once per transaction.
// It returns an error wrapping ErrNoSuchBucket when the bucket is absent.
func (w *writeTx) bucket(op, name, key string) (*bucketState, error) {
	if b, ok := w.buckets[name]; ok {
		return b, nil
	}
	v := w.tx.Bucket(bktBuckets).Get(bytesOf(name))
	if v == nil {
		return nil, objectsMissing(op, name, key)
	}
	rec, err := decodeBucket(v)
	if err != nil {
		return nil, fail(op, name, key, ErrCorrupt, "bucket record: %v", err)
	}
	cfg, err := w.db.configOf(w.tx, name)
	if err != nil {
		return nil, fail(op, name, key, ErrCorrupt, "lifecycle: %v", err)
	}
	b := &bucketState{name: name, rec: rec, cfg: cfg}
	w.buckets[name] = b
	return b, nil
}

// create adds rec as bucket/key, which must not exist.
func (w *writeTx) create(ob kv.Bucket, bucket, key string, rec *objectRecord) error {
	b, err := w.bucket("", bucket, key)
	if err != nil {
		return err
	}
	if err := w.index(b, bucket, key, nil, rec); err != nil {
		return err
	}
	if err := w.meter(b, nil, rec); err != nil {
		return err
	}
	return ob.Put(bytesOf(key), rec.encode(key))
}

// modify replaces the record old of bucket/key with rec: the same content,
// other times or class.
func (w *writeTx) modify(ob kv.Bucket, bucket, key string, old, rec *objectRecord) error {
	b, err := w.bucket("", bucket, key)
	if err != nil {
		return err
	}
	if err := w.index(b, bucket, key, old, rec); err != nil {
		return err
	}
	if old.Class != rec.Class {
		if err := w.meter(b, old, rec); err != nil {
			return err
		}
	}
	return ob.Put(bytesOf(key), rec.encode(key))
}

// grow replaces the record old of bucket/key with rec: the same object in
// the same class with more content (an append).
func (w *writeTx) grow(ob kv.Bucket, bucket, key string, old, rec *objectRecord) error {
	b, err := w.bucket("", bucket, key)
	if err != nil {
		return err
	}
	if err := w.index(b, bucket, key, old, rec); err != nil {
		return err
	}
	if err := w.resize(b, old, rec); err != nil {
		return err
	}
	return ob.Put(bytesOf(key), rec.encode(key))
}

// remove deletes old of bucket/key with its chunks.
func (w *writeTx) remove(ob kv.Bucket, bucket, key string, old *objectRecord) error {
	b, err := w.bucket("", bucket, key)
	if err != nil {
		return err
	}
	if err := w.index(b, bucket, key, old, nil); err != nil {
		return err
	}
	if err := w.meter(b, old, nil); err != nil {
		return err
	}
	if err := w.dropBody(old); err != nil {
		return err
	}
	return ob.Delete(bytesOf(key))
}

// index moves the expiry and due entries of bucket/key from old to rec
// (either may be nil).
func (w *writeTx) index(b *bucketState, bucket, key string, old, rec *objectRecord) error {
	var oldExp, newExp, oldDue, newDue time.Time
	if old != nil {
		oldExp, oldDue = old.ExpiresAt, dueOf(w.db.cat, b, key, old)
	}
	if rec != nil {
		newExp, newDue = rec.ExpiresAt, dueOf(w.db.cat, b, key, rec)
	}
	if !oldExp.Equal(newExp) {
		exp := objectsBucket(w.tx, bucket)
		if !oldExp.IsZero() {
			if err := exp.Delete(expiryKey(oldExp, key)); err != nil {
				return err
			}
		}
		if !newExp.IsZero() {
			if err := exp.Put(expiryKey(newExp, key), nil); err != nil {
				return err
			}
			w.soon(newExp)
		}
	}
	if rec != nil && w.db.events.subscribers.Load() > 0 && rec.ReadyAt.After(w.now) && (old == nil || !old.ReadyAt.Equal(rec.ReadyAt)) {
		w.soon(rec.ReadyAt) // a completion to tell (ready.go)
	}
	if !oldDue.Equal(newDue) {
		due, err := dueBucket(w.tx, bucket)
		if err != nil {
			return err
		}
		if !oldDue.IsZero() {
			if err := due.Delete(dueKey(oldDue, key)); err != nil {
				return err
			}
		}
		if !newDue.IsZero() {
			if err := due.Put(dueKey(newDue, key), nil); err != nil {
				return err
			}
			w.soon(newDue)
		}
	}
	return nil
}
