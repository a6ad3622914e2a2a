package crc64ecma

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sizes := range [][2]int{{0, 0}, {0, 5}, {5, 0}, {1, 1}, {100, 3}, {3, 100}, {4096, 262144}, {262145, 102400}, {7, 1 << 20}} {
		a, b := make([]byte, sizes[0]), make([]byte, sizes[1])
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := crc64.Checksum(append(append([]byte{}, a...), b...), table)
		got := Combine(crc64.Checksum(a, table), crc64.Checksum(b, table), int64(len(b)))
		require.Equal(t, want, got, "sizes %v", sizes)
	}
}
