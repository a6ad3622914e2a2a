package boltkv_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/kv/boltkv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// The engine's body layout, which the fixture's sizes straddle.
const (
	inlineMax = 16 << 10  // the largest body kept in its record
	chunkSize = 256 << 10 // the size of a stored chunk
)

var (
	bitflipRuns = flag.Int("bitflip.runs", 150, "damaged files TestDamagedFiles opens (the long mode: 5000)")
	bitflipSeed = flag.Uint64("bitflip.seed", 0, "the seed of TestDamagedFiles; 0: a new one")
)

// damageFixture writes a database of every kind of record (inline and
// chunked bodies, restores, a lifecycle, metered buckets), whose last
// commit changes nothing the test reads: a damaged meta page makes bbolt
// fall back on the commit before. It returns the file's bytes and the body
// of every object.
func damageFixture(t *testing.T) ([]byte, map[[2]string][]byte) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fixture.db")
	m := clock.NewMock()
	m.Set(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	db, err := engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(3, 4))
	bodies := map[[2]string][]byte{}
	for _, b := range []string{"alpha", "beta"} {
		require.NoError(t, db.CreateBucket(ctx, b, nil))
		for i, size := range []int{0, 5, 300, 4096, inlineMax, inlineMax + 1, chunkSize + 9, 2*chunkSize + 1} {
			body := make([]byte, size)
			for j := range body {
				body[j] = byte(r.Uint32())
			}
			key := fmt.Sprintf("dir%d/key-%d", i%3, i)
			class := storageclass.Standard
			if i%2 == 1 {
				class = storageclass.IA
			}
			_, err := db.Put(ctx, b, key, bytes.NewReader(body), &engine.PutOptions{StorageClass: class, Metadata: map[string]string{"n": key}})
			require.NoError(t, err)
			bodies[[2]string{b, key}] = body
		}
		_, err := db.Put(ctx, b, "archived", bytes.NewReader([]byte("cold")), &engine.PutOptions{StorageClass: storageclass.Archive})
		require.NoError(t, err)
		_, err = db.Restore(ctx, b, "archived", nil)
		require.NoError(t, err)
	}
	cfg, err := lifecycle.ParseXML([]byte(`<LifecycleConfiguration><Rule><ID>r</ID><Prefix>dir1/</Prefix><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>`))
	require.NoError(t, err)
	require.NoError(t, db.PutBucketLifecycle(ctx, "alpha", cfg))
	require.NoError(t, db.CreateBucket(ctx, "last", nil)) // the last commit
	require.NoError(t, db.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b, bodies
}

// typed reports whether err is one of the engine's typed errors.
func typed(err error) bool {
	var oe *coldstore.OpError
	return errors.As(err, &oe)
}

// TestDamagedFiles flips bits of a database file at random and opens it:
// Open returns a typed error or a database whose every read returns the
// stored bytes or a typed error, and whose Check passes or reports. A
// panic, in a goroutine of bbolt's or ours, fails it by killing the test.
func TestDamagedFiles(t *testing.T) {
	ctx := context.Background()
	orig, bodies := damageFixture(t)
	dir := t.TempDir()
	seed := *bitflipSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	// Printed now: a panic kills the test before its log is.
	fmt.Fprintf(os.Stderr, "TestDamagedFiles: seed %d (replay: go test ./kv/boltkv -run TestDamagedFiles -bitflip.seed=%d -bitflip.runs=%d)\n", seed, seed, *bitflipRuns)
	r := rand.New(rand.NewPCG(seed, 6))
	// Half the flips land in the pages that hold the trees (branch and
	// leaf pages of one page): the rest of the file is mostly bodies.
	tree, ps := treePages(t, orig)
	var opened, refused, readErrs, checkErrs int
	for run := range *bitflipRuns {
		b := bytes.Clone(orig)
		for range 1 + r.IntN(4) {
			at := r.IntN(len(b))
			if r.IntN(2) == 0 {
				at = tree[r.IntN(len(tree))] + r.IntN(ps)
			}
			b[at] ^= 1 << r.IntN(8)
		}
		path := filepath.Join(dir, fmt.Sprintf("run%d.db", run))
		require.NoError(t, os.WriteFile(path, b, 0o600))
		db, err := engine.Open(path, &engine.Options{DisableSweeper: true})
		if err != nil {
			require.True(t, typed(err), "run %d: Open: untyped error %v", run, err)
			refused++
			continue
		}
		opened++
		for bk, body := range bodies {
			obj, err := db.Get(ctx, bk[0], bk[1])
			if err != nil {
				require.True(t, typed(err), "run %d: Get %v: untyped error %v", run, bk, err)
				readErrs++
				continue
			}
			got, err := io.ReadAll(obj)
			_ = obj.Close()
			if err != nil {
				require.True(t, typed(err), "run %d: read %v: untyped error %v", run, bk, err)
				readErrs++
				continue
			}
			require.True(t, bytes.Equal(body, got), "run %d: %v: Get returned other bytes than were stored", run, bk)
		}
		for _, bucket := range []string{"alpha", "beta"} {
			if _, err := db.List(ctx, bucket, &engine.ListOptions{Limit: 1000}); err != nil {
				require.True(t, typed(err), "run %d: List: untyped error %v", run, err)
			}
		}
		if err := db.Check(ctx); err != nil {
			checkErrs++
		}
		if _, err := db.Put(ctx, "alpha", "new", bytes.NewReader(make([]byte, chunkSize+1)), nil); err != nil {
			require.True(t, typed(err), "run %d: Put: untyped error %v", run, err)
		}
		if _, err := db.Sweep(ctx); err != nil {
			require.True(t, typed(err), "run %d: Sweep: untyped error %v", run, err)
		}
		require.NoError(t, db.Close())
		require.NoError(t, os.Remove(path))
	}
	t.Logf("%d damaged files: %d refused by engine.Open, %d opened (%d reads failed, %d Checks reported)", *bitflipRuns, refused, opened, readErrs, checkErrs)
}

// reachable returns the pages the newest meta of the file b reaches, and
// the page size.
func reachable(t *testing.T, b []byte) (map[uint64]bool, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "walk.db")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	seen, ps, err := boltkv.Reachable(path)
	require.NoError(t, err)
	return seen, ps
}

// treePages returns the offsets of the reachable pages that are a branch
// or leaf page of their own, no overflow.
func treePages(t *testing.T, b []byte) ([]int, int) {
	seen, ps := reachable(t, b)
	var out []int
	for id := range seen {
		off := int(id) * ps
		if binary.NativeEndian.Uint64(b[off:]) == id && binary.NativeEndian.Uint32(b[off+boltkv.BoltOverflowAt:]) == 0 {
			out = append(out, off)
		}
	}
	slices.Sort(out) // the same flips for the same seed
	return out, ps
}

// leafWithElements returns the offset of a leaf page that the newest meta
// reaches and that has elements.
func leafWithElements(t *testing.T, b []byte) int {
	t.Helper()
	seen, ps := reachable(t, b)
	for id := range seen {
		off := int(id) * ps
		if binary.NativeEndian.Uint16(b[off+8:]) == boltkv.PageLeaf && binary.NativeEndian.Uint16(b[off+10:]) > 0 {
			return off
		}
	}
	t.Fatal("no leaf page")
	return 0
}

// TestOpen_CraftedKeySize: a leaf element whose key size is 0xF0000000
// killed the process from bbolt's freelist goroutine; Open refuses it.
func TestOpen_CraftedKeySize(t *testing.T) {
	b, _ := damageFixture(t)
	off := leafWithElements(t, b)
	binary.NativeEndian.PutUint32(b[off+boltkv.BoltPageHeader+8:], 0xF0000000)
	path := filepath.Join(t.TempDir(), "crafted.db")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	_, err := engine.Open(path, nil)
	require.ErrorIs(t, err, engine.ErrCorrupt)
	require.ErrorContains(t, err, "runs past the page")
}
