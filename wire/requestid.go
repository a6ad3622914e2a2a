package wire

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync/atomic"
)

// requestIDs hands out request ids: 24 upper-case hex digits, a random
// prefix drawn once per generator (so ids differ across restarts) and a
// counter. It is safe for concurrent use.
type requestIDs struct {
	prefix uint32
	n      atomic.Uint64
}

// newRequestIDs returns a generator with a fresh random prefix.
func newRequestIDs() *requestIDs {
	var p [4]byte
	_, _ = rand.Read(p[:]) // never fails (crypto/rand); a zero prefix would still serve
	return &requestIDs{prefix: binary.BigEndian.Uint32(p[:])}
}

// next returns the next id: distinct from every other this generator
// returned.
func (g *requestIDs) next() string {
	return fmt.Sprintf("%08X%016X", g.prefix, g.n.Add(1))
}
