package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/coldstore-dev/coldstore/wire"
)

// demoStart is where the demo's simulated clock starts.
var demoStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// demo runs the seed's story on a real database file with a simulated
// clock, printing each step as OSS would answer it.
func demo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("db", "coldstore.db", "database file (created if absent)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "coldstore demo: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if err := runDemo(context.Background(), *path, stdout); err != nil {
		fmt.Fprintf(stderr, "coldstore demo: %v\n", err)
		return 1
	}
	return 0
}

// story prints requests and answers against one object.
type story struct {
	ctx         context.Context
	db          *engine.DB
	clk         *clock.Mock
	w           io.Writer
	bucket, key string
}

func (s *story) step(request string) {
	el := s.clk.Now().Sub(demoStart)
	fmt.Fprintf(s.w, "\n[+%dd %02dh%02dm] %s\n", int(el/(24*time.Hour)), int(el/time.Hour)%24, int(el/time.Minute)%60, request)
}

func (s *story) answer(format string, args ...any) {
	fmt.Fprintf(s.w, "    %s\n", fmt.Sprintf(format, args...))
}

// answerErr prints a service error as OSS would answer it.
func (s *story) answerErr(err error) {
	var e *coldstore.Error
	if errors.As(err, &e) {
		s.answer("%d %s: %s", e.Status, e.Code, e.Message)
		return
	}
	s.answer("error: %v", err)
}

func (s *story) advance(d time.Duration, why string) {
	s.clk.Add(d)
	fmt.Fprintf(s.w, "\n    ... the simulated clock moves %v (%s)\n", d, why)
}

func (s *story) head() {
	s.step(fmt.Sprintf("HEAD /%s/%s", s.bucket, s.key))
	oi, err := s.db.Head(s.ctx, s.bucket, s.key)
	if err != nil {
		s.answerErr(err)
		return
	}
	h := wire.RestoreHeader(oi.Restore)
	if h == "" {
		h = "(absent)"
	}
	s.answer("200 OK  x-oss-storage-class: %s  x-oss-restore: %s", oi.StorageClass, h)
}

func (s *story) get() {
	s.step(fmt.Sprintf("GET /%s/%s", s.bucket, s.key))
	obj, err := s.db.Get(s.ctx, s.bucket, s.key)
	if err != nil {
		s.answerErr(err)
		return
	}
	defer obj.Close()
	body, err := io.ReadAll(obj)
	if err != nil {
		s.answerErr(err)
		return
	}
	s.answer("200 OK  %d bytes: %q  x-oss-restore: %s", len(body), body, wire.RestoreHeader(obj.Info().Restore))
}

func (s *story) restore(days int) {
	s.step(fmt.Sprintf("POST /%s/%s?restore  <RestoreRequest><Days>%d</Days></RestoreRequest>", s.bucket, s.key, days))
	res, err := s.db.Restore(s.ctx, s.bucket, s.key, &engine.RestoreOptions{Days: days})
	if err != nil {
		s.answerErr(err)
		return
	}
	status := http.StatusOK // AlreadyRestored
	if res.Status == engine.Accepted {
		status = http.StatusAccepted
	}
	s.answer("%d %s  x-oss-restore: %s", status, http.StatusText(status), wire.RestoreHeader(res.Restore))
	s.answer("(ready at %s, readable until %s)", res.Restore.ReadyAt.Format(time.RFC3339), res.Restore.ExpiresAt.Format(time.RFC3339))
}

func runDemo(ctx context.Context, path string, w io.Writer) error {
	clk := clock.NewMock()
	clk.Set(demoStart)
	db, err := engine.Open(path, &engine.Options{Clock: clk, DisableSweeper: true})
	if err != nil {
		return err
	}
	defer db.Close()
	s := &story{ctx: ctx, db: db, clk: clk, w: w, bucket: "demo-photos", key: "2019/beach.jpg"}
	fmt.Fprintf(w, "coldstore demo on %s, simulated clock from %s\n", path, demoStart.Format(time.RFC3339))

	if err := db.CreateBucket(ctx, s.bucket, nil); err != nil && !errors.Is(err, coldstore.ErrBucketAlreadyExists) {
		return err
	}
	s.step(fmt.Sprintf("PUT /%s/%s  x-oss-storage-class: Archive", s.bucket, s.key))
	oi, err := db.Put(ctx, s.bucket, s.key, strings.NewReader("sand, sea and a seagull"), &engine.PutOptions{StorageClass: storageclass.Archive, ContentType: "image/jpeg"})
	if err != nil {
		return err
	}
	s.answer("200 OK  ETag: %q", oi.ETag)

	s.get()
	s.restore(2)
	s.advance(10*time.Minute, "the restore is running")
	s.restore(2)
	s.head()
	s.get()
	s.advance(4*time.Hour, "Archive restores finish within 4 hours")
	s.head()
	s.get()
	s.restore(1)
	s.advance(3*24*time.Hour, "past the expiry")
	s.head()
	s.get()

	res, err := db.Sweep(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nsweep: %d expired restored copy removed; the object stays in Archive.\n", res.Expired)
	return db.Check(ctx)
}
