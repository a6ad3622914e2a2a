package ossapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
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
	const script, steps = "acl_anonymous.js", 9
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("the ali-oss tests need Node.js 18 or later: install it (Debian: apt-get install nodejs npm), then run npm ci --prefix ossapi/testdata/alioss")
	}
	db, m := enginetest.New(t, nil)
	// The wall clock judges the dates ali-oss signs: the real one.
	srv := httptest.NewServer(ossapi.New(db, &ossapi.Options{Clock: m, Keys: map[string]string{"ak": "sk"}}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, filepath.Join("testdata", "alioss", script), srv.URL).CombinedOutput()
	t.Logf("ali-oss %s:\n%s", script, out)
	if err != nil {
		t.Fatalf("the ali-oss script %s failed: %v", script, err)
	}
	if !strings.Contains(string(out), fmt.Sprintf("%d steps passed", steps)) {
		t.Fatalf("the ali-oss script %s did not run all its %d steps", script, steps)
	}
}
