package main

import (
	"crypto/tls"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCapListener_TrackTLS: over TLS the server reports the *tls.Conn
// around the accepted connection; its state is recorded on the accepted
// one, so that an active TLS connection is never taken for a new one.
func TestCapListener_TrackTLS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := newCapListener(ln, 1)
	defer l.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			defer c.Close()
			<-done // held open until the test ends
		}
	}()
	c, err := l.Accept()
	require.NoError(t, err)
	defer c.Close()
	cc := c.(*capConn)
	l.Track(tls.Server(c, &tls.Config{}), http.StateActive)
	l.mu.Lock()
	state := cc.state
	l.mu.Unlock()
	require.Equal(t, http.StateActive, state)
	require.False(t, cc.between.Load())
}
