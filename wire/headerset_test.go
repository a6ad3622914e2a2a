package wire

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHeaderSetter: the headers Header.Set would give, past the array
// too; an Add to one name, or a change of its value, leaves the others.
func TestHeaderSetter(t *testing.T) {
	var s HeaderSetter
	got, want := http.Header{}, http.Header{}
	for i := range 12 {
		k, v := fmt.Sprintf("x-amz-meta-k%d", i), fmt.Sprintf("v%d", i)
		s.Set(got, k, v)
		want.Set(k, v)
	}
	s.Set(got, "Etag", `"e"`)
	want.Set("Etag", `"e"`)
	require.Equal(t, want, got)

	got.Add("X-Amz-Meta-K0", "added")
	got["X-Amz-Meta-K3"][0] = "changed"
	require.Equal(t, []string{"v0", "added"}, got["X-Amz-Meta-K0"])
	require.Equal(t, []string{"v1"}, got["X-Amz-Meta-K1"], "the next value is not written over")
	require.Equal(t, []string{"v2"}, got["X-Amz-Meta-K2"])
	require.Equal(t, []string{"v4"}, got["X-Amz-Meta-K4"])

	s = HeaderSetter{}
	h := http.Header{}
	require.Equal(t, 0.0, testing.AllocsPerRun(100, func() {
		s.n = 0
		s.Set(h, "Etag", `"e"`)
		s.Set(h, "Content-Type", "text/plain")
	}), "no allocation within the array")
}

// TestHeaderSetter_AsIs: SetAsIs keeps the case it is given, within the
// array and past it, and Set beside it still canonicalises.
func TestHeaderSetter_AsIs(t *testing.T) {
	var s HeaderSetter
	h := http.Header{}
	for i := range 10 {
		s.SetAsIs(h, fmt.Sprintf("x-amz-meta-my-key%d", i), fmt.Sprintf("v%d", i))
	}
	s.Set(h, "etag", `"e"`)
	for i := range 10 {
		require.Equal(t, []string{fmt.Sprintf("v%d", i)}, h[fmt.Sprintf("x-amz-meta-my-key%d", i)])
	}
	require.Equal(t, []string{`"e"`}, h["Etag"])
	require.Len(t, h, 11)
}
