package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTuneGC: serve's target while it runs, then the one before it; GOGC
// set in the environment wins.
func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := tuneGC(func(string) string { return "" })
	require.Equal(t, serveGCPercent, debug.SetGCPercent(serveGCPercent))
	restore()
	require.Equal(t, 100, debug.SetGCPercent(100))

	restore = tuneGC(func(k string) string {
		if k == "GOGC" {
			return "150"
		}
		return ""
	})
	require.Equal(t, 100, debug.SetGCPercent(100), "GOGC set: the target left alone")
	restore()
	require.Equal(t, 100, debug.SetGCPercent(100))
}
