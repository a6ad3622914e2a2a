package wire_test

import (
	"fmt"
	"testing"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestParseRange: each rule on its own decides one kind of header, on an
// object of 10 bytes (and an empty one).
func TestParseRange(t *testing.T) {
	whole := wire.ByteRange{Length: 10}
	part := func(start, n int64) wire.ByteRange { return wire.ByteRange{Start: start, Length: n, Partial: true} }
	var (
		none        = wire.RangeRules{}
		malformed   = wire.RangeRules{RefuseMalformed: true}
		many        = wire.RangeRules{FirstOfMany: true}
		unsatisfied = wire.RangeRules{RefuseUnsatisfiable: true}
		clamp       = wire.RangeRules{Clamp: true}
	)
	cases := []struct {
		spec  string
		size  int64
		rules wire.RangeRules
		want  wire.ByteRange // ignored when refused
		err   bool
	}{
		{"", 10, malformed, whole, false},
		{"bytes=2-4", 10, none, part(2, 3), false},
		{"bytes = 2-", 10, none, part(2, 8), false},
		{"BYTES=-3", 10, none, part(7, 3), false},
		{"bytes= 9 - 9 ", 10, none, part(9, 1), false},
		// Malformed headers.
		{"items=0-1", 10, none, whole, false},
		{"items=0-1", 10, malformed, wire.ByteRange{}, true},
		{"bytes=5-3", 10, malformed, wire.ByteRange{}, true},
		{"bytes=+1-2", 10, malformed, wire.ByteRange{}, true},
		{"bytes=0-99999999999999999999", 10, malformed, wire.ByteRange{}, true},
		{"bytes=0-99999999999999999999", 10, clamp, whole, false},
		{"bytes=abc", 10, unsatisfied, whole, false},
		// Several ranges.
		{"bytes=0-1,3-4", 10, none, whole, false},
		{"bytes=0-1,3-4", 10, many, part(0, 2), false},
		{"bytes=0-1,3-4", 10, malformed, wire.ByteRange{}, true},
		{"bytes=0-1,3-4", 10, wire.RangeRules{RefuseMalformed: true, FirstOfMany: true}, part(0, 2), false},
		// Unsatisfiable ranges.
		{"bytes=10-", 10, none, whole, false},
		{"bytes=10-", 10, unsatisfied, wire.ByteRange{}, true},
		{"bytes=-0", 10, unsatisfied, wire.ByteRange{}, true},
		{"bytes=0-", 0, unsatisfied, wire.ByteRange{}, true},
		{"bytes=-1", 0, unsatisfied, wire.ByteRange{}, true},
		{"bytes=-1", 0, none, wire.ByteRange{}, false},
		{"bytes=10-", 10, malformed, whole, false},
		// Past the end.
		{"bytes=5-20", 10, none, whole, false},
		{"bytes=5-20", 10, unsatisfied, wire.ByteRange{}, true},
		{"bytes=5-20", 10, clamp, part(5, 5), false},
		{"bytes=-11", 10, clamp, part(0, 10), false},
		{"bytes=-11", 10, unsatisfied, wire.ByteRange{}, true},
		{"bytes=10-20", 10, clamp, whole, false},
	}
	for _, c := range cases {
		name := fmt.Sprintf("%q of %d with %+v", c.spec, c.size, c.rules)
		got, err := wire.ParseRange(c.spec, c.size, c.rules)
		if c.err {
			require.ErrorIs(t, err, wire.ErrInvalidRange, name)
			continue
		}
		require.NoError(t, err, name)
		want := c.want
		if !want.Partial {
			want.Length = c.size
		}
		require.Equal(t, want, got, name)
	}
}

// FuzzParseRange: whatever the header and the rules, a range served lies inside
// the object and is not empty.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-4", "bytes=--5", "bytes=-0", "bytes=5-3", "bytes=0-1,2-3", "bytes=-99999999999999999999"} {
		f.Add(s, int64(10), uint8(0))
		f.Add(s, int64(0), uint8(15))
	}
	f.Fuzz(func(t *testing.T, spec string, size int64, bits uint8) {
		size = max(0, size)
		rules := wire.RangeRules{RefuseMalformed: bits&1 != 0, FirstOfMany: bits&2 != 0, RefuseUnsatisfiable: bits&4 != 0, Clamp: bits&8 != 0}
		r, err := wire.ParseRange(spec, size, rules)
		if err != nil {
			require.ErrorIs(t, err, wire.ErrInvalidRange)
			return
		}
		if !r.Partial {
			require.Equal(t, wire.ByteRange{Length: size}, r)
			return
		}
		require.True(t, r.Start >= 0 && r.Length > 0 && r.Start+r.Length <= size, "%+v of %d", r, size)
	})
}

func TestContentRange(t *testing.T) {
	require.Equal(t, "bytes 7-9/10", wire.ByteRange{Start: 7, Length: 3, Partial: true}.ContentRange(10))
	require.Equal(t, "bytes */10", wire.UnsatisfiedContentRange(10))
}

func TestParseCopyRange(t *testing.T) {
	for v, want := range map[string][2]int64{"bytes=0-0": {0, 1}, "bytes=10-19": {10, 10}, " bytes=5-5 ": {5, 1}} {
		off, n, ok := wire.ParseCopyRange(v)
		require.True(t, ok, v)
		require.Equal(t, want, [2]int64{off, n}, v)
	}
	for _, v := range []string{"", "bytes=", "bytes=5-4", "bytes=-5", "bytes=5-", "items=0-1", "bytes=a-b", "bytes=0-1,2-3"} {
		_, _, ok := wire.ParseCopyRange(v)
		require.False(t, ok, v)
	}
}
