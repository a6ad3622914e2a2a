package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
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
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

// EscapeQuery percent-encodes a query name or value as RFC 3986 does:
// '%20' for a space.
func EscapeQuery(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// JoinTrimmed joins a header's values, each trimmed, with commas, as a
// canonical header is.
func JoinTrimmed(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.TrimSpace(v)
	}
	return strings.Join(out, ",")
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
