package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// A bucket's lifecycle configuration is stored as its OSS XML under
// lifecycle/<bucket>, after an 8-byte generation that changes with every
// Put: the parsed configuration is cached by (bucket, generation), so a
// write transaction parses it at most once per change, and never uses a
// stale one.
//
// Every object whose configuration will act on it has one entry
// due/<bucket>/<t><key>, t its due time (dueOf). RunLifecycle walks only
// the entries at or before now. A change of the configuration or of the
// access monitor rebuilds the bucket's entries in the same transaction.

// configCache holds parsed configurations by bucket and generation.
type configCache struct {
	mu sync.Mutex
	m  map[string]cachedConfig
}

type cachedConfig struct {
	gen uint64
	cfg *lifecycle.Configuration
}

// configOf returns the configuration of bucket in tx, or nil.
func (db *DB) configOf(tx kv.Tx, bucket string) (*lifecycle.Configuration, error) {
	v := tx.Bucket(bktLifecycle).Get(bytesOf(bucket))
	if v == nil {
		return nil, nil
	}
	if len(v) < 8 {
		return nil, fmt.Errorf("lifecycle record of %d bytes", len(v))
	}
	gen := binary.BigEndian.Uint64(v)
	db.configs.mu.Lock()
	defer db.configs.mu.Unlock()
	if c, ok := db.configs.m[bucket]; ok && c.gen == gen {
		return c.cfg, nil
	}
	cfg, err := decodeConfig(db.cat, v)
	if err != nil {
		return nil, err
	}
	if db.configs.m == nil {
		db.configs.m = map[string]cachedConfig{}
	}
	db.configs.m[bucket] = cachedConfig{gen: gen, cfg: cfg}
	return cfg, nil
}

// decodeConfig decodes a stored lifecycle record: an 8-byte generation,
// then the configuration in the engine's own encoding
// (lifecycle.Configuration.MarshalBinary), or, as databases written before
// it stored them, in OSS XML, parsed with cat's class names.
func decodeConfig(cat *storageclass.Catalog, v []byte) (*lifecycle.Configuration, error) {
	if len(v) < 8 {
		return nil, fmt.Errorf("lifecycle record of %d bytes", len(v))
	}
	doc := v[8:]
	if i := bytes.IndexFunc(doc, func(r rune) bool { return !unicode.IsSpace(r) }); i >= 0 && doc[i] == '<' {
		return lifecycle.ParseXMLIn(cat, doc)
	}
	cfg := new(lifecycle.Configuration)
	if err := cfg.UnmarshalBinary(doc); err != nil {
		return nil, err
	}
	return cfg, nil
}

// lcObject is what lifecycle evaluation sees of rec in a bucket. With the
// access monitor on, the last access is never before the monitor was
// switched on (OSS takes the switch-on time as every object's first
// access); with it off, access-time rules count from LastModified.
func lcObject(b *bucketState, key string, rec *objectRecord) lifecycle.Object {
	o := lifecycle.Object{Key: key, Size: rec.Size, Tags: rec.Tags, Class: rec.Class,
		LastModified: rec.LastModified, ClassSince: rec.ClassSince, Appendable: rec.Kind == kindAppendable}
	if b.rec.AccessMonitor {
		o.LastAccess = rec.LastAccess
		if o.LastAccess.Before(b.rec.AccessSince) {
			o.LastAccess = b.rec.AccessSince
		}
	}
	return o
}

// dueOf is when the bucket's configuration, ranking classes by cat, next
// acts on rec; zero for never. A transition never interrupts a restore:
// while a restored copy is pending or readable, a transition waits until it
// expires (an expiration does not wait).
func dueOf(cat *storageclass.Catalog, b *bucketState, key string, rec *objectRecord) time.Time {
	if b.cfg == nil {
		return time.Time{}
	}
	o := lcObject(b, key, rec)
	t := b.cfg.NextDueIn(cat, o)
	if t.IsZero() || !rec.hasRestore() || !t.Before(rec.ExpiresAt) {
		return t
	}
	if b.cfg.EvaluateIn(cat, o, t).Kind != lifecycle.ActionTransition {
		return t
	}
	// The transition waits for the expiry; an expiration due sooner
	// still comes first.
	if e := b.cfg.NextExpiration(o); !e.IsZero() && e.Before(rec.ExpiresAt) {
		return e
	}
	return rec.ExpiresAt
}

// dueKey is <t><key> inside due/<bucket>.
func dueKey(t time.Time, key string) []byte {
	k := make([]byte, 8+len(key))
	putTime(k, t)
	copy(k[8:], key)
	return k
}

// dueBucket returns due/<bucket>, creating it.
func dueBucket(tx kv.Tx, bucket string) (kv.Bucket, error) {
	return tx.Bucket(bktDue).CreateBucketIfNotExists(bytesOf(bucket))
}

// rebuildDue recomputes every due entry of a bucket: O(objects in it), in
// the caller's transaction.
func (w *writeTx) rebuildDue(bucket string) error {
	b, err := w.bucket("", bucket, "")
	if err != nil {
		return err
	}
	due := w.tx.Bucket(bktDue)
	if due.Bucket(bytesOf(bucket)) != nil {
		if err := due.DeleteBucket(bytesOf(bucket)); err != nil {
			return err
		}
	}
	if b.cfg == nil {
		return nil
	}
	db, err := due.CreateBucket(bytesOf(bucket))
	if err != nil {
		return err
	}
	return objectsBucket(w.tx, bucket).ForEach(func(k, v []byte) error {
		if isExpiryKey(k) {
			return nil
		}
		rec, err := decodeRecord(string(k), v)
		if err != nil {
			return recordError("", bucket, string(k), err)
		}
		if t := dueOf(w.db.cat, b, string(k), &rec); !t.IsZero() {
			w.soon(t)
			return db.Put(dueKey(t, string(k)), nil)
		}
		return nil
	})
}

// setConfig stores (or with nil, deletes) the configuration of a bucket
// and rebuilds its due entries.
func (w *writeTx) setConfig(bucket string, cfg *lifecycle.Configuration) error {
	lc := w.tx.Bucket(bktLifecycle)
	if cfg == nil {
		if err := lc.Delete(bytesOf(bucket)); err != nil {
			return err
		}
	} else {
		doc, err := cfg.MarshalBinary()
		if err != nil {
			return err
		}
		gen, err := lc.NextSequence()
		if err != nil {
			return err
		}
		if err := lc.Put(bytesOf(bucket), append(binary.BigEndian.AppendUint64(nil, gen), doc...)); err != nil {
			return err
		}
	}
	b, err := w.bucket("", bucket, "")
	if err != nil {
		return err
	}
	b.cfg = cfg
	return w.rebuildDue(bucket)
}

// changeBucket runs fn on a bucket's state in a write transaction of its
// own, after the common checks: the name, the database open, the context.
// It returns an error wrapping ErrInvalidBucketName, ErrNoSuchBucket or
// ErrClosed, or fn's.
func (db *DB) changeBucket(ctx context.Context, op, bucket string, fn func(w *writeTx, b *bucketState) error) error {
	if err := db.checkBucket(op, bucket); err != nil {
		return err
	}
	if err := db.acquire(ctx, op, bucket, ""); err != nil {
		return err
	}
	defer db.release()
	return db.write(ctx, op, bucket, "", func(w *writeTx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := w.bucket(op, bucket, "")
		if err != nil {
			return err
		}
		return fn(w, b)
	})
}

// PutBucketLifecycle sets the bucket's lifecycle configuration, replacing
// any, and re-plans every object of the bucket in the same transaction
// (O(objects in the bucket)). Rules without an ID get "rule-N", N their
// position ("rule-N-M" when another rule was given that ID), so that the
// IDs stay unique and the configuration read back can be put again. The
// configuration is copied.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name;
// ErrInvalidArgument when c is nil, fails Validate against the catalog, or
// has access-time rules while the bucket's access monitor is off (for an
// S3 configuration, the sentinel and S3's message of the first refusal
// Validate gives: ErrInvalidArgument or ErrInvalidRequest);
// ErrNoSuchBucket when the bucket is absent; and ErrClosed after Close.
func (db *DB) PutBucketLifecycle(ctx context.Context, bucket string, c *lifecycle.Configuration) error {
	const op = "PutBucketLifecycle"
	if err := db.checkBucket(op, bucket); err != nil {
		return err
	}
	if c == nil {
		return fail(op, bucket, "", coldstore.ErrInvalidArgument, "nil configuration")
	}
	if err := c.Validate(db.cat); err != nil {
		e := &coldstore.OpError{Op: op, Bucket: bucket, Detail: err.Error(), Err: coldstore.ErrInvalidArgument}
		if first := (*coldstore.OpError)(nil); errors.As(err, &first) {
			e.Err, e.Message = first.Err, first.Message // S3's code and message for its first refusal
		}
		return e
	}
	db.lifecycles.Store(true) // before the commit: a read after it looks
	cfg := new(lifecycle.Configuration)
	*cfg = *c // its dialect and settings with the rules
	cfg.Rules = append([]lifecycle.Rule(nil), c.Rules...)
	used := make(map[string]bool, len(cfg.Rules))
	for _, r := range cfg.Rules {
		used[r.ID] = true
	}
	for i := range cfg.Rules {
		if cfg.Rules[i].ID != "" {
			continue
		}
		id := fmt.Sprintf("rule-%d", i+1)
		for n := 1; used[id]; n++ { // one the caller gave: another, so IDs stay unique
			id = fmt.Sprintf("rule-%d-%d", i+1, n)
		}
		cfg.Rules[i].ID, used[id] = id, true
	}
	return db.changeBucket(ctx, op, bucket, func(w *writeTx, b *bucketState) error {
		if cfg.UsesAccessTime() && !b.rec.AccessMonitor {
			return fail(op, bucket, "", coldstore.ErrInvalidArgument, "access-time rules need the bucket's access monitor on")
		}
		if err := w.count(b, "PutBucketLifecycle"); err != nil {
			return err
		}
		return w.setConfig(bucket, cfg)
	})
}

// GetBucketLifecycle returns a copy of the bucket's lifecycle configuration.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrNoSuchBucket when the bucket is absent, ErrNoSuchLifecycle when it has
// no configuration, and ErrClosed after Close.
func (db *DB) GetBucketLifecycle(ctx context.Context, bucket string) (*lifecycle.Configuration, error) {
	const op = "GetBucketLifecycle"
	if err := db.checkBucket(op, bucket); err != nil {
		return nil, err
	}
	if err := db.acquire(ctx, op, bucket, ""); err != nil {
		return nil, err
	}
	defer db.release()
	var cfg *lifecycle.Configuration
	err := db.view(ctx, op, bucket, "", func(tx kv.Tx) error {
		if _, err := objectsOf(tx, op, bucket, ""); err != nil {
			return err
		}
		v := tx.Bucket(bktLifecycle).Get(bytesOf(bucket))
		if v == nil {
			return fail(op, bucket, "", coldstore.ErrNoSuchLifecycle, "bucket %q has no lifecycle configuration", bucket)
		}
		var err error
		if cfg, err = decodeConfig(db.cat, v); err != nil {
			return fail(op, bucket, "", ErrCorrupt, "stored lifecycle: %v", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db.live.count(nil, bucket, opGetBucketLifecycle)
	return cfg, nil
}

// DeleteBucketLifecycle removes the bucket's lifecycle configuration and
// its due entries. Deleting a configuration that does not exist succeeds,
// as OSS answers 204.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrNoSuchBucket when the bucket is absent, and ErrClosed after Close.
func (db *DB) DeleteBucketLifecycle(ctx context.Context, bucket string) error {
	return db.changeBucket(ctx, "DeleteBucketLifecycle", bucket, func(w *writeTx, b *bucketState) error {
		if err := w.count(b, "DeleteBucketLifecycle"); err != nil {
			return err
		}
		return w.setConfig(bucket, nil)
	})
}

// SetAccessMonitor switches the bucket's access tracking (OSS
// PutBucketAccessMonitor) on or off. While on, a Get records the object's
// last access, at most once per 24 hours, and lifecycle rules with
// IsAccessTime count from it; switching it on makes now every object's
// first access. Switching to the state it is in changes nothing.
//
// It returns an error wrapping ErrInvalidBucketName for a bad name,
// ErrNoSuchBucket when the bucket is absent, ErrInvalidArgument when
// switching it off while the lifecycle has access-time rules, and ErrClosed
// after Close.
func (db *DB) SetAccessMonitor(ctx context.Context, bucket string, on bool) error {
	const op = "SetAccessMonitor"
	err := db.changeBucket(ctx, op, bucket, func(w *writeTx, b *bucketState) error {
		if b.rec.AccessMonitor == on {
			return nil
		}
		if !on && b.cfg != nil && b.cfg.UsesAccessTime() {
			return fail(op, bucket, "", coldstore.ErrInvalidArgument, "the lifecycle has access-time rules")
		}
		b.rec.AccessMonitor, b.rec.AccessSince = on, w.now
		if !on {
			b.rec.AccessSince = time.Time{}
		}
		if err := w.tx.Bucket(bktBuckets).Put(bytesOf(bucket), b.rec.encode()); err != nil {
			return err
		}
		if err := w.count(b, "PutBucketAccessMonitor"); err != nil {
			return err
		}
		return w.rebuildDue(bucket)
	})
	if err == nil {
		db.live.of(bucket).monitored.Store(on)
	}
	return err
}
