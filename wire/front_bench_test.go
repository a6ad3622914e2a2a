package wire_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/wire"
)

// BenchmarkLogRequest: a request's access line through a text handler, by
// Front.LogRequest and, for comparison, by Logger.LogAttrs (which walks the
// stack for the caller on every call).
func BenchmarkLogRequest(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := time.Date(2026, 11, 30, 23, 59, 58, 0, time.UTC)
	ctx := context.Background()
	b.Run("impl=LogRequest", func(b *testing.B) {
		f := wire.NewFront(s3, log)
		b.ReportAllocs()
		for b.Loop() {
			f.LogRequest(ctx, now, "0123456789ABCDEF01234567", "HEAD", "/bkt/get/4KiB/17", "", 200)
		}
	})
	b.Run("impl=LogAttrs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("id", "0123456789ABCDEF01234567"), slog.String("method", "HEAD"),
				slog.String("path", "/bkt/get/4KiB/17"), slog.String("query", ""), slog.Int("status", 200))
		}
	})
}
