package wire_test

import (
	"testing"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

func TestParseDigits(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "007": 7, "9223372036854775807": 1<<63 - 1} {
		n, ok := wire.ParseDigits(s)
		require.True(t, ok, s)
		require.Equal(t, want, n, s)
	}
	for _, s := range []string{"", "+1", "-1", " 1", "1 ", "0x1", "1e3", "9223372036854775808", "١"} {
		_, ok := wire.ParseDigits(s)
		require.False(t, ok, s)
	}
}
