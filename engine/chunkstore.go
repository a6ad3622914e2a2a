package engine

import (
	"bytes"
	"errors"

	"github.com/coldstore-dev/coldstore/kv"
)

// Over a store kept in a file on this machine (kv.Local: bbolt), a chunk of
// nestMin bytes or more is kept in a bucket of its own, nested in the data
// bucket under the chunk's key, its value under nestedKey; a smaller chunk,
// and every chunk of a store that is not local, is the value of its key.
//
// A bbolt leaf holds at least two keys, and a commit rewrites every leaf it
// touched whole: chunks side by side in the data bucket's leaves made each
// Put that added one copy, and write again, the one to three chunks before
// it in the same leaf (a 64 KiB Put wrote about 256 KiB). A nested bucket
// is a tree of its own, whose leaf holds its chunk only, while the data
// bucket's leaf holds its 16-byte header (bench/README.md: "A chunk in a
// bucket of its own").
//
// Readers take either form, so a database written before schema 7 (every
// chunk a value) reads as it did.

// nestMin is the sealed length from which a local store's chunk is kept in
// a nested bucket: a page of bbolt's.
const nestMin = 4096

// nestedKey is the key of a chunk's value in its nested bucket.
var nestedKey = []byte{0}

// nestChunks reports whether the database keeps large chunks in nested
// buckets: its store is local.
func (db *DB) nestChunks() bool { return db.files != nil }

// putChunk sets the chunk under key k of the data bucket to the sealed
// value v, in a nested bucket when nest is set and v is nestMin bytes or
// more, and replaces a chunk already there in either form.
func putChunk(data kv.Bucket, k, v []byte, nest bool) error {
	if !nest || len(v) < nestMin {
		err := data.Put(k, v)
		if errors.Is(err, kv.ErrIncompatibleValue) { // a nested chunk stands under k
			if err = data.DeleteBucket(k); err == nil {
				err = data.Put(k, v)
			}
		}
		return err
	}
	b := data.Bucket(k)
	if b == nil {
		var err error
		b, err = data.CreateBucket(k)
		if errors.Is(err, kv.ErrIncompatibleValue) { // a chunk's value stands under k
			if err = data.Delete(k); err == nil {
				b, err = data.CreateBucket(k)
			}
		}
		if err != nil {
			return err
		}
	}
	return b.Put(nestedKey, v)
}

// getChunk returns the sealed value of the chunk under key k of the data
// bucket, in either form, or nil when there is none.
func getChunk(data kv.Bucket, k []byte) []byte {
	if v := data.Get(k); v != nil {
		return v
	}
	if b := data.Bucket(k); b != nil {
		return b.Get(nestedKey)
	}
	return nil
}

// deleteChunksFrom removes the chunks of data id id from the n-th on, in
// either form.
func deleteChunksFrom(tx kv.Tx, id uint64, n uint32) error {
	data := tx.Bucket(bktData)
	from := chunkKey(id, n)
	prefix := from[:8]
	c := data.Cursor()
	for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Seek(from) {
		var err error
		if v != nil {
			err = c.Delete()
		} else {
			err = data.DeleteBucket(bytes.Clone(k))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
