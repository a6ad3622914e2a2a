package wire_test

import (
	"regexp"
	"sync"
	"testing"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestRequestIDs: 24 upper-case hex digits, distinct across concurrent
// callers, with a prefix that differs from one generator to the next.
func TestRequestIDs(t *testing.T) {
	g := wire.NewRequestIDs()
	form := regexp.MustCompile(`^[0-9A-F]{24}$`)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				id := g.Next()
				mu.Lock()
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, 8000, "an id was handed out twice")
	for id := range seen {
		require.Regexp(t, form, id)
	}
	a, b := g.Next(), wire.NewRequestIDs().Next()
	require.NotEqual(t, a[:8], b[:8], "two generators share a prefix: ids would repeat across restarts")
}
