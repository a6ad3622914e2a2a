package wire_test

import (
	"encoding/hex"
	"fmt"
	"net/textproto"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestSignatures4: AWS's published example of Signature Version 4 (the IAM
// ListUsers request of the SigV4 documentation): its signing key and its
// signature.
func TestSignatures4(t *testing.T) {
	scope := wire.Scope4{Date: "20150830", Region: "us-east-1", Service: "iam", Terminator: "aws4_request"}
	key := scope.SigningKey("AWS4", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	require.Equal(t, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9", hex.EncodeToString(key))
	canon := "GET\n/\nAction=ListUsers&Version=2010-05-08\n" +
		"content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
		"content-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	got := slices.Collect(wire.Signatures4(wire.NewSigningKey(key), "AWS4-HMAC-SHA256", "20150830T123600Z", scope, slices.Values([]string{canon})))
	require.Equal(t, []string{"5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"}, got)
	require.Equal(t, "20150830/us-east-1/iam/aws4_request", scope.String())

	require.NoError(t, wire.CheckScopeDate("20150830", time.Date(2015, 8, 30, 23, 59, 0, 0, time.UTC), coldstore.ErrInvalidArgument))
	require.ErrorIs(t, wire.CheckScopeDate("20150830", time.Date(2015, 8, 31, 0, 0, 0, 0, time.UTC), coldstore.ErrInvalidArgument), coldstore.ErrInvalidArgument)
}

// TestCanonicalHeaderKey: the names looked up without canonicalizing are
// the keys textproto makes of them.
func TestCanonicalHeaderKey(t *testing.T) {
	for _, name := range []string{"host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "x-amz-user-agent",
		"amz-sdk-invocation-id", "amz-sdk-request", "content-type", "content-md5", "range", "x-oss-date",
		"x-amz-meta-color", "if-match"} {
		require.Equal(t, textproto.CanonicalMIMEHeaderKey(name), wire.CanonicalHeaderKey(name), name)
	}
}

// TestEscapePath: RFC 3986's unreserved characters and '/' stay, every
// other byte becomes %XX, upper case, wherever it stands.
func TestEscapePath(t *testing.T) {
	for c := range 256 {
		want := fmt.Sprintf("%%%02X", c)
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/", byte(c)) >= 0 {
			want = string(rune(c))
		}
		require.Equal(t, "/a"+want+"z", wire.EscapePath("/a"+string([]byte{byte(c)})+"z"), c)
		require.Equal(t, want, wire.EscapePath(string([]byte{byte(c)})), c)
	}
	require.Equal(t, "/photos/2024/a%20b%2Bc%C3%BC~x.jpg", wire.EscapePath("/photos/2024/a b+cü~x.jpg"))
	require.Equal(t, "%20lead", wire.EscapePath(" lead"))
	require.Equal(t, "", wire.EscapePath(""))
}
