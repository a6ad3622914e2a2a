package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/ossapi"
)

// mockStart is where --clock=mock starts.
var mockStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// serve runs the OSS-compatible server until SIGINT or SIGTERM, then lets
// requests in flight finish and closes the database.
func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("db", "coldstore.db", "database file (created if absent)")
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	domain := fs.String("domain", "", "endpoint host name for virtual-hosted buckets (<bucket>.<domain>)")
	clockMode := fs.String("clock", "real", "real, or mock: a clock at 2024-01-01 moved by POST /-/clock?advance=4h")
	keys := fs.String("keys", "", "id:secret[,id:secret...]: verify OSS signatures (none: accept any credentials)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	keyMap, err := parseKeys(*keys)
	if err != nil {
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	opts := &engine.Options{Logger: log}
	hopts := &ossapi.Options{Domain: *domain, Logger: log, Keys: keyMap}
	var db *engine.DB
	switch *clockMode {
	case "real":
	case "mock":
		m := clock.NewMock()
		m.Set(mockStart)
		opts.Clock, hopts.Clock = m, m
	default:
		fmt.Fprintf(stderr, "coldstore serve: --clock %q: want real or mock\n", *clockMode)
		return 2
	}
	db, err = engine.Open(*path, opts)
	if err != nil {
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		db.Close()
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := serveUntil(ctx, ln, db, hopts, stdout, stderr)
	if err := db.Close(); err != nil {
		fmt.Fprintln(stderr, "coldstore serve: close:", err)
		code = 1
	}
	return code
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
			return nil, fmt.Errorf("--keys: %q is not id:secret", pair)
		}
		m[id] = secret
	}
	return m, nil
}

// serveUntil serves on ln until ctx ends, then shuts down gracefully.
func serveUntil(ctx context.Context, ln net.Listener, db *engine.DB, opts *ossapi.Options, stdout, stderr io.Writer) int {
	srv := &http.Server{Handler: ossapi.New(db, opts), ReadHeaderTimeout: 30 * time.Second}
	fmt.Fprintf(stdout, "coldstore: serving OSS on http://%s\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintln(stderr, "coldstore serve: shutdown:", err)
		return 1
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "coldstore serve:", err)
		return 1
	}
	return 0
}
