package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/kv/pgkv"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/coldstore-dev/coldstore/wire"
)

// mockStart is where -clock mock starts on a new database.
var mockStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// serveConfig are the limits of the HTTP server.
type serveConfig struct {
	readHeaderTimeout time.Duration // for the request line and headers
	bodyTimeout       time.Duration // the longest pause in a body, sent or received
	idleTimeout       time.Duration // a keep-alive connection between requests
	shutdownTimeout   time.Duration // requests in flight may finish within it
	closeGrace        time.Duration // after it, for cancelled requests and the database to close
	maxConns          int           // connections at once
	tlsCert, tlsKey   string        // PEM files: serve HTTPS; "": HTTP
}

// defaultMaxConns is the connection cap: the file descriptors the process
// may open, less a reserve for the database and the listener, and 1,024
// when the limit is unknown.
func defaultMaxConns() int {
	const reserve = 64
	n := fdLimit()
	switch {
	case n == 0:
		return 1024
	case n < 2*reserve:
		return int(max(n/2, 1))
	case n > 1<<20:
		return 1 << 20
	}
	return int(n - reserve)
}

// serve runs the OSS-compatible server until SIGINT or SIGTERM.
func serve(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveContext(ctx, args, stdout, stderr)
}

// serveContext is serve until ctx ends: it listens first (a busy port
// creates no database), opens the database, serves, and when ctx ends
// stops accepting, lets the requests in flight finish within
// -shutdown-timeout, cancels the rest, and closes the database; it
// returns within -shutdown-timeout plus a few seconds.
func serveContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	lw := newLogWriter(stderr)
	defer lw.Flush()
	stderr = lw
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("db", "coldstore.db", "database file (created if absent), or a postgres:// URL: a PostgreSQL database that any number of servers share (tables created if absent)")
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	domain := fs.String("domain", "", "endpoint host name for virtual-hosted buckets (<bucket>.<domain>)")
	clockMode := fs.String("clock", "real", "real, or mock: a clock moved by POST /-/clock?advance=4h, from 2024-01-01 or the latest instant the database has seen (on PostgreSQL, one clock in the database for every server)")
	keys := fs.String("keys", "", "id:secret[,id:secret...]: verify signatures (OSS's, or S3's SigV4 with -api s3), dated within 15 minutes of the wall clock, on every request and /-/clock (none: accept any credentials)")
	region := fs.String("region", "us-east-1", "with -api s3: the region the server is (GetBucketLocation, x-amz-bucket-region) and the one LocationConstraint CreateBucket takes")
	hookURL := fs.String("events-webhook", "", "http(s) URL: POST each event there as an S3 event-notification message (JSON), in commit order, retried with backoff; a queue of 1,024, losses logged")
	noSync := fs.Bool("no-sync", false, "acknowledge writes once the operating system has them, without fsync: much faster small writes, but a crash of the machine (not of the server) can lose the last writes or damage the database; for test doubles and data you can lose (a database file only)")
	singleFile := fs.Bool("single-file", false, "keep every new body in the database file; by default bodies larger than 256 KiB go to files of their own in the folder <db>.bodies beside it (faster for large objects; copy the folder with the file)")
	bodyCache := fs.String("body-cache", "512MiB", "memory for the chunks of large bodies (those in <db>.bodies) once a read has checked them, so that later GETs of them send from memory without reading and checking the file again: a size such as 256MiB or 2GiB, taken from the system only as it fills; 0: none")
	api := fs.String("api", "oss", "the protocol and dialect: oss (Alibaba Cloud OSS) or s3 (Amazon S3, Glacier's rules); a database keeps the dialect it was created with")
	var cfg serveConfig
	fs.DurationVar(&cfg.readHeaderTimeout, "read-header-timeout", 10*time.Second, "longest time to read a request's line and headers")
	fs.DurationVar(&cfg.bodyTimeout, "body-timeout", time.Minute, "longest pause while a request body is received or an answer sent; a request that stalls longer fails")
	fs.DurationVar(&cfg.idleTimeout, "idle-timeout", 2*time.Minute, "longest time a keep-alive connection waits for its next request")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGINT or SIGTERM, how long requests in flight may finish before they are cancelled")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "certificate file (PEM): serve HTTPS, with -tls-key (clients such as botocore and aws-sdk-go-v2 send trailing checksums only over TLS)")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "private key file (PEM) of -tls-cert")
	fs.IntVar(&cfg.maxConns, "max-conns", defaultMaxConns(), "most connections at once (by default the open-file limit less 64); at the cap the longest idle connection is closed for a new one")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the server to this file until it stops (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "coldstore serve: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "coldstore serve:", err)
			return 1
		}
		defer stop()
	}
	for name, d := range map[string]time.Duration{"read-header-timeout": cfg.readHeaderTimeout, "body-timeout": cfg.bodyTimeout,
		"idle-timeout": cfg.idleTimeout, "shutdown-timeout": cfg.shutdownTimeout} {
		if d <= 0 {
			fmt.Fprintf(stderr, "coldstore serve: -%s %v: want a positive duration\n", name, d)
			return 2
		}
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		fmt.Fprintln(stderr, "coldstore serve: -tls-cert and -tls-key go together")
		return 2
	}
	if cfg.tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey); err != nil {
			fmt.Fprintln(stderr, "coldstore serve: TLS:", err)
			return 2
		}
	}
	if cfg.maxConns < 1 {
		fmt.Fprintf(stderr, "coldstore serve: -max-conns %d: want at least 1\n", cfg.maxConns)
		return 2
	}
	cfg.closeGrace = 5 * time.Second
	if *api != "oss" && *api != "s3" {
		fmt.Fprintf(stderr, "coldstore serve: -api %q: want oss or s3\n", *api)
		return 2
	}
	if *noSync && engine.IsURL(*path) {
		fmt.Fprintln(stderr, "coldstore serve: -no-sync is for a database file; PostgreSQL syncs as it is configured (synchronous_commit)")
		return 2
	}
	if u, err := url.Parse(*hookURL); *hookURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		fmt.Fprintf(stderr, "coldstore serve: -events-webhook %q: want an http or https URL\n", *hookURL)
		return 2
	}
	keyMap, err := parseKeys(*keys)
	if err != nil {
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 2
	}
	cacheSize, err := parseSize(*bodyCache)
	if err != nil || cacheSize < 0 {
		fmt.Fprintf(stderr, "coldstore serve: -body-cache %q: want a size such as 512MiB, or 0\n", *bodyCache)
		return 2
	}
	switch *clockMode {
	case "real", "mock":
	default:
		fmt.Fprintf(stderr, "coldstore serve: -clock %q: want real or mock\n", *clockMode)
		return 2
	}
	// Listen first: a busy port, a bad address, leave no database behind.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	// The fronts' lines (a request's access line) are written on the
	// connection's goroutine once its answer is out (front.answered).
	access := slog.New(slog.NewTextHandler(lw.Held(), nil))
	opts := &engine.Options{Logger: log, SingleFile: *singleFile, NoSync: *noSync, EventHistory: eventHistory, BodyCache: cacheSize}
	hopts := &ossapi.Options{Domain: *domain, Logger: access, Keys: keyMap}
	sopts := &s3api.Options{Domain: *domain, Logger: access, Keys: keyMap, Region: *region}
	if *api == "s3" {
		opts.Dialect = dialect.S3()
	}
	db, mock, closeClock, err := openDB(ctx, *path, *clockMode == "mock", opts)
	if err != nil {
		ln.Close()
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 1
	}
	defer closeClock()
	if mock != nil {
		hopts.Clock, sopts.Clock = mock, mock
	}
	if mock != nil {
		// Resume where the database's time got to: never earlier.
		latest, err := db.LatestInstant(ctx)
		if err != nil {
			ln.Close()
			closeDB(db, cfg.closeGrace, stderr)
			fmt.Fprintln(stderr, "coldstore serve: latest instant:", err)
			return 1
		}
		if latest.After(mock.Now()) {
			mock.Set(latest)
		}
	}
	oh := ossapi.New(db, hopts)
	proto := front{name: "OSS", h: oh, endStreams: oh.EndStreams, answered: lw.WriteOut}
	if *api == "s3" {
		sh := s3api.New(db, sopts)
		proto = front{name: "S3", h: sh, endStreams: sh.EndStreams, answered: lw.WriteOut}
	}
	stopHook := func() {}
	if *hookURL != "" {
		h := &webhook{url: *hookURL, client: &http.Client{}, log: log, backoff: webhookBackoff,
			records: wire.EventStream{Source: "acs:oss", Region: "coldstore"}}
		if *api == "s3" {
			h.records = wire.EventStream{Source: "aws:s3", Region: *region}
		}
		hctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		sub := db.Subscribe(&engine.SubscribeOptions{Buffer: webhookQueue})
		go func() { defer close(done); h.run(hctx, sub) }()
		stopHook = func() { cancel(); <-done }
	}
	code := serveUntil(ctx, ln, proto, cfg, stdout, stderr)
	stopHook()
	if !closeDB(db, cfg.closeGrace, stderr) {
		code = 1
	}
	return code
}

// eventHistory is how many of the latest events serve keeps for the
// streams of /-/events that resume (Last-Event-ID), from the first
// stream or webhook on: a few hundred bytes each.
const eventHistory = 10000

// openDB opens the database at path, a file or a PostgreSQL URL, on opts
// and, with mock, on a mock clock that it returns: a clock.Mock from
// mockStart for a file, the database's shared one for PostgreSQL. The
// function returned closes the clock after the database.
func openDB(ctx context.Context, path string, mock bool, opts *engine.Options) (*engine.DB, wire.Settable, func(), error) {
	var clk wire.Settable
	closeClock := func() {}
	if mock {
		// The background loop wakes at every due time (restore expiries,
		// lifecycle) anyway; its periodic wake only tidies. On the mock,
		// each wake an advance passes costs the mock's 1 ms pause, so a
		// minute's period made ?advance=721h take 40 s: a day's, 30 ms.
		opts.SweepInterval = 24 * time.Hour
	}
	if !engine.IsURL(path) {
		if mock {
			m := clock.NewMock()
			m.Set(mockStart)
			clk, opts.Clock = m, m
		}
		db, err := engine.Open(path, opts)
		return db, clk, closeClock, err
	}
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := pgkv.Open(octx, path, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	if mock {
		pc, err := st.MockClock(octx, mockStart)
		if err != nil {
			st.Close()
			return nil, nil, nil, err
		}
		clk, opts.Clock, closeClock = pc, pc, func() { pc.Close() }
	}
	db, err := engine.OpenStore(st, opts)
	if err != nil {
		closeClock()
		return nil, nil, nil, err
	}
	return db, clk, closeClock, nil
}

// closeDB closes db, waiting at most grace: a Close that does not return
// in time is reported and abandoned (the process exits; what was
// acknowledged is committed).
func closeDB(db *engine.DB, grace time.Duration, stderr io.Writer) bool {
	done := make(chan error, 1)
	go func() { done <- db.Close() }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintln(stderr, "coldstore serve: close:", err)
			return false
		}
		return true
	case <-time.After(grace):
		fmt.Fprintf(stderr, "coldstore serve: close: the database did not close within %v\n", grace)
		return false
	}
}

// parseKeys reads id:secret pairs separated by commas.
func parseKeys(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		id, secret, ok := strings.Cut(pair, ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("-keys: %q is not id:secret", pair)
		}
		m[id] = secret
	}
	return m, nil
}

// front is the protocol a server speaks: its name and handler.
type front struct {
	name       string
	h          http.Handler
	endStreams func() // ends the /-/events streams, which last until their clients go
	answered   func() // called on the connection's goroutine once an answer is out; may be nil
}

// serveUntil serves f on ln until ctx ends, then shuts down: it stops
// accepting, lets requests finish for cfg.shutdownTimeout, then cancels
// the rest through their contexts and closes every connection at once (a
// request cut there gets no answer, and what it was writing is not
// stored), and waits at most cfg.closeGrace for their handlers.
func serveUntil(ctx context.Context, ln net.Listener, f front, cfg serveConfig, stdout, stderr io.Writer) int {
	base, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	capped := newCapListener(ln, cfg.maxConns)
	handler := &progress{h: f.h, timeout: cfg.bodyTimeout, now: time.Now, answered: f.answered}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		IdleTimeout:       cfg.idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
		ConnState:         func(c net.Conn, s http.ConnState) { capped.Track(c, s); handler.connState(c, s) },
		ConnContext:       withPace,
		ErrorLog:          slog.NewLogLogger(slog.NewTextHandler(stderr, nil).WithAttrs([]slog.Attr{slog.String("from", "http")}), slog.LevelWarn),
	}
	if f.endStreams != nil {
		srv.RegisterOnShutdown(f.endStreams)
	}
	scheme := "http"
	if cfg.tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "coldstore: serving %s on %s://%s\n", f.name, scheme, ln.Addr())
	done := make(chan error, 1)
	go func() {
		if cfg.tlsCert != "" {
			done <- srv.ServeTLS(capped, cfg.tlsCert, cfg.tlsKey)
			return
		}
		done <- srv.Serve(capped)
	}()
	select {
	case err := <-done:
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 1
	case <-ctx.Done():
	}
	fmt.Fprintf(stderr, "coldstore: shutting down; requests in flight have %v\n", cfg.shutdownTimeout)
	shutdown, stop := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer stop()
	code := 0
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintln(stderr, "coldstore serve: shutdown timed out: cancelling the requests still in flight")
		cancel(wire.ErrShutdown)
		_ = srv.Close()
		finished := make(chan struct{})
		go func() { handler.active.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(cfg.closeGrace):
			fmt.Fprintf(stderr, "coldstore serve: requests still running %v after their cancellation\n", cfg.closeGrace)
			code = 1
		}
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 1
	}
	return code
}
