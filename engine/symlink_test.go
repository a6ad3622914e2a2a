package engine_test

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func TestSymlink_PutGetFollow(t *testing.T) {
	f := newFixture(t)
	target := f.put("photos/a.jpg", storageclass.IA, "the picture")
	f.m.Add(time.Hour)
	link, err := f.db.PutSymlink(ctx, "bkt", "latest", "photos/a.jpg", &engine.PutOptions{
		ContentType: "image/jpeg", Metadata: map[string]string{"who": "me"}, Tags: map[string]string{"t": "1"},
	})
	require.NoError(t, err)
	sum := md5.Sum([]byte("photos/a.jpg"))
	require.Equal(t, hex.EncodeToString(sum[:]), link.ETag)
	require.Equal(t, engine.TypeSymlink, link.Type)
	require.Equal(t, int64(0), link.Size)
	require.Equal(t, storageclass.Standard, link.StorageClass, "the bucket's class")

	got, oi, err := f.db.Symlink(ctx, "bkt", "latest")
	require.NoError(t, err)
	require.Equal(t, "photos/a.jpg", got)
	require.Equal(t, link, oi)

	// Get and Head follow: the target's content, size, ETag, CRC and class;
	// the link's metadata and type; the later time.
	body, err := f.read("latest")
	require.NoError(t, err)
	require.Equal(t, "the picture", body)
	for _, h := range []engine.ObjectInfo{f.head("latest"), getInfo(t, f.db, "latest")} {
		require.Equal(t, "latest", h.Key)
		require.Equal(t, target.Size, h.Size)
		require.Equal(t, target.ETag, h.ETag)
		require.Equal(t, target.CRC64, h.CRC64)
		require.Equal(t, storageclass.IA, h.StorageClass)
		require.Equal(t, "image/jpeg", h.ContentType)
		require.Equal(t, map[string]string{"who": "me"}, h.Metadata)
		require.Equal(t, map[string]string{"t": "1"}, h.Tags)
		require.Equal(t, engine.TypeSymlink, h.Type)
		require.Equal(t, link.LastModified, h.LastModified)
	}
	// The target changes later: its time is the later one.
	f.m.Add(time.Hour)
	target = f.put("photos/a.jpg", storageclass.Standard, "a new picture")
	h := f.head("latest")
	require.Equal(t, target.LastModified, h.LastModified)
	require.Equal(t, target.ETag, h.ETag)
	body, err = f.read("latest")
	require.NoError(t, err)
	require.Equal(t, "a new picture", body)

	// Listings show the link as a link.
	list, err := f.db.List(ctx, "bkt", nil)
	require.NoError(t, err)
	types := map[string]string{}
	for _, o := range list.Objects {
		types[o.Key] = o.Type
	}
	require.Equal(t, map[string]string{"latest": engine.TypeSymlink, "photos/a.jpg": engine.TypeNormal}, types)
}

// getInfo is the info Get returns.
func getInfo(t *testing.T, db *engine.DB, key string) engine.ObjectInfo {
	t.Helper()
	obj, err := db.Get(ctx, "bkt", key)
	require.NoError(t, err)
	defer obj.Close()
	return obj.Info()
}

func TestSymlink_Targets(t *testing.T) {
	f := newFixture(t)
	// A link to nothing: created, but reads fail until the target exists.
	_, err := f.db.PutSymlink(ctx, "bkt", "dangling", "nothing", nil)
	require.NoError(t, err)
	_, err = f.read("dangling")
	require.ErrorIs(t, err, coldstore.ErrSymlinkTargetNotExist)
	_, err = f.db.Head(ctx, "bkt", "dangling")
	require.ErrorIs(t, err, coldstore.ErrSymlinkTargetNotExist)
	target, _, err := f.db.Symlink(ctx, "bkt", "dangling")
	require.NoError(t, err)
	require.Equal(t, "nothing", target)
	f.put("nothing", "", "now something")
	body, err := f.read("dangling")
	require.NoError(t, err)
	require.Equal(t, "now something", body)

	// A link to a link is refused when read.
	_, err = f.db.PutSymlink(ctx, "bkt", "twice", "dangling", nil)
	require.NoError(t, err)
	_, err = f.read("twice")
	require.ErrorIs(t, err, coldstore.ErrInvalidTargetType)
	_, err = f.db.Head(ctx, "bkt", "twice")
	require.ErrorIs(t, err, coldstore.ErrInvalidTargetType)

	// Through a link to an appendable object, and a large one.
	big := strings.Repeat("x", 300<<10)
	_, err = f.db.Append(ctx, "bkt", "log", 0, strings.NewReader(big), nil)
	require.NoError(t, err)
	_, err = f.db.PutSymlink(ctx, "bkt", "to-log", "log", nil)
	require.NoError(t, err)
	body, err = f.read("to-log")
	require.NoError(t, err)
	require.Equal(t, big, body)

	// The target's class rules: an archived target is unreadable through
	// the link until restored.
	f.reach("cold", storageclass.Archive, "archived")
	_, err = f.db.PutSymlink(ctx, "bkt", "to-cold", "cold", nil)
	require.NoError(t, err)
	_, err = f.read("to-cold")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
	require.Equal(t, storageclass.Archive, f.head("to-cold").StorageClass)
	f.reach("cold2", storageclass.Archive, "restored")
	_, err = f.db.PutSymlink(ctx, "bkt", "to-cold2", "cold2", nil)
	require.NoError(t, err)
	body, err = f.read("to-cold2")
	require.NoError(t, err)
	require.Equal(t, "content of cold2", body)
}

func TestSymlink_OverwriteAndDelete(t *testing.T) {
	f := newFixture(t)
	f.put("a", "", "A")
	f.put("b", "", "B")
	_, err := f.db.PutSymlink(ctx, "bkt", "l", "a", nil)
	require.NoError(t, err)
	_, err = f.db.PutSymlink(ctx, "bkt", "l", "b", nil)
	require.NoError(t, err)
	body, err := f.read("l")
	require.NoError(t, err)
	require.Equal(t, "B", body)
	// A Put replaces the link; a link replaces a Normal object.
	f.put("l", "", "plain")
	body, err = f.read("l")
	require.NoError(t, err)
	require.Equal(t, "plain", body)
	_, _, err = f.db.Symlink(ctx, "bkt", "l")
	require.ErrorIs(t, err, coldstore.ErrNotSymlink)
	_, err = f.db.PutSymlink(ctx, "bkt", "l", "a", nil)
	require.NoError(t, err)
	// Forbidding overwrite.
	_, err = f.db.PutSymlink(ctx, "bkt", "l", "b", &engine.PutOptions{ForbidOverwrite: true})
	require.ErrorIs(t, err, coldstore.ErrFileAlreadyExists)
	target, _, err := f.db.Symlink(ctx, "bkt", "l")
	require.NoError(t, err)
	require.Equal(t, "a", target)
	// Deleting the link leaves the target.
	require.NoError(t, f.db.Delete(ctx, "bkt", "l"))
	_, _, err = f.db.Symlink(ctx, "bkt", "l")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	body, err = f.read("a")
	require.NoError(t, err)
	require.Equal(t, "A", body)
	u := f.usage()
	require.Equal(t, int64(2), u.Objects[storageclass.Standard])
	require.Equal(t, int64(3), u.Requests["PutSymlink"])
}

func TestSymlink_BadInput(t *testing.T) {
	f := newFixture(t)
	f.put("l", "", "kept")
	for _, target := range []string{"", "/abs", strings.Repeat("k", 1024)} {
		_, err := f.db.PutSymlink(ctx, "bkt", "l", target, nil)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "target %q", target)
		var oe *coldstore.OpError
		require.True(t, errors.As(err, &oe))
	}
	_, err := f.db.PutSymlink(ctx, "bkt", "l", "t", &engine.PutOptions{StorageClass: "Glacier"})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, err = f.db.PutSymlink(ctx, "bkt", "l", "t", &engine.PutOptions{Tags: map[string]string{"": "x"}})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, err = f.db.PutSymlink(ctx, "nobucket", "l", "t", nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
	body, err := f.read("l")
	require.NoError(t, err)
	require.Equal(t, "kept", body)
	require.Equal(t, engine.TypeNormal, f.head("l").Type)
	_, _, err = f.db.Symlink(ctx, "bkt", "missing")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
}
