package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

var allClasses = []storageclass.Class{storageclass.Standard, storageclass.IA, storageclass.Archive, storageclass.ColdArchive, storageclass.DeepColdArchive}

func TestSetStorageClass(t *testing.T) {
	rank := func(c storageclass.Class) int {
		r, err := storageclass.OSS().Rules(c)
		require.NoError(t, err)
		return r.Rank
	}
	for _, from := range allClasses {
		for _, to := range allClasses {
			states := []string{"archived"}
			if containsClass(archiveClasses, from) {
				states = []string{"archived", "restoring", "restored", "expired"}
			}
			for _, state := range states {
				t.Run(fmt.Sprintf("%s/%s/%s", from, state, to), func(t *testing.T) {
					f := newFixture(t)
					f.reach("k", from, state)
					f.m.Add(time.Minute)
					before := f.head("k")
					oi, err := f.db.SetStorageClass(ctx, "bkt", "k", to)
					warmer := rank(to) < rank(from)
					switch {
					case from == to:
						require.NoError(t, err)
						require.Equal(t, before, oi, "same class: nothing changes")
					case warmer && containsClass(archiveClasses, from) && state != "restored":
						require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
						require.Equal(t, 403, coldstore.HTTPStatus(err))
						require.Equal(t, before, f.head("k"))
					default:
						require.NoError(t, err)
						require.Equal(t, to, oi.StorageClass)
						require.True(t, oi.ClassSince.Equal(f.m.Now()))
						require.True(t, oi.LastModified.Equal(f.m.Now()))
						require.Equal(t, before.ETag, oi.ETag)
						want := engine.NotArchived
						if containsClass(archiveClasses, to) {
							want = engine.Archived
						}
						require.Equal(t, want, oi.Restore.State)
						require.Equal(t, oi, f.head("k"))
						body, err := f.read("k")
						if want == engine.NotArchived {
							require.NoError(t, err)
							require.Equal(t, "content of k", body)
						} else {
							require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
						}
					}
				})
			}
		}
	}
}

func TestSetStorageClass_Bad(t *testing.T) {
	f := newFixture(t)
	f.put("k", storageclass.Standard, "x")
	_, err := f.db.SetStorageClass(ctx, "bkt", "k", "Glacier")
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, err = f.db.SetStorageClass(ctx, "bkt", "missing", storageclass.IA)
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	require.Equal(t, storageclass.Standard, f.head("k").StorageClass)
}
