package ossapi_test

import "testing"

// TestAliOSSAppend drives the server with ali-oss through
// testdata/alioss/append.js: appends (first, next, large, at a wrong
// position, to a Normal object), heads and reads of appendable objects,
// symbolic links (put, get, reads through them, listings, a missing
// target, a Normal object read as a link, deleting a link). It needs
// Node.js and the SDK, as TestAliOSS.
func TestAliOSSAppend(t *testing.T) {
	runAliOSS(t, "append.js", 17)
}
