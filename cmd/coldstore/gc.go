package main

import "runtime/debug"

// serveGCPercent is the garbage collector's target while serve runs,
// unless the environment sets GOGC: the heap may grow to five times what
// is live between collections, rather than Go's default two. serve's live
// heap is small (bodies pass through pooled buffers of at most 1 MiB a
// request; the database's pages are mapped, not on the heap) while every
// request allocates a few KiB, so at the default the collector ran every
// few thousand requests and took a tenth of the CPU of a small request;
// at 400, small requests cost 12% less CPU (bench/README.md).
const serveGCPercent = 400

// tuneGC sets the collector's target to serveGCPercent unless getenv
// finds GOGC set, and returns the function that puts back the target it
// found.
func tuneGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(serveGCPercent)
	return func() { debug.SetGCPercent(old) }
}
