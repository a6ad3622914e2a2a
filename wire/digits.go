package wire

import "strconv"

// ParseDigits reads a decimal number as HTTP headers and query parameters
// write one: one or more ASCII digits. ok is false for anything else:
// an empty string, a sign, white space, a number past the largest int64.
func ParseDigits(s string) (n int64, ok bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// IntParam reads the query parameter name as an integer in [lo, hi]: def
// when it is absent or empty, and false for anything else.
func IntParam(query map[string][]string, name string, def, lo, hi int) (int, bool) {
	v := query[name]
	if len(v) == 0 || v[0] == "" {
		return def, true
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}
