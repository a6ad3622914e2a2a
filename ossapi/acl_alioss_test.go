package ossapi_test

import (
	"testing"
)

// TestAliOSSACL drives bucket and object ACLs through ali-oss
// (testdata/alioss/acl.js) on a server without keys: stored and returned
// at creation, by PutBucketAcl and PutObjectAcl, on copies and in
// GetBucketInfo; bad ACLs refused with OSS's message and nothing changed;
// unsigned requests served as the owner's.
func TestAliOSSACL(t *testing.T) {
	runAliOSS(t, "acl.js", 12)
}

// TestAliOSSACLAnonymous drives testdata/alioss/acl_anonymous.js on a
// server with ali-oss's key: ali-oss sets the ACLs, signed, and unsigned
// requests are admitted or refused by them.
func TestAliOSSACLAnonymous(t *testing.T) {
	runAliOSSWith(t, "acl_anonymous.js", 9, map[string]string{"ak": "sk"})
}
