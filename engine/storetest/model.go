package storetest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/internal/model"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

var (
	flagSeed = flag.Uint64("model.seed", 0, "replay the model test with this seed only")
	flagLong = flag.Bool("long", false, "run the long randomized and crash tests")
)

var ctx = context.Background()

// source is where the driver draws its choices: a seeded generator, or the
// bytes of a fuzz input.
type source interface {
	intn(n int) int
	done() bool
}

type randSource struct{ r *rand.Rand }

func (s randSource) intn(n int) int { return s.r.IntN(n) }
func (s randSource) done() bool     { return false }

type byteSource struct{ b []byte }

func (s *byteSource) intn(n int) int {
	if len(s.b) == 0 {
		return 0
	}
	v := int(s.b[0])
	s.b = s.b[1:]
	if n > 256 && len(s.b) > 0 {
		v = v<<8 | int(s.b[0])
		s.b = s.b[1:]
	}
	return v % n
}
func (s *byteSource) done() bool { return len(s.b) == 0 }

func pick[T any](s source, xs ...T) T { return xs[s.intn(len(xs))] }

// The driver's vocabulary: a few names, valid and not, so operations meet.
var (
	drvBuckets = []string{"bkt", "arc", "nob", "Bad_Name"}
	drvKeys    = []string{"a", "b", "a/1", "a/2", "dir/x", "", "/abs"}
	drvClasses = []storageclass.Class{"", storageclass.Standard, storageclass.IA, storageclass.Archive, storageclass.ColdArchive, storageclass.DeepColdArchive, "Glacier"}
	drvTiers   = []storageclass.Tier{"", storageclass.TierExpedited, storageclass.TierStandard, storageclass.TierBulk, "Turbo"}
	drvDays    = []int{0, 1, 2, 7, 8, 30, 365, 366, -1}
	drvSteps   = []time.Duration{time.Second, time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour, 5 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}
)

// drvPolicies are the lifecycle configurations the driver sets: valid
// ones that transition (with and without AllowSmallFile), expire, or both,
// and one that Validate refuses.
var drvPolicies = []*lifecycle.Configuration{
	{Rules: []lifecycle.Rule{{ID: "tier", Prefix: "a", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 1, StorageClass: storageclass.IA, AllowSmallFile: true}, {Days: 3, StorageClass: storageclass.Archive, AllowSmallFile: true}},
		Expiration:  &lifecycle.Expiration{Days: 30}}}},
	{Rules: []lifecycle.Rule{{ID: "cold", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 2, StorageClass: storageclass.ColdArchive}}}}},
	{Rules: []lifecycle.Rule{
		{ID: "deep", Prefix: "", Enabled: true, Transitions: []lifecycle.Transition{{Days: 1, StorageClass: storageclass.DeepColdArchive, AllowSmallFile: true}}, Expiration: &lifecycle.Expiration{Days: 9}},
		{ID: "off", Prefix: "b", Enabled: false, Transitions: []lifecycle.Transition{{Days: 1, StorageClass: storageclass.IA}}}}},
	{Rules: []lifecycle.Rule{{ID: "bad", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 5, StorageClass: storageclass.IA}, {Days: 3, StorageClass: storageclass.Archive}}}}},
	{Rules: []lifecycle.Rule{
		{ID: "abort", Prefix: "a", Enabled: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 1}},
		{ID: "abort-old", Prefix: "d", Enabled: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{CreatedBefore: time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC)},
			Expiration: &lifecycle.Expiration{Days: 5}}}},
}

// drvACLs are the object ACLs the driver sets: every valid one and one
// that is not.
var drvACLs = []string{"", engine.ACLDefault, engine.ACLPrivate, engine.ACLPublicRead, engine.ACLPublicReadWrite, "public"}

// drvUpload is an upload the engine initiated, as the driver names it.
type drvUpload struct{ bkt, key, id string }

func policyName(c *lifecycle.Configuration) string { return c.Rules[0].ID }

// driver runs the same operations on the engine and the model and compares
// every answer.
type driver struct {
	t     testing.TB
	store Store
	dir   string
	clk   *clock.Mock
	db    *engine.DB
	m     *model.Model
	log   []string
	ops   int
	label string

	transitioned, expired, aborted int // by the lifecycle, for the log
	// uploads are the latest uploads the engine initiated, in progress or
	// not: the operations on uploads name one of them (or none).
	uploads   []drvUpload
	completed int // uploads completed, for the log
	// outcomes counts the answers compared, by operation and error code
	// ("" for success), for the log.
	outcomes map[string]int
}

func newDriver(t testing.TB, s Store, label string) *driver {
	clk := clock.NewMock()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clk.Set(start)
	d := &driver{t: t, store: s, dir: t.TempDir(), clk: clk, m: model.New(start), label: label}
	d.open()
	t.Cleanup(func() { _ = d.db.Close() })
	return d
}

func (d *driver) open() {
	st, err := d.store.Open(d.dir, true)
	require.NoError(d.t, err)
	db, err := engine.OpenStore(st, &engine.Options{Clock: d.clk, DisableSweeper: true, BodyCache: d.store.BodyCache})
	require.NoError(d.t, err)
	d.db = db
}

// fail reports a divergence with the recent operations and how to replay.
func (d *driver) fail(format string, args ...any) {
	d.t.Helper()
	start := max(0, len(d.log)-25)
	d.t.Fatalf("%s: after %d operations: %s\nlast operations:\n  %s", d.label, d.ops, fmt.Sprintf(format, args...), strings.Join(d.log[start:], "\n  "))
}

func (d *driver) sameErr(op string, got, want error) bool {
	d.t.Helper()
	if coldstore.Code(got) != coldstore.Code(want) {
		d.fail("%s: engine answered %v, model %v", op, got, want)
	}
	if d.outcomes == nil {
		d.outcomes = map[string]int{}
	}
	d.outcomes[op+" "+coldstore.Code(got)]++
	return got == nil
}

func (d *driver) same(op string, got, want any) {
	d.t.Helper()
	if !equal(got, want) {
		d.fail("%s:\nengine %+v\nmodel  %+v", op, got, want)
	}
}

func equal(a, b any) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }

func body(s source) []byte {
	return bodyOf(s, pick(s, 0, 1, 10, 100, 5000, 5000, 50_000, 300_000))
}

// partBody is a part's body: one of body's, or one around MinPartSize, so
// that completions both succeed and meet ErrEntityTooSmall.
func partBody(s source) []byte {
	if s.intn(2) == 0 {
		return body(s)
	}
	return bodyOf(s, pick(s, engine.MinPartSize-1, engine.MinPartSize, engine.MinPartSize+1))
}

func bodyOf(s source, n int) []byte {
	b := make([]byte, n)
	seed := byte(s.intn(256))
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

// putOptions draws the options of a write of an object of class.
func (d *driver) putOptions(s source, class storageclass.Class) engine.PutOptions {
	opts := engine.PutOptions{StorageClass: class, ContentType: pick(s, "", "text/plain")}
	switch s.intn(8) {
	case 0:
		opts.Metadata = map[string]string{"owner": "me", "n": fmt.Sprint(d.ops)}
	case 1:
		opts.Metadata = map[string]string{"big": strings.Repeat("x", 8200)}
	}
	if s.intn(4) == 0 {
		opts.ACL = pick(s, drvACLs...)
	}
	opts.ForbidOverwrite = s.intn(10) == 0
	return opts
}

// step runs one random operation.
func (d *driver) step(s source) {
	d.t.Helper()
	ctx := ctx
	d.ops++
	bkt, key := pick(s, drvBuckets...), pick(s, drvKeys...)
	switch op := s.intn(40); op {
	case 24, 25, 26, 27, 28, 29, 30, 31, 32, 33:
		d.stepUpload(s, op, bkt, key)
	case 34, 35:
		d.stepAppend(s, bkt, key)
	case 36, 37:
		d.stepSymlink(s, op, bkt, key)
	case 38, 39:
		acl := pick(s, drvACLs...)
		d.log = append(d.log, fmt.Sprintf("SetObjectACL(%q, %q, %q)", bkt, key, acl))
		got, err := d.db.SetObjectACL(ctx, bkt, key, acl)
		want, merr := d.m.SetObjectACL(bkt, key, acl)
		if d.sameErr("SetObjectACL", err, merr) {
			d.same("SetObjectACL", got, want)
		}
	case 20:
		cfg := pick(s, drvPolicies...)
		d.log = append(d.log, fmt.Sprintf("PutBucketLifecycle(%q, %v)", bkt, policyName(cfg)))
		d.sameErr("PutBucketLifecycle", d.db.PutBucketLifecycle(ctx, bkt, cfg), d.m.PutBucketLifecycle(bkt, cfg))
	case 21:
		if s.intn(3) != 0 {
			return
		}
		d.log = append(d.log, fmt.Sprintf("DeleteBucketLifecycle(%q)", bkt))
		d.sameErr("DeleteBucketLifecycle", d.db.DeleteBucketLifecycle(ctx, bkt), d.m.DeleteBucketLifecycle(bkt))
	case 22, 23:
		d.log = append(d.log, "RunLifecycle()")
		got, err := d.db.RunLifecycle(ctx)
		require.NoError(d.t, err)
		tr, ex, ab := d.m.RunLifecycle()
		d.transitioned += tr
		d.expired += ex
		d.aborted += ab
		if got.Transitioned != tr || got.Expired != ex || got.Aborted != ab {
			d.fail("RunLifecycle: engine %d transitioned, %d expired, %d aborted; model %d, %d, %d", got.Transitioned, got.Expired, got.Aborted, tr, ex, ab)
		}
	case 0:
		class := pick(s, drvClasses...)
		d.log = append(d.log, fmt.Sprintf("CreateBucket(%q, %q)", bkt, class))
		d.sameErr("CreateBucket", d.db.CreateBucket(ctx, bkt, &engine.BucketOptions{StorageClass: class}), d.m.CreateBucket(bkt, class))
	case 1:
		if s.intn(4) != 0 { // deleting buckets often leaves nothing to do
			return
		}
		d.log = append(d.log, fmt.Sprintf("DeleteBucket(%q)", bkt))
		d.sameErr("DeleteBucket", d.db.DeleteBucket(ctx, bkt), d.m.DeleteBucket(bkt))
	case 2, 3, 4:
		b := body(s)
		opts := d.putOptions(s, pick(s, drvClasses...))
		d.log = append(d.log, fmt.Sprintf("Put(%q, %q, %d bytes, %+v)", bkt, key, len(b), opts))
		got, err := d.db.Put(ctx, bkt, key, bytes.NewReader(b), &opts)
		want, merr := d.m.Put(bkt, key, b, opts)
		if d.sameErr("Put", err, merr) {
			d.same("Put", got, want)
		}
	case 5, 6:
		d.log = append(d.log, fmt.Sprintf("Get(%q, %q)", bkt, key))
		obj, err := d.db.Get(ctx, bkt, key)
		wantBody, want, merr := d.m.Get(bkt, key)
		if d.sameErr("Get", err, merr) {
			got, err := io.ReadAll(obj)
			require.NoError(d.t, err)
			require.NoError(d.t, obj.Close())
			d.same("Get info", obj.Info(), want)
			if !bytes.Equal(got, wantBody) {
				d.fail("Get: content differs (%d bytes, model %d)", len(got), len(wantBody))
			}
		}
	case 7, 8:
		d.log = append(d.log, fmt.Sprintf("Head(%q, %q)", bkt, key))
		got, err := d.db.Head(ctx, bkt, key)
		want, merr := d.m.Head(bkt, key)
		if d.sameErr("Head", err, merr) {
			d.same("Head", got, want)
			if got.Restore.Header() != want.Restore.Header() {
				d.fail("Header: %q, model %q", got.Restore.Header(), want.Restore.Header())
			}
		}
	case 9:
		d.log = append(d.log, fmt.Sprintf("Delete(%q, %q)", bkt, key))
		d.sameErr("Delete", d.db.Delete(ctx, bkt, key), d.m.Delete(bkt, key))
	case 10:
		opts := engine.ListOptions{Prefix: pick(s, "", "a", "a/", "d", "z"), StartAfter: pick(s, "", "a", "a/1", "b"), Limit: pick(s, 0, 1, 2, 3, -1, 1001)}
		d.log = append(d.log, fmt.Sprintf("List(%q, %+v)", bkt, opts))
		got, err := d.db.List(ctx, bkt, &opts)
		want, merr := d.m.List(bkt, opts)
		if d.sameErr("List", err, merr) {
			d.same("List", got, want)
		}
	case 11, 12, 13:
		opts := engine.RestoreOptions{Days: pick(s, drvDays...), Tier: pick(s, drvTiers...)}
		d.log = append(d.log, fmt.Sprintf("Restore(%q, %q, %+v)", bkt, key, opts))
		got, err := d.db.Restore(ctx, bkt, key, &opts)
		want, merr := d.m.Restore(bkt, key, opts)
		if d.sameErr("Restore", err, merr) {
			d.same("Restore", got, want)
		}
	case 14:
		d.log = append(d.log, fmt.Sprintf("CleanRestored(%q, %q)", bkt, key))
		d.sameErr("CleanRestored", d.db.CleanRestored(ctx, bkt, key), d.m.CleanRestored(bkt, key))
	case 15:
		class := pick(s, drvClasses[1:]...)
		d.log = append(d.log, fmt.Sprintf("SetStorageClass(%q, %q, %q)", bkt, key, class))
		got, err := d.db.SetStorageClass(ctx, bkt, key, class)
		want, merr := d.m.SetStorageClass(bkt, key, class)
		if d.sameErr("SetStorageClass", err, merr) {
			d.same("SetStorageClass", got, want)
		}
	case 16, 17:
		step := pick(s, drvSteps...)
		d.log = append(d.log, fmt.Sprintf("Advance(%v)", step))
		d.clk.Add(step)
		d.m.Now = d.m.Now.Add(step)
	case 18:
		d.log = append(d.log, "Sweep()")
		got, err := d.db.Sweep(ctx)
		require.NoError(d.t, err)
		d.same("Sweep", got, d.m.Sweep())
	case 19:
		if s.intn(5) != 0 {
			d.log = append(d.log, "ListBuckets()")
			got, err := d.db.ListBuckets(ctx)
			require.NoError(d.t, err)
			d.same("ListBuckets", got, d.m.ListBuckets())
			return
		}
		if !d.store.Durable {
			return // nothing to open again
		}
		d.log = append(d.log, "Close+Open")
		require.NoError(d.t, d.db.Close())
		d.open()
	}
}

// finish checks the invariants and every object once more.
func (d *driver) finish() {
	d.t.Helper()
	if err := d.db.Check(ctx); err != nil {
		d.fail("Check: %v", err)
	}
	for _, b := range drvBuckets {
		got, err := d.db.List(ctx, b, nil)
		want, merr := d.m.List(b, engine.ListOptions{})
		if d.sameErr("final List", err, merr) {
			d.same("final List", got, want)
		}
	}
	d.finishUploads(1 + d.ops%2)
}

// testModel runs seeded random operations against the engine on s and the
// model: 4 seeds of 5,000 operations (40 of 50,000 with -long). It prints
// each seed; replay one with -model.seed=N.
func testModel(t *testing.T, st Store) {
	seeds, opsPer := 4, 5000
	if *flagLong {
		seeds, opsPer = 40, 50_000
	}
	var list []uint64
	if *flagSeed != 0 {
		list = []uint64{*flagSeed}
	} else {
		base := rand.Uint64() // a new seed each run; each is logged
		for i := range seeds {
			list = append(list, base+uint64(i)*7919)
		}
	}
	total := 0
	outcomes := map[string]int{}
	for _, seed := range list {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Logf("seed %d (replay: go test <the store's package> -run 'Conformance/Model' -model.seed=%d)", seed, seed)
			d := newDriver(t, st, fmt.Sprintf("seed %d", seed))
			s := randSource{rand.New(rand.NewPCG(seed, seed))}
			// Start with the buckets so most operations reach objects.
			require.NoError(t, d.db.CreateBucket(ctx, "bkt", nil))
			require.NoError(t, d.m.CreateBucket("bkt", ""))
			require.NoError(t, d.db.CreateBucket(ctx, "arc", &engine.BucketOptions{StorageClass: storageclass.Archive}))
			require.NoError(t, d.m.CreateBucket("arc", storageclass.Archive))
			for range opsPer {
				d.step(s)
			}
			d.finish()
			t.Logf("lifecycle: %d transitions, %d expirations, %d uploads aborted; %d uploads completed", d.transitioned, d.expired, d.aborted, d.completed)
			total += d.ops
			for k, n := range d.outcomes {
				outcomes[k] += n
			}
		})
	}
	t.Logf("%d operations compared with the model; answers by operation and error code:", total)
	for _, k := range slices.Sorted(maps.Keys(outcomes)) {
		t.Logf("  %-40s %d", k, outcomes[k])
	}
}

// FuzzSeeds are the seed inputs of a fuzz test driven by Fuzz.
func FuzzSeeds() [][]byte {
	var out [][]byte
	for i := range 4 {
		seed := make([]byte, 512)
		r := rand.New(rand.NewPCG(uint64(i), 1))
		for j := range seed {
			seed[j] = byte(r.Uint32())
		}
		out = append(out, seed)
	}
	return out
}

// Fuzz drives the model test's operations, on the engine over st and on
// the model, from the fuzzer's bytes b.
func Fuzz(t *testing.T, st Store, b []byte) {
	{
		d := newDriver(t, st, "fuzz")
		_ = d.db.CreateBucket(ctx, "bkt", nil)
		_ = d.m.CreateBucket("bkt", "")
		s := &byteSource{b: b}
		for !s.done() && d.ops < 500 {
			d.step(s)
		}
		d.finish()
	}
}
