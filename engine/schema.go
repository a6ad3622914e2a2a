package engine

import (
	"encoding/binary"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
)

// The layout of the database in the store: every top-level kv bucket is
// named here. The layout is shaped for the default store, bbolt, where a kv
// bucket is a bbolt bucket; other stores map it as they will.
//
//	meta                         "version" -> uint32 schema version; "magic" -> "coldstore";
//	                             "dialect" -> its name (absent: "oss")
//	buckets         <name>       -> bucketRecord
//	objects/<name>  <key>        -> objectRecord: one top-level bucket per coldstore bucket
//	objects/<name>  \xff<t><key> -> empty: the bucket's pending restores, by ExpiresAt
//	objects/<name>\x00meter "m"  -> the bucket's meter (meter.go), a bbolt bucket small enough to be inlined
//	data            <dataID><chunk#> -> chunk bytes (8-byte id, 4-byte index, big-endian); over a
//	                             local store, a chunk of a page or more is a nested bucket
//	                             holding "\x00" -> chunk bytes (chunkstore.go)
//	staging         <dataID>     -> bucket\x00key of a Put whose chunks are not yet published
//	files           <dataID>     -> 8-byte size: a body kept in a file beside the store (bodyfiles.go)
//	due             <bucket>/ <t><key> -> empty: every object a lifecycle will act on, by due time (nested per bucket)
//	lifecycle       <bucket>     -> 8-byte generation, then the OSS lifecycle XML
//	uploads         <bucket>/ <key>\x00<upload id> -> the upload (an objectRecord without content)
//	                <bucket>/ <key>\x00<upload id>\x00<part#> -> partRecord (multipart.go; nested per bucket)
//
// Each coldstore bucket's objects are a top-level bbolt bucket, not a bucket
// nested in another: a read opens one bbolt bucket, as raw bbolt does, and a
// write rewrites the bucket's header in the root page, which bbolt rewrites
// on every commit anyway. The meter rides in that page too, in a bbolt
// bucket small enough for bbolt to inline it there. Schema 1 nested the
// objects in an "objects" bucket; Open migrates it (migrate.go).
var (
	bktMeta      = []byte("meta")
	bktBuckets   = []byte("buckets")
	bktData      = []byte("data")
	bktStaging   = []byte("staging")
	bktDue       = []byte("due")
	bktLifecycle = []byte("lifecycle")
	bktUploads   = []byte("uploads")
	bktFiles     = []byte("files")

	allBuckets = [][]byte{bktMeta, bktBuckets, bktData, bktStaging, bktDue, bktLifecycle, bktUploads, bktFiles}

	keyVersion = []byte("version")
	keyMagic   = []byte("magic")
	keyDialect = []byte("dialect")
	keyMeter   = []byte("m")
	keyEpoch   = []byte("epoch") // the openings counted (drawEpoch)
)

// objectsPrefix starts the name of every coldstore bucket's objects bucket.
const objectsPrefix = "objects/"

// meterSuffix ends the name of a bucket's meter bucket: "\x00" sorts it
// right after its objects bucket, before any other bucket's.
const meterSuffix = "\x00meter"

// objectsName is the top-level kv bucket of bucket's objects and expiry
// index.
func objectsName(bucket string) []byte { return appendObjectsName(nil, bucket) }

// appendObjectsName appends objectsName(bucket) to dst.
func appendObjectsName(dst []byte, bucket string) []byte {
	return append(append(dst, objectsPrefix...), bucket...)
}

// objectsBucket returns the kv bucket of bucket's objects, nil when there
// is none. It builds the name in a pooled buffer: a lookup, done for every
// object read or changed, allocates nothing.
func objectsBucket(tx kv.Tx, bucket string) kv.Bucket {
	p := namePool.Get().(*[]byte)
	ob := tx.Bucket(appendObjectsName((*p)[:0], bucket))
	namePool.Put(p)
	return ob
}

// meterName is the top-level kv bucket of bucket's meter.
func meterName(bucket string) []byte { return []byte(objectsPrefix + bucket + meterSuffix) }

// schemaVersion is the layout written by this code. Open refuses a file with
// a higher one. Schema 4 is schema 3 with what a coldstore of schema 3
// cannot read: object records of version 3 (with stored headers), bucket
// records of version 2 (with tags) and lifecycle configurations in the
// engine's own encoding; the version tells
// such a coldstore to refuse the file rather than misread it. Schema 5 is
// schema 4 with the uploads bucket (multipart uploads) and object records
// of version 4 (multipart, appendable and symlink objects, object ACLs).
// Schema 6 is schema 5 with the files bucket: data ids whose chunks are in
// files beside the store (bodyfiles.go), which a coldstore of schema 5
// would take for missing chunks. Schema 7 is schema 6 with chunks in
// buckets nested in the data bucket (chunkstore.go), which a coldstore of
// schema 6 would also take for missing. Open takes a file of schema 3 to 6
// to 7 by creating the buckets it lacks and writing the version.
const schemaVersion = 7

// magic marks a store as holding a coldstore database.
const magic = "coldstore"

// chunkSize is the size of each stored piece of an object body.
const chunkSize = 256 << 10

// inlineMax is the largest body kept in its object's record instead of a
// chunk of its own.
const inlineMax = 16 << 10

// stageChunksPerTx bounds the chunks a staging transaction writes, so a
// large Put commits in steps of 8 MiB.
const stageChunksPerTx = 32

// The expiry index lives in each bucket's own bbolt bucket, after every
// object: its keys start with 0xff, a byte no UTF-8 key starts with. A
// restore then rewrites the record's leaf and the index's leaf under the
// same branch page; a separate index bucket cost one more page per commit
// (about 60 µs of fsync here, the difference between 1.42× and ~1.2× raw
// bbolt for Restore).
const expiryMark = 0xff

// expiryFirst is where a cursor seeks the first index entry of a bucket.
var expiryFirst = []byte{expiryMark}

// expiryKey is 0xff <t> <key>.
func expiryKey(t time.Time, key string) []byte {
	k := make([]byte, 9+len(key))
	k[0] = expiryMark
	putTime(k[1:], t)
	copy(k[9:], key)
	return k
}

// isExpiryKey tells index entries from object keys.
func isExpiryKey(k []byte) bool { return len(k) > 0 && k[0] == expiryMark }

// parseExpiryKey splits an index key; ok is false when it is malformed.
func parseExpiryKey(k []byte) (t time.Time, key string, ok bool) {
	if len(k) < 10 || k[0] != expiryMark {
		return time.Time{}, "", false
	}
	return getTime(k[1:]), string(k[9:]), true
}

// chunkKey is <dataID><index>.
func chunkKey(id uint64, i uint32) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, id)
	binary.BigEndian.PutUint32(k[8:], i)
	return k
}

func idKey(id uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, id)
	return k
}
