package engine_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// The seed's story: an archived object refuses to be read, a restore answers
// 202, then 409 while it runs, the object is readable once restored, a
// second restore answers 200 and prolongs the expiry, and after expiry the
// object is archived again. The mock clock makes it instant and exact.
func ExampleDB_Restore() {
	ctx := context.Background()
	m := clock.NewMock()
	m.Set(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	dir, _ := os.MkdirTemp("", "coldstore-example")
	defer os.RemoveAll(dir)
	db, err := engine.Open(filepath.Join(dir, "coldstore.db"), &engine.Options{Clock: m, DisableSweeper: true})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	_ = db.CreateBucket(ctx, "photos", nil)
	_, _ = db.Put(ctx, "photos", "2019/beach.jpg", strings.NewReader("sand and sea"),
		&engine.PutOptions{StorageClass: storageclass.Archive})

	_, err = db.Get(ctx, "photos", "2019/beach.jpg")
	fmt.Println("get:    ", coldstore.HTTPStatus(err), coldstore.Code(err))

	res, _ := db.Restore(ctx, "photos", "2019/beach.jpg", &engine.RestoreOptions{Days: 2})
	fmt.Println("restore:", res.Status.HTTPStatus(), res.Restore.State)

	_, err = db.Restore(ctx, "photos", "2019/beach.jpg", nil)
	fmt.Println("restore:", coldstore.HTTPStatus(err), coldstore.Code(err))

	oi, _ := db.Head(ctx, "photos", "2019/beach.jpg")
	fmt.Println("head:    x-oss-restore:", oi.Restore.Header())

	m.Add(4 * time.Hour) // Archive restores take at most 4 hours
	oi, _ = db.Head(ctx, "photos", "2019/beach.jpg")
	fmt.Println("head:    x-oss-restore:", oi.Restore.Header())
	obj, _ := db.Get(ctx, "photos", "2019/beach.jpg")
	body, _ := io.ReadAll(obj)
	obj.Close()
	fmt.Printf("get:     200 %q\n", body)

	res, _ = db.Restore(ctx, "photos", "2019/beach.jpg", &engine.RestoreOptions{Days: 1})
	fmt.Println("restore:", res.Status.HTTPStatus(), res.Restore.Header())

	m.Add(3 * 24 * time.Hour)
	_, err = db.Get(ctx, "photos", "2019/beach.jpg")
	fmt.Println("get:    ", coldstore.HTTPStatus(err), coldstore.Code(err))
	swept, _ := db.Sweep(ctx)
	fmt.Println("sweep:   expired", swept.Expired)

	// Output:
	// get:     403 InvalidObjectState
	// restore: 202 Restoring
	// restore: 409 RestoreAlreadyInProgress
	// head:    x-oss-restore: ongoing-request="true"
	// head:    x-oss-restore: ongoing-request="false", expiry-date="Wed, 03 Jan 2024 04:00:00 GMT"
	// get:     200 "sand and sea"
	// restore: 200 ongoing-request="false", expiry-date="Thu, 04 Jan 2024 04:00:00 GMT"
	// get:     403 InvalidObjectState
	// sweep:   expired 1
}

// A program that restores an archived object need not poll: it
// subscribes and waits for the restore's completion, which the database's
// background loop tells at the instant the clock reaches it, whether or
// not anyone reads. Here the clock is a mock that the example moves; on
// the real clock the wait is the restore's hours.
func ExampleDB_Subscribe() {
	ctx := context.Background()
	m := clock.NewMock()
	m.Set(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	dir, _ := os.MkdirTemp("", "coldstore-example")
	defer os.RemoveAll(dir)
	// The loop sleeps until the earliest instant something is due, or
	// SweepInterval: here the restore's completion, 4 hours on. (With the
	// default minute, a mock moved 6 hours at once fires the loop's timer
	// 360 times in one Add, and a loop reading the time in the middle of
	// that Add may arm its next timer from the end of it.)
	db, err := engine.Open(filepath.Join(dir, "coldstore.db"), &engine.Options{Clock: m, SweepInterval: 24 * time.Hour})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	_ = db.CreateBucket(ctx, "photos", nil)
	_, _ = db.Put(ctx, "photos", "beach.jpg", strings.NewReader("sand"), &engine.PutOptions{StorageClass: storageclass.Archive})

	sub := db.Subscribe(&engine.SubscribeOptions{Bucket: "photos", Kinds: []engine.EventKind{engine.EventRestoreCompleted}})
	defer sub.Close()
	_, _ = db.Restore(ctx, "photos", "beach.jpg", nil)
	go m.Add(6 * time.Hour) // elsewhere, time passes

	e, err := sub.Next(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Kind, e.Key, "at", e.At.Format(time.TimeOnly), "readable until", e.ExpiresAt.Format(time.DateTime))
	obj, _ := db.Get(ctx, "photos", "beach.jpg")
	body, _ := io.ReadAll(obj)
	obj.Close()
	fmt.Printf("%s\n", body)
	// Output:
	// RestoreCompleted beach.jpg at 04:00:00 readable until 2024-01-02 04:00:00
	// sand
}
