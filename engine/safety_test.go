package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// withErr returns the bytes of r and, with the last of them, err: what
// net/http's body reader does for a body cut short (io.ErrUnexpectedEOF).
type withErr struct {
	r   io.Reader
	err error
}

func (w *withErr) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err == io.EOF || n > 0 && w.r.(*bytes.Reader).Len() == 0 {
		return n, w.err
	}
	return n, err
}

// TestPut_ReaderErrorsFail: a reader's error, with or without bytes, at a
// chunk's end or inside one, io.ErrUnexpectedEOF included, fails the Put
// and leaves the old object as it was.
func TestPut_ReaderErrorsFail(t *testing.T) {
	const chunk = 256 << 10
	for _, n := range []int{0, 1, 1000, chunk - 1, chunk, chunk + 1, 2 * chunk, 40 * chunk} {
		for _, cut := range []error{io.ErrUnexpectedEOF, errors.New("connection reset")} {
			t.Run(fmt.Sprintf("%d/%v", n, cut), func(t *testing.T) {
				f := newFixture(t)
				old := f.put("k", storageclass.Standard, "the old object")
				_, err := f.db.Put(ctx, "bkt", "k", &withErr{r: bytes.NewReader(make([]byte, n)), err: cut}, nil)
				require.ErrorIs(t, err, cut)
				require.Equal(t, old, f.head("k"))
				got, err := f.read("k")
				require.NoError(t, err)
				require.Equal(t, "the old object", got)
			})
		}
	}
	t.Run("timeout in the middle", func(t *testing.T) {
		f := newFixture(t)
		f.put("k", storageclass.Standard, "old")
		r := io.MultiReader(bytes.NewReader(make([]byte, 3*chunk+5)), iotest.TimeoutReader(strings.NewReader("x")))
		_, err := f.db.Put(ctx, "bkt", "k", iotest.TimeoutReader(r), nil)
		require.ErrorIs(t, err, iotest.ErrTimeout)
		got, err := f.read("k")
		require.NoError(t, err)
		require.Equal(t, "old", got)
	})
}

// TestTimes_PastYear2262: with the clock past 2262-04-11 (where Unix
// nanoseconds end) objects keep their times and restores complete; up to
// the last day of year 9999.
func TestTimes_PastYear2262(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2262, 4, 11, 23, 47, 16, 0, time.UTC),
		time.Date(2300, 6, 1, 12, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 20, 0, 0, 0, 0, time.UTC),
	} {
		t.Run(at.Format(time.DateOnly), func(t *testing.T) {
			f := newFixture(t)
			f.m.Set(at)
			oi := f.put("k", storageclass.ColdArchive, "body")
			require.Equal(t, at, oi.LastModified)
			require.Equal(t, at, f.head("k").LastModified)
			res, err := f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: 1, Tier: storageclass.TierExpedited})
			require.NoError(t, err)
			require.Equal(t, 202, res.Status.HTTPStatus())
			enginetest.Advance(t, f.db, f.m, 5*time.Hour)
			got, err := f.read("k")
			require.NoError(t, err, "the restore completed")
			require.Equal(t, "body", got)
			enginetest.Advance(t, f.db, f.m, 2*day)
			_, err = f.read("k")
			require.ErrorIs(t, err, coldstore.ErrInvalidObjectState, "and expired")
		})
	}
}

// TestTimes_OutsideTheRange: writes are refused, with nothing changed,
// while the clock reads past coldstore.MaxTime or before MinTime, and a
// restore that would end past MaxTime is refused.
func TestTimes_OutsideTheRange(t *testing.T) {
	f := newFixture(t)
	f.put("k", storageclass.Archive, "body")
	before := f.head("k")
	for _, at := range []time.Time{coldstore.MaxTime.Add(time.Microsecond), time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)} {
		f.m.Set(at)
		_, err := f.db.Put(ctx, "bkt", "k", strings.NewReader("new"), nil)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "at %v", at)
		err = f.db.CreateBucket(ctx, "other", nil)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
		_, err = f.db.Restore(ctx, "bkt", "k", nil)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
		require.Equal(t, before, f.head("k"))
	}
	f.m.Set(coldstore.MaxTime.Add(-2 * time.Hour))
	_, err := f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: 1})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "its expiry would pass MaxTime")
	require.ErrorContains(t, err, "after 9999-12-31")
	require.Equal(t, before, f.head("k"))
}

// TestLifecycle_PracticallyNever: Days of 999999 (past what time.Duration
// holds) never acts in any year the clock can reach; Days beyond MaxDays
// are refused.
func TestLifecycle_PracticallyNever(t *testing.T) {
	f := newFixture(t)
	body := strings.Repeat("x", 100<<10)
	f.put("logs/a", storageclass.Standard, body)
	cfg, err := lifecycle.ParseXML([]byte(`<LifecycleConfiguration>
<Rule><ID>never</ID><Prefix>logs/</Prefix><Status>Enabled</Status>
<Transition><Days>999998</Days><StorageClass>Archive</StorageClass></Transition>
<Expiration><Days>999999</Days></Expiration></Rule></LifecycleConfiguration>`))
	require.NoError(t, err)
	require.NoError(t, f.db.PutBucketLifecycle(ctx, "bkt", cfg))
	for _, d := range []time.Duration{0, 24 * time.Hour, 106000 * day, 106000 * day, 106000 * day} {
		f.m.Add(d)
		res, err := f.db.RunLifecycle(ctx)
		require.NoError(t, err)
		require.Zero(t, res.Transitioned+res.Expired, "after %v", d)
		require.NoError(t, f.db.Check(ctx))
	}
	require.Equal(t, storageclass.Standard, f.head("logs/a").StorageClass)

	cfg, err = lifecycle.ParseXML([]byte(`<LifecycleConfiguration><Rule><ID>x</ID><Prefix></Prefix><Status>Enabled</Status>
<Expiration><Days>3650001</Days></Expiration></Rule></LifecycleConfiguration>`))
	if err == nil {
		err = f.db.PutBucketLifecycle(ctx, "bkt", cfg)
	}
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
}

// TestKeys_XMLCannotCarry: keys that no XML listing could name again are
// refused, and nothing is stored.
func TestKeys_XMLCannotCarry(t *testing.T) {
	f := newFixture(t)
	for _, key := range []string{"a\x00b", "bell\a", "esc\x1b[0m", "\x7fok?", "\uFFFE", "x\uFFFF"} {
		_, err := f.db.Put(ctx, "bkt", key, strings.NewReader("x"), nil)
		if key == "\x7fok?" {
			require.NoError(t, err, "DEL is a Char of XML 1.0")
			continue
		}
		require.ErrorIs(t, err, coldstore.ErrInvalidObjectName, "%q", key)
	}
	f.put("tab\tand\nlines\r", storageclass.Standard, "x")
	page, err := f.db.List(ctx, "bkt", nil)
	require.NoError(t, err)
	require.Len(t, page.Objects, 2)
}
