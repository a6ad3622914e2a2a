package ossapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
)

// TestAliOSS drives the server with ali-oss, the Node.js OSS SDK, through
// testdata/alioss/scenario.js: the seed's story, tagging, stored headers,
// forbid-overwrite, bucket information, listings, lifecycle, and a call
// not served. It needs Node.js and the SDK installed beside the script;
// without them it fails and says how to get them (.ci/run installs the
// SDK).
func TestAliOSS(t *testing.T) {
	runAliOSS(t, "scenario.js", 27)
}

// runAliOSS runs the ali-oss script testdata/alioss/<script> against a
// fresh server with a mock clock and requires it to pass all its steps.
func runAliOSS(t *testing.T, script string, steps int) {
	t.Helper()
	runAliOSSWith(t, script, steps, nil)
}

// runAliOSSWith is runAliOSS on a server that verifies signatures with
// keys (none: any credentials).
func runAliOSSWith(t *testing.T, script string, steps int, keys map[string]string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("the ali-oss tests need Node.js 18 or later: install it (Debian: apt-get install nodejs npm), then run npm ci --prefix ossapi/testdata/alioss")
	}
	dir := filepath.Join("testdata", "alioss")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "ali-oss")); err != nil {
		t.Fatal("the ali-oss tests need ali-oss: run npm ci --prefix ossapi/testdata/alioss (from the repository's root; .ci/run does)")
	}
	// As coldstore serve -clock mock runs it: with the background loop, so
	// that lifecycle rules act when the clock reaches them.
	m := clock.NewMock()
	m.Set(enginetest.Epoch)
	db, err := engine.Open(filepath.Join(t.TempDir(), "coldstore.db"), &engine.Options{Clock: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(context.Background()); err != nil {
			t.Errorf("invariants broken after the ali-oss script %s: %v", script, err)
		}
		db.Close()
	})
	// The wall clock judges the dates ali-oss signs: the real one.
	srv := httptest.NewServer(ossapi.New(db, &ossapi.Options{Clock: m, Keys: keys}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, filepath.Join(dir, script), srv.URL).CombinedOutput()
	t.Logf("ali-oss %s:\n%s", script, out)
	if err != nil {
		t.Fatalf("the ali-oss script %s failed: %v", script, err)
	}
	if !strings.Contains(string(out), fmt.Sprintf("%d steps passed", steps)) {
		t.Fatalf("the ali-oss script %s did not run all its %d steps", script, steps)
	}
}
