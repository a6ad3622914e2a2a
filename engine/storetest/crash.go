package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/internal/model"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// The crash test runs the test binary again as a child that writes, and
// kills it with SIGKILL at a random moment. The child is recognised by
// this variable in its environment (Main).
const crashChildEnv = "COLDSTORE_CRASH_CHILD"

var (
	crashStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	crashStep  = 20 * time.Minute // simulated time per write
	crashKeys  = []string{"k0", "k1", "k2", "k3", "k4", "k5", "dir/k6", "dir/k7"}
)

// crashWrite is one write of the child, drawn from a seed.
type crashWrite struct {
	kind   string // put, restore, delete, class, sweep, append, symlink, initiate, part, complete
	key    string // for part and complete, the upload's
	class  storageclass.Class
	size   int
	days   int
	target string // a symlink's
	upload int    // part, complete: the write that initiated the upload
	part   int    // part: its number
}

// crashWrites returns the seed's writes 1..n; write 0 creates the bucket.
// An append goes at the object's length as the child finds it (Head); a
// part goes to an upload initiated before and not completed yet, numbered
// after the upload's last or replacing its first; a completion completes
// with every part stored (CompleteOptions.All).
func crashWrites(seed uint64, n int) []crashWrite {
	r := rand.New(rand.NewPCG(seed, 99))
	out := make([]crashWrite, n+1)
	var open []int         // the uploads not completed, by initiating write
	parts := map[int]int{} // parts stored per upload
	size := func(sizes ...int) int {
		if r.IntN(16) == 0 {
			return 9 << 20 // staged in more than one transaction
		}
		return sizes[r.IntN(len(sizes))]
	}
	for i := 1; i <= n; i++ {
		w := crashWrite{key: crashKeys[r.IntN(len(crashKeys))]}
		x := r.IntN(18)
		if x >= 14 && len(open) == 0 {
			x = 13 // nothing to add parts to or complete: initiate
		}
		switch {
		case x < 4:
			w.kind = "put"
			w.class = allClasses[r.IntN(len(allClasses))]
			w.size = []int{0, 10, 5000, 100_000, 300_000, 1_200_000}[r.IntN(6)]
		case x < 7:
			w.kind, w.days = "restore", 1+r.IntN(3)
		case x < 8:
			w.kind = "delete"
		case x < 9:
			w.kind, w.class = "class", allClasses[r.IntN(len(allClasses))]
		case x < 10:
			w.kind = "sweep"
		case x < 12:
			w.kind, w.class = "append", allClasses[r.IntN(len(allClasses))]
			w.size = size(1, 100, 5000, 300_000, 1_200_000)
		case x < 13:
			w.kind, w.class = "symlink", allClasses[r.IntN(len(allClasses))]
			w.target = crashKeys[r.IntN(len(crashKeys))]
		case x < 14:
			w.kind, w.class = "initiate", allClasses[r.IntN(len(allClasses))]
			open = append(open, i)
		case x < 17:
			w.kind, w.upload = "part", open[r.IntN(len(open))]
			w.key = out[w.upload].key
			parts[w.upload]++
			w.part = parts[w.upload]
			if r.IntN(5) == 0 {
				w.part = 1
			}
			w.size = size(engine.MinPartSize, 300_000, 10)
		default:
			j := r.IntN(len(open))
			w.kind, w.upload = "complete", open[j]
			w.key = out[w.upload].key
			open = slices.Delete(open, j, j+1)
		}
		out[i] = w
	}
	return out
}

func crashBody(seq, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(seq*31 + i*7 + i>>9)
	}
	return b
}

// crashChild performs the writes of spec "path seed nosync" forever,
// printing "begin N" before and "ack N" after each.
func crashChild(st Store, spec string) int {
	var path string
	var seed uint64
	var nosync bool
	if _, err := fmt.Sscan(spec, &path, &seed, &nosync); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	clk := clock.NewMock()
	clk.Set(crashStart)
	s, err := st.Open(path, nosync)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	db, err := engine.OpenStore(s, &engine.Options{Clock: clk, DisableSweeper: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	writes := crashWrites(seed, 100_000)
	ids := map[int]string{} // the engine's upload ids, by initiating write
	for seq, w := range writes {
		clk.Set(crashStart.Add(time.Duration(seq) * crashStep))
		fmt.Fprintf(os.Stdout, "begin %d\n", seq)
		if seq == 0 {
			_ = db.CreateBucket(ctx, "crash", nil)
		} else {
			_ = applyEngine(ctx, db, seq, w, ids)
		}
		fmt.Fprintf(os.Stdout, "ack %d\n", seq)
	}
	return 0
}

func applyEngine(ctx context.Context, db *engine.DB, seq int, w crashWrite, ids map[int]string) error {
	var err error
	switch w.kind {
	case "append":
		var pos int64
		if oi, err := db.Head(ctx, "crash", w.key); err == nil {
			pos = oi.Size
		}
		_, err = db.Append(ctx, "crash", w.key, pos, bytes.NewReader(crashBody(seq, w.size)), &engine.PutOptions{StorageClass: w.class})
	case "symlink":
		_, err = db.PutSymlink(ctx, "crash", w.key, w.target, &engine.PutOptions{StorageClass: w.class})
	case "initiate":
		var up engine.Upload
		up, err = db.InitiateUpload(ctx, "crash", w.key, &engine.PutOptions{StorageClass: w.class})
		ids[seq] = up.UploadID
	case "part":
		_, err = db.UploadPart(ctx, "crash", w.key, ids[w.upload], w.part, bytes.NewReader(crashBody(seq, w.size)))
	case "complete":
		_, err = db.CompleteUpload(ctx, "crash", w.key, ids[w.upload], nil, &engine.CompleteOptions{All: true})
	case "put":
		_, err = db.Put(ctx, "crash", w.key, bytes.NewReader(crashBody(seq, w.size)), &engine.PutOptions{StorageClass: w.class})
	case "restore":
		_, err = db.Restore(ctx, "crash", w.key, &engine.RestoreOptions{Days: w.days})
	case "delete":
		err = db.Delete(ctx, "crash", w.key)
	case "class":
		_, err = db.SetStorageClass(ctx, "crash", w.key, w.class)
	case "sweep":
		_, err = db.Sweep(ctx)
	}
	return err
}

// crashUploadID is the model's id of the upload write seq initiated; the
// engine's differ, and uploads are matched by their order (compareAll).
func crashUploadID(seq int) string { return fmt.Sprintf("upload-%d", seq) }

// modelAfter replays writes 0..n on a model.
func modelAfter(writes []crashWrite, n int) *model.Model {
	m := model.New(crashStart)
	for seq := 0; seq <= n; seq++ {
		m.Now = crashStart.Add(time.Duration(seq) * crashStep)
		if seq == 0 {
			_ = m.CreateBucket("crash", "")
			continue
		}
		w := writes[seq]
		switch w.kind {
		case "append":
			var pos int64
			if oi, err := m.Head("crash", w.key); err == nil {
				pos = oi.Size
			}
			_, _ = m.Append("crash", w.key, pos, crashBody(seq, w.size), engine.PutOptions{StorageClass: w.class})
		case "symlink":
			_, _ = m.PutSymlink("crash", w.key, w.target, engine.PutOptions{StorageClass: w.class})
		case "initiate":
			_, _ = m.InitiateUpload("crash", w.key, engine.PutOptions{StorageClass: w.class}, crashUploadID(seq))
		case "part":
			_, _ = m.UploadPart("crash", w.key, crashUploadID(w.upload), w.part, crashBody(seq, w.size))
		case "complete":
			_, _ = m.CompleteUpload("crash", w.key, crashUploadID(w.upload), nil, engine.CompleteOptions{All: true})
		case "put":
			_, _ = m.Put("crash", w.key, crashBody(seq, w.size), engine.PutOptions{StorageClass: w.class})
		case "restore":
			_, _ = m.Restore("crash", w.key, engine.RestoreOptions{Days: w.days})
		case "delete":
			_ = m.Delete("crash", w.key)
		case "class":
			_, _ = m.SetStorageClass("crash", w.key, w.class)
		case "sweep":
			m.Sweep()
		}
	}
	return m
}

// testCrash kills a child writing on st 20 times (200 with -long), and
// checks that the store holds every acknowledged write.
func testCrash(t *testing.T, st Store) {
	rounds := 20
	if *flagLong {
		rounds = 200
	}
	base := rand.Uint64() // a new seed each run; each round's is logged
	inflight := 0
	kinds := map[string]int{} // acknowledged writes by kind
	inFlight := map[string]int{}
	for round := range rounds {
		seed := base + uint64(round)
		nosync := round%2 == 1
		t.Run(fmt.Sprintf("round%d/nosync=%v", round, nosync), func(t *testing.T) {
			acked, begun := crashRound(t, seed, nosync)
			matched := verifyCrash(t, st, seed, nosync, acked, begun)
			writes := crashWrites(seed, begun)
			for _, w := range writes[1 : acked+1] {
				kinds[w.kind]++
			}
			if begun > acked {
				inflight++
				inFlight[writes[begun].kind]++
			}
			t.Logf("seed %d: killed after %d acknowledged writes (in flight: %v); the file holds writes 0..%d", seed, acked, begun > acked, matched)
		})
	}
	t.Logf("%d crash rounds, %d killed with a write in flight (%v); no acknowledged write lost; acknowledged writes: %v", rounds, inflight, inFlight, kinds)
}

// crashRound runs a child on a fresh file and kills it; it returns the last
// acknowledged write and the last begun one.
func crashRound(t *testing.T, seed uint64, nosync bool) (acked, begun int) {
	path := t.TempDir()
	t.Setenv("COLDSTORE_CRASH_PATH", path) // for verifyCrash
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %v", crashChildEnv, path, seed, nosync))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	r := rand.New(rand.NewPCG(seed, 7))
	// Kill once a random number of writes has been acknowledged, as soon as
	// one of the next few writes begins: the child prints "begin" and
	// writes, so the signal lands inside the write, or after it when the
	// write is faster than the signal.
	target, later := 5+r.IntN(60), r.IntN(4)
	acked, begun = -1, -1
	killed := false
	for line := range lines {
		kind, n, _ := strings.Cut(line, " ")
		seq, err := strconv.Atoi(n)
		require.NoError(t, err, line)
		switch kind {
		case "begin":
			begun = seq
		case "ack":
			acked = seq
		}
		if !killed && acked >= target && kind == "begin" {
			if later > 0 {
				later--
				continue
			}
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	_ = cmd.Wait()
	require.True(t, killed, "child ended by itself: %s", stderr.String())
	return acked, begun
}

// verifyCrash opens the killed child's file and checks that it holds exactly
// the acknowledged writes, plus possibly the one in flight.
func verifyCrash(t *testing.T, st Store, seed uint64, nosync bool, acked, begun int) (matched int) {
	path := os.Getenv("COLDSTORE_CRASH_PATH")
	writes := crashWrites(seed, begun)
	now := crashStart.Add(time.Duration(begun) * crashStep)
	clk := clock.NewMock()
	clk.Set(now)
	s, err := st.Open(path, false)
	require.NoError(t, err)
	db, err := engine.OpenStore(s, &engine.Options{Clock: clk, DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Check(ctx), "invariants after the crash")

	candidates := []int{acked}
	if begun > acked {
		candidates = append(candidates, begun)
	}
	var mismatch []string
	var match *model.Model
	for _, n := range candidates {
		m := modelAfter(writes, n)
		m.Now = now
		if diff := compareAll(db, m); diff != "" {
			mismatch = append(mismatch, fmt.Sprintf("after write %d: %s", n, diff))
			continue
		}
		match, matched = m, n
		break
	}
	require.NotNil(t, match, "the file matches no acknowledged state (nosync=%v):\n%s", nosync, strings.Join(mismatch, "\n"))

	// The uploads in progress hold their parts' bytes: each completes,
	// with its parts of at least MinPartSize and its last, into the object
	// the model completes.
	completeUploads(t, db, match)

	// Nothing is stuck: every object reads back its exact content, once
	// restored if it is archived; a link names its target. A restore
	// accepted now is ready within 48 hours and lasts 7 days, so a second
	// pass reads what the first restored.
	var todo []string
	for _, k := range match.Keys("crash") {
		if want, _, err := match.Symlink("crash", k); err == nil {
			got, _, err := db.Symlink(ctx, "crash", k)
			require.NoError(t, err, k)
			require.Equal(t, want, got, "target of %s", k)
			continue
		}
		todo = append(todo, k)
	}
	for pass := 0; len(todo) > 0; pass++ {
		require.Less(t, pass, 3, "objects never became readable: %v", todo)
		var next []string
		for _, k := range todo {
			oi, err := db.Head(ctx, "crash", k)
			require.NoError(t, err, k)
			switch oi.Restore.State {
			case engine.NotArchived, engine.Restored:
				obj, err := db.Get(ctx, "crash", k)
				require.NoError(t, err, k)
				got, err := io.ReadAll(obj)
				require.NoError(t, err)
				require.True(t, bytes.Equal(match.Content("crash", k), got), "content of %s (%s, %d bytes)", k, oi.Type, oi.Size)
				continue
			case engine.Archived:
				_, err := db.Restore(ctx, "crash", k, &engine.RestoreOptions{Days: 7})
				require.NoError(t, err, k)
			}
			next = append(next, k)
		}
		todo = next
		clk.Add(49 * time.Hour)
	}
	_, err = db.Sweep(ctx)
	require.NoError(t, err)
	require.NoError(t, db.Check(ctx))
	return matched
}

// completeUploads completes every upload in progress on db and on m alike
// (compareAll has matched them), and compares the objects they make.
func completeUploads(t *testing.T, db *engine.DB, m *model.Model) {
	t.Helper()
	got, err := db.ListUploads(ctx, "crash", nil)
	require.NoError(t, err)
	want, err := m.ListUploads("crash", engine.ListUploadsOptions{})
	require.NoError(t, err)
	require.Len(t, got.Uploads, len(want.Uploads))
	for i, u := range got.Uploads {
		mu := want.Uploads[i]
		pl, err := m.ListParts("crash", mu.Key, mu.UploadID, engine.ListPartsOptions{})
		require.NoError(t, err)
		var list []engine.CompletedPart
		for j, p := range pl.Parts {
			if p.Size >= engine.MinPartSize || j == len(pl.Parts)-1 {
				list = append(list, engine.CompletedPart{Number: p.Number, ETag: p.ETag})
			}
		}
		if len(list) == 0 {
			require.NoError(t, db.AbortUpload(ctx, "crash", u.Key, u.UploadID))
			require.NoError(t, m.AbortUpload("crash", mu.Key, mu.UploadID))
			continue
		}
		oi, err := db.CompleteUpload(ctx, "crash", u.Key, u.UploadID, list, nil)
		require.NoError(t, err, "complete %s's upload with %v", u.Key, list)
		moi, err := m.CompleteUpload("crash", mu.Key, mu.UploadID, list, engine.CompleteOptions{})
		require.NoError(t, err)
		require.Equal(t, moi, oi, "the object %s's upload completes into", u.Key)
	}
}

// compareAll returns "" when db holds what m does: every key answers Head
// as m does, the bucket lists the same objects, and the same uploads are
// in progress (in the same order: the ids differ) with the same parts.
func compareAll(db *engine.DB, m *model.Model) string {
	for _, k := range crashKeys {
		got, err := db.Head(ctx, "crash", k)
		want, merr := m.Head("crash", k)
		if coldstore.Code(err) != coldstore.Code(merr) {
			return fmt.Sprintf("%s: engine %v, model %v", k, err, merr)
		}
		if err == nil && !equal(got, want) {
			return fmt.Sprintf("%s:\n  engine %+v\n  model  %+v", k, got, want)
		}
	}
	list, err := db.List(ctx, "crash", nil)
	mlist, merr := m.List("crash", engine.ListOptions{})
	if err != nil || merr != nil || !equal(list, mlist) {
		return fmt.Sprintf("List: engine %+v (%v)\n  model  %+v (%v)", list, err, mlist, merr)
	}
	ups, err := db.ListUploads(ctx, "crash", nil)
	mups, merr := m.ListUploads("crash", engine.ListUploadsOptions{})
	if err != nil || merr != nil || len(ups.Uploads) != len(mups.Uploads) {
		return fmt.Sprintf("ListUploads: engine %+v (%v)\n  model  %+v (%v)", ups, err, mups, merr)
	}
	for i, u := range ups.Uploads {
		mu := mups.Uploads[i]
		if u.Key != mu.Key || !u.Initiated.Equal(mu.Initiated) || u.StorageClass != mu.StorageClass {
			return fmt.Sprintf("upload %d: engine %+v, model %+v", i, u, mu)
		}
		parts, err := db.ListParts(ctx, "crash", u.Key, u.UploadID, nil)
		mparts, merr := m.ListParts("crash", mu.Key, mu.UploadID, engine.ListPartsOptions{})
		if err != nil || merr != nil || !equal(parts.Parts, mparts.Parts) {
			return fmt.Sprintf("parts of upload %d (%s): engine %+v (%v)\n  model  %+v (%v)", i, u.Key, parts.Parts, err, mparts.Parts, merr)
		}
	}
	return ""
}
