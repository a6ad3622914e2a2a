package boltkv

import (
	"errors"

	"github.com/coldstore-dev/coldstore/kv"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The kv interfaces over bbolt's types. Each is bbolt's own type under
// another name, so handing one out converts a pointer and allocates
// nothing; a nil bbolt pointer becomes a nil interface.

type (
	boltTx     bolt.Tx
	boltBucket bolt.Bucket
	boltCursor bolt.Cursor
)

func bucketOf(b *bolt.Bucket) kv.Bucket {
	if b == nil {
		return nil
	}
	return (*boltBucket)(b)
}

func bucketOrErr(b *bolt.Bucket, err error) (kv.Bucket, error) {
	if err != nil {
		return nil, kvError(err)
	}
	return (*boltBucket)(b), nil
}

func (t *boltTx) Bucket(name []byte) kv.Bucket { return bucketOf((*bolt.Tx)(t).Bucket(name)) }
func (t *boltTx) CreateBucket(name []byte) (kv.Bucket, error) {
	return bucketOrErr((*bolt.Tx)(t).CreateBucket(name))
}
func (t *boltTx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return bucketOrErr((*bolt.Tx)(t).CreateBucketIfNotExists(name))
}
func (t *boltTx) DeleteBucket(name []byte) error { return kvError((*bolt.Tx)(t).DeleteBucket(name)) }
func (t *boltTx) ForEachBucket(fn func(name []byte) error) error {
	return (*bolt.Tx)(t).ForEach(func(name []byte, _ *bolt.Bucket) error { return fn(name) })
}
func (t *boltTx) Writable() bool { return (*bolt.Tx)(t).Writable() }

func (b *boltBucket) Get(key []byte) []byte { return (*bolt.Bucket)(b).Get(key) }
func (b *boltBucket) Put(key, value []byte) error {
	return kvError((*bolt.Bucket)(b).Put(key, value))
}
func (b *boltBucket) Delete(key []byte) error { return kvError((*bolt.Bucket)(b).Delete(key)) }
func (b *boltBucket) Cursor() kv.Cursor       { return (*boltCursor)((*bolt.Bucket)(b).Cursor()) }
func (b *boltBucket) ForEach(fn func(k, v []byte) error) error {
	return (*bolt.Bucket)(b).ForEach(fn)
}
func (b *boltBucket) NextSequence() (uint64, error) {
	n, err := (*bolt.Bucket)(b).NextSequence()
	return n, kvError(err)
}
func (b *boltBucket) Bucket(name []byte) kv.Bucket { return bucketOf((*bolt.Bucket)(b).Bucket(name)) }
func (b *boltBucket) CreateBucket(name []byte) (kv.Bucket, error) {
	return bucketOrErr((*bolt.Bucket)(b).CreateBucket(name))
}
func (b *boltBucket) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return bucketOrErr((*bolt.Bucket)(b).CreateBucketIfNotExists(name))
}
func (b *boltBucket) DeleteBucket(name []byte) error {
	return kvError((*bolt.Bucket)(b).DeleteBucket(name))
}
func (b *boltBucket) ForEachBucket(fn func(name []byte) error) error {
	return (*bolt.Bucket)(b).ForEachBucket(fn)
}

func (c *boltCursor) First() ([]byte, []byte)           { return (*bolt.Cursor)(c).First() }
func (c *boltCursor) Last() ([]byte, []byte)            { return (*bolt.Cursor)(c).Last() }
func (c *boltCursor) Next() ([]byte, []byte)            { return (*bolt.Cursor)(c).Next() }
func (c *boltCursor) Prev() ([]byte, []byte)            { return (*bolt.Cursor)(c).Prev() }
func (c *boltCursor) Seek(seek []byte) ([]byte, []byte) { return (*bolt.Cursor)(c).Seek(seek) }
func (c *boltCursor) Delete() error                     { return kvError((*bolt.Cursor)(c).Delete()) }

// kvError gives bbolt's errors of the contract their kv names; others (the
// file's) pass as they are.
func kvError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrBucketNotFound):
		return kv.ErrBucketNotFound
	case errors.Is(err, berrors.ErrBucketExists):
		return kv.ErrBucketExists
	case errors.Is(err, berrors.ErrIncompatibleValue):
		return kv.ErrIncompatibleValue
	case errors.Is(err, berrors.ErrKeyRequired), errors.Is(err, berrors.ErrBucketNameRequired):
		return kv.ErrKeyRequired
	case errors.Is(err, berrors.ErrTxNotWritable):
		return kv.ErrTxNotWritable
	case errors.Is(err, berrors.ErrDatabaseNotOpen), errors.Is(err, berrors.ErrTxClosed):
		return kv.ErrClosed
	}
	return err
}
