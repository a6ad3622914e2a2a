package engine

import (
	"sync"
	"unsafe"
)

// A call through an interface makes the compiler move its arguments to the
// heap: it cannot see that the store's method keeps nothing. The store seam
// is called on every read and write, so the engine hands keys over without
// the copies and allocations that would follow.

// bytesOf returns the bytes of s without copying them. A store never
// changes a key or value it is given (kv.Tx), and a string's bytes never
// change, so the store may keep the slice for as long as it likes.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// namePool holds buffers for bucket names built for a lookup: a lookup
// keeps nothing of its argument past the call (kv.Tx), so the buffer is
// reused at once.
var namePool = sync.Pool{New: func() any {
	b := make([]byte, 0, len(objectsPrefix)+MaxBucketNameLen+len(meterSuffix))
	return &b
}}
