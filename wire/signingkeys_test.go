package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"sync"
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
		require.Equal(t, s.SigningKey("AWS4", "secret"), c.Key(s, "AWS4", "secret").Bytes())
		require.Equal(t, other.SigningKey("AWS4", "secret"), c.Key(other, "AWS4", "secret").Bytes())
		require.Equal(t, s.SigningKey("AWS4", "another"), c.Key(s, "AWS4", "another").Bytes())
		require.Equal(t, s.SigningKey("aliyun_v4", "secret"), c.Key(s, "aliyun_v4", "secret").Bytes())
	}
	require.NotEqual(t, c.Key(s, "AWS4", "secret"), c.Key(other, "AWS4", "secret").Bytes())
	for i := range 3 * maxSigningKeys {
		sc := s
		sc.Region = fmt.Sprint("region-", i)
		require.Equal(t, sc.SigningKey("AWS4", "secret"), c.Key(sc, "AWS4", "secret").Bytes())
		require.LessOrEqual(t, len(c.keys), maxSigningKeys)
	}
}

// TestSigningKey_AppendHMAC: the HMACs a key keeps give the HMAC of each
// message whatever came before them, from any goroutine.
func TestSigningKey_AppendHMAC(t *testing.T) {
	k := NewSigningKey([]byte("0123456789abcdef0123456789abcdef"))
	want := func(msg []byte) []byte {
		m := hmac.New(sha256.New, k.Bytes())
		m.Write(msg)
		return m.Sum(nil)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				msg := []byte(fmt.Sprintf("goroutine %d message %d %s", g, i, make([]byte, i)))
				got := k.AppendHMAC([]byte("prefix"), msg)
				if string(got[:6]) != "prefix" || !hmac.Equal(got[6:], want(msg)) {
					t.Errorf("goroutine %d message %d: wrong HMAC", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
}
