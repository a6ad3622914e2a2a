package engine_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestPutGet_Sizes(t *testing.T) {
	f := newFixture(t)
	const chunk = 256 << 10
	for _, n := range []int{0, 1, 4096, chunk - 1, chunk, chunk + 1, 2 * chunk, 33*chunk + 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			body := randomBytes(n, uint64(n))
			key := fmt.Sprintf("obj-%d", n)
			oi, err := f.db.Put(ctx, "bkt", key, bytes.NewReader(body), &engine.PutOptions{ContentType: "text/plain", Metadata: map[string]string{"owner": "me"}})
			require.NoError(t, err)
			require.Equal(t, int64(n), oi.Size)
			require.Equal(t, md5hex(body), oi.ETag)
			require.Equal(t, storageclass.Standard, oi.StorageClass)
			require.Equal(t, engine.NotArchived, oi.Restore.State)
			require.True(t, oi.LastModified.Equal(f.m.Now()))
			require.Equal(t, oi, f.head(key))

			obj, err := f.db.Get(ctx, "bkt", key)
			require.NoError(t, err)
			require.Equal(t, oi, obj.Info())
			got, err := io.ReadAll(iotestOneByteAtTimes(obj))
			require.NoError(t, err)
			require.NoError(t, obj.Close())
			require.Equal(t, body, got)

			obj, err = f.db.Get(ctx, "bkt", key)
			require.NoError(t, err)
			var sink bytes.Buffer
			head := make([]byte, min(n, 3))
			_, err = io.ReadFull(obj, head) // WriteTo goes on from where Read stopped
			require.NoError(t, err)
			copied, err := io.Copy(&sink, obj) // through WriteTo
			require.NoError(t, err)
			require.Equal(t, int64(n-len(head)), copied)
			require.Equal(t, body, append(head, sink.Bytes()...))
			copied, err = obj.WriteTo(&sink)
			require.NoError(t, err, "at the end: nothing more, no io.EOF")
			require.Zero(t, copied)
			require.NoError(t, obj.Close())
			_, err = obj.WriteTo(&sink)
			require.ErrorIs(t, err, fs.ErrClosed)
		})
	}
}

func TestGet_WriteToErrors(t *testing.T) {
	f := newFixture(t)
	body := randomBytes(3<<20, 2)
	_, err := f.db.Put(ctx, "bkt", "big", bytes.NewReader(body), nil)
	require.NoError(t, err)
	f.put("small", storageclass.Standard, "abc")

	boom := errors.New("boom")
	obj, err := f.db.Get(ctx, "bkt", "small")
	require.NoError(t, err)
	_, err = obj.WriteTo(writerFunc(func(p []byte) (int, error) { return 1, boom }))
	require.ErrorIs(t, err, boom, "the writer's error")
	n, err := obj.WriteTo(writerFunc(func(p []byte) (int, error) { return 1, nil }))
	require.ErrorIs(t, err, io.ErrShortWrite, "a short write without an error")
	require.Equal(t, int64(1), n)
	require.NoError(t, obj.Close())

	// Replaced halfway: from the store's chunks, the read fails rather
	// than mix two versions (a body in a file reads on from its file:
	// TestGet_ReplacedDuringRead).
	single, _ := enginetest.New(t, &engine.Options{SingleFile: true})
	require.NoError(t, single.CreateBucket(ctx, "bkt", nil))
	_, err = single.Put(ctx, "bkt", "big", bytes.NewReader(body), nil)
	require.NoError(t, err)
	obj, err = single.Get(ctx, "bkt", "big")
	require.NoError(t, err)
	defer obj.Close()
	written := 0
	_, err = obj.WriteTo(writerFunc(func(p []byte) (int, error) {
		if written += len(p); written >= 1<<20 {
			_, err := single.Put(ctx, "bkt", "big", strings.NewReader("other"), nil)
			require.NoError(t, err)
		}
		return len(p), nil
	}))
	require.ErrorIs(t, err, engine.ErrReplaced)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// iotestOneByteAtTimes reads in odd small sizes, to cross chunk borders.
func iotestOneByteAtTimes(r io.Reader) io.Reader {
	return readerFunc(func(p []byte) (int, error) {
		if len(p) > 7777 {
			p = p[:7777]
		}
		return r.Read(p)
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestPut_ReplacesWhole(t *testing.T) {
	f := newFixture(t)
	f.reach("k", storageclass.ColdArchive, "restored")
	f.m.Add(time.Minute)
	oi := f.put("k", storageclass.Standard, "new")
	require.Equal(t, storageclass.Standard, oi.StorageClass)
	require.Equal(t, engine.NotArchived, oi.Restore.State)
	require.True(t, oi.ClassSince.Equal(f.m.Now()))
	body, err := f.read("k")
	require.NoError(t, err)
	require.Equal(t, "new", body)

	oi = f.put("k", storageclass.Archive, "cold")
	require.Equal(t, engine.Archived, oi.Restore.State, "a new archived object has no restore")
	_, err = f.read("k")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
}

func TestPut_BucketDefaultClass(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.db.CreateBucket(ctx, "cold", &engine.BucketOptions{StorageClass: storageclass.ColdArchive}))
	oi, err := f.db.Put(ctx, "cold", "k", strings.NewReader("x"), nil)
	require.NoError(t, err)
	require.Equal(t, storageclass.ColdArchive, oi.StorageClass)
	require.Equal(t, "application/octet-stream", oi.ContentType)
	oi, err = f.db.Put(ctx, "cold", "s", strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.IA})
	require.NoError(t, err)
	require.Equal(t, storageclass.IA, oi.StorageClass)
}

// failingReader returns n good bytes then fails.
type failingReader struct {
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

func TestPut_FailureStoresNothing(t *testing.T) {
	boom := errors.New("boom")
	for _, n := range []int{0, 100, 300 << 10, 20 << 20} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newFixture(t)
			old := f.put("k", storageclass.Archive, "old")
			_, err := f.db.Put(ctx, "bkt", "k", &failingReader{n: n, err: boom}, nil)
			require.ErrorIs(t, err, boom)
			require.Equal(t, "InternalError", coldstore.Code(err))
			require.Equal(t, old, f.head("k"), "the old object is intact")
			_, err = f.db.Put(ctx, "bkt", "new", &failingReader{n: n, err: boom}, nil)
			require.ErrorIs(t, err, boom)
			_, err = f.db.Head(ctx, "bkt", "new")
			require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
			// enginetest's cleanup runs Check: no chunk is left behind.
		})
	}
}

// cancelAfter cancels its context once n bytes were read.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (r *cancelAfter) Read(p []byte) (int, error) {
	if r.n <= 0 {
		r.cancel()
	}
	k := min(len(p), max(r.n, 1))
	r.n -= k
	return k, nil
}

func TestPut_CancelledContext(t *testing.T) {
	f := newFixture(t)
	old := f.put("k", storageclass.Standard, "old")
	c, cancel := context.WithCancel(ctx)
	cancel()
	_, err := f.db.Put(c, "bkt", "k", strings.NewReader("new"), nil)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, old, f.head("k"))

	c, cancel = context.WithCancel(ctx)
	_, err = f.db.Put(c, "bkt", "k", &cancelAfter{n: 10 << 20, cancel: cancel}, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, old, f.head("k"))
}

// TestGet_ReplacedDuringRead: a large object replaced while it is read.
// In the store's chunks (SingleFile), the read fails with ErrReplaced
// rather than mix two versions. In a file of its own, a read that has
// begun reads the version it began on to the end (an open file outlives
// its removal), and a read that has not begun when the file went fails
// with ErrReplaced.
func TestGet_ReplacedDuringRead(t *testing.T) {
	for _, single := range []bool{true, false} {
		db, _ := enginetest.New(t, &engine.Options{SingleFile: single})
		require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
		body := randomBytes(3<<20, 1)
		_, err := db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
		require.NoError(t, err)
		obj, err := db.Get(ctx, "bkt", "k")
		require.NoError(t, err)
		unread, err := db.Get(ctx, "bkt", "k")
		require.NoError(t, err)
		buf := make([]byte, 1000)
		_, err = io.ReadFull(obj, buf)
		require.NoError(t, err)
		_, err = db.Put(ctx, "bkt", "k", strings.NewReader("other"), nil)
		require.NoError(t, err)
		rest, err := io.ReadAll(obj)
		if single {
			require.ErrorIs(t, err, engine.ErrReplaced)
		} else {
			require.NoError(t, err)
			require.Equal(t, body, append(buf, rest...), "the version the read began on")
		}
		_, err = io.ReadAll(unread)
		require.ErrorIs(t, err, engine.ErrReplaced, "SingleFile %v", single)
		require.NoError(t, obj.Close())
		require.NoError(t, unread.Close())
	}
}

func TestGet_ReadAfterClose(t *testing.T) {
	f := newFixture(t)
	f.put("k", storageclass.Standard, "abc")
	obj, err := f.db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	require.NoError(t, obj.Close())
	_, err = obj.Read(make([]byte, 1))
	require.Error(t, err)
}

func TestDelete(t *testing.T) {
	for _, state := range []string{"archived", "restoring", "restored", "expired"} {
		t.Run(state, func(t *testing.T) {
			f := newFixture(t)
			f.reach("k", storageclass.ColdArchive, state)
			require.NoError(t, f.db.Delete(ctx, "bkt", "k"), "a delete never needs a restore")
			_, err := f.db.Head(ctx, "bkt", "k")
			require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
			_, err = f.db.Get(ctx, "bkt", "k")
			require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
			_, err = f.db.Restore(ctx, "bkt", "k", nil)
			require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
			res, err := f.db.Sweep(ctx)
			require.NoError(t, err)
			require.Equal(t, engine.SweepResult{}, res, "the restore left the index with the object")
		})
	}
	f := newFixture(t)
	require.NoError(t, f.db.Delete(ctx, "bkt", "never"), "OSS answers 204 for a missing key")
	require.ErrorIs(t, f.db.Delete(ctx, "nobucket", "k"), coldstore.ErrNoSuchBucket)
}

func TestList(t *testing.T) {
	f := newFixture(t)
	keys := []string{"a/1", "a/2", "a/3", "b/1", "c"}
	for _, k := range keys {
		f.put(k, storageclass.Archive, k)
	}
	_, err := f.db.Restore(ctx, "bkt", "a/2", nil)
	require.NoError(t, err)

	page, err := f.db.List(ctx, "bkt", nil)
	require.NoError(t, err)
	require.False(t, page.Truncated)
	require.Equal(t, keys, listKeys(page))
	require.Equal(t, engine.Restoring, page.Objects[1].Restore.State)
	require.Equal(t, `ongoing-request="true"`, page.Objects[1].Restore.Header())
	require.Equal(t, engine.Archived, page.Objects[0].Restore.State)

	page, err = f.db.List(ctx, "bkt", &engine.ListOptions{Prefix: "a/", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"a/1", "a/2"}, listKeys(page))
	require.True(t, page.Truncated)
	require.Equal(t, "a/2", page.NextStartAfter)
	page, err = f.db.List(ctx, "bkt", &engine.ListOptions{Prefix: "a/", Limit: 2, StartAfter: page.NextStartAfter})
	require.NoError(t, err)
	require.Equal(t, []string{"a/3"}, listKeys(page))
	require.False(t, page.Truncated)

	page, err = f.db.List(ctx, "bkt", &engine.ListOptions{StartAfter: "a/9"})
	require.NoError(t, err)
	require.Equal(t, []string{"b/1", "c"}, listKeys(page))
	page, err = f.db.List(ctx, "bkt", &engine.ListOptions{Prefix: "b", StartAfter: "a"})
	require.NoError(t, err)
	require.Equal(t, []string{"b/1"}, listKeys(page))
	page, err = f.db.List(ctx, "bkt", &engine.ListOptions{Prefix: "zz"})
	require.NoError(t, err)
	require.Empty(t, page.Objects)

	for _, limit := range []int{-1, 1001} {
		_, err = f.db.List(ctx, "bkt", &engine.ListOptions{Limit: limit})
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	}
	_, err = f.db.List(ctx, "nobucket", nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
}

func listKeys(p engine.ListPage) []string {
	var out []string
	for _, o := range p.Objects {
		out = append(out, o.Key)
	}
	return out
}

func TestBuckets(t *testing.T) {
	f := newFixture(t)
	require.ErrorIs(t, f.db.CreateBucket(ctx, "bkt", nil), coldstore.ErrBucketAlreadyExists)
	require.NoError(t, f.db.CreateBucket(ctx, "arc-1", &engine.BucketOptions{StorageClass: storageclass.Archive}))
	require.ErrorIs(t, f.db.CreateBucket(ctx, "xyz", &engine.BucketOptions{StorageClass: "Glacier"}), coldstore.ErrInvalidArgument)
	bs, err := f.db.ListBuckets(ctx)
	require.NoError(t, err)
	require.Len(t, bs, 2)
	require.Equal(t, "arc-1", bs[0].Name)
	require.Equal(t, storageclass.Archive, bs[0].StorageClass)
	require.Equal(t, "bkt", bs[1].Name)
	require.Equal(t, storageclass.Standard, bs[1].StorageClass)
	require.True(t, bs[1].Created.Equal(f.m.Now()))

	f.put("k", storageclass.DeepColdArchive, "x")
	err = f.db.DeleteBucket(ctx, "bkt")
	require.ErrorIs(t, err, coldstore.ErrBucketNotEmpty)
	require.Equal(t, 409, coldstore.HTTPStatus(err))
	require.NoError(t, f.db.Delete(ctx, "bkt", "k"))
	require.NoError(t, f.db.DeleteBucket(ctx, "bkt"))
	require.ErrorIs(t, f.db.DeleteBucket(ctx, "bkt"), coldstore.ErrNoSuchBucket)
	_, err = f.db.Put(ctx, "bkt", "k", strings.NewReader("x"), nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
}

func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t)
	f.put("k", storageclass.Archive, "x")
	long := strings.Repeat("k", 1024)
	badBuckets := []string{"", "ab", strings.Repeat("a", 64), "Abc", "-ab", "ab-", "a_b", "a.b", "ab\x00"}
	badKeys := []string{"", long, "/abs", `\win`, "bad\xffutf8"}
	for _, b := range badBuckets {
		require.ErrorIs(t, f.db.SetAccessMonitor(ctx, b, true), coldstore.ErrInvalidBucketName, "%q", b)
		require.ErrorIs(t, f.db.DeleteBucketLifecycle(ctx, b), coldstore.ErrInvalidBucketName, "%q", b)
		_, err := f.db.Usage(ctx, b)
		require.ErrorIs(t, err, coldstore.ErrInvalidBucketName, "%q", b)
		require.ErrorIs(t, f.db.CreateBucket(ctx, b, nil), coldstore.ErrInvalidBucketName, "%q", b)
		require.ErrorIs(t, f.db.DeleteBucket(ctx, b), coldstore.ErrInvalidBucketName, "%q", b)
		_, err = f.db.Put(ctx, b, "k", strings.NewReader("x"), nil)
		require.ErrorIs(t, err, coldstore.ErrInvalidBucketName, "%q", b)
		_, err = f.db.List(ctx, b, nil)
		require.ErrorIs(t, err, coldstore.ErrInvalidBucketName)
	}
	for _, k := range badKeys {
		calls := map[string]error{}
		_, calls["Put"] = f.db.Put(ctx, "bkt", k, strings.NewReader("x"), nil)
		_, calls["Get"] = f.db.Get(ctx, "bkt", k)
		_, calls["Head"] = f.db.Head(ctx, "bkt", k)
		calls["Delete"] = f.db.Delete(ctx, "bkt", k)
		_, calls["Restore"] = f.db.Restore(ctx, "bkt", k, nil)
		calls["CleanRestored"] = f.db.CleanRestored(ctx, "bkt", k)
		_, calls["SetStorageClass"] = f.db.SetStorageClass(ctx, "bkt", k, storageclass.IA)
		for name, err := range calls {
			require.ErrorIs(t, err, coldstore.ErrInvalidObjectName, "%s %q", name, k)
			require.Equal(t, 400, coldstore.HTTPStatus(err))
		}
	}
	ok := strings.Repeat("k", 1023)
	f.put(ok, storageclass.Standard, "max length key")

	big := map[string]string{"a": strings.Repeat("v", 8192)}
	_, err := f.db.Put(ctx, "bkt", "m", strings.NewReader("x"), &engine.PutOptions{Metadata: big})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, err = f.db.Put(ctx, "bkt", "m", strings.NewReader("x"), &engine.PutOptions{Metadata: map[string]string{"": "v"}})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, err = f.db.Put(ctx, "bkt", "m", nil, nil)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, err = f.db.Put(ctx, "bkt", "m", strings.NewReader("x"), &engine.PutOptions{StorageClass: "GLACIER"})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, err = f.db.Head(ctx, "bkt", "m")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey, "no failed put stored anything")

	page, err := f.db.List(ctx, "bkt", nil)
	require.NoError(t, err)
	require.Len(t, page.Objects, 2)
}

// TestCancelledContext: every call with a context already done returns its
// error and changes nothing.
func TestCancelledContext(t *testing.T) {
	f := newFixture(t)
	f.reach("k", storageclass.ColdArchive, "restored")
	before := f.head("k")
	c, cancel := context.WithCancel(ctx)
	cancel()
	calls := map[string]error{}
	calls["CreateBucket"] = f.db.CreateBucket(c, "new", nil)
	calls["DeleteBucket"] = f.db.DeleteBucket(c, "bkt")
	_, calls["ListBuckets"] = f.db.ListBuckets(c)
	_, calls["Put"] = f.db.Put(c, "bkt", "k", strings.NewReader("x"), nil)
	_, calls["Get"] = f.db.Get(c, "bkt", "k")
	_, calls["Head"] = f.db.Head(c, "bkt", "k")
	calls["Delete"] = f.db.Delete(c, "bkt", "k")
	_, calls["List"] = f.db.List(c, "bkt", nil)
	_, calls["Restore"] = f.db.Restore(c, "bkt", "k", nil)
	calls["CleanRestored"] = f.db.CleanRestored(c, "bkt", "k")
	_, calls["SetStorageClass"] = f.db.SetStorageClass(c, "bkt", "k", storageclass.DeepColdArchive)
	_, calls["Sweep"] = f.db.Sweep(c)
	calls["Check"] = f.db.Check(c)
	calls["PutBucketLifecycle"] = f.db.PutBucketLifecycle(c, "bkt", &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true, Expiration: &lifecycle.Expiration{Days: 1}}}})
	_, calls["GetBucketLifecycle"] = f.db.GetBucketLifecycle(c, "bkt")
	calls["DeleteBucketLifecycle"] = f.db.DeleteBucketLifecycle(c, "bkt")
	calls["SetAccessMonitor"] = f.db.SetAccessMonitor(c, "bkt", true)
	_, calls["RunLifecycle"] = f.db.RunLifecycle(c)
	_, calls["Usage"] = f.db.Usage(c, "bkt")
	for name, err := range calls {
		require.ErrorIs(t, err, context.Canceled, name)
	}
	_, err := f.db.GetBucketLifecycle(ctx, "bkt")
	require.ErrorIs(t, err, coldstore.ErrNoSuchLifecycle, "the cancelled PutBucketLifecycle stored nothing")
	require.Equal(t, before, f.head("k"))
	bs, err := f.db.ListBuckets(ctx)
	require.NoError(t, err)
	require.Len(t, bs, 1)
	u, err := f.db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Zero(t, u.Requests["PutBucketAccessMonitor"])

	// A context that ends while a Get streams stops the reads.
	f.put("big", storageclass.Standard, string(randomBytes(1<<20, 5)))
	c, cancel = context.WithCancel(ctx)
	obj, err := f.db.Get(c, "bkt", "big")
	require.NoError(t, err)
	_, err = io.ReadFull(obj, make([]byte, 300<<10))
	require.NoError(t, err)
	cancel()
	_, err = io.ReadAll(obj)
	require.ErrorIs(t, err, context.Canceled)
}
