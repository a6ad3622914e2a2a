package wire_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// sse is one Server-Sent Event.
type sse struct {
	id, event, data string
}

// sseReader reads the events of a stream.
type sseReader struct {
	t *testing.T
	s *bufio.Scanner
}

func (r *sseReader) next() sse {
	r.t.Helper()
	var e sse
	for r.s.Scan() {
		line := r.s.Text()
		if line == "" {
			return e
		}
		field, value, _ := strings.Cut(line, ": ")
		switch field {
		case "id":
			e.id = value
		case "event":
			e.event = value
		case "data":
			e.data = value
		}
	}
	r.t.Fatalf("the stream ended: %v", r.s.Err())
	return e
}

// subscribe opens GET EventsPath?query on a server of s and returns its
// reader once the stream has begun.
func subscribe(t *testing.T, s *wire.EventStream, query string) *sseReader {
	t.Helper()
	r, _ := resume(t, s, query, "")
	return r
}

// resume is subscribe with a Last-Event-ID header of last (none when
// ""); it also returns a function that ends the stream.
func resume(t *testing.T, s *wire.EventStream, query, last string) (*sseReader, func()) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, err := s.Serve(w, r, r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), 405)
		} else if status == 0 {
			t.Error("no status")
		}
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+wire.EventsPath+"?"+query, nil)
	require.NoError(t, err)
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	return &sseReader{t: t, s: bufio.NewScanner(resp.Body)}, func() { cancel(); resp.Body.Close() }
}

type record struct {
	EventVersion, EventSource, AWSRegion, EventTime, EventName string
	S3                                                         struct {
		Bucket struct{ Name, ARN string }
		Object struct {
			Key, ETag, Sequencer string
			Size                 *int64
		}
	}
	GlacierEventData *struct {
		RestoreEventData struct {
			LifecycleRestorationExpiryTime, LifecycleRestoreStorageClass string
		}
	}
}

func recordOf(t *testing.T, e sse) record {
	t.Helper()
	var msg struct{ Records []record }
	require.NoError(t, json.Unmarshal([]byte(e.data), &msg), e.data)
	require.Len(t, msg.Records, 1)
	require.Equal(t, e.event, msg.Records[0].EventName)
	return msg.Records[0]
}

// The archive story, as a plain HTTP client reads it: created, restore
// posted, completed at the ready instant with its expiry, the copy's
// expiry, removed; S3's record shape, the key URL-encoded.
func TestEventStream_Restore(t *testing.T) {
	db, m := enginetest.New(t, nil)
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	s := &wire.EventStream{DB: db, Source: "acs:oss", Region: "coldstore"}
	r := subscribe(t, s, "")
	oi, err := db.Put(ctx, "bkt", "cold file", strings.NewReader("ice"), &engine.PutOptions{StorageClass: storageclass.ColdArchive})
	require.NoError(t, err)
	res, err := db.Restore(ctx, "bkt", "cold file", &engine.RestoreOptions{Days: 1, Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	enginetest.Advance(t, db, m, 3*24*time.Hour)
	require.NoError(t, db.Delete(ctx, "bkt", "cold file"))

	e := r.next()
	require.Equal(t, "ObjectCreated:Put", e.event)
	require.Regexp(t, "^[0-9a-f]{12}-1099511627777$", e.id, "the server's mark, then the event's number: the opening's epoch, 1, times 2^40, plus 1")
	epoch, _, _ := strings.Cut(e.id, "-")
	rec := recordOf(t, e)
	require.Equal(t, "2.1", rec.EventVersion)
	require.Equal(t, "acs:oss", rec.EventSource)
	require.Equal(t, "coldstore", rec.AWSRegion)
	require.Equal(t, "bkt", rec.S3.Bucket.Name)
	require.Equal(t, "acs:oss:coldstore::bkt", rec.S3.Bucket.ARN)
	require.Equal(t, "cold+file", rec.S3.Object.Key)
	require.Equal(t, oi.ETag, rec.S3.Object.ETag)
	require.Equal(t, int64(3), *rec.S3.Object.Size)
	require.Equal(t, "0000000065920080"+"00000000"+"0000010000000001", rec.S3.Object.Sequencer, "the instant, 2024-01-01, and the number, in hex")
	require.Nil(t, rec.GlacierEventData)

	require.Equal(t, "ObjectRestore:Post", r.next().event)
	e = r.next()
	require.Equal(t, "ObjectRestore:Completed", e.event)
	rec = recordOf(t, e)
	require.Equal(t, res.Restore.ReadyAt.UTC().Format("2006-01-02T15:04:05.000Z"), rec.EventTime)
	require.NotNil(t, rec.GlacierEventData)
	require.Equal(t, res.Restore.ExpiresAt.UTC().Format("2006-01-02T15:04:05.000Z"), rec.GlacierEventData.RestoreEventData.LifecycleRestorationExpiryTime)
	require.Equal(t, "ColdArchive", rec.GlacierEventData.RestoreEventData.LifecycleRestoreStorageClass)
	e = r.next()
	require.Equal(t, "ObjectRestore:Delete", e.event)
	require.Equal(t, res.Restore.ExpiresAt.UTC().Format("2006-01-02T15:04:05.000Z"), recordOf(t, e).EventTime)
	e = r.next()
	require.Equal(t, "ObjectRemoved:Delete", e.event)
	require.Nil(t, recordOf(t, e).S3.Object.Size, "S3 gives no size for a removal")
	require.Equal(t, epoch+"-1099511627781", e.id)
}

// bucket, prefix and events select; a name no event takes is 400; only
// GET is served; Close ends the streams.
func TestEventStream_Filters(t *testing.T) {
	db, m := enginetest.New(t, nil)
	ctx := context.Background()
	for _, b := range []string{"bkt", "other"} {
		require.NoError(t, db.CreateBucket(ctx, b, nil))
	}
	s := &wire.EventStream{DB: db, Source: "aws:s3", Region: "us-east-1"}
	restores := subscribe(t, s, "events=s3:ObjectRestore:*")
	logs := subscribe(t, s, "bucket=bkt&prefix=logs/&events=ObjectCreated:Put,ObjectRemoved:Delete")
	for _, b := range []string{"other", "bkt"} {
		for _, k := range []string{"data/a", "logs/a"} {
			_, err := db.Put(ctx, b, k, strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.Archive})
			require.NoError(t, err)
		}
	}
	_, err := db.Restore(ctx, "other", "data/a", nil)
	require.NoError(t, err)
	enginetest.Advance(t, db, m, 5*time.Hour)
	require.NoError(t, db.Delete(ctx, "bkt", "logs/a"))

	e := logs.next()
	require.Equal(t, "ObjectCreated:Put", e.event)
	require.Equal(t, "bkt", recordOf(t, e).S3.Bucket.Name)
	require.Equal(t, "logs/a", recordOf(t, e).S3.Object.Key, "S3 leaves slashes")
	require.Equal(t, "ObjectRemoved:Delete", logs.next().event)
	require.Equal(t, "ObjectRestore:Post", restores.next().event)
	require.Equal(t, "ObjectRestore:Completed", restores.next().event)

	w := httptest.NewRecorder()
	status, err := s.Serve(w, httptest.NewRequest("GET", wire.EventsPath+"?events=ObjectLost", nil), map[string][]string{"events": {"ObjectLost"}})
	require.NoError(t, err)
	require.Equal(t, 400, status)
	require.Contains(t, w.Body.String(), `no event is named "ObjectLost"`)
	_, err = s.Serve(httptest.NewRecorder(), httptest.NewRequest("POST", wire.EventsPath, nil), nil)
	require.ErrorIs(t, err, wire.ErrMethodNotAllowed)

	s.Close()
	require.False(t, logs.s.Scan(), "the stream ends at Close")
}

// Close ends a stream whose client stopped reading, its handler blocked
// in a write.
func TestEventStream_CloseUnblocksAWrite(t *testing.T) {
	db, _ := enginetest.NewInMemory(t, nil)
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	s := &wire.EventStream{DB: db, Source: "aws:s3", Region: "us-east-1"}
	served := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(served)
		_, _ = s.Serve(w, r, r.URL.Query())
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(4096))
	_, err = conn.Write([]byte("GET " + wire.EventsPath + " HTTP/1.1\r\nHost: x\r\n\r\n"))
	require.NoError(t, err)
	key := strings.Repeat("k", 1000)
	for i := range 8000 { // about 10 MB of messages, which the client never reads
		_, err := db.Put(ctx, "bkt", fmt.Sprint(key, i), strings.NewReader("x"), nil)
		require.NoError(t, err)
	}
	select {
	case <-served:
		t.Fatal("the stream ended before Close")
	case <-time.After(200 * time.Millisecond):
	}
	s.Close()
	select {
	case <-served:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a stream blocked in a write")
	}
}

// A Put marked as a copy is named ObjectCreated:Copy, which a subscriber
// can select; a plain Put stays ObjectCreated:Put.
func TestEventStream_Copy(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	s := &wire.EventStream{DB: db, Source: "aws:s3", Region: "us-east-1"}
	copies := subscribe(t, s, "events=ObjectCreated:Copy")
	all := subscribe(t, s, "")
	_, err := db.Put(ctx, "bkt", "put", strings.NewReader("x"), nil)
	require.NoError(t, err)
	_, err = db.Put(ctx, "bkt", "copy", strings.NewReader("x"), &engine.PutOptions{Copy: true})
	require.NoError(t, err)
	require.Equal(t, "ObjectCreated:Put", all.next().event)
	require.Equal(t, "ObjectCreated:Copy", all.next().event)
	e := copies.next()
	require.Equal(t, "ObjectCreated:Copy", e.event)
	require.Equal(t, "copy", recordOf(t, e).S3.Object.Key)
}
