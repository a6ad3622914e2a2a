package engine

import (
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/zeebo/xxh3"
)

// objectRecord is what the file holds for one object. It stores times, never
// a state word: the restore state follows from the times and the clock (see
// status).
type objectRecord struct {
	Size         int64
	ETag         [16]byte
	CRC64        uint64 // CRC-64/ECMA of the content
	ContentType  string
	Metadata     map[string]string
	Tags         map[string]string
	Headers      map[string]string // stored HTTP headers; encoded from version 3
	LastModified time.Time
	Class        storageclass.Class
	ClassSince   time.Time
	LastAccess   time.Time
	DataID       uint64 // 0: no chunks; the body, if any, is Body
	Chunks       uint32
	// Body is the content of a small object (up to inlineMax), kept in the
	// record: one page less to write per Put. Decoded, it aliases the
	// stored value, valid only inside the transaction that read it.
	Body []byte

	// The restore, all zero when there is none pending or live.
	Tier        storageclass.Tier
	RequestedAt time.Time
	ReadyAt     time.Time
	ExpiresAt   time.Time

	// Encoded only in version 4 (recordExt):
	ACL    string       // the object's own ACL; "" follows the bucket's
	Kind   objectKind   // how the object was written
	Parts  []partExtent // a multipart object's parts, in order (Kind multipart)
	Target string       // a symlink's target key (Kind symlink)
	State  []byte       // an appendable object's MD5 state after its last append
}

// objectKind is how an object was written; OSS names it in x-oss-object-type.
type objectKind byte

const (
	kindNormal     objectKind = iota // Put, Copy
	kindMultipart                    // CompleteMultipartUpload
	kindAppendable                   // AppendObject
	kindSymlink                      // PutSymlink
)

// partExtent is one part of a multipart object: Size bytes in chunks
// 0, 1, ... of DataID (0 for an empty part), as UploadPart stored them.
type partExtent struct {
	DataID uint64
	Size   int64
}

// recordVersion leads every encoded bucket record and meter so the
// encoding can grow.
const recordVersion = 1

// objectVersion leads every encoded object record. Version 1 (schema 2)
// had no CRC-64 and no checksum, and Unix-nanosecond times; Open migrates
// it (migrate2.go). Version 3 is version 2 and the stored HTTP headers
// after the restore's times; a record without headers is written as
// version 2, so that records written before version 3 existed and records
// written since read alike, and no file needs rewriting.
const (
	objectVersion        = 2
	objectVersionHeaders = 3
	objectVersionExt     = 4
)

// hasExt reports whether the record needs version 4: version 3's fields,
// then the ACL, the kind, the parts, the symlink target and the append
// state. A record without them is written as version 3 or 2.
func (r *objectRecord) hasExt() bool {
	return r.ACL != "" || r.Kind != kindNormal || len(r.Parts) > 0 || r.Target != "" || len(r.State) > 0
}

var (
	errBadRecord = errors.New("malformed object record")
	errChecksum  = errors.New("object record fails its checksum")
)

func (r *objectRecord) hasRestore() bool { return !r.ExpiresAt.IsZero() }

func (r *objectRecord) clearRestore() {
	r.Tier, r.RequestedAt, r.ReadyAt, r.ExpiresAt = "", time.Time{}, time.Time{}, time.Time{}
}

// encode writes the record of key: the fields, then their sum (recordSum),
// so that a damaged record, or a record under another key, is caught when
// it is read.
func (r *objectRecord) encode(key string) []byte {
	n := 1 + 8 + 16 + 8 + 8*7 + 4 + sumSize + 7*binary.MaxVarintLen64 + len(r.ContentType) + len(r.Class) + len(r.Tier) + len(r.Body)
	for k, v := range r.Metadata {
		n += 2*binary.MaxVarintLen64 + len(k) + len(v)
	}
	for k, v := range r.Tags {
		n += 2*binary.MaxVarintLen64 + len(k) + len(v)
	}
	for k, v := range r.Headers {
		n += 2*binary.MaxVarintLen64 + len(k) + len(v)
	}
	ext := r.hasExt()
	if ext {
		n += 1 + 4*binary.MaxVarintLen64 + len(r.ACL) + len(r.Target) + len(r.State) + len(r.Parts)*2*binary.MaxVarintLen64
	}
	b := make([]byte, 0, n)
	switch {
	case ext:
		b = append(b, objectVersionExt)
	case len(r.Headers) > 0:
		b = append(b, objectVersionHeaders)
	default:
		b = append(b, objectVersion)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(r.Size))
	b = append(b, r.ETag[:]...)
	b = binary.BigEndian.AppendUint64(b, r.CRC64)
	b = appendString(b, r.ContentType)
	b = appendMap(b, r.Metadata)
	b = appendMap(b, r.Tags)
	b = appendTime(b, r.LastModified)
	b = appendString(b, string(r.Class))
	b = appendTime(b, r.ClassSince)
	b = appendTime(b, r.LastAccess)
	b = binary.BigEndian.AppendUint64(b, r.DataID)
	b = binary.BigEndian.AppendUint32(b, r.Chunks)
	b = binary.AppendUvarint(b, uint64(len(r.Body)))
	b = append(b, r.Body...)
	b = appendString(b, string(r.Tier))
	b = appendTime(b, r.RequestedAt)
	b = appendTime(b, r.ReadyAt)
	b = appendTime(b, r.ExpiresAt)
	if len(r.Headers) > 0 || ext {
		b = appendMap(b, r.Headers)
	}
	if ext {
		b = appendString(b, r.ACL)
		b = append(b, byte(r.Kind))
		b = binary.AppendUvarint(b, uint64(len(r.Parts)))
		for _, p := range r.Parts {
			b = binary.AppendUvarint(b, p.DataID)
			b = binary.AppendUvarint(b, uint64(p.Size))
		}
		b = appendString(b, r.Target)
		b = appendString(b, string(r.State))
	}
	return binary.BigEndian.AppendUint64(b, recordSum(key, b))
}

// recordSum is the checksum of an encoded record of key without its sum:
// the 64-bit XXH3 of the record, seeded with the XXH3 of the key, so that
// the record is bound to its key. XXH3 rather than a CRC: it runs at about
// 70 GB/s here with AVX-512 (zeebo/xxh3), against 27 GB/s for CRC-32 by
// carry-less multiplication; a 4 KiB Get spends 80 ns on it rather than
// 180. Random damage goes unseen with probability 2^-64.
func recordSum(key string, b []byte) uint64 {
	return xxh3.HashSeed(b, xxh3.HashString(key))
}

// sumSize is the size of a record's or a chunk's sum.
const sumSize = 8

// decodeRecord parses the record of key, copying everything out of b (b
// may be owned by the store) but the inline Body, which aliases b.
func decodeRecord(key string, b []byte) (objectRecord, error) {
	var r objectRecord
	err := r.decode(key, b)
	return r, err
}

// decode is decodeRecord into r, which the hot paths keep on their stack
// rather than copy. It returns errChecksum when b fails its checksum,
// errBadRecord when it does not parse. On error r is zero.
func (r *objectRecord) decode(key string, b []byte) error {
	*r = objectRecord{}
	if len(b) < 1+sumSize || !currentVersion(b[0]) {
		return errBadRecord
	}
	body := b[:len(b)-sumSize]
	if recordSum(key, body) != binary.BigEndian.Uint64(b[len(body):]) {
		return errChecksum
	}
	return r.decodeFields(body)
}

// decodeCopying is decode for a reader of the inline body: it parses the
// fields and copies the body into dst (which it returns, grown as needed)
// before it checks the record's sum. Parsing and copying bring the record
// from the file's mapping into the cache, and the check then reads cached
// bytes; checking first reads them cold, then the copy reads them again.
// On error r is zero and dst holds nothing to use.
func (r *objectRecord) decodeCopying(key string, b, dst []byte) ([]byte, error) {
	*r = objectRecord{}
	if len(b) < 1+sumSize || !currentVersion(b[0]) {
		return dst, errBadRecord
	}
	fields := b[:len(b)-sumSize]
	err := r.decodeFields(fields)
	if err == nil {
		dst = append(dst[:0], r.Body...)
	}
	if recordSum(key, fields) != binary.BigEndian.Uint64(b[len(fields):]) {
		*r = objectRecord{}
		return dst, errChecksum // damaged, whether it parsed or not, as decode says
	}
	return dst, err
}

// currentVersion reports whether v is the version of a record this code
// writes.
func currentVersion(v byte) bool {
	return v == objectVersion || v == objectVersionHeaders || v == objectVersionExt
}

// decodeFields parses an encoded record without its sum, of the version its
// first byte names (1 to 4).
func (r *objectRecord) decodeFields(b []byte) error {
	version := b[0]
	d := decoder{b: b[1:]}
	r.Size = int64(d.uint64())
	copy(r.ETag[:], d.bytes(16))
	if version >= objectVersion {
		r.CRC64 = d.uint64()
	}
	r.ContentType = d.internedString()
	r.Metadata = d.stringMap()
	r.Tags = d.stringMap()
	r.LastModified = d.time()
	r.Class = storageclass.Class(d.internedString())
	r.ClassSince = d.time()
	r.LastAccess = d.time()
	r.DataID = d.uint64()
	r.Chunks = d.uint32()
	r.Body = d.bytes(int(d.count()))
	if len(r.Body) == 0 {
		r.Body = nil
	}
	r.Tier = storageclass.Tier(d.internedString())
	r.RequestedAt = d.time()
	r.ReadyAt = d.time()
	r.ExpiresAt = d.time()
	switch version {
	case objectVersionHeaders:
		if r.Headers = d.stringMap(); len(r.Headers) == 0 {
			d.err = true // version 3 is written only with headers
		}
	case objectVersionExt:
		r.Headers = d.stringMap()
		r.decodeExt(&d)
	}
	if d.err || len(d.b) != 0 || r.Size < 0 {
		*r = objectRecord{}
		return errBadRecord
	}
	return nil
}

// decodeExt reads version 4's fields after the headers.
func (r *objectRecord) decodeExt(d *decoder) {
	r.ACL = d.internedString()
	r.Kind = objectKind(d.byte())
	if n := d.count(); n > 0 {
		r.Parts = make([]partExtent, n)
		var total int64
		var chunks uint32
		for i := range r.Parts {
			id, size := d.uvarint(), d.uvarint()
			if size > MaxPartSize || (id == 0) != (size == 0) {
				d.err = true
				return
			}
			r.Parts[i] = partExtent{DataID: id, Size: int64(size)}
			total += int64(size)
			chunks += chunksOf(int64(size))
		}
		if total != r.Size || chunks != r.Chunks || r.DataID != 0 {
			d.err = true
		}
	}
	r.Target = d.string()
	if s := d.string(); s != "" {
		r.State = []byte(s)
	}
	if !r.hasExt() || r.Kind > kindSymlink || (r.Kind == kindMultipart) != (len(r.Parts) > 0) {
		d.err = true // version 4 is written only with its fields, and consistent
	}
}

// bucketRecord is what the file holds for one bucket.
type bucketRecord struct {
	Class         storageclass.Class
	Created       time.Time
	AccessMonitor bool              // access tracking on (SetAccessMonitor)
	AccessSince   time.Time         // when it was switched on
	Tags          map[string]string // the bucket's tags (SetBucketTags); encoded from version 2
	ACL           string            // public-read or public-read-write (SetBucketACL); "" is private; encoded only in version 3
}

// bucketVersionTags is the version of a bucket record with tags: version 1
// and the tags after AccessSince. bucketVersionACL is that of a bucket
// record with an ACL other than private: version 2's fields (the tags
// possibly none) and the ACL. A record without either is written as
// version 1, as before tags existed, and one with tags alone as version
// 2, as before ACLs existed.
const (
	bucketVersionTags = 2
	bucketVersionACL  = 3
)

func (r *bucketRecord) encode() []byte {
	b := []byte{recordVersion}
	switch {
	case r.ACL != "":
		b[0] = bucketVersionACL
	case len(r.Tags) > 0:
		b[0] = bucketVersionTags
	}
	b = appendString(b, string(r.Class))
	b = appendTime(b, r.Created)
	var on byte
	if r.AccessMonitor {
		on = 1
	}
	b = append(b, on)
	b = appendTime(b, r.AccessSince)
	if b[0] >= bucketVersionTags {
		b = appendMap(b, r.Tags)
	}
	if b[0] == bucketVersionACL {
		b = appendString(b, r.ACL)
	}
	return b
}

func decodeBucket(b []byte) (bucketRecord, error) {
	d := decoder{b: b}
	var r bucketRecord
	version := d.byte()
	if version < recordVersion || version > bucketVersionACL {
		return r, errBadRecord
	}
	r.Class = storageclass.Class(d.string())
	r.Created = d.time()
	r.AccessMonitor = d.byte() == 1
	r.AccessSince = d.time()
	switch version {
	case bucketVersionTags:
		if r.Tags = d.stringMap(); len(r.Tags) == 0 {
			d.err = true // version 2 is written only with tags
		}
	case bucketVersionACL:
		r.Tags = d.stringMap()
		if r.ACL = d.internedString(); r.ACL != ACLPublicRead && r.ACL != ACLPublicReadWrite {
			d.err = true // version 3 is written only with an ACL other than private
		}
	}
	if d.err || len(d.b) != 0 {
		return bucketRecord{}, errBadRecord
	}
	return r, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	var x [8]byte
	putTime(x[:], t)
	return append(b, x[:]...)
}

// appendMap writes m with its keys sorted, so the encoding is
// deterministic.
func appendMap(b []byte, m map[string]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	if len(m) == 0 {
		return b
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b = appendString(b, k)
		b = appendString(b, m[k])
	}
	return b
}

// decoder reads a record; after the first short read every read returns
// zero, b is empty and err stays set. The reads a record makes often
// (one-byte lengths, times) are small enough to be inlined.
type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) bytes(n int) []byte {
	if d.err || n < 0 || len(d.b) < n {
		d.err, d.b = true, nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if v := d.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) uint64() uint64 {
	if v := d.bytes(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) uint32() uint32 {
	if v := d.bytes(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) uvarint() uint64 {
	if len(d.b) > 0 && d.b[0] < 0x80 { // one byte: every length a record holds but a large body's
		v := d.b[0]
		d.b = d.b[1:]
		return uint64(v)
	}
	return d.uvarintLong()
}

func (d *decoder) uvarintLong() uint64 {
	if d.err {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err, d.b = true, nil
		return ""
	}
	return string(d.bytes(int(n)))
}

// internedString reads a string. The strings records repeat (classes,
// tiers, common content types) come back as constants, so decoding them
// neither allocates nor hashes: the switch compiles to comparisons by
// length, then content.
func (d *decoder) internedString() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err, d.b = true, nil
		return ""
	}
	b := d.bytes(int(n))
	switch string(b) { // no allocation: each case returns a constant
	case "":
		return ""
	case string(storageclass.Standard): // also TierStandard
		return string(storageclass.Standard)
	case string(storageclass.IA):
		return string(storageclass.IA)
	case string(storageclass.Archive):
		return string(storageclass.Archive)
	case string(storageclass.ColdArchive):
		return string(storageclass.ColdArchive)
	case string(storageclass.DeepColdArchive):
		return string(storageclass.DeepColdArchive)
	case string(storageclass.TierExpedited):
		return string(storageclass.TierExpedited)
	case string(storageclass.TierBulk):
		return string(storageclass.TierBulk)
	case "private":
		return "private"
	case "public-read":
		return "public-read"
	case "public-read-write":
		return "public-read-write"
	case "application/octet-stream":
		return "application/octet-stream"
	case "binary/octet-stream":
		return "binary/octet-stream"
	case "text/plain":
		return "text/plain"
	case "application/json":
		return "application/json"
	case "image/jpeg":
		return "image/jpeg"
	case "image/png":
		return "image/png"
	}
	return string(b)
}

// stringMap reads what appendMap wrote; nil for an empty map.
func (d *decoder) stringMap() map[string]string {
	n := d.uvarint()
	if n == 0 || d.err {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err, d.b = true, nil
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.string()
		m[k] = d.string()
	}
	return m
}

func (d *decoder) time() time.Time {
	if len(d.b) < 8 {
		d.err, d.b = true, nil
		return time.Time{}
	}
	n := int64(binary.BigEndian.Uint64(d.b))
	d.b = d.b[8:]
	return timeOf(n)
}

// recordError is the typed error of a record that failed to decode: one
// that fails its checksum was damaged after it was written
// (coldstore.ErrDataCorrupt); one that does not parse is ErrCorrupt.
func recordError(op, bucket, key string, err error) error {
	if errors.Is(err, errChecksum) {
		return fail(op, bucket, key, coldstore.ErrDataCorrupt, "record of %q: %v", truncate(key), err)
	}
	return fail(op, bucket, key, ErrCorrupt, "record of %q: %v", truncate(key), err)
}
