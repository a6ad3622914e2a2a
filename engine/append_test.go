package engine_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

const (
	kib       = 1 << 10
	inlineMax = 16 * kib  // the engine's inline limit
	chunk     = 256 * kib // the engine's chunk size
)

var crcTable = crc64.MakeTable(crc64.ECMA)

// randomPiece returns n bytes of r.
func randomPiece(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// appendAll appends each piece at the running length, checking every
// answer, and returns the whole content.
func (f *fixture) appendAll(key string, pieces ...[]byte) []byte {
	f.t.Helper()
	var all []byte
	for _, p := range pieces {
		oi, err := f.db.Append(ctx, "bkt", key, int64(len(all)), bytes.NewReader(p), nil)
		require.NoError(f.t, err)
		all = append(all, p...)
		requireContent(f.t, oi, all)
	}
	return all
}

// requireContent checks that oi describes an appendable object holding
// all.
func requireContent(t *testing.T, oi engine.ObjectInfo, all []byte) {
	t.Helper()
	sum := md5.Sum(all)
	require.Equal(t, int64(len(all)), oi.Size)
	require.Equal(t, hex.EncodeToString(sum[:]), oi.ETag)
	require.Equal(t, crc64.Checksum(all, crcTable), oi.CRC64)
	require.Equal(t, engine.TypeAppendable, oi.Type)
}

// requireBody reads key whole and checks it is want.
func (f *fixture) requireBody(key string, want []byte) {
	f.t.Helper()
	got, err := f.read(key)
	require.NoError(f.t, err)
	require.True(f.t, bytes.Equal(want, []byte(got)), "content of %s: %d bytes, want %d", key, len(got), len(want))
}

func TestAppend_CreatesAndGrows(t *testing.T) {
	f := newFixture(t)
	oi, err := f.db.Append(ctx, "bkt", "log", 0, strings.NewReader("hello "), &engine.PutOptions{
		ContentType: "text/plain", Metadata: map[string]string{"a": "1"}, Tags: map[string]string{"t": "v"},
		Headers: map[string]string{"Cache-Control": "no-cache"}, StorageClass: storageclass.IA,
	})
	require.NoError(t, err)
	requireContent(t, oi, []byte("hello "))
	f.m.Add(time.Hour)
	// The options of a later append are not taken.
	oi, err = f.db.Append(ctx, "bkt", "log", 6, strings.NewReader("world"), &engine.PutOptions{
		ContentType: "image/png", Metadata: map[string]string{"b": "2"}, StorageClass: storageclass.Archive,
	})
	require.NoError(t, err)
	requireContent(t, oi, []byte("hello world"))
	h := f.head("log")
	require.Equal(t, "text/plain", h.ContentType)
	require.Equal(t, map[string]string{"a": "1"}, h.Metadata)
	require.Equal(t, map[string]string{"t": "v"}, h.Tags)
	require.Equal(t, map[string]string{"Cache-Control": "no-cache"}, h.Headers)
	require.Equal(t, storageclass.IA, h.StorageClass)
	require.Equal(t, enginetest.Epoch.Add(time.Hour), h.LastModified)
	require.Equal(t, engine.TypeAppendable, h.Type)
	f.requireBody("log", []byte("hello world"))
	// An empty append changes only the time.
	f.m.Add(time.Hour)
	oi, err = f.db.Append(ctx, "bkt", "log", 11, strings.NewReader(""), nil)
	require.NoError(t, err)
	requireContent(t, oi, []byte("hello world"))
	require.Equal(t, enginetest.Epoch.Add(2*time.Hour), oi.LastModified)
}

// TestAppend_EmptyFirst: position 0 on an empty appendable object is its
// length.
func TestAppend_EmptyFirst(t *testing.T) {
	f := newFixture(t)
	oi, err := f.db.Append(ctx, "bkt", "e", 0, strings.NewReader(""), nil)
	require.NoError(t, err)
	requireContent(t, oi, nil)
	oi, err = f.db.Append(ctx, "bkt", "e", 0, strings.NewReader("x"), nil)
	require.NoError(t, err)
	requireContent(t, oi, []byte("x"))
}

// refusedAppend requires an append to fail with sentinel and to change
// nothing: the object reads as before and the meter is as it was.
func (f *fixture) refusedAppend(key string, pos int64, r io.Reader, opts *engine.PutOptions, sentinel error) (engine.ObjectInfo, error) {
	f.t.Helper()
	before, headErr := f.db.Head(ctx, "bkt", key)
	var body string
	if headErr == nil {
		var err error
		body, err = f.read(key)
		require.NoError(f.t, err)
	}
	u := f.usage()
	oi, err := f.db.Append(ctx, "bkt", key, pos, r, opts)
	require.ErrorIs(f.t, err, sentinel)
	var oe *coldstore.OpError
	require.True(f.t, errors.As(err, &oe), "%v is not an *OpError", err)
	after, err2 := f.db.Head(ctx, "bkt", key)
	require.Equal(f.t, headErr == nil, err2 == nil)
	if headErr == nil {
		require.Equal(f.t, before, after)
		got, err := f.read(key)
		require.NoError(f.t, err)
		require.Equal(f.t, body, got)
	}
	u2 := f.usage()
	require.Equal(f.t, u.Objects, u2.Objects)
	require.Equal(f.t, u.Bytes, u2.Bytes)
	return oi, err
}

func TestAppend_Refusals(t *testing.T) {
	f := newFixture(t)
	f.appendAll("log", []byte("abc"))
	// Wrong positions: the info tells the length.
	for _, pos := range []int64{0, 2, 4} {
		oi, _ := f.refusedAppend("log", pos, strings.NewReader("x"), nil, coldstore.ErrPositionNotEqualToLength)
		require.Equal(t, int64(3), oi.Size)
	}
	oi, _ := f.refusedAppend("new", 5, strings.NewReader("x"), nil, coldstore.ErrPositionNotEqualToLength)
	require.Equal(t, int64(0), oi.Size)
	_, err := f.db.Head(ctx, "bkt", "new")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	// Not appendable: Normal objects and links, at any position.
	f.put("normal", "", "abc")
	f.refusedAppend("normal", 3, strings.NewReader("x"), nil, coldstore.ErrObjectNotAppendable)
	f.refusedAppend("normal", 0, strings.NewReader("x"), nil, coldstore.ErrObjectNotAppendable)
	_, err = f.db.PutSymlink(ctx, "bkt", "link", "log", nil)
	require.NoError(t, err)
	f.refusedAppend("link", 0, strings.NewReader("x"), nil, coldstore.ErrObjectNotAppendable)
	// Bad arguments.
	f.refusedAppend("log", -1, strings.NewReader("x"), nil, coldstore.ErrInvalidArgument)
	f.refusedAppend("log", 3, nil, nil, coldstore.ErrInvalidArgument)
	f.refusedAppend("new", 0, strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.ColdArchive}, coldstore.ErrInvalidArgument)
	f.refusedAppend("new", 0, strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.DeepColdArchive}, coldstore.ErrInvalidArgument)
	f.refusedAppend("new", 0, strings.NewReader("x"), &engine.PutOptions{StorageClass: "Glacier"}, coldstore.ErrInvalidArgument)
	f.refusedAppend("new", 0, strings.NewReader("x"), &engine.PutOptions{Metadata: map[string]string{"": "x"}}, coldstore.ErrInvalidArgument)
	_, err = f.db.Append(ctx, "nobucket", "k", 0, strings.NewReader("x"), nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
	_, err = f.db.Append(ctx, "bkt", "", 0, strings.NewReader("x"), nil)
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectName)
	// A reader that fails stores nothing.
	f.refusedAppend("log", 3, io.MultiReader(strings.NewReader("xyz"), iotestErr{}), nil, errReader)
	f.refusedAppend("big", 0, io.MultiReader(bytes.NewReader(make([]byte, 3*chunk)), iotestErr{}), nil, errReader)
	// An Archive appendable object may be made, and appended to.
	oi, err = f.db.Append(ctx, "bkt", "cold", 0, strings.NewReader("a"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	require.Equal(t, storageclass.Archive, oi.StorageClass)
	_, err = f.db.Append(ctx, "bkt", "cold", 1, strings.NewReader("b"), nil)
	require.NoError(t, err)
	_, err = f.read("cold")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
}

var errReader = errors.New("the body broke")

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errReader }

// TestAppend_Boundaries appends pieces that cross the inline limit and
// chunk boundaries, and reads the result whole, by ranges and by seeks.
func TestAppend_Boundaries(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cases := [][]int{
		{inlineMax - 1, 1, 1},
		{inlineMax, 1},
		{inlineMax + 1},
		{1, inlineMax},
		{10, inlineMax - 10, chunk - inlineMax - 1, 1, 1},
		{chunk - 1, 1},
		{chunk, 1, chunk - 1, 1},
		{chunk + 1, chunk - 2, 2},
		{100, 3*chunk + 17, 5, chunk},
		{3*chunk + 5, 0, 7},
	}
	for _, sizes := range cases {
		f := newFixture(t)
		var pieces [][]byte
		for _, n := range sizes {
			pieces = append(pieces, randomPiece(r, n))
		}
		all := f.appendAll("k", pieces...)
		f.requireBody("k", all)
		requireSeeks(t, f.db, "k", all, r)
		require.NoError(t, f.db.Check(ctx), "sizes %v", sizes)
	}
}

// requireSeeks reads key from random offsets and compares with want.
func requireSeeks(t *testing.T, db *engine.DB, key string, want []byte, r *rand.Rand) {
	t.Helper()
	obj, err := db.Get(ctx, "bkt", key)
	require.NoError(t, err)
	defer obj.Close()
	for range 30 {
		off := r.Int64N(int64(len(want)) + 1)
		_, err := obj.Seek(off, io.SeekStart)
		require.NoError(t, err)
		n := r.IntN(2 * chunk)
		got := make([]byte, n)
		k, _ := io.ReadFull(obj, got)
		end := min(int(off)+n, len(want))
		require.Equal(t, want[off:end], got[:k], "read %d at %d of %d", n, off, len(want))
	}
}

// TestAppend_Many: the ETag and CRC-64 stay those of the whole content
// after many appends, across a reopen.
func TestAppend_ManyAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := engine.Open(path, &engine.Options{DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	r := rand.New(rand.NewPCG(3, 4))
	var all []byte
	for i := range 200 {
		p := randomPiece(r, r.IntN(6*kib))
		if i%50 == 49 {
			p = randomPiece(r, chunk+r.IntN(chunk))
		}
		oi, err := db.Append(ctx, "bkt", "k", int64(len(all)), bytes.NewReader(p), nil)
		require.NoError(t, err)
		all = append(all, p...)
		requireContent(t, oi, all)
	}
	require.NoError(t, db.Check(ctx))
	require.NoError(t, db.Close())
	db, err = engine.Open(path, &engine.Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	oi, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	requireContent(t, oi, all)
	// The MD5 state survived: the next append continues it.
	oi, err = db.Append(ctx, "bkt", "k", int64(len(all)), strings.NewReader("tail"), nil)
	require.NoError(t, err)
	all = append(all, "tail"...)
	requireContent(t, oi, all)
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	require.True(t, bytes.Equal(all, got))
	require.NoError(t, db.Check(ctx))
}

// TestAppend_Meter: the meter holds the object's size after each append,
// counts the requests, and charges no early deletion for an append to an
// IA object.
func TestAppend_Meter(t *testing.T) {
	f := newFixture(t)
	_, err := f.db.Append(ctx, "bkt", "ia", 0, bytes.NewReader(make([]byte, 100*kib)), &engine.PutOptions{StorageClass: storageclass.IA})
	require.NoError(t, err)
	f.appendAll("std", make([]byte, 10), make([]byte, 20*kib), make([]byte, chunk))
	f.m.Add(time.Hour)
	_, err = f.db.Append(ctx, "bkt", "ia", 100*kib, bytes.NewReader(make([]byte, 28*kib)), nil)
	require.NoError(t, err)
	u := f.usage()
	require.Equal(t, int64(1), u.Objects[storageclass.IA])
	require.Equal(t, int64(128*kib), u.Bytes[storageclass.IA])
	require.Equal(t, int64(1), u.Objects[storageclass.Standard])
	require.Equal(t, int64(10+20*kib+chunk), u.Bytes[storageclass.Standard])
	require.Equal(t, int64(5), u.Requests["AppendObject"])
	require.Zero(t, u.EarlyDeleteByteHours[storageclass.IA])
	// IA bills at least 64 KiB: 100 KiB for the first hour.
	require.InDelta(t, float64(100*kib), u.StorageByteHours[storageclass.IA], 1)
	require.NoError(t, f.db.Delete(ctx, "bkt", "std"))
	require.Zero(t, f.usage().Bytes[storageclass.Standard])
}

// TestAppend_Cancelled: a context that ends in the middle of a large
// append changes nothing.
func TestAppend_Cancelled(t *testing.T) {
	f := newFixture(t)
	all := f.appendAll("k", randomPiece(rand.New(rand.NewPCG(1, 1)), chunk+5))
	for _, stop := range []int{chunk, 10 * chunk, 40 * chunk} {
		cctx, cancel := context.WithCancel(ctx)
		r := &cancelAfter{n: stop, cancel: cancel} // zeros, endless
		_, err := f.db.Append(cctx, "bkt", "k", int64(len(all)), r, nil)
		require.ErrorIs(t, err, context.Canceled)
		requireContent(t, f.head("k"), all)
		f.requireBody("k", all)
		require.NoError(t, f.db.Check(ctx))
	}
	f.appendAll("fresh", []byte("x"))
}

// TestAppend_LargeStaged: an append of more than a staging step (8 MiB)
// stages its chunks, and the result reads whole.
func TestAppend_LargeStaged(t *testing.T) {
	f := newFixture(t)
	r := rand.New(rand.NewPCG(5, 6))
	all := f.appendAll("k", randomPiece(r, 1000), randomPiece(r, 33*chunk+7), randomPiece(r, 70*chunk))
	f.requireBody("k", all)
	requireSeeks(t, f.db, "k", all, r)
}
