package pgkv

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/jackc/pgx/v5"
)

// bucketSet is the set of every bucket's path at one generation of
// coldstore_meta.buckets. A published set is never changed: a transaction
// that creates or deletes a bucket changes a copy.
type bucketSet struct {
	gen   int64
	paths map[string]struct{}
}

func (b bucketSet) has(p []byte) bool {
	_, ok := b.paths[string(p)]
	return ok
}

// tx is a transaction on one connection. Writes wait in queue and go to
// the server with the next read or with the COMMIT, in its round trip.
type tx struct {
	s        *Store
	ctx      context.Context
	conn     *pgx.Conn
	writable bool
	open     bool  // BEGIN sent and neither COMMIT nor ROLLBACK yet
	err      error // the first failure: every later read is empty
	buckets  bucketSet
	owned    bool // buckets is this transaction's copy
	moved    bool // a bucket was created or deleted: the generation moves
	queue    []queued
	writes   int // writes made so far: a cursor's page older than this is read again
}

type queued struct {
	sql  string
	args []any
}

const (
	sqlBeginWrite = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	sqlBeginRead  = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	sqlGen        = "SELECT buckets FROM coldstore_meta WHERE id = 1"
	sqlBuckets    = "SELECT p FROM coldstore_buckets"
	sqlGet        = "SELECT v FROM coldstore_kv WHERE p = $1 AND k = $2"
	sqlPut        = "INSERT INTO coldstore_kv (p, k, v) VALUES ($1, $2, $3) ON CONFLICT (p, k) DO UPDATE SET v = EXCLUDED.v"
	sqlDelete     = "DELETE FROM coldstore_kv WHERE p = $1 AND k = $2"
	sqlNextSeq    = "INSERT INTO coldstore_seq (p, n) VALUES ($1, 1) ON CONFLICT (p) DO UPDATE SET n = coldstore_seq.n + 1 RETURNING n"
	sqlAddBucket  = "INSERT INTO coldstore_buckets (p) VALUES ($1)"
	sqlDropKV     = "DELETE FROM coldstore_kv WHERE p >= $1 AND p < $2"
	sqlDropBucket = "DELETE FROM coldstore_buckets WHERE p >= $1 AND p < $2"
	sqlDropSeq    = "DELETE FROM coldstore_seq WHERE p >= $1 AND p < $2"
	sqlMoveGen    = "UPDATE coldstore_meta SET buckets = buckets + 1 WHERE id = 1"
	sqlNotify     = "SELECT pg_notify($1, $2)"
)

// begin starts the transaction and learns the set of buckets: one round
// trip, two when the generation moved since this process last read it.
func (t *tx) begin() error {
	b := &pgx.Batch{}
	if t.writable {
		b.Queue(sqlBeginWrite)
	} else {
		b.Queue(sqlBeginRead)
	}
	b.Queue(sqlGen)
	t.s.trips.Add(1)
	br := t.conn.SendBatch(t.ctx, b)
	_, err := br.Exec()
	var gen int64
	if err == nil {
		t.open = true
		err = br.QueryRow().Scan(&gen)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return classify(t.ctx, err)
	}
	t.s.mu.Lock()
	t.buckets = t.s.buckets
	t.s.mu.Unlock()
	if t.buckets.gen == gen {
		return nil
	}
	set := bucketSet{gen: gen, paths: map[string]struct{}{}}
	t.s.trips.Add(1)
	rows, _ := t.conn.Query(t.ctx, sqlBuckets)
	var p []byte
	_, err = pgx.ForEachRow(rows, []any{&p}, func() error {
		set.paths[string(p)] = struct{}{}
		return nil
	})
	if err != nil {
		return classify(t.ctx, err)
	}
	t.buckets = set
	t.s.mu.Lock()
	if gen > t.s.buckets.gen {
		t.s.buckets = set
	}
	t.s.mu.Unlock()
	return nil
}

// commit sends the queued writes and COMMIT in one round trip.
func (t *tx) commit() error {
	if !t.writable {
		t.s.trips.Add(1)
		_, err := t.conn.Exec(t.ctx, "COMMIT")
		if err != nil {
			return classify(t.ctx, err)
		}
		t.open = false
		return nil
	}
	if t.moved {
		t.queue = append(t.queue, queued{sql: sqlMoveGen})
	}
	t.queue = append(t.queue, queued{sql: "COMMIT"})
	if err := t.send(nil); err != nil {
		return err
	}
	t.open = false
	return nil
}

// fail records the first failure of the transaction.
func (t *tx) fail(err error) {
	if t.err == nil {
		t.err = classify(t.ctx, err)
	}
}

// send sends the queued writes and then, when q is set, q, whose rows
// each receives; one round trip. It reports a failure in t.err and
// returns it.
func (t *tx) send(q *query) error {
	if t.err != nil {
		return t.err
	}
	if len(t.queue) == 0 && q == nil {
		return nil
	}
	var err error
	t.s.trips.Add(1)
	if len(t.queue) == 0 {
		err = q.run(t.conn.Query(t.ctx, q.sql, q.args...))
	} else {
		b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(t.queue)+1)}
		for _, w := range t.queue {
			b.Queue(w.sql, w.args...)
		}
		if q != nil {
			b.Queue(q.sql, q.args...)
		}
		br := t.conn.SendBatch(t.ctx, b)
		for range t.queue {
			if _, err = br.Exec(); err != nil {
				break
			}
		}
		if err == nil && q != nil {
			err = q.run(br.Query())
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		t.queue = t.queue[:0]
	}
	if err != nil {
		t.fail(err)
		return t.err
	}
	return nil
}

// query is a read and what takes its rows.
type query struct {
	sql  string
	args []any
	each func(pgx.Rows) error
}

func (q *query) run(rows pgx.Rows, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := q.each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// write queues a write of a writable transaction.
func (t *tx) write(sql string, args ...any) error {
	if !t.writable {
		return kv.ErrTxNotWritable
	}
	if t.err != nil {
		return t.err
	}
	t.queue = append(t.queue, queued{sql: sql, args: args})
	t.writes++
	return nil
}

// get reads the value of key in the bucket at path p: nil when absent or
// a nested bucket.
func (t *tx) get(p, key []byte) []byte {
	var v []byte
	_ = t.send(&query{sql: sqlGet, args: []any{p, key}, each: func(r pgx.Rows) error {
		return r.Scan(&v)
	}})
	if t.err != nil {
		return nil
	}
	return v
}

// Wake asks the leader, through NOTIFY (delivered on commit only), to wake
// by t. See kv.Waker.
func (t *tx) Wake(at time.Time) {
	_ = t.write(sqlNotify, t.s.ns.wake, strconv.FormatInt(at.UnixNano(), 10))
}

// own makes t.buckets this transaction's copy before a change.
func (t *tx) own() {
	if !t.owned {
		t.buckets = bucketSet{gen: t.buckets.gen, paths: maps(t.buckets.paths)}
		t.owned = true
	}
	t.moved = true
}

func maps(m map[string]struct{}) map[string]struct{} {
	c := make(map[string]struct{}, len(m)+4)
	for k := range m {
		c[k] = struct{}{}
	}
	return c
}

// Bucket returns the top-level bucket name. See kv.Tx.
func (t *tx) Bucket(name []byte) kv.Bucket { return (&bucket{t: t}).Bucket(name) }

// CreateBucket creates the top-level bucket name. See kv.Tx.
func (t *tx) CreateBucket(name []byte) (kv.Bucket, error) {
	return (&bucket{t: t}).CreateBucket(name)
}

// CreateBucketIfNotExists returns the top-level bucket name, creating it.
func (t *tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return (&bucket{t: t}).CreateBucketIfNotExists(name)
}

// DeleteBucket removes the top-level bucket name and everything in it.
func (t *tx) DeleteBucket(name []byte) error { return (&bucket{t: t}).DeleteBucket(name) }

// ForEachBucket calls fn with every top-level bucket's name, in order.
func (t *tx) ForEachBucket(fn func(name []byte) error) error {
	return (&bucket{t: t}).ForEachBucket(fn)
}

// Writable reports whether the transaction may write.
func (t *tx) Writable() bool { return t.writable }

// bucket is a bucket of a transaction, by its path (the root's is empty).
type bucket struct {
	t    *tx
	path []byte
}

// child returns the path of the bucket name inside b.
func (b *bucket) child(name []byte) []byte {
	return appendName(slices.Clip(b.path), name)
}

func (b *bucket) Get(key []byte) []byte {
	if len(key) == 0 {
		return nil
	}
	return b.t.get(b.path, key)
}

func (b *bucket) Put(key, value []byte) error {
	switch {
	case !b.t.writable:
		return kv.ErrTxNotWritable
	case len(key) == 0:
		return kv.ErrKeyRequired
	case b.t.buckets.has(b.child(key)):
		return kv.ErrIncompatibleValue
	}
	if value == nil {
		value = []byte{}
	}
	return b.t.write(sqlPut, b.path, key, value)
}

func (b *bucket) Delete(key []byte) error {
	switch {
	case !b.t.writable:
		return kv.ErrTxNotWritable
	case len(key) == 0:
		return nil
	case b.t.buckets.has(b.child(key)):
		return kv.ErrIncompatibleValue
	}
	return b.t.write(sqlDelete, b.path, key)
}

func (b *bucket) Cursor() kv.Cursor { return &cursor{b: b} }

func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.t.err
}

func (b *bucket) NextSequence() (uint64, error) {
	if !b.t.writable {
		return 0, kv.ErrTxNotWritable
	}
	var n int64
	b.t.writes++
	if err := b.t.send(&query{sql: sqlNextSeq, args: []any{b.path}, each: func(r pgx.Rows) error {
		return r.Scan(&n)
	}}); err != nil {
		return 0, err
	}
	return uint64(n), nil
}

func (b *bucket) Bucket(name []byte) kv.Bucket {
	if len(name) == 0 {
		return nil
	}
	p := b.child(name)
	if !b.t.buckets.has(p) {
		return nil
	}
	return &bucket{t: b.t, path: p}
}

func (b *bucket) CreateBucket(name []byte) (kv.Bucket, error) {
	switch {
	case !b.t.writable:
		return nil, kv.ErrTxNotWritable
	case len(name) == 0:
		return nil, kv.ErrKeyRequired
	}
	p := b.child(name)
	if b.t.buckets.has(p) {
		return nil, kv.ErrBucketExists
	}
	if len(b.path) > 0 {
		// A nested bucket's name is a key of its parent: refuse one that
		// holds a value, then mark it (v NULL).
		if b.t.get(b.path, name) != nil {
			return nil, kv.ErrIncompatibleValue
		}
		if err := b.t.write("INSERT INTO coldstore_kv (p, k, v) VALUES ($1, $2, NULL)", b.path, bytes.Clone(name)); err != nil {
			return nil, err
		}
	}
	if err := b.t.write(sqlAddBucket, p); err != nil {
		return nil, err
	}
	b.t.own()
	b.t.buckets.paths[string(p)] = struct{}{}
	return &bucket{t: b.t, path: p}, nil
}

func (b *bucket) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if c := b.Bucket(name); c != nil {
		if !b.t.writable {
			return nil, kv.ErrTxNotWritable
		}
		return c, nil
	}
	return b.CreateBucket(name)
}

func (b *bucket) DeleteBucket(name []byte) error {
	if !b.t.writable {
		return kv.ErrTxNotWritable
	}
	p := b.child(name)
	if len(name) == 0 || !b.t.buckets.has(p) {
		return kv.ErrBucketNotFound
	}
	end := successor(p)
	for _, q := range []string{sqlDropKV, sqlDropBucket, sqlDropSeq} {
		if err := b.t.write(q, p, end); err != nil {
			return err
		}
	}
	if len(b.path) > 0 {
		if err := b.t.write(sqlDelete, b.path, bytes.Clone(name)); err != nil {
			return err
		}
	}
	b.t.own()
	for k := range b.t.buckets.paths {
		if k >= string(p) && k < string(end) {
			delete(b.t.buckets.paths, k)
		}
	}
	return nil
}

func (b *bucket) ForEachBucket(fn func(name []byte) error) error {
	var names [][]byte
	for k := range b.t.buckets.paths {
		if name, ok := childName(b.path, []byte(k)); ok {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, bytes.Compare)
	for _, name := range names {
		if err := fn(name); err != nil {
			return err
		}
	}
	return nil
}

// appendName appends to path the name of a bucket inside it: its 0x00
// bytes escaped as 0x00 0xFF, then 0x00 0x01. Paths so made sort as their
// names do, name by name, and a bucket's path is a prefix of the paths of
// the buckets inside it and of no other.
func appendName(path, name []byte) []byte {
	for _, c := range name {
		if c == 0 {
			path = append(path, 0, 0xff)
		} else {
			path = append(path, c)
		}
	}
	return append(path, 0, 1)
}

// successor returns the least path after every path that starts with p
// (p ends with 0x00 0x01).
func successor(p []byte) []byte {
	s := bytes.Clone(p)
	s[len(s)-1]++
	return s
}

// childName returns the name of the bucket at path p when it is directly
// inside the bucket at parent.
func childName(parent, p []byte) ([]byte, bool) {
	if len(p) <= len(parent) || !bytes.HasPrefix(p, parent) {
		return nil, false
	}
	rest := p[len(parent):]
	var name []byte
	for i := 0; i < len(rest); i++ {
		if rest[i] != 0 {
			name = append(name, rest[i])
			continue
		}
		if i+1 >= len(rest) {
			return nil, false
		}
		switch rest[i+1] {
		case 0xff:
			name = append(name, 0)
			i++
		case 1:
			return name, i+2 == len(rest)
		default:
			return nil, false
		}
	}
	return nil, false
}
