package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/coldstore-dev/coldstore/internal/crc64ecma"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// migrate2 brings schema 2 to schema 3. Schema 2 stored instants as Unix
// nanoseconds (which end in 2262), object records without a CRC-64 or a
// checksum (version 1), and chunks without checksums. Every record, meter,
// expiry index key and chunk is rewritten: the body of every object is read
// once to compute its CRC-64. The lifecycle due index is built anew from
// the records and configurations, with the arithmetic that saturates
// (schema 2 wrapped Days past 106,751 into the past). It runs in Open's one transaction, so a crash
// leaves the file as it was; that transaction holds every page it rewrites
// until it commits, so it needs memory of the order of the file.
func migrate2(tx kv.Tx, cat *storageclass.Catalog) error {
	states := map[string]*bucketState{}
	if err := rewriteValues(tx.Bucket(bktBuckets), func(k, v []byte) ([]byte, error) {
		r, err := decodeBucket(v)
		if err != nil {
			return nil, err
		}
		r.Created, r.AccessSince = legacyTime(r.Created), legacyTime(r.AccessSince)
		b := &bucketState{name: string(k), rec: r}
		if lv := tx.Bucket(bktLifecycle).Get(k); len(lv) >= 8 {
			if b.cfg, err = lifecycle.ParseXMLIn(cat, lv[8:]); err != nil {
				return nil, fmt.Errorf("lifecycle of %q: %w", k, err)
			}
		}
		states[string(k)] = b
		return r.encode(), nil
	}); err != nil {
		return fmt.Errorf("bucket records: %w", err)
	}
	due := tx.Bucket(bktDue)
	var dueNames [][]byte
	_ = due.ForEachBucket(func(k []byte) error { dueNames = append(dueNames, bytes.Clone(k)); return nil })
	for _, n := range dueNames {
		if err := due.DeleteBucket(n); err != nil {
			return fmt.Errorf("due index of %q: %w", n, err)
		}
	}
	var names [][]byte
	if err := tx.ForEachBucket(func(name []byte) error {
		if bytes.HasPrefix(name, []byte(objectsPrefix)) {
			names = append(names, bytes.Clone(name))
		}
		return nil
	}); err != nil {
		return err
	}
	data := tx.Bucket(bktData)
	for _, name := range names {
		b := tx.Bucket(name)
		if bytes.HasSuffix(name, []byte(meterSuffix)) {
			err := rewriteValues(b, func(_, v []byte) ([]byte, error) {
				u, err := decodeMeter(v)
				if err != nil {
					return nil, err
				}
				u.Since = legacyTime(u.Since)
				for _, m := range u.Classes {
					m.At = legacyTime(m.At)
				}
				return u.encode(), nil
			})
			if err != nil {
				return fmt.Errorf("meter %q: %w", name, err)
			}
			continue
		}
		if err := rewriteKeys(b, isExpiryKey, func(k []byte) []byte {
			return append([]byte{expiryMark}, legacyKey(k[1:])...)
		}); err != nil {
			return fmt.Errorf("%q: expiry index: %w", name, err)
		}
		state := states[string(name[len(objectsPrefix):])]
		if state == nil {
			return fmt.Errorf("%q has no bucket record", name)
		}
		err := rewriteValues(b, func(k, v []byte) ([]byte, error) {
			if isExpiryKey(k) {
				return v, nil
			}
			rec, err := migrateObject(data, string(k), v)
			if err != nil {
				return nil, err
			}
			if t := dueOf(cat, state, string(k), &rec); !t.IsZero() {
				db, err := dueBucket(tx, state.name)
				if err != nil {
					return nil, err
				}
				if err := db.Put(dueKey(t, string(k)), nil); err != nil {
					return nil, err
				}
			}
			return rec.encode(string(k)), nil
		})
		if err != nil {
			return fmt.Errorf("%q: %w", name, err)
		}
	}
	return nil
}

// migrateObject reads a version 1 object record of key as a version 2
// one, with its CRC-64, and seals its chunks.
func migrateObject(data kv.Bucket, key string, v []byte) (objectRecord, error) {
	var r objectRecord
	if len(v) == 0 || v[0] != 1 {
		return r, fmt.Errorf("record of %q: version %v, want 1", key, v[:min(len(v), 1)])
	}
	if err := r.decodeFields(v); err != nil {
		return r, fmt.Errorf("record of %q: %w", key, err)
	}
	for _, t := range []*time.Time{&r.LastModified, &r.ClassSince, &r.LastAccess, &r.RequestedAt, &r.ReadyAt, &r.ExpiresAt} {
		*t = legacyTime(*t)
	}
	r.CRC64 = crc64ecma.Checksum(r.Body)
	if r.DataID != 0 {
		r.CRC64 = 0
		for i := range r.Chunks {
			ck := chunkKey(r.DataID, i)
			c := data.Get(ck)
			if c == nil {
				return r, fmt.Errorf("%q: chunk %d missing", key, i)
			}
			r.CRC64 = crc64ecma.Update(r.CRC64, c)
			if err := data.Put(ck, sealChunk(ck, bytes.Clone(c))); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// legacyTime converts an instant that the current decoding read from
// schema 2's encoding back to what schema 2 meant: the same 8 bytes are
// Unix nanoseconds.
func legacyTime(t time.Time) time.Time {
	var b [8]byte
	putTime(b[:], t)
	n := int64(binary.BigEndian.Uint64(b[:]))
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// legacyKey converts <t><rest> from schema 2's time to schema 3's.
func legacyKey(k []byte) []byte {
	if len(k) < 8 {
		return bytes.Clone(k)
	}
	out := bytes.Clone(k)
	n := int64(binary.BigEndian.Uint64(k))
	if n != 0 {
		putTime(out, time.Unix(0, n).UTC())
	}
	return out
}

// rewriteValues replaces the value of every key of b that is not a nested
// bucket with what fn makes of it.
func rewriteValues(b kv.Bucket, fn func(k, v []byte) ([]byte, error)) error {
	type kv struct{ k, v []byte }
	var out []kv
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil
		}
		nv, err := fn(k, v)
		if err != nil {
			return err
		}
		out = append(out, kv{bytes.Clone(k), bytes.Clone(nv)})
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range out {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// rewriteKeys renames every key of b that match selects with rename, its
// (empty or not) value kept.
func rewriteKeys(b kv.Bucket, match func([]byte) bool, rename func([]byte) []byte) error {
	type kv struct{ k, v []byte }
	var old []kv
	err := b.ForEach(func(k, v []byte) error {
		if v != nil && match(k) {
			old = append(old, kv{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range old {
		if err := b.Delete(e.k); err != nil {
			return err
		}
	}
	for _, e := range old {
		if err := b.Put(rename(e.k), e.v); err != nil {
			return err
		}
	}
	return nil
}
