package ossapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
)

// clockPath is where the mock clock is served.
const clockPath = "/-/clock"

// clock serves the mock clock for tests in other processes:
// GET /-/clock tells the time, POST /-/clock?advance=4h moves it. With
// keys, the request is authenticated like any other (ServeHTTP checks it
// first). The clock never moves past coldstore.MaxTime: such an advance
// is answered 400 and leaves the clock where it was.
func (h *Handler) clock(q *request) {
	m, ok := h.opts.Clock.(*clock.Mock)
	if !ok {
		h.fail(q, errNotImplemented)
		return
	}
	switch q.r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		s := q.query.Get("advance")
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			h.plain(q, http.StatusBadRequest, fmt.Sprintf("advance: want a positive duration such as 4h, not %q\n", s))
			return
		}
		h.clockMu.Lock() // the check and the move as one, against a concurrent advance
		defer h.clockMu.Unlock()
		if now := m.Now(); now.Add(d).After(coldstore.MaxTime) {
			h.plain(q, http.StatusBadRequest, fmt.Sprintf("advance: %s would move the clock from %s past %s, the last instant coldstore stores\n",
				s, now.UTC().Format(time.RFC3339Nano), coldstore.MaxTime.Format(time.RFC3339Nano)))
			return
		}
		m.Add(d)
	default:
		h.fail(q, errMethodNotAllowed)
		return
	}
	h.plain(q, http.StatusOK, m.Now().UTC().Format(time.RFC3339Nano)+"\n")
}

func (h *Handler) plain(q *request, status int, text string) {
	q.header("Content-Type", "text/plain; charset=utf-8")
	q.writeStatus(status)
	if q.r.Method != http.MethodHead {
		_, _ = fmt.Fprint(q.w, text)
	}
}
