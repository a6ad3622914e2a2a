package s3api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
)

// discard is a ResponseWriter that keeps nothing but its headers.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkHandler: the handler's own cost per request, without a
// connection: a HEAD and GETs of 4 KiB and 1 MiB, signed with SigV4 as the
// SDK signs them (one signature, verified on every request).
func BenchmarkHandler(b *testing.B) {
	db, m := enginetest.NewS3(b, nil)
	h := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})
	if err := db.CreateBucket(ctx, "bkt", nil); err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{4 << 10, 1 << 20} {
		if _, err := db.Put(ctx, "bkt", "k"+itoa(size), bytes.NewReader(make([]byte, size)), nil); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct{ name, method, target string }{
		{"HEAD", "HEAD", "/bkt/k4096"},
		{"GET/size=4KiB", "GET", "/bkt/k4096"},
		{"GET/size=1MiB", "GET", "/bkt/k1048576"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := signedRequest(b, tc.method, tc.target)
			rec := httptest.NewRecorder()
			if h.ServeHTTP(rec, r); rec.Code != http.StatusOK {
				b.Fatalf("%s %s: %d %s", tc.method, tc.target, rec.Code, rec.Body)
			}
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			return string(b[i:])
		}
	}
}
