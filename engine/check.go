package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/coldstore-dev/coldstore/internal/crc64ecma"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// maxProblems bounds the problems Check reports.
const maxProblems = 100

// Check verifies the invariants of the file in one read transaction and
// returns nil, or an error joining every broken invariant it found (up to
// 100), each wrapping ErrCorrupt:
//
//   - every bucket record has its objects bucket and the other way round,
//     and the file holds no other top-level bucket than the layout's;
//   - every object record passes its checksum, decodes and names a class of
//     the catalog; its chunks exist, are numbered 0..n-1, pass their
//     checksums and add up to its size, and its body (inline or chunked)
//     has the CRC-64 the record holds;
//   - a restore's times are ordered (RequestedAt <= ReadyAt <= ExpiresAt),
//     only objects of classes that need a restore have one, and each has its
//     expiry index entry;
//   - every expiry index entry points at an object whose ExpiresAt it holds;
//   - every chunk belongs to an object or to a Put in progress;
//   - every object a lifecycle will act on has its due entry at the time
//     its record and the configuration give, and there are no others;
//   - each bucket's meter holds, per class, the billable bytes of its
//     objects.
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
	files, err := db.files.unwritten()
	if err != nil {
		return fail(op, "", "", ErrStorage, "listing the body files: %v", err)
	}
	err = db.view(ctx, op, "", "", func(tx kv.Tx) error {
		owned := make(map[uint64]uint32) // data id -> chunks expected
		err := tx.Bucket(bktBuckets).ForEach(func(name, v []byte) error {
			br, err := decodeBucket(v)
			if err != nil {
				report("bucket %q: %v", name, err)
			}
			cfg, err := db.configOf(tx, string(name))
			if err != nil {
				report("bucket %q: lifecycle: %v", name, err)
			}
			ob := objectsBucket(tx, string(name))
			if ob == nil {
				report("bucket %q has no objects bucket", name)
				return nil
			}
			bc := bucketCheck{state: &bucketState{name: string(name), rec: br, cfg: cfg}, bytes: map[storageclass.Class]int64{}, objects: map[storageclass.Class]int64{}, partBytes: map[storageclass.Class]int64{}}
			err = ob.ForEach(func(k, v []byte) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				if isExpiryKey(k) {
					checkExpiryEntry(ob, string(name), k, report)
				} else {
					db.checkRecord(tx, &bc, ob, string(k), v, owned, report)
				}
				return nil
			})
			if err != nil {
				return err
			}
			db.checkUploads(tx, &bc, owned, report)
			bc.finish(tx, report)
			return nil
		})
		if err != nil {
			return err
		}
		checkTopLevel(tx, report)
		db.checkOrphans(tx, owned, files, report)
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(problems...)
}

// bucketCheck gathers what Check compares with a bucket's indexes and
// meter.
type bucketCheck struct {
	state          *bucketState
	due            int                          // due entries the objects need
	bytes          map[storageclass.Class]int64 // billable bytes per class, parts included
	objects        map[storageclass.Class]int64 // objects per class
	uploads, parts int64
	partBytes      map[storageclass.Class]int64
}

// finish compares the due index and the meter with what the objects need.
func (bc *bucketCheck) finish(tx kv.Tx, report func(string, ...any)) {
	name := bc.state.name
	n := 0
	if due := tx.Bucket(bktDue).Bucket(bytesOf(name)); due != nil {
		_ = due.ForEach(func([]byte, []byte) error { n++; return nil })
	}
	if n != bc.due {
		report("bucket %q: %d lifecycle due entries, its objects need %d", name, n, bc.due)
	}
	u, found, err := loadUsage(tx, name)
	if err != nil {
		report("bucket %q: meter: %v", name, err)
		return
	}
	if !found {
		report("bucket %q has no meter", name)
		return
	}
	for c, m := range u.Classes {
		if m.Bytes != bc.bytes[c] || m.Objects != bc.objects[c] {
			report("bucket %q: meter holds %d objects, %d billable bytes of %s; the bucket %d, %d", name, m.Objects, m.Bytes, c, bc.objects[c], bc.bytes[c])
		}
	}
	for c, want := range bc.bytes {
		if m := u.Classes[c]; want != 0 && m == nil {
			report("bucket %q: meter has no %s, the objects hold %d billable bytes", name, c, want)
		}
	}
	if u.Uploads != bc.uploads || u.Parts != bc.parts || !maps.Equal(u.PartBytes, bc.partBytes) {
		report("bucket %q: meter holds %d uploads, %d parts, part bytes %v; the bucket %d, %d, %v", name, u.Uploads, u.Parts, u.PartBytes, bc.uploads, bc.parts, bc.partBytes)
	}
}

// checkUploads checks a bucket's multipart uploads: each upload record and
// part record passes its checksum and decodes, each part belongs to an
// upload, and its chunks are whole; it counts them for the meter.
func (db *DB) checkUploads(tx kv.Tx, bc *bucketCheck, owned map[uint64]uint32, report func(string, ...any)) {
	bucket := bc.state.name
	ub := uploadsOf(tx, bucket)
	if ub == nil {
		return
	}
	var class storageclass.Class
	var upload []byte // the key of the last upload record, with its "\x00"
	_ = ub.ForEach(func(k, v []byte) error {
		key, rest, ok := bytes.Cut(k, []byte{0})
		if !ok {
			report("bucket %q: upload key %q without an id", bucket, k)
			return nil
		}
		where := bucket + "/" + truncate(string(key))
		if _, _, isPart := bytes.Cut(rest, []byte{0}); isPart {
			if upload == nil || !bytes.HasPrefix(k, upload) || len(k) != len(upload)+4 {
				report("%s: part %x of no upload", where, k)
				return nil
			}
			pr, err := decodePart(k, v)
			if err != nil {
				report("%s: part %x: %v", where, k[len(upload):], err)
				return nil
			}
			bc.parts++
			if pr.Size != 0 {
				bc.bytes[class] += pr.Size
				bc.partBytes[class] += pr.Size
			}
			if crc, ok := db.checkChunks(tx, owned, where+" part", pr.DataID, pr.Size, report); ok && crc != pr.CRC64 {
				report("%s: a part fails its CRC-64", where)
			}
			return nil
		}
		rec, err := decodeRecord(string(key)+"\x00"+string(rest), v)
		if err != nil {
			report("%s: upload %q: %v", where, rest, err)
			upload = nil
			return nil
		}
		bc.uploads++
		class = rec.Class
		upload = append(append(upload[:0], k...), 0)
		return nil
	})
}

func (db *DB) checkRecord(tx kv.Tx, bc *bucketCheck, ob kv.Bucket, key string, v []byte, owned map[uint64]uint32, report func(string, ...any)) {
	bucket := bc.state.name
	where := bucket + "/" + truncate(key)
	rec, err := decodeRecord(key, v)
	if err != nil {
		report("%s: %v", where, err)
		return
	}
	rules, ok := db.ruleSet[rec.Class]
	if !ok {
		report("%s: class %q not in the catalog", where, rec.Class)
		return
	}
	bc.bytes[rec.Class] += billable(rules, rec.Size)
	bc.objects[rec.Class]++
	if t := dueOf(db.cat, bc.state, key, &rec); !t.IsZero() {
		bc.due++
		if due := tx.Bucket(bktDue).Bucket(bytesOf(bucket)); due == nil || due.Get(dueKey(t, key)) == nil {
			report("%s: lifecycle due at %v is not in the due index", where, t)
		}
	}
	if rec.hasRestore() {
		if !rules.NeedsRestore {
			report("%s: %s object has a restore", where, rec.Class)
		}
		if rec.ReadyAt.Before(rec.RequestedAt) || rec.ExpiresAt.Before(rec.ReadyAt) {
			report("%s: restore times out of order", where)
		}
		if ob.Get(expiryKey(rec.ExpiresAt, key)) == nil {
			report("%s: restore expiring %v is not in the expiry index", where, rec.ExpiresAt)
		}
	} else if !rec.ReadyAt.IsZero() || !rec.RequestedAt.IsZero() || rec.Tier != "" {
		report("%s: partial restore without an expiry", where)
	}
	if rec.Kind == kindMultipart {
		if rec.Body != nil || rec.DataID != 0 {
			report("%s: a multipart object with an inline body or a data id", where)
		}
		// Every part is checked, and its data marked owned, past a
		// damaged one: a part not walked would be reported as belonging to
		// no object.
		var crc uint64
		whole := true
		for i, p := range rec.Parts {
			c, ok := db.checkChunks(tx, owned, fmt.Sprintf("%s: part %d", where, i+1), p.DataID, p.Size, report)
			whole = whole && ok
			crc = crc64ecma.Combine(crc, c, p.Size)
		}
		if whole && crc != rec.CRC64 {
			report("%s: body fails its CRC-64", where)
		}
		return
	}
	if (rec.DataID == 0) != (rec.Chunks == 0) {
		report("%s: data id %d with %d chunks", where, rec.DataID, rec.Chunks)
		return
	}
	if rec.DataID == 0 {
		if rec.Size != int64(len(rec.Body)) {
			report("%s: size %d, inline body of %d bytes", where, rec.Size, len(rec.Body))
		}
		if crc64ecma.Checksum(rec.Body) != rec.CRC64 {
			report("%s: inline body fails its CRC-64", where)
		}
		return
	}
	if rec.Body != nil {
		report("%s: an inline body and chunks", where)
	}
	if rec.Chunks != chunksOf(rec.Size) {
		report("%s: %d chunks for %d bytes", where, rec.Chunks, rec.Size)
		return
	}
	if crc, ok := db.checkChunks(tx, owned, where, rec.DataID, rec.Size, report); ok && crc != rec.CRC64 {
		report("%s: body fails its CRC-64", where)
	}
}

// checkChunks checks the chunks of a body of size bytes under data id
// (none when id is 0) and records them as owned: each present, passing its
// checksum, every one but the last exactly chunkSize (Seek counts on it),
// together size bytes. It returns their CRC-64 and whether they were all
// readable.
func (db *DB) checkChunks(tx kv.Tx, owned map[uint64]uint32, where string, id uint64, size int64, report func(string, ...any)) (uint64, bool) {
	if id == 0 {
		return 0, size == 0
	}
	n := chunksOf(size)
	if _, dup := owned[id]; dup {
		report("%s: data id %d shared with another object", where, id)
	}
	owned[id] = n
	if isFileID(id) {
		return db.checkFile(tx, where, id, size, report)
	}
	var sum int64
	var crc uint64
	for i := range n {
		k := chunkKey(id, i)
		v := getChunk(tx.Bucket(bktData), k)
		if v == nil {
			report("%s: chunk %d missing", where, i)
			return 0, false
		}
		c, err := openChunk(k, v)
		if err != nil {
			report("%s: chunk %d: %v", where, i, err)
			return 0, false
		}
		if i < n-1 && len(c) != chunkSize {
			report("%s: chunk %d of %d bytes, not the last", where, i, len(c))
		}
		sum += int64(len(c))
		crc = crc64ecma.Update(crc, c)
	}
	if sum != size {
		report("%s: chunks hold %d bytes, size is %d", where, sum, size)
		return 0, false
	}
	return crc, true
}

// checkExpiryEntry checks one index entry of a bucket against its object.
func checkExpiryEntry(ob kv.Bucket, bucket string, k []byte, report func(string, ...any)) {
	t, key, ok := parseExpiryKey(k)
	if !ok {
		report("bucket %q: malformed expiry index key %x", bucket, k)
		return
	}
	where := bucket + "/" + truncate(key)
	v := ob.Get(bytesOf(key))
	if v == nil {
		report("expiry index entry for missing object %s", where)
		return
	}
	if rec, err := decodeRecord(key, v); err == nil && !rec.ExpiresAt.Equal(t) {
		report("expiry index entry %v for %s, whose restore expires %v", t, where, rec.ExpiresAt)
	}
}

// checkOrphans reports chunks that no object or part owns and no Put in
// progress staged, and chunks past an object's count that no Append in
// progress staged.
func (db *DB) checkOrphans(tx kv.Tx, owned map[uint64]uint32, files []uint64, report func(string, ...any)) {
	staging := tx.Bucket(bktStaging)
	seen := make(map[uint64]bool)
	_ = tx.Bucket(bktData).ForEach(func(k, _ []byte) error {
		if len(k) != 12 {
			report("malformed chunk key %x", k)
			return nil
		}
		id, i := binary.BigEndian.Uint64(k), binary.BigEndian.Uint32(k[8:])
		n, ok := owned[id]
		from, appending := appendStaged(staging, id)
		switch {
		case appending && i >= from: // staged by an Append under way
		case ok && i >= n:
			report("chunk %d of data id %d past its object's %d chunks", i, id, n)
		case !ok && staging.Get(k[:8]) == nil && !appending && !seen[id]:
			seen[id] = true
			report("chunks of data id %d belong to no object", id)
		}
		return nil
	})
	checkFileEntries(tx, owned, files, report)
}

// checkFile checks the file of data id, a body of size bytes, as
// checkChunks checks chunks: indexed with its size, each chunk passing its
// checksum, every one but the last whole, and nothing after the last.
func (db *DB) checkFile(tx kv.Tx, where string, id uint64, size int64, report func(string, ...any)) (uint64, bool) {
	if v := tx.Bucket(bktFiles).Get(idKey(id)); v == nil || !bytes.Equal(v, fileEntry(size)) {
		report("%s: body file %s not indexed with its size %d", where, fileName(id), size)
	}
	if db.files == nil {
		report("%s: body file %s, and no folder of files", where, fileName(id))
		return 0, false
	}
	f, err := db.files.open(id)
	if err != nil {
		report("%s: body file: %v", where, err)
		return 0, false
	}
	defer f.Close()
	bp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bp)
	n := chunksOf(size)
	var crc uint64
	for i := range n {
		c, err := readFileChunk(f, id, i, (*bp)[:chunkSize+chunkTrailer])
		if err != nil {
			report("%s: body file %s: chunk %d: %v", where, fileName(id), i, err)
			return 0, false
		}
		if want := min(int64(chunkSize), size-int64(i)*chunkSize); int64(len(c)) != want {
			report("%s: body file %s: chunk %d of %d bytes, not %d", where, fileName(id), i, len(c), want)
			return 0, false
		}
		crc = crc64ecma.Update(crc, c)
	}
	if st, err := f.Stat(); err == nil && st.Size() != size+int64(n)*chunkTrailer {
		report("%s: body file %s of %d bytes, not %d", where, fileName(id), st.Size(), size+int64(n)*chunkTrailer)
		return 0, false
	}
	return crc, true
}

// checkFileEntries reports entries of the index of files that no object
// or part owns, and files of the folder that no entry names (files: those
// not being written when Check began).
func checkFileEntries(tx kv.Tx, owned map[uint64]uint32, files []uint64, report func(string, ...any)) {
	idx := tx.Bucket(bktFiles)
	_ = idx.ForEach(func(k, _ []byte) error {
		if len(k) != 8 || !isFileID(binary.BigEndian.Uint64(k)) {
			report("malformed key %x in the index of files", k)
			return nil
		}
		if _, ok := owned[binary.BigEndian.Uint64(k)]; !ok {
			report("body file %s belongs to no object", fileName(binary.BigEndian.Uint64(k)))
		}
		return nil
	})
	for _, id := range files {
		if idx.Get(idKey(id)) == nil {
			report("body file %s is not indexed", fileName(id))
		}
	}
}

// checkTopLevel reports top-level kv buckets that the layout does not
// name: objects and meter buckets of no bucket record, and strangers.
func checkTopLevel(tx kv.Tx, report func(string, ...any)) {
	records := tx.Bucket(bktBuckets)
	_ = tx.ForEachBucket(func(name []byte) error {
		if slices.ContainsFunc(allBuckets, func(b []byte) bool { return bytes.Equal(b, name) }) {
			return nil
		}
		bucket, ok := bytes.CutPrefix(name, []byte(objectsPrefix))
		if !ok {
			report("unknown top-level bucket %q", name)
			return nil
		}
		bucket, _ = bytes.CutSuffix(bucket, []byte(meterSuffix))
		if records.Get(bucket) == nil {
			report("top-level bucket %q has no bucket record", name)
		}
		return nil
	})
	_ = tx.Bucket(bktUploads).ForEachBucket(func(name []byte) error {
		if records.Get(name) == nil {
			report("the uploads of %q, which has no bucket record", name)
		}
		return nil
	})
}
