package engine

import (
	"encoding/binary"
	"time"
)

// The file's layout. Every top-level bbolt bucket is named here.
//
//	meta                          "version" -> uint32 schema version
//	buckets   <name>              -> bucketRecord
//	objects   <name>/ <key>       -> objectRecord (one nested bbolt bucket per coldstore bucket)
//	objects   <name>\x00meter     -> the bucket's meter (meter.go)
//	data      <dataID><chunk#>    -> chunk bytes (8-byte id, 4-byte index, big-endian)
//	staging   <dataID>            -> bucket\x00key of a Put whose chunks are not yet published
//	expiry    <t><bucket>\x00<key> -> empty: every pending restore, by ExpiresAt
//	due       <bucket>/ <t><key>  -> empty: every object a lifecycle will act on, by due time
//	lifecycle <bucket>            -> 8-byte generation, then the OSS lifecycle XML
var (
	bktMeta      = []byte("meta")
	bktBuckets   = []byte("buckets")
	bktObjects   = []byte("objects")
	bktData      = []byte("data")
	bktStaging   = []byte("staging")
	bktExpiry    = []byte("expiry")
	bktDue       = []byte("due")
	bktLifecycle = []byte("lifecycle")

	allBuckets = [][]byte{bktMeta, bktBuckets, bktObjects, bktData, bktStaging, bktExpiry, bktDue, bktLifecycle}

	keyVersion = []byte("version")
	keyMagic   = []byte("magic")
)

// schemaVersion is the layout written by this code. Open refuses a file with
// a higher one.
const schemaVersion = 1

// magic marks a bbolt file as a coldstore database.
const magic = "coldstore"

// chunkSize is the size of each stored piece of an object body.
const chunkSize = 256 << 10

// inlineMax is the largest body kept in its object's record instead of a
// chunk of its own.
const inlineMax = 16 << 10

// stageChunksPerTx bounds the chunks a staging transaction writes, so a
// large Put commits in steps of 8 MiB.
const stageChunksPerTx = 32

// putTime encodes t as 8 bytes big-endian Unix nanoseconds; the zero time is
// 0. Big-endian keeps index keys in time order.
func putTime(b []byte, t time.Time) {
	var n int64
	if !t.IsZero() {
		n = t.UnixNano()
	}
	binary.BigEndian.PutUint64(b, uint64(n))
}

func getTime(b []byte) time.Time {
	n := int64(binary.BigEndian.Uint64(b))
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// indexKey is <t><bucket>\x00<key>. Bucket names never hold \x00, so the
// first \x00 after the time ends the bucket.
func indexKey(t time.Time, bucket, key string) []byte {
	k := make([]byte, 8+len(bucket)+1+len(key))
	putTime(k, t)
	n := 8 + copy(k[8:], bucket)
	k[n] = 0
	copy(k[n+1:], key)
	return k
}

// parseIndexKey splits an index key; ok is false when it is malformed.
func parseIndexKey(k []byte) (t time.Time, bucket, key string, ok bool) {
	if len(k) < 10 {
		return time.Time{}, "", "", false
	}
	t = getTime(k)
	rest := k[8:]
	for i, c := range rest {
		if c == 0 {
			return t, string(rest[:i]), string(rest[i+1:]), true
		}
	}
	return time.Time{}, "", "", false
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
