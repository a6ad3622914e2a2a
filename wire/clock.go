package wire

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
)

// ClockPath is where a front serves its database's mock clock.
const ClockPath = "/-/clock"

// MockClock serves a database's mock clock to tests in other processes:
// GET (or HEAD) tells the time, POST ?advance=4h moves it. It is safe for
// concurrent use. Authenticating the request is the caller's: a front
// checks it first, like any other.
type MockClock struct {
	// Clock is the database's clock; only a Settable one (a *clock.Mock,
	// or pgkv's MockClock that a cluster shares) is served.
	Clock clock.Clock
	// Due, when set, does the database's due work at the clock's instant
	// and returns the next instant it has work (engine.DB.RunDue). An
	// advance then steps the clock from one such instant to the next,
	// calling Due at each and once at the end, so that every restore's
	// completion and expiry and every lifecycle action happens, and is
	// told, at its own instant and in time order, before the answer.
	Due func(context.Context) (time.Time, error)
	mu  sync.Mutex // serialises advances: the check and the move as one
}

// Settable is a mock clock that an advance moves.
type Settable interface {
	clock.Clock
	Set(time.Time)
}

// Serve answers a request for ClockPath whose query is query, and returns
// the status written: 200 with the time in RFC 3339 (UTC, nanoseconds) and
// a newline; 400 with a plain-text reason for an advance that is not a
// positive duration, or that would move the clock past coldstore.MaxTime
// (the clock stays where it was). It writes nothing and returns
// ErrNotImplemented when Clock is not Settable, and
// ErrMethodNotAllowed for a method other than GET, HEAD and POST, and
// Due's error when it fails (the clock stays where the steps got it): the
// caller answers those as its protocol answers errors.
func (c *MockClock) Serve(w http.ResponseWriter, r *http.Request, query url.Values) (int, error) {
	m, ok := c.Clock.(Settable)
	if !ok {
		return 0, ErrNotImplemented
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		s := query.Get("advance")
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return writePlain(w, r, http.StatusBadRequest, fmt.Sprintf("advance: want a positive duration such as 4h, not %q\n", s)), nil
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		now := m.Now()
		if now.Add(d).After(coldstore.MaxTime) {
			return writePlain(w, r, http.StatusBadRequest, fmt.Sprintf("advance: %s would move the clock from %s past %s, the last instant coldstore stores\n",
				s, now.UTC().Format(time.RFC3339Nano), coldstore.MaxTime.Format(time.RFC3339Nano))), nil
		}
		if err := c.advance(r.Context(), m, now.Add(d)); err != nil {
			return 0, err
		}
	default:
		return 0, ErrMethodNotAllowed
	}
	return writePlain(w, r, http.StatusOK, m.Now().UTC().Format(time.RFC3339Nano)+"\n"), nil
}

// advance moves m to target, through every instant Due names on the way.
func (c *MockClock) advance(ctx context.Context, m Settable, target time.Time) error {
	if c.Due == nil {
		m.Set(target)
		return nil
	}
	for {
		next, err := c.Due(ctx)
		if err != nil {
			return err
		}
		if next.IsZero() || next.After(target) || !next.After(m.Now()) {
			break
		}
		m.Set(next)
	}
	m.Set(target)
	_, err := c.Due(ctx)
	return err
}
