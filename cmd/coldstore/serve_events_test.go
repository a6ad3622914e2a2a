package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// streamEvent is one Server-Sent Event of /-/events, its record decoded.
type streamEvent struct {
	name string
	rec  struct {
		EventTime, EventVersion string
		S3                      struct{ Object struct{ Key string } }
		LifecycleEventData      *struct {
			TransitionEventData struct{ DestinationStorageClass string }
		}
	}
}

// signS3 signs req, bodiless, with SigV4 as AKID:SECRET.
func signS3(t *testing.T, req *http.Request) {
	t.Helper()
	const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	req.Header.Set("x-amz-content-sha256", emptySHA)
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}, req, emptySHA, "s3", "us-east-1", time.Now()))
}

// openEvents opens /-/events on s (signed with AKID:SECRET when sign)
// and returns the events as they come.
func openEvents(t *testing.T, s *server, sign bool) (*http.Response, <-chan streamEvent) {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+s.addr+"/-/events?events=ObjectRestore:*,Lifecycle*", nil)
	require.NoError(t, err)
	if sign {
		signS3(t, req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	events := make(chan streamEvent, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		var e streamEvent
		for sc.Scan() {
			field, value, _ := strings.Cut(sc.Text(), ": ")
			switch field {
			case "event":
				e.name = value
			case "data":
				var msg struct{ Records []json.RawMessage }
				if json.Unmarshal([]byte(value), &msg) == nil && len(msg.Records) == 1 {
					_ = json.Unmarshal(msg.Records[0], &e.rec)
				}
			case "":
				events <- e
				e = streamEvent{}
			}
		}
	}()
	return resp, events
}

func nextEvent(t *testing.T, events <-chan streamEvent) streamEvent {
	t.Helper()
	select {
	case e, ok := <-events:
		require.True(t, ok, "the stream ended")
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
		return streamEvent{}
	}
}

// TestServe_Events: the seed's story on serve -api s3 -clock mock, as a
// plain HTTP client subscribed to /-/events sees it: Post, Completed at
// the ready instant and Delete at the expiry instant, in order, once
// each, from the background loop alone (nobody reads, nobody sweeps);
// with -keys the stream needs a signature; shutdown ends the streams at
// once.
func TestServe_Events(t *testing.T) {
	ctx := context.Background()
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "s3.db"), "-clock", "mock", "-api", "s3", "-keys", "AKID:SECRET")
	resp, _ := openEvents(t, s, false)
	require.Equal(t, 403, resp.StatusCode, "unsigned")
	resp, events := openEvents(t, s, true)
	require.Equal(t, 200, resp.StatusCode)

	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + s.addr), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), Retryer: aws.NopRetryer{}})
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("photo.jpg"), Body: strings.NewReader("cold"), StorageClass: types.StorageClassGlacier})
	require.NoError(t, err)
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String("bkt"), Key: aws.String("photo.jpg"),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}}})
	require.NoError(t, err)
	post := nextEvent(t, events)
	require.Equal(t, "ObjectRestore:Post", post.name)
	require.Equal(t, "2024-01-01T00:00:00.000Z", post.rec.EventTime)

	advance := func(d string) {
		req, err := http.NewRequest("POST", "http://"+s.addr+"/-/clock?advance="+d, nil)
		require.NoError(t, err)
		signS3(t, req)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
	}
	advance("4h") // Standard: 3-5 hours
	select {
	case e := <-events:
		t.Fatalf("an event before the ready instant: %+v", e)
	case <-time.After(100 * time.Millisecond):
	}
	advance("1h")
	done := nextEvent(t, events)
	require.Equal(t, "ObjectRestore:Completed", done.name)
	require.Equal(t, "2024-01-01T05:00:00.000Z", done.rec.EventTime, "at the ready instant")
	require.Equal(t, "photo.jpg", done.rec.S3.Object.Key)
	advance("72h")
	gone := nextEvent(t, events)
	require.Equal(t, "ObjectRestore:Delete", gone.name)
	require.Equal(t, "2024-01-03T00:00:00.000Z", gone.rec.EventTime, "ready + 1 day, up to the midnight")

	code, took := s.shutdown(t)
	require.Equal(t, 0, code, s.stderr.String())
	require.Less(t, took, 5*time.Second, "the stream does not hold the shutdown")
	_, ok := <-events
	require.False(t, ok, "nothing more, and the stream ended")
}

// TestServe_EventsWebhook: -events-webhook POSTs every event, in order,
// as an S3 event-notification message, retrying one the URL refuses; a
// URL that is not http(s) is refused at the start.
func TestServe_EventsWebhook(t *testing.T) {
	var mu sync.Mutex
	var got []string
	refused := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if refused == 0 {
			refused++
			http.Error(w, "not now", 503)
			return
		}
		var msg struct {
			Records []struct {
				EventName, EventTime string
			}
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&msg))
		require.Equal(t, "application/json", r.Header.Get("Content-Type"))
		got = append(got, msg.Records[0].EventName+" "+msg.Records[0].EventTime)
	}))
	defer hook.Close()
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "oss.db"), "-clock", "mock", "-events-webhook", hook.URL)
	for _, c := range []struct{ method, path, body string }{
		{"PUT", "/photos", ""}, {"PUT", "/photos/beach.jpg", "sand"}, {"POST", "/photos/beach.jpg?restore", ""}, {"POST", "/-/clock?advance=4h", ""},
	} {
		req, err := http.NewRequest(c.method, "http://"+s.addr+c.path, strings.NewReader(c.body))
		require.NoError(t, err)
		req.Header.Set("x-oss-storage-class", "Archive")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Less(t, resp.StatusCode, 300, "%s %s", c.method, c.path)
	}
	want := []string{"ObjectCreated:Put 2024-01-01T00:00:00.000Z", "ObjectRestore:Post 2024-01-01T00:00:00.000Z", "ObjectRestore:Completed 2024-01-01T04:00:00.000Z"}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == len(want)
	}, 10*time.Second, 20*time.Millisecond)
	code, _ := s.shutdown(t)
	require.Equal(t, 0, code, s.stderr.String())
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, want, got)
	require.Equal(t, 1, refused)
	require.Contains(t, s.stderr.String(), "events webhook: retrying")

	var out, errb strings.Builder
	require.Equal(t, 2, serveContext(context.Background(), []string{"-addr", "127.0.0.1:0", "-events-webhook", "ftp://x"}, &out, &errb))
	require.Contains(t, errb.String(), "want an http or https URL")
}

// TestServe_EventsOneJump: one advance of 1,000 hours steps the clock
// through every due instant on the way, so a lifecycle rule's transition
// and expiration and a restore's completion and expiry each happen, and
// are told, at their own instants, in time order.
func TestServe_EventsOneJump(t *testing.T) {
	ctx := context.Background()
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "s3.db"), "-clock", "mock", "-api", "s3")
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + s.addr), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("any", "any", ""), Retryer: aws.NopRetryer{}})
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("bkt"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("lc"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("lc/")},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}},
			Expiration:  &types.LifecycleExpiration{Days: aws.Int32(5)},
		}}}})
	require.NoError(t, err)
	resp, events := openEvents(t, s, false)
	require.Equal(t, 200, resp.StatusCode)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("lc/big"), Body: strings.NewReader(strings.Repeat("x", 200<<10))})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("cold"), Body: strings.NewReader("ice"), StorageClass: types.StorageClassGlacier})
	require.NoError(t, err)
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String("bkt"), Key: aws.String("cold"),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierBulk}}})
	require.NoError(t, err)
	status, _ := s.do(t, "POST", "/-/clock?advance=1000h", "")
	require.Equal(t, 200, status)
	var got []string
	last := ""
	for range 5 {
		e := nextEvent(t, events)
		require.GreaterOrEqual(t, e.rec.EventTime, last, "time order: %v", got)
		last = e.rec.EventTime
		got = append(got, e.name+" "+e.rec.S3.Object.Key+" "+e.rec.EventTime)
		switch e.name {
		case "LifecycleTransition":
			require.Equal(t, "2.3", e.rec.EventVersion)
			require.Equal(t, "GLACIER", e.rec.LifecycleEventData.TransitionEventData.DestinationStorageClass)
		case "ObjectRestore:Completed":
			require.Equal(t, "2.1", e.rec.EventVersion)
			require.Nil(t, e.rec.LifecycleEventData)
		}
	}
	require.Equal(t, []string{
		"ObjectRestore:Post cold 2024-01-01T00:00:00.000Z",
		"ObjectRestore:Completed cold 2024-01-01T12:00:00.000Z",
		"LifecycleTransition lc/big 2024-01-02T00:00:00.000Z",
		"ObjectRestore:Delete cold 2024-01-03T00:00:00.000Z",
		"LifecycleExpiration:Delete lc/big 2024-01-06T00:00:00.000Z",
	}, got)
}
