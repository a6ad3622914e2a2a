package engine_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// upload initiates an upload of key and stores the parts given, numbered
// from 1; it returns the upload and the completion list.
func (f *fixture) upload(key string, opts *engine.PutOptions, parts ...[]byte) (engine.Upload, []engine.CompletedPart) {
	f.t.Helper()
	up, err := f.db.InitiateUpload(ctx, "bkt", key, opts)
	require.NoError(f.t, err)
	var list []engine.CompletedPart
	for i, p := range parts {
		got, err := f.db.UploadPart(ctx, "bkt", key, up.UploadID, i+1, bytes.NewReader(p))
		require.NoError(f.t, err)
		sum := md5.Sum(p)
		require.Equal(f.t, hex.EncodeToString(sum[:]), got.ETag)
		require.Equal(f.t, int64(len(p)), got.Size)
		require.Equal(f.t, crc64.Checksum(p, crc64.MakeTable(crc64.ECMA)), got.CRC64)
		list = append(list, engine.CompletedPart{Number: i + 1, ETag: `"` + got.ETag + `"`})
	}
	return up, list
}

// multipartETag is the ETag OSS gives an object of these parts.
func multipartETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	s := md5.Sum(sums)
	return fmt.Sprintf("%s-%d", hex.EncodeToString(s[:]), len(parts))
}

func TestMultipart_CompleteMakesOneObjectOfTheParts(t *testing.T) {
	f := newFixture(t)
	// Sizes off the chunk grid: 300,000 spans two chunks and ends mid-chunk.
	parts := [][]byte{randomBytes(300000, 1), randomBytes(engine.MinPartSize, 2), randomBytes(5, 3)}
	whole := bytes.Join(parts, nil)
	up, list := f.upload("big", &engine.PutOptions{ContentType: "text/plain", Metadata: map[string]string{"a": "1"}}, parts...)

	pl, err := f.db.ListParts(ctx, "bkt", "big", up.UploadID, nil)
	require.NoError(t, err)
	require.Len(t, pl.Parts, 3)
	u := f.usage()
	require.Equal(t, int64(1), u.MultipartUploads)
	require.Equal(t, int64(3), u.MultipartParts)
	require.Equal(t, int64(len(whole)), u.MultipartBytes[storageclass.Standard])

	oi, err := f.db.CompleteUpload(ctx, "bkt", "big", up.UploadID, list, nil)
	require.NoError(t, err)
	require.Equal(t, multipartETag(parts...), oi.ETag)
	require.Equal(t, int64(len(whole)), oi.Size)
	require.Equal(t, crc64.Checksum(whole, crc64.MakeTable(crc64.ECMA)), oi.CRC64)
	require.Equal(t, engine.TypeMultipart, oi.Type)
	require.Equal(t, "text/plain", oi.ContentType)
	require.Equal(t, map[string]string{"a": "1"}, oi.Metadata)
	require.Equal(t, oi, f.head("big"))

	got, err := f.read("big")
	require.NoError(t, err)
	require.True(t, bytes.Equal(whole, []byte(got)), "the content is the parts in order")

	// Every offset lands in the right part and chunk.
	obj, err := f.db.Get(ctx, "bkt", "big")
	require.NoError(t, err)
	defer obj.Close()
	for _, off := range []int64{0, 1, 262143, 262144, 262145, 299999, 300000, 300001, 300000 + engine.MinPartSize - 1, 300000 + engine.MinPartSize, int64(len(whole)) - 1} {
		_, err := obj.Seek(off, io.SeekStart)
		require.NoError(t, err)
		b := make([]byte, 7)
		n, err := io.ReadFull(obj, b)
		if err != nil {
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		}
		require.Equal(t, whole[off:off+int64(n)], b[:n], "offset %d", off)
	}

	ul, err := f.db.ListUploads(ctx, "bkt", nil)
	require.NoError(t, err)
	require.Empty(t, ul.Uploads, "the upload ended")
	_, err = f.db.ListParts(ctx, "bkt", "big", up.UploadID, nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchUpload)
	u = f.usage()
	require.Zero(t, u.MultipartUploads+u.MultipartParts)
	require.Empty(t, u.MultipartBytes)
	require.Equal(t, int64(1), u.Objects[storageclass.Standard])
	require.Equal(t, int64(len(whole)), u.Bytes[storageclass.Standard])
	require.Equal(t, int64(1), u.Requests["CompleteMultipartUpload"])
	require.Equal(t, int64(3), u.Requests["UploadPart"])
	require.NoError(t, f.db.Check(ctx))

	// Deleting it deletes every part's chunks.
	require.NoError(t, f.db.Delete(ctx, "bkt", "big"))
	require.NoError(t, f.db.Check(ctx))
}

func TestMultipart_PartsAccrueStorageUntilCompleted(t *testing.T) {
	f := newFixture(t)
	p := randomBytes(200000, 1)
	up, list := f.upload("k", nil, p)
	f.m.Add(10 * time.Hour)
	u := f.usage()
	require.InDelta(t, float64(len(p))*10, u.StorageByteHours[storageclass.Standard], 1)
	require.Empty(t, u.Objects, "a part is no object")
	_, err := f.db.CompleteUpload(ctx, "bkt", "k", up.UploadID, list, nil)
	require.NoError(t, err)
	f.m.Add(10 * time.Hour)
	u = f.usage()
	require.InDelta(t, float64(len(p))*20, u.StorageByteHours[storageclass.Standard], 1)
}

func TestMultipart_ReplacingAPartKeepsTheLatest(t *testing.T) {
	f := newFixture(t)
	first, second := randomBytes(150000, 1), randomBytes(120000, 2)
	up, old := f.upload("k", nil, first)
	p, err := f.db.UploadPart(ctx, "bkt", "k", up.UploadID, 1, bytes.NewReader(second))
	require.NoError(t, err)
	pl, err := f.db.ListParts(ctx, "bkt", "k", up.UploadID, nil)
	require.NoError(t, err)
	require.Equal(t, []engine.Part{p}, pl.Parts)
	require.Equal(t, int64(1), f.usage().MultipartParts)
	require.Equal(t, int64(len(second)), f.usage().MultipartBytes[storageclass.Standard])
	require.NoError(t, f.db.Check(ctx), "the first part's chunks are gone")

	_, err = f.db.CompleteUpload(ctx, "bkt", "k", up.UploadID, old, nil)
	require.ErrorIs(t, err, coldstore.ErrInvalidPart, "the replaced part's ETag")
	oi, err := f.db.CompleteUpload(ctx, "bkt", "k", up.UploadID, []engine.CompletedPart{{Number: 1, ETag: p.ETag}}, nil)
	require.NoError(t, err)
	require.Equal(t, multipartETag(second), oi.ETag)
	got, err := f.read("k")
	require.NoError(t, err)
	require.Equal(t, string(second), got)
}

// state is what the bad calls below must leave as it was.
func (f *fixture) uploadState(key, id string) (engine.UploadList, engine.PartList, engine.Usage) {
	f.t.Helper()
	ul, err := f.db.ListUploads(ctx, "bkt", nil)
	require.NoError(f.t, err)
	pl, err := f.db.ListParts(ctx, "bkt", key, id, nil)
	require.NoError(f.t, err)
	u := f.usage()
	delete(u.Requests, "ListMultipartUploads")
	delete(u.Requests, "ListParts")
	return ul, pl, u
}

func TestMultipart_BadCompletionsChangeNothing(t *testing.T) {
	f := newFixture(t)
	small, big, last := randomBytes(engine.MinPartSize-1, 1), randomBytes(engine.MinPartSize, 2), randomBytes(10, 3)
	up, list := f.upload("k", nil, small, big, last)
	id := up.UploadID
	ul0, pl0, u0 := f.uploadState("k", id)

	for name, c := range map[string]struct {
		parts []engine.CompletedPart
		want  error
	}{
		"too small":       {list, coldstore.ErrEntityTooSmall},
		"out of order":    {[]engine.CompletedPart{list[1], list[0]}, coldstore.ErrInvalidPartOrder},
		"repeated":        {[]engine.CompletedPart{list[1], list[1]}, coldstore.ErrInvalidPartOrder},
		"missing part":    {[]engine.CompletedPart{list[1], {Number: 7, ETag: list[2].ETag}}, coldstore.ErrInvalidPart},
		"bad ETag":        {[]engine.CompletedPart{{Number: 2, ETag: list[2].ETag}}, coldstore.ErrInvalidPart},
		"not hex":         {[]engine.CompletedPart{{Number: 2, ETag: "zz"}}, coldstore.ErrInvalidPart},
		"empty list":      {nil, coldstore.ErrInvalidArgument},
		"number 0":        {[]engine.CompletedPart{{Number: 0, ETag: list[0].ETag}}, coldstore.ErrInvalidArgument},
		"number 10001":    {[]engine.CompletedPart{{Number: 10001, ETag: list[0].ETag}}, coldstore.ErrInvalidArgument},
		"too many listed": {make([]engine.CompletedPart, engine.MaxParts+1), coldstore.ErrInvalidArgument},
	} {
		_, err := f.db.CompleteUpload(ctx, "bkt", "k", id, c.parts, nil)
		require.ErrorIs(t, err, c.want, name)
	}
	_, err := f.db.CompleteUpload(ctx, "bkt", "k", "0000", list[1:], nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchUpload)
	_, err = f.db.UploadPart(ctx, "bkt", "k", "0000", 1, bytes.NewReader(big))
	require.ErrorIs(t, err, coldstore.ErrNoSuchUpload)
	_, err = f.db.UploadPart(ctx, "bkt", "other", id, 1, bytes.NewReader(big))
	require.ErrorIs(t, err, coldstore.ErrNoSuchUpload, "an upload id is its key's")
	for _, n := range []int{0, -1, engine.MaxParts + 1} {
		_, err = f.db.UploadPart(ctx, "bkt", "k", id, n, bytes.NewReader(big))
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "part %d", n)
	}
	require.ErrorIs(t, f.db.AbortUpload(ctx, "bkt", "k", "0000"), coldstore.ErrNoSuchUpload)
	_, err = f.db.ListParts(ctx, "bkt", "k", "0000", nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchUpload)
	_, err = f.db.InitiateUpload(ctx, "nope", "k", nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
	_, err = f.db.InitiateUpload(ctx, "bkt", "k", &engine.PutOptions{StorageClass: "Frozen"})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)

	ul1, pl1, u1 := f.uploadState("k", id)
	require.Equal(t, ul0, ul1)
	require.Equal(t, pl0, pl1)
	require.Equal(t, u0, u1)
	_, err = f.db.Head(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	require.NoError(t, f.db.Check(ctx))

	// A part under the minimum is fine as the last, or alone.
	oi, err := f.db.CompleteUpload(ctx, "bkt", "k", id, list[1:], nil)
	require.NoError(t, err)
	require.Equal(t, int64(len(big)+len(last)), oi.Size)
	require.NoError(t, f.db.Check(ctx), "the part not listed was deleted")
}

func TestMultipart_AbortDeletesTheParts(t *testing.T) {
	f := newFixture(t)
	up, _ := f.upload("k", &engine.PutOptions{StorageClass: storageclass.IA}, randomBytes(300000, 1), randomBytes(7, 2))
	require.ErrorIs(t, f.db.DeleteBucket(ctx, "bkt"), coldstore.ErrBucketNotEmpty, "an upload in progress keeps the bucket")
	require.NoError(t, f.db.AbortUpload(ctx, "bkt", "k", up.UploadID))
	require.ErrorIs(t, f.db.AbortUpload(ctx, "bkt", "k", up.UploadID), coldstore.ErrNoSuchUpload)
	u := f.usage()
	require.Zero(t, u.MultipartUploads+u.MultipartParts)
	require.Empty(t, u.MultipartBytes)
	require.NoError(t, f.db.Check(ctx))
	_, err := f.db.Head(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey, "an aborted upload leaves nothing visible")
	require.NoError(t, f.db.DeleteBucket(ctx, "bkt"))
}

func TestMultipart_ArchiveUploadCompletesArchived(t *testing.T) {
	f := newFixture(t)
	up, list := f.upload("cold", &engine.PutOptions{StorageClass: storageclass.Archive}, randomBytes(engine.MinPartSize, 1), randomBytes(3, 2))
	require.Equal(t, storageclass.Archive, up.StorageClass)
	oi, err := f.db.CompleteUpload(ctx, "bkt", "cold", up.UploadID, list, nil)
	require.NoError(t, err)
	require.Equal(t, storageclass.Archive, oi.StorageClass)
	require.Equal(t, engine.Archived, oi.Restore.State)
	_, err = f.read("cold")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
	_, err = f.db.CopyPart(ctx, "bkt", "k2", up.UploadID, 1, "bkt", "cold", 0, -1)
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState, "an archived source is refused")
	res, err := f.db.Restore(ctx, "bkt", "cold", nil)
	require.NoError(t, err)
	require.Equal(t, engine.Accepted, res.Status)
	f.m.Add(restoreLatency(t, storageclass.Archive))
	got, err := f.read("cold")
	require.NoError(t, err)
	require.Len(t, got, engine.MinPartSize+3)
}

func TestMultipart_CopyPartCopiesARange(t *testing.T) {
	f := newFixture(t)
	src := randomBytes(600000, 9)
	_, err := f.db.Put(ctx, "bkt", "src", bytes.NewReader(src), nil)
	require.NoError(t, err)
	up, err := f.db.InitiateUpload(ctx, "bkt", "dst", nil)
	require.NoError(t, err)
	p1, err := f.db.CopyPart(ctx, "bkt", "dst", up.UploadID, 1, "bkt", "src", 100, 300000)
	require.NoError(t, err)
	p2, err := f.db.CopyPart(ctx, "bkt", "dst", up.UploadID, 2, "bkt", "src", 500000, -1)
	require.NoError(t, err)
	_, err = f.db.CopyPart(ctx, "bkt", "dst", up.UploadID, 3, "bkt", "src", 500000, 100001)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "a range past the end")
	oi, err := f.db.CompleteUpload(ctx, "bkt", "dst", up.UploadID, []engine.CompletedPart{{1, p1.ETag}, {2, p2.ETag}}, nil)
	require.NoError(t, err)
	want := append(append([]byte{}, src[100:300100]...), src[500000:]...)
	require.Equal(t, multipartETag(src[100:300100], src[500000:]), oi.ETag)
	got, err := f.read("dst")
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, []byte(got)))
}

// TestMultipart_CopyPartRefusesALink: a symbolic link is no source of a
// part, as OSS refuses it (EC 0042-00000308), whatever its target; no part
// is stored.
func TestMultipart_CopyPartRefusesALink(t *testing.T) {
	f := newFixture(t)
	f.put("src", storageclass.Standard, "readable")
	_, err := f.db.PutSymlink(ctx, "bkt", "link", "src", nil)
	require.NoError(t, err)
	up, err := f.db.InitiateUpload(ctx, "bkt", "dst", nil)
	require.NoError(t, err)
	_, err = f.db.CopyPart(ctx, "bkt", "dst", up.UploadID, 1, "bkt", "link", 0, -1)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	var oe *coldstore.OpError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "0042-00000308", oe.EC)
	parts, err := f.db.ListParts(ctx, "bkt", "dst", up.UploadID, nil)
	require.NoError(t, err)
	require.Empty(t, parts.Parts)
	p, err := f.db.CopyPart(ctx, "bkt", "dst", up.UploadID, 1, "bkt", "src", 0, -1)
	require.NoError(t, err, "the target itself is a source")
	require.Equal(t, int64(len("readable")), p.Size)
}

func TestMultipart_CompleteReplacesOrRefusesToOverwrite(t *testing.T) {
	f := newFixture(t)
	f.put("k", storageclass.Standard, "old")
	_, err := f.db.InitiateUpload(ctx, "bkt", "k", &engine.PutOptions{ForbidOverwrite: true})
	require.ErrorIs(t, err, coldstore.ErrFileAlreadyExists)
	up, list := f.upload("k", nil, []byte("new"))
	_, err = f.db.CompleteUpload(ctx, "bkt", "k", up.UploadID, list, &engine.CompleteOptions{ForbidOverwrite: true})
	require.ErrorIs(t, err, coldstore.ErrFileAlreadyExists)
	got, _ := f.read("k")
	require.Equal(t, "old", got)
	_, err = f.db.CompleteUpload(ctx, "bkt", "k", up.UploadID, nil, &engine.CompleteOptions{All: true})
	require.NoError(t, err)
	got, _ = f.read("k")
	require.Equal(t, "new", got)
	require.Equal(t, int64(1), f.usage().Objects[storageclass.Standard])
	require.NoError(t, f.db.Check(ctx))
}

func TestMultipart_ListUploadsPages(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for _, k := range []string{"a", "a", "b/1", "b/2", "c", "d/x/1"} {
		up, err := f.db.InitiateUpload(ctx, "bkt", k, nil)
		require.NoError(t, err)
		ids = append(ids, up.UploadID)
	}
	keys := func(l engine.UploadList) []string {
		var out []string
		for _, u := range l.Uploads {
			out = append(out, u.Key)
		}
		return out
	}
	all, err := f.db.ListUploads(ctx, "bkt", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "a", "b/1", "b/2", "c", "d/x/1"}, keys(all))
	require.Equal(t, ids[0], all.Uploads[0].UploadID, "one key's uploads in order of initiation")
	require.False(t, all.Truncated)

	var got []string
	o := &engine.ListUploadsOptions{Limit: 2}
	for {
		page, err := f.db.ListUploads(ctx, "bkt", o)
		require.NoError(t, err)
		got = append(got, keys(page)...)
		if !page.Truncated {
			break
		}
		o.KeyMarker, o.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
	require.Equal(t, keys(all), got, "pages of 2 list each upload once")

	d, err := f.db.ListUploads(ctx, "bkt", &engine.ListUploadsOptions{Delimiter: "/"})
	require.NoError(t, err)
	require.Equal(t, []string{"a", "a", "c"}, keys(d))
	require.Equal(t, []string{"b/", "d/"}, d.CommonPrefixes)
	p, err := f.db.ListUploads(ctx, "bkt", &engine.ListUploadsOptions{Prefix: "b/"})
	require.NoError(t, err)
	require.Equal(t, []string{"b/1", "b/2"}, keys(p))
	m, err := f.db.ListUploads(ctx, "bkt", &engine.ListUploadsOptions{KeyMarker: "a"})
	require.NoError(t, err)
	require.Equal(t, []string{"b/1", "b/2", "c", "d/x/1"}, keys(m), "KeyMarker alone skips every upload of its key")
	_, err = f.db.ListUploads(ctx, "bkt", &engine.ListUploadsOptions{Limit: 1001})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
}

func TestMultipart_ListPartsPages(t *testing.T) {
	f := newFixture(t)
	up, err := f.db.InitiateUpload(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	for _, n := range []int{3, 1, 10000, 7} {
		_, err := f.db.UploadPart(ctx, "bkt", "k", up.UploadID, n, bytes.NewReader([]byte{byte(n)}))
		require.NoError(t, err)
	}
	var got []int
	o := &engine.ListPartsOptions{Limit: 3}
	for {
		pl, err := f.db.ListParts(ctx, "bkt", "k", up.UploadID, o)
		require.NoError(t, err)
		for _, p := range pl.Parts {
			got = append(got, p.Number)
		}
		if !pl.Truncated {
			break
		}
		o.Marker = pl.NextMarker
	}
	require.Equal(t, []int{1, 3, 7, 10000}, got)
}

func TestMultipart_LifecycleAbortsOldUploads(t *testing.T) {
	f := newFixture(t)
	f.lifecycle(lifecycle.Rule{ID: "tmp", Prefix: "tmp/", Enabled: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 1}})
	tmp, _ := f.upload("tmp/a", nil, randomBytes(1000, 1))
	f.upload("keep/b", nil, randomBytes(1000, 2))
	start := f.m.Now()
	res := f.at(start, 23*time.Hour)
	require.Zero(t, res.Aborted)
	require.Equal(t, start.Add(day), res.Next, "the loop wakes when the upload comes due")
	res = f.at(start, day)
	require.Equal(t, 1, res.Aborted)
	ul, err := f.db.ListUploads(ctx, "bkt", nil)
	require.NoError(t, err)
	require.Len(t, ul.Uploads, 1)
	require.Equal(t, "keep/b", ul.Uploads[0].Key)
	_, err = f.db.ListParts(ctx, "bkt", "tmp/a", tmp.UploadID, nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchUpload)
	require.Equal(t, int64(1), f.usage().MultipartParts)
	require.NoError(t, f.db.Check(ctx))
}

func TestMultipart_SurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := engine.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	up, err := db.InitiateUpload(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	p1 := randomBytes(400000, 1)
	part, err := db.UploadPart(ctx, "bkt", "k", up.UploadID, 1, bytes.NewReader(p1))
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = engine.Open(path, nil)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Check(ctx))
	_, err = db.CompleteUpload(ctx, "bkt", "k", up.UploadID, []engine.CompletedPart{{1, part.ETag}}, nil)
	require.NoError(t, err)
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	defer obj.Close()
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.True(t, bytes.Equal(p1, got))
	require.NoError(t, db.Check(ctx))
}

func TestMultipart_PartRange(t *testing.T) {
	f := newFixture(t)
	parts := [][]byte{randomBytes(engine.MinPartSize, 1), randomBytes(300000, 2), randomBytes(7, 3)}
	up, list := f.upload("mp", nil, parts...)
	_, err := f.db.CompleteUpload(ctx, "bkt", "mp", up.UploadID, list, nil)
	require.NoError(t, err)
	for n, want := range [][2]int64{{0, engine.MinPartSize}, {engine.MinPartSize, 300000}, {engine.MinPartSize + 300000, 7}} {
		off, length, count, err := f.db.PartRange(ctx, "bkt", "mp", n+1)
		require.NoError(t, err)
		require.Equal(t, want, [2]int64{off, length}, "part %d", n+1)
		require.Equal(t, 3, count)
	}
	for _, n := range []int{0, 4, -1} {
		_, _, _, err := f.db.PartRange(ctx, "bkt", "mp", n)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "part %d", n)
	}
	f.put("plain", storageclass.Archive, "archived")
	off, length, count, err := f.db.PartRange(ctx, "bkt", "plain", 1)
	require.NoError(t, err, "a plain object is one part, whatever its restore state")
	require.Equal(t, [3]int64{0, 8, 1}, [3]int64{off, length, int64(count)})
	_, _, _, err = f.db.PartRange(ctx, "bkt", "plain", 2)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, _, _, err = f.db.PartRange(ctx, "bkt", "missing", 1)
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
}
