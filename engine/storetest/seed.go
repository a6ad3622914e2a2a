package storetest

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// testSeed tells the seed's story on s: an archived object refuses to be
// read, a restore answers 202, then 409 while it runs, the object is
// readable once restored, a second restore answers 200 and prolongs the
// expiry, and after the expiry the object is archived again, and swept.
func testSeed(t *testing.T, s Store) {
	m := clock.NewMock()
	m.Set(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	db := Open(t, s, &engine.Options{Clock: m, DisableSweeper: true})
	const b, k = "photos", "2019/beach.jpg"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	refused := func(err error, code string) {
		t.Helper()
		if coldstore.Code(err) != code {
			t.Fatalf("got %v, want %s", err, code)
		}
	}
	header := func(want string) {
		t.Helper()
		oi, err := db.Head(ctx, b, k)
		must(err)
		if got := oi.Restore.Header(); got != want {
			t.Fatalf("x-oss-restore %q, want %q", got, want)
		}
	}
	must(db.CreateBucket(ctx, b, nil))
	_, err := db.Put(ctx, b, k, strings.NewReader("sand and sea"), &engine.PutOptions{StorageClass: storageclass.Archive})
	must(err)
	_, err = db.Get(ctx, b, k)
	refused(err, "InvalidObjectState")

	res, err := db.Restore(ctx, b, k, &engine.RestoreOptions{Days: 2})
	must(err)
	if res.Status != engine.Accepted || res.Restore.State != engine.Restoring {
		t.Fatalf("first restore: %v %v, want Accepted Restoring", res.Status, res.Restore.State)
	}
	_, err = db.Restore(ctx, b, k, nil)
	refused(err, "RestoreAlreadyInProgress")
	header(`ongoing-request="true"`)

	m.Add(4 * time.Hour) // Archive restores take at most 4 hours
	header(`ongoing-request="false", expiry-date="Wed, 03 Jan 2024 04:00:00 GMT"`)
	obj, err := db.Get(ctx, b, k)
	must(err)
	body, err := io.ReadAll(obj)
	must(err)
	must(obj.Close())
	if string(body) != "sand and sea" {
		t.Fatalf("read %q", body)
	}

	res, err = db.Restore(ctx, b, k, &engine.RestoreOptions{Days: 1})
	must(err)
	if res.Status != engine.AlreadyRestored {
		t.Fatalf("second restore: %v, want AlreadyRestored", res.Status)
	}
	header(`ongoing-request="false", expiry-date="Thu, 04 Jan 2024 04:00:00 GMT"`)

	m.Add(3 * 24 * time.Hour)
	_, err = db.Get(ctx, b, k)
	refused(err, "InvalidObjectState")
	header("")
	swept, err := db.Sweep(ctx)
	must(err)
	if swept.Expired != 1 {
		t.Fatalf("sweep expired %d, want 1", swept.Expired)
	}
	u, err := db.Usage(ctx, b)
	must(err)
	if u.Restores[storageclass.Archive] != 1 {
		t.Fatalf("%d restores metered, want 1: the second one was not a retrieval", u.Restores[storageclass.Archive])
	}
}
