// Package memkv is the kv store in memory: for tests and simulations,
// where a file's durability buys nothing and its fsyncs cost the most. It
// keeps nothing past Close, and nothing of it survives the process.
//
// Every bucket is a copy-on-write B-tree (github.com/tidwall/btree). A
// write transaction copies the trees it changes, lazily and in O(1), and
// commits by publishing its new root; a read transaction reads the root
// published when it began. So reads never wait, and never see a write in
// progress. Writers take turns: a transaction runs once, and Batch is
// Update.
package memkv

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/tidwall/btree"
)

// Store is a kv.Store in memory. It is safe for concurrent use.
type Store struct {
	writer sync.Mutex             // held by the write transaction in progress
	root   atomic.Pointer[bucket] // the last commit: its items are the top-level buckets
	closed atomic.Bool
}

var _ kv.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	s := &Store{}
	s.root.Store(newBucket())
	return s
}

// item is a key and its value, or a nested bucket.
type item struct {
	key   []byte
	value []byte  // never nil for a value: empty values are []byte{}
	child *bucket // a nested bucket; value is nil
}

func less(a, b item) bool { return bytes.Compare(a.key, b.key) < 0 }

// bucket is one tree of items and its sequence. A bucket reachable from a
// commit is never changed again: a write transaction changes copies.
type bucket struct {
	tree *btree.BTreeG[item]
	seq  uint64
	gen  uint64 // changes made to it, so a cursor knows when to seek again
}

func newBucket() *bucket {
	return &bucket{tree: btree.NewBTreeGOptions(less, btree.Options{NoLocks: true})}
}

// Update runs fn in a write transaction, after the one in progress, and
// publishes its changes when fn returns nil. See kv.Store.
func (s *Store) Update(ctx context.Context, fn func(kv.Tx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	s.writer.Lock()
	defer s.writer.Unlock()
	t := &tx{owned: map[*bucket]bool{}, writable: true}
	t.root = t.own(s.root.Load())
	if err := fn(t); err != nil {
		return err
	}
	s.root.Store(t.root)
	return nil
}

// Batch is Update: writers take turns, and each commit costs no I/O.
func (s *Store) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	return s.Update(ctx, fn)
}

// View runs fn on the last commit. See kv.Store.
func (s *Store) View(ctx context.Context, fn func(kv.Tx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	return fn(&tx{root: s.root.Load()})
}

func (s *Store) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return kv.ErrClosed
	}
	return nil
}

// Close drops the data: later calls fail with kv.ErrClosed. A second Close
// returns nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.writer.Lock() // waits for the write in progress
	s.root.Store(newBucket())
	s.writer.Unlock()
	return nil
}

// tx is a transaction. A writable one owns the buckets it copied: it
// changes those in place, and copies any other before changing it.
type tx struct {
	root     *bucket
	writable bool
	owned    map[*bucket]bool
}

// own returns a copy of b that t may change.
func (t *tx) own(b *bucket) *bucket {
	if t.owned[b] {
		return b
	}
	c := &bucket{tree: b.tree.Copy(), seq: b.seq}
	t.owned[c] = true
	return c
}

func (t *tx) Bucket(name []byte) kv.Bucket { return handle(t, t.root).Bucket(name) }
func (t *tx) CreateBucket(name []byte) (kv.Bucket, error) {
	return handle(t, t.root).CreateBucket(name)
}
func (t *tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return handle(t, t.root).CreateBucketIfNotExists(name)
}
func (t *tx) DeleteBucket(name []byte) error { return handle(t, t.root).DeleteBucket(name) }
func (t *tx) ForEachBucket(fn func(name []byte) error) error {
	return handle(t, t.root).ForEachBucket(fn)
}
func (t *tx) Writable() bool { return t.writable }

// bucketTx is a bucket as a transaction sees it.
type bucketTx struct {
	t *tx
	b *bucket // owned by t when t is writable
}

func handle(t *tx, b *bucket) *bucketTx { return &bucketTx{t: t, b: b} }

func (h *bucketTx) find(key []byte) (item, bool) { return h.b.tree.Get(item{key: key}) }

func (h *bucketTx) Get(key []byte) []byte {
	it, _ := h.find(key)
	return it.value
}

func (h *bucketTx) Put(key, value []byte) error {
	switch {
	case !h.t.writable:
		return kv.ErrTxNotWritable
	case len(key) == 0:
		return kv.ErrKeyRequired
	}
	if it, ok := h.find(key); ok && it.child != nil {
		return kv.ErrIncompatibleValue
	}
	h.b.tree.Set(item{key: bytes.Clone(key), value: append([]byte{}, value...)})
	h.b.gen++
	return nil
}

func (h *bucketTx) Delete(key []byte) error {
	if !h.t.writable {
		return kv.ErrTxNotWritable
	}
	it, ok := h.find(key)
	if !ok {
		return nil
	}
	if it.child != nil {
		return kv.ErrIncompatibleValue
	}
	h.b.tree.Delete(it)
	h.b.gen++
	return nil
}

func (h *bucketTx) Cursor() kv.Cursor { return &cursor{h: h} }

func (h *bucketTx) ForEach(fn func(k, v []byte) error) error {
	var err error
	h.b.tree.Scan(func(it item) bool {
		err = fn(it.key, it.value)
		return err == nil
	})
	return err
}

func (h *bucketTx) NextSequence() (uint64, error) {
	if !h.t.writable {
		return 0, kv.ErrTxNotWritable
	}
	h.b.seq++
	return h.b.seq, nil
}

// Bucket returns the nested bucket name; in a writable transaction, a copy
// the transaction owns, put in place of the original.
func (h *bucketTx) Bucket(name []byte) kv.Bucket {
	it, ok := h.find(name)
	if !ok || it.child == nil {
		return nil
	}
	if h.t.writable && !h.t.owned[it.child] {
		it.child = h.t.own(it.child)
		h.b.tree.Set(it)
	}
	return handle(h.t, it.child)
}

func (h *bucketTx) CreateBucket(name []byte) (kv.Bucket, error) {
	switch {
	case !h.t.writable:
		return nil, kv.ErrTxNotWritable
	case len(name) == 0:
		return nil, kv.ErrKeyRequired
	}
	if it, ok := h.find(name); ok {
		if it.child == nil {
			return nil, kv.ErrIncompatibleValue
		}
		return nil, kv.ErrBucketExists
	}
	c := newBucket()
	h.t.owned[c] = true
	h.b.tree.Set(item{key: bytes.Clone(name), child: c})
	h.b.gen++
	return handle(h.t, c), nil
}

func (h *bucketTx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if b := h.Bucket(name); b != nil {
		return b, nil
	}
	return h.CreateBucket(name)
}

func (h *bucketTx) DeleteBucket(name []byte) error {
	if !h.t.writable {
		return kv.ErrTxNotWritable
	}
	it, ok := h.find(name)
	switch {
	case !ok:
		return kv.ErrBucketNotFound
	case it.child == nil:
		return kv.ErrIncompatibleValue
	}
	h.b.tree.Delete(it)
	h.b.gen++
	return nil
}

func (h *bucketTx) ForEachBucket(fn func(name []byte) error) error {
	var err error
	h.b.tree.Scan(func(it item) bool {
		if it.child != nil {
			err = fn(it.key)
		}
		return err == nil
	})
	return err
}

// cursor walks a bucket with a tree iterator, which it positions again
// from its key when the bucket changed since (a change may move the nodes
// the iterator stands on).
type cursor struct {
	h    *bucketTx
	iter btree.IterG[item]
	gen  uint64 // the bucket's gen when iter was positioned
	live bool   // iter is positioned on key
	key  []byte
}

func (c *cursor) at(ok bool) ([]byte, []byte) {
	if !ok {
		c.live, c.key = false, nil
		return nil, nil
	}
	it := c.iter.Item()
	c.live, c.key, c.gen = true, it.key, c.h.b.gen
	return it.key, it.value
}

func (c *cursor) fresh() {
	c.iter.Release()
	c.iter = c.h.b.tree.Iter()
}

func (c *cursor) First() ([]byte, []byte) { c.fresh(); return c.at(c.iter.First()) }
func (c *cursor) Last() ([]byte, []byte)  { c.fresh(); return c.at(c.iter.Last()) }
func (c *cursor) Seek(seek []byte) ([]byte, []byte) {
	c.fresh()
	return c.at(c.iter.Seek(item{key: seek}))
}

// resume puts the iterator back on the cursor's key, or on the key after
// it when that key is gone; it reports whether it stands on the key itself.
func (c *cursor) resume() (onKey, ok bool) {
	if c.gen == c.h.b.gen {
		return true, true
	}
	c.fresh()
	if !c.iter.Seek(item{key: c.key}) {
		return false, false
	}
	return bytes.Equal(c.iter.Item().key, c.key), true
}

func (c *cursor) Next() ([]byte, []byte) {
	if !c.live {
		return nil, nil
	}
	onKey, ok := c.resume()
	if !ok {
		return c.at(false)
	}
	if !onKey { // the key was deleted: the iterator already stands after it
		return c.at(true)
	}
	return c.at(c.iter.Next())
}

func (c *cursor) Prev() ([]byte, []byte) {
	if !c.live {
		return nil, nil
	}
	if _, ok := c.resume(); !ok {
		c.fresh()
		return c.at(c.iter.Last())
	}
	return c.at(c.iter.Prev())
}

func (c *cursor) Delete() error {
	if !c.live {
		return nil
	}
	k := c.key
	it, ok := c.h.find(k)
	if ok && it.child != nil {
		return kv.ErrIncompatibleValue
	}
	return c.h.Delete(k)
}
