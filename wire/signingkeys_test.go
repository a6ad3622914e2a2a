package wire

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSigningKeys: the key remembered is the key derived, for each scope,
// prefix and secret apart, and the cache stays bounded.
func TestSigningKeys(t *testing.T) {
	var c SigningKeys
	s := Scope4{Date: "20261130", Region: "us-east-1", Service: "s3", Terminator: "aws4_request"}
	other := s
	other.Date = "20261201"
	for range 2 {
		require.Equal(t, s.SigningKey("AWS4", "secret"), c.Key(s, "AWS4", "secret"))
		require.Equal(t, other.SigningKey("AWS4", "secret"), c.Key(other, "AWS4", "secret"))
		require.Equal(t, s.SigningKey("AWS4", "another"), c.Key(s, "AWS4", "another"))
		require.Equal(t, s.SigningKey("aliyun_v4", "secret"), c.Key(s, "aliyun_v4", "secret"))
	}
	require.NotEqual(t, c.Key(s, "AWS4", "secret"), c.Key(other, "AWS4", "secret"))
	for i := range 3 * maxSigningKeys {
		sc := s
		sc.Region = fmt.Sprint("region-", i)
		require.Equal(t, sc.SigningKey("AWS4", "secret"), c.Key(sc, "AWS4", "secret"))
		require.LessOrEqual(t, len(c.keys), maxSigningKeys)
	}
}
