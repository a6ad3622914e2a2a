package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"iter"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
)

// The pieces of AWS Signature Version 4 that OSS's V4 shares with it.

// HMACSHA256 is HMAC-SHA256 of s with key.
func HMACSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// EscapePath percent-encodes all but RFC 3986's unreserved characters and
// '/', as a canonical URI is.
func EscapePath(s string) string {
	i := 0
	for i < len(s) && unreservedOrSlash(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	const digits = "0123456789ABCDEF"
	b := make([]byte, i, len(s)+16)
	copy(b, s)
	for ; i < len(s); i++ {
		if c := s[i]; unreservedOrSlash(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', digits[c>>4], digits[c&0xf])
		}
	}
	return string(b)
}

// unreservedOrSlash reports whether c is one of RFC 3986's unreserved
// characters or '/'.
func unreservedOrSlash(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}

// EscapeQuery percent-encodes a query name or value as RFC 3986 does:
// '%20' for a space.
func EscapeQuery(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// JoinTrimmed joins a header's values, each trimmed, with commas, as a
// canonical header is.
func JoinTrimmed(vs []string) string {
	if len(vs) == 1 {
		return strings.TrimSpace(vs[0])
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.TrimSpace(v)
	}
	return strings.Join(out, ",")
}

// CanonicalHeaderKey is textproto.CanonicalMIMEHeaderKey(name), the key
// of a header named name (lower case, as signed) in an http.Header: for
// the headers S3 clients sign most, without building the string again.
// (OSS's V4 walks the request's headers instead: ossapi.)
func CanonicalHeaderKey(name string) string {
	switch name {
	case "host":
		return "Host"
	case "x-amz-date":
		return "X-Amz-Date"
	case "x-amz-content-sha256":
		return "X-Amz-Content-Sha256"
	case "x-amz-security-token":
		return "X-Amz-Security-Token"
	case "x-amz-user-agent":
		return "X-Amz-User-Agent"
	case "amz-sdk-invocation-id":
		return "Amz-Sdk-Invocation-Id"
	case "amz-sdk-request":
		return "Amz-Sdk-Request"
	case "content-type":
		return "Content-Type"
	case "content-md5":
		return "Content-Md5"
	case "range":
		return "Range"
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// CanonicalQueries returns the canonical query strings a client may have
// signed for the raw query string: the parameters sorted with their
// values as sent (what the Go SDKs sign) and, when that differs, each name
// and value decoded and encoded again (EscapeQuery). The parameter named
// skip (a presigned URL's signature) is left out. An empty value is
// written "name=" with equalsForEmpty (AWS), "name" without (OSS).
func CanonicalQueries(raw, skip string, equalsForEmpty bool) []string {
	raw = strings.ReplaceAll(raw, "+", "%20")
	type kv struct{ k, v string }
	var asSent, reencoded []kv
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if skip != "" && dk == skip {
			continue
		}
		asSent = append(asSent, kv{k, v})
		if err1 == nil && err2 == nil {
			reencoded = append(reencoded, kv{EscapeQuery(dk), EscapeQuery(dv)})
		}
	}
	join := func(list []kv) string {
		sort.SliceStable(list, func(i, j int) bool {
			if list[i].k != list[j].k {
				return list[i].k < list[j].k
			}
			return list[i].v < list[j].v
		})
		var b strings.Builder
		for i, p := range list {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(p.k)
			if p.v != "" || equalsForEmpty {
				b.WriteString("=" + p.v)
			}
		}
		return b.String()
	}
	out := []string{join(asSent)}
	if r := join(reencoded); r != out[0] {
		out = append(out, r)
	}
	return out
}

// Scope4 is a V4 credential scope: the date (20060102), region, service
// (OSS: product) and terminator (aws4_request, aliyun_v4_request).
type Scope4 struct {
	Date, Region, Service, Terminator string
}

// String is date/region/service/terminator, as the string to sign holds
// it.
func (s Scope4) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + s.Terminator
}

// SigningKey derives the key of secret for the scope: HMAC-SHA256 chained
// over the scope's parts from prefix+secret ("AWS4", "aliyun_v4").
func (s Scope4) SigningKey(prefix, secret string) []byte {
	key := []byte(prefix + secret)
	for _, p := range []string{s.Date, s.Region, s.Service, s.Terminator} {
		key = HMACSHA256(key, p)
	}
	return key
}

// Signatures4 yields the V4 signature of each canonical request canon
// yields: hex(HMAC-SHA256(key, algorithm "\n" timestamp "\n" scope "\n"
// hex(SHA256(canonical request)))).
func Signatures4(key *SigningKey, algorithm, timestamp string, scope Scope4, canon iter.Seq[string]) iter.Seq[string] {
	return func(yield func(string) bool) {
		// One buffer for the string to sign, for every candidate: a
		// server verifies a signature on every request.
		prefix := algorithm + "\n" + timestamp + "\n" + scope.String() + "\n"
		toSign := make([]byte, 0, len(prefix)+2*sha256.Size)
		var sig [sha256.Size]byte
		for c := range canon {
			sum := sha256.Sum256([]byte(c))
			toSign = hex.AppendEncode(append(toSign[:0], prefix...), sum[:])
			if !yield(hex.EncodeToString(key.AppendHMAC(sig[:0], toSign))) {
				return
			}
		}
	}
}

// CheckScopeDate returns nil when a credential scope's date is the day of
// t (UTC), as V4 requires, else an error naming both, wrapping mismatch.
func CheckScopeDate(date string, t time.Time, mismatch error) error {
	if day := t.UTC().Format("20060102"); date != day {
		return &coldstore.OpError{Op: "authenticate", Detail: "credential date " + strconv.Quote(date) + " is not the request's date " + day, Err: mismatch}
	}
	return nil
}
