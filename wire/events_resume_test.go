package wire_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// A client that reconnects with the last id it read (as an EventSource
// does) gets the events committed while it was away, then the rest; the
// ids go on from where they were.
func TestEventStream_Resume(t *testing.T) {
	db, _ := enginetest.New(t, &engine.Options{EventHistory: 100})
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	put := func(key string) {
		_, err := db.Put(ctx, "bkt", key, strings.NewReader(key), nil)
		require.NoError(t, err)
	}
	s := &wire.EventStream{DB: db, Source: "aws:s3", Region: "us-east-1"}
	r, stop := resume(t, s, "", "")
	put("a")
	put("b")
	require.Equal(t, "a", recordOf(t, r.next()).S3.Object.Key)
	last := r.next()
	require.Equal(t, "b", recordOf(t, last).S3.Object.Key)
	stop()
	put("c") // the client is away

	put("d")

	r, _ = resume(t, s, "", last.id)
	put("e")
	epoch, n, _ := strings.Cut(last.id, "-")
	lastN, err := strconv.ParseUint(n, 10, 64)
	require.NoError(t, err)
	for i, key := range []string{"c", "d", "e"} {
		e := r.next()
		require.Equal(t, key, recordOf(t, e).S3.Object.Key)
		require.Equal(t, epoch+"-"+strconv.FormatUint(lastN+1+uint64(i), 10), e.id)
	}

	// The query's selection applies to what is resumed too.
	sel, _ := resume(t, s, "prefix=d", last.id)
	require.Equal(t, "d", recordOf(t, sel.next()).S3.Object.Key)
}

// An id this server did not give (another process, another node, a
// garbled one) cannot be resumed: a Gap of an unknown count (-1) first,
// then the stream from now.
func TestEventStream_ResumeUnknownID(t *testing.T) {
	db, _ := enginetest.New(t, &engine.Options{EventHistory: 100})
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	s := &wire.EventStream{DB: db, Source: "aws:s3", Region: "us-east-1"}
	for _, id := range []string{"000000000000-3", "7", "x-y", "-1", s3Epoch(t, s) + "-0", s3Epoch(t, s) + "-18446744073709551615"} {
		r, stop := resume(t, s, "", id)
		e := r.next()
		require.Equal(t, "Gap", e.event, id)
		require.JSONEq(t, `{"missed":-1}`, e.data, id)
		_, err := db.Put(ctx, "bkt", "k", strings.NewReader("x"), nil)
		require.NoError(t, err)
		require.Equal(t, "ObjectCreated:Put", r.next().event, id)
		stop()
	}
}

// A history too short for what was missed: a Gap counting the lost
// events, then those it kept.
func TestEventStream_ResumePastHistory(t *testing.T) {
	db, _ := enginetest.New(t, &engine.Options{EventHistory: 2})
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	s := &wire.EventStream{DB: db, Source: "aws:s3", Region: "us-east-1"}
	r, stop := resume(t, s, "", "")
	_, err := db.Put(ctx, "bkt", "first", strings.NewReader("x"), nil)
	require.NoError(t, err)
	first := r.next()
	stop()
	for _, k := range []string{"a", "b", "c", "d"} {
		_, err := db.Put(ctx, "bkt", k, strings.NewReader(k), nil)
		require.NoError(t, err)
	}
	r, _ = resume(t, s, "", first.id)
	e := r.next()
	require.Equal(t, "Gap", e.event)
	require.JSONEq(t, `{"missed":2,"atMost":true}`, e.data, "every event lost, selected or not")
	require.Equal(t, "c", recordOf(t, r.next()).S3.Object.Key)
	require.Equal(t, "d", recordOf(t, r.next()).S3.Object.Key)
}

// s3Epoch is the server mark of s's ids, read from a first event.
func s3Epoch(t *testing.T, s *wire.EventStream) string {
	t.Helper()
	r, stop := resume(t, s, "", "")
	defer stop()
	_, err := s.DB.Put(context.Background(), "bkt", "mark", strings.NewReader("m"), nil)
	require.NoError(t, err)
	epoch, _, _ := strings.Cut(r.next().id, "-")
	return epoch
}

// Events given twice select what either names; a bucket or a prefix
// given twice is refused, 400.
func TestEventStream_RepeatedParameters(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	s := &wire.EventStream{DB: db, Source: "aws:s3", Region: "us-east-1"}
	r := subscribe(t, s, "events=ObjectCreated:Put&events=ObjectRemoved:Delete")
	_, err := db.Put(ctx, "bkt", "k", strings.NewReader("x"), nil)
	require.NoError(t, err)
	require.NoError(t, db.Delete(ctx, "bkt", "k"))
	require.Equal(t, "ObjectCreated:Put", r.next().event)
	require.Equal(t, "ObjectRemoved:Delete", r.next().event)

	for _, q := range []string{"bucket=a&bucket=b", "prefix=a&prefix=b"} {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", wire.EventsPath+"?"+q, nil)
		status, err := s.Serve(w, req, req.URL.Query())
		require.NoError(t, err)
		require.Equal(t, 400, status, q)
		require.Equal(t, 400, w.Code, q)
	}
}
