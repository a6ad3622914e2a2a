package wire

import (
	"net/http"
	"net/url"
)

// Control serves the paths a front keeps beside its protocol for tests
// and tools: the mock clock at ClockPath and the event stream at
// EventsPath. A front authenticates a request first, like any other.
type Control struct {
	Clock  MockClock
	Events EventStream
}

// Serve answers r when its path is one of Control's, and reports whether
// it was, the status written, and the error the front answers in its
// protocol's words when nothing was written (MockClock.Serve,
// EventStream.Serve).
func (c *Control) Serve(w http.ResponseWriter, r *http.Request, query url.Values) (served bool, status int, err error) {
	switch r.URL.Path {
	case ClockPath:
		status, err = c.Clock.Serve(w, r, query)
	case EventsPath:
		status, err = c.Events.Serve(w, r, query)
	default:
		return false, 0, nil
	}
	return true, status, err
}
