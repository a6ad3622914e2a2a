package engine

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// A lifecycle configuration is stored in the engine's own encoding, not in
// a service's XML; one stored as OSS XML, as databases did before, still
// reads and acts.
func TestLifecycle_StoredNeutral(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "l.db"), &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	cfg := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Prefix: "a/", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 30, StorageClass: storageclass.IA, AllowSmallFile: true}}}}}
	require.NoError(t, db.PutBucketLifecycle(ctx, "bkt", cfg))
	var stored []byte
	require.NoError(t, db.store.View(ctx, func(tx kv.Tx) error {
		stored = append([]byte(nil), tx.Bucket(bktLifecycle).Get([]byte("bkt"))...)
		return nil
	}))
	want, err := cfg.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, want, stored[8:])

	doc, err := cfg.XML()
	require.NoError(t, err)
	require.NoError(t, db.store.Update(ctx, func(tx kv.Tx) error {
		return tx.Bucket(bktLifecycle).Put([]byte("bkt"), append(binary.BigEndian.AppendUint64(nil, 1000), doc...))
	}))
	db.configs = configCache{} // as a database opened afresh
	got, err := db.GetBucketLifecycle(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, cfg.Rules[0].Transitions, got.Rules[0].Transitions)
	require.NoError(t, db.Check(ctx))
}
