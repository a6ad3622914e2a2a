package wire_test

import (
	"testing"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestRedactQuery: the values of the named parameters, whatever their
// case or encoding, after '&' or ';'; everything else as sent.
func TestRedactQuery(t *testing.T) {
	names := map[string]bool{"x-amz-signature": true, "x-amz-credential": true}
	for raw, want := range map[string]string{
		"":                                "",
		"X-Amz-Signature=abc&prefix=a%2F": "X-Amz-Signature=REDACTED&prefix=a%2F",
		"x%2Damz%2Dcredential=AK%2F1;x-amz-signature=s": "x%2Damz%2Dcredential=REDACTED;x-amz-signature=REDACTED",
		"X-Amz-Signature&a=1":                           "X-Amz-Signature&a=1",
		"signature=keep":                                "signature=keep",
		"a=1;;&X-Amz-Signature+=LEAK":                   "a=1;;&X-Amz-Signature+=REDACTED",
	} {
		require.Equal(t, want, wire.RedactQuery(raw, names), raw)
	}
}
