package wire

import (
	"net/url"
	"strings"
)

// RedactQuery is the raw query string raw with the values of the
// parameters in names replaced by REDACTED, for the log: names holds the
// lower-case names of the parameters that carry credentials, and a
// parameter is matched by its name decoded, without surrounding white
// space, in any case. The query is split on ';' as well as '&': Go's parser
// refuses ';', but a log line must not hold what follows it in clear
// ("x=1;Signature=..."). Everything else is kept as sent.
func RedactQuery(raw string, names map[string]bool) string {
	if raw == "" {
		return ""
	}
	var b strings.Builder
	for len(raw) > 0 {
		end := strings.IndexAny(raw, "&;")
		if end < 0 {
			end = len(raw)
		}
		p := raw[:end]
		k, _, hasValue := strings.Cut(p, "=")
		name := k
		if u, err := url.QueryUnescape(k); err == nil {
			name = u
		}
		if names[strings.ToLower(strings.TrimSpace(name))] && hasValue {
			p = k + "=REDACTED"
		}
		b.WriteString(p)
		if end < len(raw) {
			b.WriteByte(raw[end])
			end++
		}
		raw = raw[end:]
	}
	return b.String()
}
