package dialect

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// FuzzNames checks the name rules against their plainest statement.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"", "a", "ab", "abc", "a-b", "-ab", "ab-", "Abc", "a_b", strings.Repeat("a", 63), strings.Repeat("a", 64),
		"/k", `\k`, "k/", "\xff", "日本語", strings.Repeat("k", 1023), strings.Repeat("k", 1024), "a\x00b",
		"tab\there", "cr\rlf\n", "bell\a", "\x1f", "\uFFFE", "\uFFFF", "\uFFFD", "\U0001F600", "\u007f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validBucketName(s), bucketRE.MatchString(s); got != want {
			t.Fatalf("validBucketName(%q) = %v, want %v", s, got, want)
		}
		want := len(s) >= 1 && len(s) <= 1023 && utf8.ValidString(s) && !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, `\`) &&
			xmlCarries(s)
		if got := validKey(s); got != want {
			t.Fatalf("validKey(%q) = %v, want %v", s, got, want)
		}
	})
}

// xmlCarries reports whether s comes back from an XML document as it went
// in: encoding/xml writes what XML 1.0 cannot carry as U+FFFD.
func xmlCarries(s string) bool {
	var b strings.Builder
	b.WriteString("<k>")
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return false
	}
	b.WriteString("</k>")
	var got string
	return xml.Unmarshal([]byte(b.String()), &got) == nil && got == s
}
