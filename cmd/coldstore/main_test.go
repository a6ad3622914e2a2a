package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coldstore.db")
	for round := range 2 { // a second run on the same file tells the same story
		var out, errb bytes.Buffer
		require.Equal(t, 0, run([]string{"demo", "-db", path}, &out, &errb), errb.String())
		text := out.String()
		order := []string{
			"403 InvalidObjectState",
			"202 Accepted  x-oss-restore: ongoing-request=\"true\"",
			"(ready at 2024-01-01T04:00:00Z, readable until 2024-01-03T04:00:00Z)",
			"409 RestoreAlreadyInProgress",
			`x-oss-restore: ongoing-request="true"`,
			"403 InvalidObjectState",
			`x-oss-restore: ongoing-request="false", expiry-date="Wed, 03 Jan 2024 04:00:00 GMT"`,
			`200 OK  23 bytes: "sand, sea and a seagull"`,
			`200 OK  x-oss-restore: ongoing-request="false", expiry-date="Thu, 04 Jan 2024 04:00:00 GMT"`,
			"x-oss-restore: (absent)",
			"403 InvalidObjectState",
			"sweep: 1 expired",
		}
		rest := text
		for _, want := range order {
			i := strings.Index(rest, want)
			require.GreaterOrEqual(t, i, 0, "run %d: %q missing or out of order in:\n%s", round, want, text)
			rest = rest[i+len(want):]
		}
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 2, run(nil, &out, &errb))
	require.Contains(t, errb.String(), "demo")
	require.Equal(t, 2, run([]string{"nope"}, &out, &errb))
}
