// Package kvtest checks a kv.Store against the contract of package kv:
// buckets, order, cursors, values, sequences, rollback, snapshots, lost
// updates and Batch's isolation of a failing caller. engine/storetest runs
// it first, so every store that carries the engine passes it.
package kvtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/coldstore-dev/coldstore/kv"
)

var ctx = context.Background()

// Run runs every check on stores that open returns, a new empty one for
// each check; Run closes them.
func Run(t *testing.T, open func(t *testing.T) kv.Store) {
	for name, check := range map[string]func(*testing.T, kv.Store){
		"Buckets":          testBuckets,
		"Order":            testOrder,
		"Values":           testValues,
		"Rollback":         testRollback,
		"Sequence":         testSequence,
		"CursorDelete":     testCursorDelete,
		"ViewIsReadOnly":   testViewReadOnly,
		"Snapshot":         testSnapshot,
		"NoLostUpdate":     testLostUpdate,
		"BatchIsolation":   testBatchIsolation,
		"Close":            testClose,
		"ContextCancelled": testContext,
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			check(t, s)
		})
	}
}

func update(t *testing.T, s kv.Store, fn func(kv.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s kv.Store, fn func(kv.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func is(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

var name = []byte("b")

func testBuckets(t *testing.T, s kv.Store) {
	update(t, s, func(tx kv.Tx) error {
		if tx.Bucket(name) != nil {
			t.Fatal("a bucket in an empty store")
		}
		for _, n := range []string{"z", "a", "m"} {
			if _, err := tx.CreateBucket([]byte(n)); err != nil {
				return err
			}
		}
		_, err := tx.CreateBucket([]byte("a"))
		is(t, err, kv.ErrBucketExists)
		b, err := tx.CreateBucketIfNotExists([]byte("a"))
		if err != nil || b == nil {
			t.Fatalf("CreateBucketIfNotExists of an existing bucket: %v", err)
		}
		if err := b.Put([]byte("v"), []byte("1")); err != nil {
			return err
		}
		nb, err := b.CreateBucket([]byte("nested"))
		if err != nil {
			return err
		}
		if err := nb.Put([]byte("k"), []byte("deep")); err != nil {
			return err
		}
		_, err = b.CreateBucket([]byte("v"))
		is(t, err, kv.ErrIncompatibleValue)
		_, err = b.CreateBucket([]byte("nested"))
		is(t, err, kv.ErrBucketExists)
		is(t, tx.DeleteBucket([]byte("absent")), kv.ErrBucketNotFound)
		is(t, b.DeleteBucket([]byte("absent")), kv.ErrBucketNotFound)
		return nil
	})
	view(t, s, func(tx kv.Tx) error {
		var names []string
		if err := tx.ForEachBucket(func(n []byte) error { names = append(names, string(n)); return nil }); err != nil {
			return err
		}
		if !slices.Equal(names, []string{"a", "m", "z"}) {
			t.Fatalf("top-level buckets %q, want [a m z]", names)
		}
		b := tx.Bucket([]byte("a"))
		var nested []string
		_ = b.ForEachBucket(func(n []byte) error { nested = append(nested, string(n)); return nil })
		if !slices.Equal(nested, []string{"nested"}) {
			t.Fatalf("nested buckets %q", nested)
		}
		if got := string(b.Bucket([]byte("nested")).Get([]byte("k"))); got != "deep" {
			t.Fatalf("nested value %q", got)
		}
		if b.Get([]byte("nested")) != nil {
			t.Fatal("Get of a nested bucket's name returns a value")
		}
		var kinds []string
		_ = b.ForEach(func(k, v []byte) error { kinds = append(kinds, fmt.Sprintf("%s:%v", k, v == nil)); return nil })
		if !slices.Equal(kinds, []string{"nested:true", "v:false"}) {
			t.Fatalf("ForEach saw %q: a nested bucket has a nil value, a value never", kinds)
		}
		return nil
	})
	update(t, s, func(tx kv.Tx) error {
		if err := tx.Bucket([]byte("a")).DeleteBucket([]byte("nested")); err != nil {
			return err
		}
		return tx.DeleteBucket([]byte("m"))
	})
	view(t, s, func(tx kv.Tx) error {
		if tx.Bucket([]byte("m")) != nil || tx.Bucket([]byte("a")).Bucket([]byte("nested")) != nil {
			t.Fatal("deleted buckets are still there")
		}
		return nil
	})
}

// sortedKeys puts n random keys into bucket b and returns them in order.
func sortedKeys(t *testing.T, s kv.Store, n int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	var keys [][]byte
	update(t, s, func(tx kv.Tx) error {
		b, err := tx.CreateBucket(name)
		if err != nil {
			return err
		}
		for range n {
			k := make([]byte, 1+r.IntN(12))
			for i := range k {
				k[i] = byte(r.IntN(4)) * 85 // few distinct bytes: shared prefixes
			}
			if b.Get(k) == nil {
				keys = append(keys, k)
			}
			if err := b.Put(k, append([]byte("v"), k...)); err != nil {
				return err
			}
		}
		return nil
	})
	slices.SortFunc(keys, bytes.Compare)
	return keys
}

func testOrder(t *testing.T, s kv.Store) {
	keys := sortedKeys(t, s, 3000)
	view(t, s, func(tx kv.Tx) error {
		c := tx.Bucket(name).Cursor()
		var fwd, back [][]byte
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if !bytes.Equal(v, append([]byte("v"), k...)) {
				t.Fatalf("key %x has value %x", k, v)
			}
			fwd = append(fwd, bytes.Clone(k))
		}
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			back = append(back, bytes.Clone(k))
		}
		slices.Reverse(back)
		if !slices.EqualFunc(fwd, keys, bytes.Equal) || !slices.EqualFunc(back, keys, bytes.Equal) {
			t.Fatalf("cursor order: %d forward, %d backward, %d keys", len(fwd), len(back), len(keys))
		}
		for _, k := range keys {
			if got, _ := c.Seek(k); !bytes.Equal(got, k) {
				t.Fatalf("Seek(%x) = %x", k, got)
			}
			absent := append(bytes.Clone(k), 1) // no stored key has byte 1
			i, _ := slices.BinarySearchFunc(keys, absent, bytes.Compare)
			got, _ := c.Seek(absent)
			if i < len(keys) && !bytes.Equal(got, keys[i]) || i == len(keys) && got != nil {
				t.Fatalf("Seek(%x) = %x, want the first key after it", absent, got)
			}
		}
		if k, _ := c.Seek(bytes.Repeat([]byte{0xff}, 20)); k != nil {
			t.Fatalf("Seek past the end = %x", k)
		}
		if k, _ := c.Next(); k != nil {
			t.Fatalf("Next past the end = %x", k)
		}
		return nil
	})
}

func testValues(t *testing.T, s kv.Store) {
	buf := []byte("value")
	update(t, s, func(tx kv.Tx) error {
		b, err := tx.CreateBucket(name)
		if err != nil {
			return err
		}
		if err := b.Put([]byte("empty"), nil); err != nil {
			return err
		}
		is(t, b.Put(nil, []byte("x")), kv.ErrKeyRequired)
		if err := b.Delete([]byte("absent")); err != nil {
			t.Fatalf("Delete of an absent key: %v", err)
		}
		return b.Put([]byte("k"), buf)
	})
	copy(buf, "XXXXX") // the transaction ended: the store keeps its own copy
	view(t, s, func(tx kv.Tx) error {
		b := tx.Bucket(name)
		if v := b.Get([]byte("empty")); v == nil || len(v) != 0 {
			t.Fatalf("an empty value reads %v: want empty, not nil", v)
		}
		if v := b.Get([]byte("absent")); v != nil {
			t.Fatalf("an absent key reads %q", v)
		}
		if v := b.Get([]byte("k")); string(v) != "value" {
			t.Fatalf("read %q, want %q", v, "value")
		}
		return nil
	})
}

func testRollback(t *testing.T, s kv.Store) {
	update(t, s, func(tx kv.Tx) error {
		b, err := tx.CreateBucket(name)
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("before"))
	})
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx kv.Tx) error {
		b := tx.Bucket(name)
		_ = b.Put([]byte("k"), []byte("after"))
		_ = b.Put([]byte("new"), []byte("x"))
		_, _ = b.NextSequence()
		_, _ = tx.CreateBucket([]byte("other"))
		_, _ = b.CreateBucket([]byte("nested"))
		return boom
	})
	is(t, err, boom)
	view(t, s, func(tx kv.Tx) error {
		b := tx.Bucket(name)
		if string(b.Get([]byte("k"))) != "before" || b.Get([]byte("new")) != nil || tx.Bucket([]byte("other")) != nil || b.Bucket([]byte("nested")) != nil {
			t.Fatal("a failed Update left some of its writes")
		}
		return nil
	})
	update(t, s, func(tx kv.Tx) error {
		n, err := tx.Bucket(name).NextSequence()
		if n != 1 {
			t.Fatalf("sequence %d after a rolled-back NextSequence, want 1", n)
		}
		return err
	})
}

func testSequence(t *testing.T, s kv.Store) {
	for want := uint64(1); want <= 3; want++ {
		update(t, s, func(tx kv.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			n, err := b.NextSequence()
			if n != want {
				t.Fatalf("NextSequence = %d, want %d", n, want)
			}
			return err
		})
	}
}

func testCursorDelete(t *testing.T, s kv.Store) {
	keys := sortedKeys(t, s, 500)
	update(t, s, func(tx kv.Tx) error {
		c := tx.Bucket(name).Cursor()
		// Delete every other key, walking with Seek after each delete.
		for i := 0; i < len(keys); i += 2 {
			k, _ := c.Seek(keys[i])
			if !bytes.Equal(k, keys[i]) {
				t.Fatalf("Seek(%x) = %x", keys[i], k)
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx kv.Tx) error {
		var left [][]byte
		_ = tx.Bucket(name).ForEach(func(k, _ []byte) error { left = append(left, bytes.Clone(k)); return nil })
		var want [][]byte
		for i := 1; i < len(keys); i += 2 {
			want = append(want, keys[i])
		}
		if !slices.EqualFunc(left, want, bytes.Equal) {
			t.Fatalf("%d keys left, want %d", len(left), len(want))
		}
		return nil
	})
}

func testViewReadOnly(t *testing.T, s kv.Store) {
	update(t, s, func(tx kv.Tx) error { _, err := tx.CreateBucket(name); return err })
	view(t, s, func(tx kv.Tx) error {
		if tx.Writable() {
			t.Fatal("a View is writable")
		}
		b := tx.Bucket(name)
		is(t, b.Put([]byte("k"), []byte("v")), kv.ErrTxNotWritable)
		_, err := b.NextSequence()
		is(t, err, kv.ErrTxNotWritable)
		return nil
	})
}

// A View sees the commit it began after, not one made while it runs.
func testSnapshot(t *testing.T, s kv.Store) {
	update(t, s, func(tx kv.Tx) error {
		b, err := tx.CreateBucket(name)
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("old"))
	})
	began, wrote := make(chan struct{}), make(chan error)
	go func() {
		<-began
		wrote <- s.Update(ctx, func(tx kv.Tx) error { return tx.Bucket(name).Put([]byte("k"), []byte("new")) })
	}()
	view(t, s, func(tx kv.Tx) error {
		b := tx.Bucket(name)
		_ = b.Get([]byte("k"))
		close(began)
		if err := <-wrote; err != nil {
			t.Fatalf("Update while a View runs: %v", err)
		}
		if got := string(b.Get([]byte("k"))); got != "old" {
			t.Fatalf("a View saw %q, committed after it began", got)
		}
		return nil
	})
	view(t, s, func(tx kv.Tx) error {
		if got := string(tx.Bucket(name).Get([]byte("k"))); got != "new" {
			t.Fatalf("a View after the commit reads %q", got)
		}
		return nil
	})
}

// Concurrent read-modify-writes of one key lose none of the updates.
func testLostUpdate(t *testing.T, s kv.Store) {
	update(t, s, func(tx kv.Tx) error { _, err := tx.CreateBucket(name); return err })
	const writers, each = 16, 40
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range each {
				err := s.Batch(ctx, func(tx kv.Tx) error {
					b := tx.Bucket(name)
					n := len(b.Get([]byte("n")))
					return b.Put([]byte("n"), make([]byte, n+1))
				})
				if err != nil {
					t.Errorf("Batch: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	view(t, s, func(tx kv.Tx) error {
		if n := len(tx.Bucket(name).Get([]byte("n"))); n != writers*each {
			t.Fatalf("counter %d, want %d", n, writers*each)
		}
		return nil
	})
}

// A failing Batch caller gets its own error and leaves nothing; the others
// commit, once.
func testBatchIsolation(t *testing.T, s kv.Store) {
	update(t, s, func(tx kv.Tx) error { _, err := tx.CreateBucket(name); return err })
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.Batch(ctx, func(tx kv.Tx) error {
				b := tx.Bucket(name)
				if err := b.Put([]byte(fmt.Sprint("k", i)), []byte("x")); err != nil {
					return err
				}
				n := len(b.Get([]byte("count")))
				if err := b.Put([]byte("count"), make([]byte, n+1)); err != nil {
					return err
				}
				if i%5 == 0 {
					return boom
				}
				return nil
			})
		})
	}
	wg.Wait()
	view(t, s, func(tx kv.Tx) error {
		b := tx.Bucket(name)
		ok := 0
		for i, err := range errs {
			has := b.Get([]byte(fmt.Sprint("k", i))) != nil
			switch {
			case i%5 == 0 && (!errors.Is(err, boom) || has):
				t.Fatalf("caller %d failed: got %v, its write kept %v", i, err, has)
			case i%5 != 0 && (err != nil || !has):
				t.Fatalf("caller %d: got %v, its write kept %v", i, err, has)
			case i%5 != 0:
				ok++
			}
		}
		if n := len(b.Get([]byte("count"))); n != ok {
			t.Fatalf("count %d, want %d: a re-run applied twice or a failure leaked", n, ok)
		}
		return nil
	})
}

func testClose(t *testing.T, s kv.Store) {
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	noop := func(kv.Tx) error { return nil }
	is(t, s.Update(ctx, noop), kv.ErrClosed)
	is(t, s.Batch(ctx, noop), kv.ErrClosed)
	is(t, s.View(ctx, noop), kv.ErrClosed)
}

func testContext(t *testing.T, s kv.Store) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	fn := func(kv.Tx) error { ran = true; return nil }
	is(t, s.Update(c, fn), context.Canceled)
	is(t, s.Batch(c, fn), context.Canceled)
	is(t, s.View(c, fn), context.Canceled)
	if ran {
		t.Fatal("a transaction ran on a cancelled context")
	}
}
