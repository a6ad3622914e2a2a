package wire

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Preconditions evaluates If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since (RFC 9110's order) against an object with the ETag
// etag (hex, unquoted) last modified at lastModified, to the second: 0
// when the request goes on, 304 Not Modified or 412 Precondition Failed.
// Unparseable dates are ignored, as the RFC says. A condition given in
// several header lines is one list (RFC 9110 §5.3). A weak ETag (W/) is
// compared as its strong one in both conditions: S3 and OSS make no weak
// ETags, and a client that sends one means the object's.
func Preconditions(hdr http.Header, etag string, lastModified time.Time) int {
	lm := lastModified.Truncate(time.Second)
	if im := strings.Join(hdr.Values("If-Match"), ","); im != "" {
		if !etagMatches(im, etag) {
			return http.StatusPreconditionFailed
		}
	} else if t, err := parseTime(hdr.Get("If-Unmodified-Since")); err == nil && lm.After(t) {
		return http.StatusPreconditionFailed
	}
	if inm := strings.Join(hdr.Values("If-None-Match"), ","); inm != "" {
		if etagMatches(inm, etag) {
			return http.StatusNotModified
		}
	} else if t, err := parseTime(hdr.Get("If-Modified-Since")); err == nil && !lm.After(t) {
		return http.StatusNotModified
	}
	return 0
}

// parseTime is http.ParseTime, without its three failed attempts at an
// absent header's "".
func parseTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, errNoTime
	}
	return http.ParseTime(v)
}

var errNoTime = errors.New("no time")

// IfRange reports whether an If-Range value (a strong ETag, or an HTTP
// date that must equal lastModified to the second) still names the
// object: if not, a GET answers the whole object rather than its Range.
func IfRange(v, etag string, lastModified time.Time) bool {
	if t, err := http.ParseTime(v); err == nil {
		return lastModified.Truncate(time.Second).Equal(t)
	}
	return !strings.HasPrefix(v, "W/") && etagMatches(v, etag)
}

// etagMatches reports whether list (an If-Match or If-None-Match value:
// "*" or ETags, quoted or not, weak or not, in any case) names etag.
// ETagMatches reports whether an If-Match value (a list of ETags, quoted
// or not, or "*") names the ETag etag (hex, unquoted), as Preconditions
// judges it.
func ETagMatches(list, etag string) bool { return etagMatches(list, etag) }

func etagMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "*" {
			return true
		}
		e = strings.Trim(strings.TrimPrefix(e, "W/"), `"`)
		if strings.EqualFold(e, etag) {
			return true
		}
	}
	return false
}

// CopyPreconditions evaluates the copy-source conditions of hdr (the
// If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since
// headers after prefix: "x-oss-copy-source-", "x-amz-copy-source-")
// against the source's etag and lastModified: nil, or
// ErrPreconditionFailed when one fails.
func CopyPreconditions(hdr http.Header, prefix, etag string, lastModified time.Time) error {
	c := http.Header{}
	for _, k := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if v := hdr.Get(prefix + k); v != "" {
			c.Set(k, v)
		}
	}
	if Preconditions(c, etag, lastModified) != 0 {
		return ErrPreconditionFailed
	}
	return nil
}
