package ossapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/benbjohnson/clock"
)

// clock serves the mock clock for tests in other processes:
// GET /-/clock tells the time, POST /-/clock?advance=4h moves it.
func (h *Handler) clock(q *request) {
	m, ok := h.opts.Clock.(*clock.Mock)
	if !ok {
		h.fail(q, errNotImplemented)
		return
	}
	switch q.r.Method {
	case http.MethodGet:
	case http.MethodPost:
		d, err := time.ParseDuration(q.r.URL.Query().Get("advance"))
		if err != nil || d < 0 {
			q.header("Content-Type", "text/plain")
			q.writeStatus(http.StatusBadRequest)
			fmt.Fprintf(q.w, "advance: want a positive duration such as 4h, not %q\n", q.r.URL.Query().Get("advance"))
			return
		}
		m.Add(d)
	default:
		h.fail(q, errNotImplemented)
		return
	}
	q.header("Content-Type", "text/plain")
	q.writeStatus(http.StatusOK)
	fmt.Fprintln(q.w, m.Now().UTC().Format(time.RFC3339Nano))
}
