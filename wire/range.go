package wire

import (
	"fmt"
	"strconv"
	"strings"
)

// ByteRange is the part of an object a GET answers.
type ByteRange struct {
	Start, Length int64
	// Partial: 206 with Content-Range; false: 200 with the whole object
	// (Start 0, Length its size).
	Partial bool
}

// ContentRange is the Content-Range of r in an object of size bytes:
// "bytes first-last/size".
func (r ByteRange) ContentRange(size int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", r.Start, r.Start+r.Length-1, size)
}

// UnsatisfiedContentRange is the Content-Range of a 416 answer about an
// object of size bytes: "bytes */size".
func UnsatisfiedContentRange(size int64) string {
	return fmt.Sprintf("bytes */%d", size)
}

// RangeRules say how a protocol answers a Range header that is not one
// satisfiable range within the object. The zero value ignores every such
// header (the whole object, 200). OSS without x-oss-range-behavior:
// {FirstOfMany: true}; OSS with x-oss-range-behavior: standard:
// {RefuseMalformed, RefuseUnsatisfiable, Clamp}.
type RangeRules struct {
	// RefuseMalformed answers a header that does not parse as ranges of
	// bytes (another unit, a missing '-', a number that is not digits or
	// passes the largest int64, a last byte before the first) with
	// ErrInvalidRange; false ignores it.
	RefuseMalformed bool
	// FirstOfMany serves the first of several ranges, as if it were alone;
	// false takes several ranges as a malformed header.
	FirstOfMany bool
	// RefuseUnsatisfiable answers a range no byte of the object satisfies
	// (its first byte at or past the end, a suffix of 0 bytes, any range of
	// an empty object) with ErrInvalidRange; false ignores it.
	RefuseUnsatisfiable bool
	// Clamp cuts a range that reaches past the end at the end, and serves a
	// suffix longer than the object as all of it, both 206; false takes
	// either as unsatisfiable.
	Clamp bool
}

// ParseRange reads a Range header, spec, against an object of size bytes.
// One range of bytes is served: first-last, first- or -suffix (the last
// suffix bytes), white space around each part allowed. An empty spec is the
// whole object. It returns ErrInvalidRange where rules refuse the header,
// and the whole object where they ignore it.
func ParseRange(spec string, size int64, rules RangeRules) (ByteRange, error) {
	whole := ByteRange{Length: size}
	if spec == "" {
		return whole, nil
	}
	malformed := func() (ByteRange, error) {
		if rules.RefuseMalformed {
			return ByteRange{}, ErrInvalidRange
		}
		return whole, nil
	}
	unsatisfiable := func() (ByteRange, error) {
		if rules.RefuseUnsatisfiable {
			return ByteRange{}, ErrInvalidRange
		}
		return whole, nil
	}
	unit, set, ok := strings.Cut(spec, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return malformed()
	}
	ranges := strings.Split(set, ",")
	if len(ranges) > 1 && !rules.FirstOfMany {
		return malformed()
	}
	first, last, ok := strings.Cut(strings.TrimSpace(ranges[0]), "-")
	if !ok {
		return malformed()
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" { // the last n bytes
		n, ok := ParseDigits(last)
		switch {
		case !ok:
			return malformed()
		case n == 0 || size == 0 || n > size && !rules.Clamp:
			return unsatisfiable()
		}
		n = min(n, size)
		return ByteRange{Start: size - n, Length: n, Partial: true}, nil
	}
	a, ok := ParseDigits(first)
	if !ok {
		return malformed()
	}
	if a >= size {
		return unsatisfiable()
	}
	b := size - 1
	if last != "" {
		if b, ok = ParseDigits(last); !ok || b < a {
			return malformed()
		}
		if b >= size {
			if !rules.Clamp {
				return unsatisfiable()
			}
			b = size - 1
		}
	}
	return ByteRange{Start: a, Length: b - a + 1, Partial: true}, nil
}

// ParseCopyRange reads a copy-source range (x-oss-copy-source-range,
// x-amz-copy-source-range): bytes=first-last, inclusive. It returns the
// offset and length, and false for anything else.
func ParseCopyRange(v string) (offset, length int64, ok bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	first, last, dash := strings.Cut(spec, "-")
	a, errA := strconv.ParseInt(first, 10, 64)
	b, errB := strconv.ParseInt(last, 10, 64)
	if !ok || !dash || errA != nil || errB != nil || a < 0 || b < a {
		return 0, 0, false
	}
	return a, b - a + 1, true
}
