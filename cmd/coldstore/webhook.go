package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/wire"
)

// webhook POSTs each event of a database to a URL of the user's, as the
// S3 event-notification message /-/events streams (wire.EventStream), in
// commit order, one at a time. Its queue is the subscription's buffer
// (webhookQueue events): when the URL falls that far behind, the events
// it misses are logged with their count, and delivery goes on. A POST
// answered with anything but 2xx, or failing, is retried with doubling
// pauses (webhookRetries times, from webhookBackoff, at most
// webhookMaxBackoff); then the event is logged as lost.
type webhook struct {
	url     string
	client  *http.Client
	log     *slog.Logger
	records wire.EventStream // the message form; its DB is not used
	backoff time.Duration    // the first pause; webhookBackoff unless a test sets it
}

const (
	webhookQueue      = 1024
	webhookRetries    = 5
	webhookBackoff    = 200 * time.Millisecond
	webhookMaxBackoff = 10 * time.Second
	webhookTimeout    = 10 * time.Second
)

// run delivers the events of sub until ctx ends.
func (h *webhook) run(ctx context.Context, sub *engine.Subscription) {
	defer sub.Close()
	for {
		e, err := sub.Next(ctx)
		if err != nil {
			return
		}
		if e.Kind == engine.EventGap {
			h.log.Error("events webhook: queue full, events lost", "url", h.url, "missed", e.Missed)
			continue
		}
		msg, err := h.records.Message(&e, e.Seq) // the sequencer the streams give it
		if err != nil {
			h.log.Error("events webhook: encoding", "err", err)
			continue
		}
		if err := h.post(ctx, msg); err != nil {
			if ctx.Err() != nil {
				return
			}
			h.log.Error("events webhook: event lost", "url", h.url, "event", wire.EventName(&e), "bucket", e.Bucket, "key", e.Key, "err", err)
		}
	}
}

// post sends msg, retrying as run describes; it returns the last failure.
func (h *webhook) post(ctx context.Context, msg []byte) error {
	pause := h.backoff
	var err error
	for attempt := 0; ; attempt++ {
		if err = h.postOnce(ctx, msg); err == nil {
			return nil
		}
		if attempt == webhookRetries || ctx.Err() != nil {
			return err
		}
		h.log.Warn("events webhook: retrying", "url", h.url, "err", err, "in", pause)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, webhookMaxBackoff)
	}
}

func (h *webhook) postOnce(ctx context.Context, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(msg))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("answered %s", resp.Status)
	}
	return nil
}
