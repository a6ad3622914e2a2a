package crc64ecma

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

// TestUpdate_MatchesHashCRC64 compares Update with hash/crc64 at every
// length through several folding steps, at every alignment of the input,
// from several starting CRCs: where the processor has PCLMULQDQ, inputs
// of minFold bytes and more go through fold, and a wrong constant or lane
// would give another sum.
func TestUpdate_MatchesHashCRC64(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 4096+16)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for _, start := range []uint64{0, 1, ^uint64(0), 0x0123456789abcdef} {
		for off := range 16 {
			for n := 0; n <= 1200; n++ {
				p := buf[off : off+n]
				if got, want := Update(start, p), crc64.Update(start, table, p); got != want {
					t.Fatalf("Update(%#x, %d bytes at %d) = %#x, want %#x", start, n, off, got, want)
				}
			}
		}
	}
	if got, want := Checksum(buf[:4096]), crc64.Checksum(buf[:4096], table); got != want {
		t.Fatalf("Checksum = %#x, want %#x", got, want)
	}
}

// TestUpdate_InPieces checks that a body summed piece by piece, as a Put
// reads it, has the CRC of the whole.
func TestUpdate_InPieces(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	body := make([]byte, 3<<20+77)
	for i := range body {
		body[i] = byte(r.Uint32())
	}
	want := crc64.Checksum(body, table)
	var crc uint64
	for rest := body; len(rest) > 0; {
		n := min(len(rest), 1+r.IntN(300<<10))
		crc = Update(crc, rest[:n])
		rest = rest[n:]
	}
	if crc != want {
		t.Fatalf("in pieces %#x, whole %#x", crc, want)
	}
}

func FuzzUpdate(f *testing.F) {
	f.Add(uint64(0), make([]byte, 300))
	f.Add(^uint64(0), []byte("123456789"))
	f.Fuzz(func(t *testing.T, crc uint64, p []byte) {
		if got, want := Update(crc, p), crc64.Update(crc, table, p); got != want {
			t.Fatalf("Update(%#x, %d bytes) = %#x, want %#x", crc, len(p), got, want)
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	for _, n := range []int{4 << 10, 256 << 10} {
		p := make([]byte, n)
		b.Run("size="+itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				Update(0, p)
			}
		})
		b.Run("size="+itoa(n)+"/hash-crc64", func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				crc64.Update(0, table, p)
			}
		})
	}
}

func itoa(n int) string {
	if n >= 1<<10 {
		return itoa(n>>10) + "KiB"
	}
	s := ""
	for ; n > 0 || s == ""; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
