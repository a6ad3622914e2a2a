package wire

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync/atomic"
)

// RequestIDs hands out request ids: 24 upper-case hex digits, a random
// prefix drawn once per generator (so ids differ across restarts) and a
// counter. It is safe for concurrent use.
type RequestIDs struct {
	prefix uint32
	n      atomic.Uint64
}

// NewRequestIDs returns a generator with a fresh random prefix.
func NewRequestIDs() *RequestIDs {
	var p [4]byte
	_, _ = rand.Read(p[:]) // never fails (crypto/rand); a zero prefix would still serve
	return &RequestIDs{prefix: binary.BigEndian.Uint32(p[:])}
}

// Next returns the next id: distinct from every other this generator
// returned.
func (g *RequestIDs) Next() string {
	return fmt.Sprintf("%08X%016X", g.prefix, g.n.Add(1))
}
