package wire

import (
	"crypto/rand"
	"encoding/binary"
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
	var b [24]byte
	putHex(b[:8], uint64(g.prefix))
	putHex(b[8:], g.n.Add(1))
	return string(b[:])
}

// putHex writes v's last 4×len(b) bits into b, upper-case hex digits.
func putHex(b []byte, v uint64) {
	const digits = "0123456789ABCDEF"
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = digits[v&0xf]
		v >>= 4
	}
}
