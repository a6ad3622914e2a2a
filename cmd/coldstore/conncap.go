package main

import (
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// newGrace is how long a new connection may wait for its first request
// before the cap may close it for another.
const newGrace = time.Second

// capListener accepts at most max connections at once, so that the
// server never runs out of file descriptors and idle keep-alive
// connections never lock new clients out. At the cap, Accept first closes
// the connection idle the longest (a keep-alive connection between
// requests), then the oldest that has not yet sent a request (its
// header read is bounded by the read-header timeout anyway); only when
// every connection is in a request does it wait for one to end, leaving
// new clients in the kernel's backlog meanwhile. Its Track method is the
// http.Server's ConnState hook.
//
// A connection is closed only while the server waits in its Read with
// nothing of a next request in hand: net/http reports a connection active
// only once it has read a request's whole header, so an idle state alone
// does not say that no request has begun. The Read that returns after the
// choice (bytes of a request racing the close, or the close itself) returns
// net.ErrClosed and hands the server nothing: a request is either handled
// on an open connection or never begun, and never cut in its handler.
type capListener struct {
	net.Listener
	max int

	mu     sync.Mutex
	conns  map[*capConn]struct{}
	seq    uint64        // orders state changes: the lowest is the oldest
	wake   chan struct{} // a slot may be free, or a connection idle
	done   chan struct{}
	closed bool
}

// capConn is an accepted connection with the state the server last
// reported.
type capConn struct {
	net.Conn
	l     *capListener
	state http.ConnState
	since uint64
	born  time.Time
	once  sync.Once

	mu       sync.Mutex  // guards reading and evicting; taken inside l.mu
	reading  bool        // the server waits in Read
	evicting bool        // chosen to be closed: Read hands out nothing more
	between  atomic.Bool // state is new or idle: a Read now may make it evictable
}

// Read reads as the connection does, and hands out nothing once the
// connection was chosen to be closed (net.ErrClosed), even bytes that
// arrived with the choice.
func (c *capConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.evicting {
		c.mu.Unlock()
		return 0, net.ErrClosed
	}
	c.reading = true
	c.mu.Unlock()
	if c.between.Load() {
		c.l.signal() // an Accept waiting at the cap may close this one now
	}
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.reading = false
	evicted := c.evicting
	c.mu.Unlock()
	if evicted {
		return 0, net.ErrClosed
	}
	return n, err
}

// waitsInRead reports whether the server waits in c's Read and c is not
// being closed.
func (c *capConn) waitsInRead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reading && !c.evicting
}

// idleInRead reports whether the server waits in c's Read between
// requests (or before the first), and if so marks c to be closed. l.mu is
// held.
func (c *capConn) idleInRead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.reading || c.evicting {
		return false
	}
	c.evicting = true
	return true
}

func newCapListener(ln net.Listener, max int) *capListener {
	return &capListener{Listener: ln, max: max, conns: map[*capConn]struct{}{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (l *capListener) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Accept waits for room, making it when it can, then accepts.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return nil, net.ErrClosed
		}
		if len(l.conns) < l.max {
			l.mu.Unlock()
			break
		}
		victim := l.evictable(time.Now())
		l.mu.Unlock()
		if victim != nil {
			victim.Close()
			continue
		}
		select {
		case <-l.wake:
		case <-time.After(newGrace / 4): // a new connection may have aged
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	cc := &capConn{Conn: c, l: l, state: http.StateNew, since: l.seq, born: time.Now()}
	cc.between.Store(true)
	l.conns[cc] = struct{}{}
	return cc, nil
}

// evictable is the connection idle the longest, else the oldest new one
// older than newGrace, of those whose server waits in Read, marked to be
// closed (idleInRead); else nil. l.mu is held.
func (l *capListener) evictable(now time.Time) *capConn {
	for {
		var best *capConn
		for c := range l.conns {
			switch {
			case c.state != http.StateIdle && c.state != http.StateNew,
				c.state == http.StateNew && now.Sub(c.born) < newGrace,
				!c.waitsInRead():
			case best == nil,
				c.state == http.StateIdle && best.state == http.StateNew,
				c.state == best.state && c.since < best.since:
				best = c
			}
		}
		if best == nil || best.idleInRead() {
			return best
		}
		// Its Read returned since it was looked at: choose again.
	}
}

// Track records a connection's state (http.Server.ConnState); with TLS
// the server reports the *tls.Conn over the accepted connection.
func (l *capListener) Track(c net.Conn, state http.ConnState) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	cc, ok := c.(*capConn)
	if !ok {
		return
	}
	l.mu.Lock()
	if _, ok := l.conns[cc]; ok {
		l.seq++
		cc.state, cc.since = state, l.seq
		cc.between.Store(state == http.StateNew || state == http.StateIdle)
	}
	l.mu.Unlock()
	if state == http.StateIdle {
		l.signal()
	}
}

// Close stops Accept.
func (l *capListener) Close() error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
	l.mu.Unlock()
	return l.Listener.Close()
}

// open is the number of connections counted against the cap.
func (l *capListener) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// Close frees the connection's slot, once.
func (c *capConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
		c.l.signal()
	})
	return err
}
