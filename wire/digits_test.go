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

func TestIntParam(t *testing.T) {
	q := map[string][]string{"a": {"5"}, "b": {""}, "c": {"x"}, "d": {"11"}, "e": {"-1"}}
	for name, want := range map[string]struct {
		n  int
		ok bool
	}{"a": {5, true}, "b": {7, true}, "none": {7, true}, "c": {0, false}, "d": {0, false}, "e": {0, false}} {
		n, ok := wire.IntParam(q, name, 7, 0, 10)
		require.Equal(t, want.n, n, name)
		require.Equal(t, want.ok, ok, name)
	}
}
