package engine

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func openListDB(t *testing.T) (*DB, *clock.Mock) {
	t.Helper()
	m := clock.NewMock()
	m.Set(time2024)
	db, err := Open(filepath.Join(t.TempDir(), "db"), &Options{DisableSweeper: true, NoSync: true, Clock: m})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
	return db, m
}

var time2024 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// listModel is what a listing must answer, from the sorted keys.
func listModel(keys []string, o ListOptions) (objects, prefixes []string, next string, truncated bool) {
	if o.Limit == 0 {
		o.Limit = MaxListLimit
	}
	var entries []string
	isPrefix := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, o.Prefix) {
			continue
		}
		e := k
		if o.Delimiter != "" {
			if i := strings.Index(k[len(o.Prefix):], o.Delimiter); i >= 0 {
				e = k[:len(o.Prefix)+i+len(o.Delimiter)]
				if e == o.StartAfter || k <= o.StartAfter {
					continue
				}
				if isPrefix[e] {
					continue
				}
				isPrefix[e] = true
			}
		}
		if !isPrefix[e] && e <= o.StartAfter {
			continue
		}
		entries = append(entries, e)
	}
	if len(entries) > o.Limit {
		entries, truncated = entries[:o.Limit], true
		next = entries[len(entries)-1]
	}
	for _, e := range entries {
		if isPrefix[e] {
			prefixes = append(prefixes, e)
		} else {
			objects = append(objects, e)
		}
	}
	return
}

// TestList_DelimiterModel compares List with a Delimiter to a model over
// random keys, prefixes, delimiters, start points and limits, with an
// expiry index after the keys (restored archive objects).
func TestList_DelimiterModel(t *testing.T) {
	ctx := context.Background()
	db, _ := openListDB(t)
	r := rand.New(rand.NewPCG(11, 12))
	alphabet := []string{"a", "b", "/", "-", "é", "ab/"}
	var keys []string
	seen := map[string]bool{}
	for len(keys) < 300 {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		k := b.String()
		if seen[k] || strings.HasPrefix(k, "/") {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
		class := storageclass.Standard
		if r.IntN(10) == 0 {
			class = storageclass.Archive
		}
		_, err := db.Put(ctx, "bkt", k, strings.NewReader("x"), &PutOptions{StorageClass: class})
		require.NoError(t, err)
		if class == storageclass.Archive {
			_, err := db.Restore(ctx, "bkt", k, nil)
			require.NoError(t, err)
		}
	}
	sort.Strings(keys)
	starts := append([]string{"", "a", "a/", "ab/", "b/a", "zzz"}, keys[:20]...)
	for i := 0; i < 3000; i++ {
		o := ListOptions{
			Prefix:     []string{"", "a", "a/", "b", "ab/", "é"}[r.IntN(6)],
			StartAfter: starts[r.IntN(len(starts))],
			Delimiter:  []string{"", "/", "-", "b/", "é"}[r.IntN(5)],
			Limit:      []int{0, 1, 2, 3, 7, 50}[r.IntN(6)],
		}
		page, err := db.List(ctx, "bkt", &o)
		require.NoError(t, err)
		objs, prefixes, next, truncated := listModel(keys, o)
		var got []string
		for _, oi := range page.Objects {
			got = append(got, oi.Key)
		}
		require.Equal(t, objs, got, "%+v", o)
		require.Equal(t, prefixes, page.CommonPrefixes, "%+v", o)
		require.Equal(t, truncated, page.Truncated, "%+v", o)
		require.Equal(t, next, page.NextStartAfter, "%+v", o)
	}
}

// TestList_DelimiterCost: 3,000 directories of one object each cost a
// page what it lists. A page of 100 common prefixes reads 101 cursor
// positions with the Delimiter; the loop ossapi ran before (a List per
// common prefix, each of max-keys+1 objects) read far more, and grew
// with the square of the page.
func TestList_DelimiterCost(t *testing.T) {
	ctx := context.Background()
	db, _ := openListDB(t)
	for i := range 3000 {
		_, err := db.Put(ctx, "bkt", fmt.Sprintf("dir%04d/only", i), bytes.NewReader(nil), nil)
		require.NoError(t, err)
	}
	for _, limit := range []int{100, 1000} {
		page, pageVisited, err := db.list(ctx, "bkt", &ListOptions{Delimiter: "/", Limit: limit})
		require.NoError(t, err)
		require.Len(t, page.CommonPrefixes, limit)
		require.True(t, page.Truncated)
		require.LessOrEqual(t, pageVisited, limit+2, "a page of %d reads O(page) records", limit)
		old := oldDelimiterCost(t, db, limit)
		t.Logf("page of %d common prefixes: %d records read with Delimiter, %d by the loop before", limit, pageVisited, old)
		require.Greater(t, old, 10*pageVisited)
	}
	// All 3,000, page by page: each directory read once.
	after, visited, n := "", 0, 0
	for {
		page, v, err := db.list(ctx, "bkt", &ListOptions{Delimiter: "/", Limit: 1000, StartAfter: after})
		require.NoError(t, err)
		visited += v
		n += len(page.CommonPrefixes)
		if !page.Truncated {
			break
		}
		after = page.NextStartAfter
	}
	require.Equal(t, 3000, n)
	require.LessOrEqual(t, visited, 3000+3*2)
}

// oldDelimiterCost replays what ossapi's listObjects did before the
// engine grouped keys: a List of up to limit-count+1 objects per common
// prefix, restarting past it. It returns the records read.
func oldDelimiterCost(t *testing.T, db *DB, limit int) int {
	t.Helper()
	ctx := context.Background()
	count, after, visited := 0, "", 0
	for count < limit {
		page, v, err := db.list(ctx, "bkt", &ListOptions{StartAfter: after, Limit: min(MaxListLimit, limit-count+1)})
		require.NoError(t, err)
		visited += v
		jumped := false
		for _, o := range page.Objects {
			if i := strings.Index(o.Key, "/"); i >= 0 {
				count++
				after = o.Key[:i+1] + "\xff"
				jumped = true
				break
			}
			count++
			after = o.Key
		}
		if !jumped && !page.Truncated {
			break
		}
	}
	return visited
}
