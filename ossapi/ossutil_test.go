package ossapi_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// buildOssutil builds ossutil, OSS's official command-line client, at the
// version testdata/ossutil pins (a module of its own), and returns the
// binary's path. The Go module proxy serves it; the build cache keeps
// later builds to a link.
func buildOssutil(t *testing.T) string {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Fatal("TestOssutil builds ossutil with the go command, which it cannot find")
		}
	}
	bin := filepath.Join(t.TempDir(), "ossutil")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "github.com/aliyun/ossutil")
	cmd.Dir = filepath.Join("testdata", "ossutil")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building ossutil (testdata/ossutil; it needs the Go module proxy, or a module cache that has github.com/aliyun/ossutil v1.7.19): %v\n%s", err, out)
	}
	return bin
}

// TestOssutil drives the server with ossutil through what a user does with
// it: buckets, small and multipart uploads (--bigfile-threshold keeps the
// file small), listings, stat (which reads the ACL), set-meta, ACLs, the
// archive story with the mock clock, tags, lifecycle, symlinks, appends,
// du, and removing everything with the bucket. Each step checks ossutil's
// exit status and output, and what the database holds.
func TestOssutil(t *testing.T) {
	bin := buildOssutil(t)
	db, m := enginetest.New(t, nil)
	srv := httptest.NewServer(ossapi.New(db, &ossapi.Options{Clock: m}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	require.NoError(t, os.WriteFile(small, []byte("hello\n"), 0o600))
	big := filepath.Join(dir, "big")
	bigBody := someBytes(7, 3_000_000)
	require.NoError(t, os.WriteFile(big, bigBody, 0o600))
	policy := filepath.Join(dir, "lifecycle.xml")
	require.NoError(t, os.WriteFile(policy, []byte(`<LifecycleConfiguration><Rule><ID>r1</ID><Prefix>logs/</Prefix><Status>Enabled</Status>`+
		`<Transition><Days>30</Days><StorageClass>Archive</StorageClass></Transition></Rule></LifecycleConfiguration>`), 0o600))

	steps := 0
	// ossutil runs one command; ok says whether it must succeed, and the
	// output must hold each of want.
	ossutil := func(ok bool, args []string, want ...string) {
		t.Helper()
		steps++
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"-e", srv.URL, "-i", "ak", "-k", "sk"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if ok {
			require.NoError(t, err, "step %d, ossutil %s:\n%s", steps, strings.Join(args, " "), out)
		} else {
			require.Error(t, err, "step %d, ossutil %s should fail:\n%s", steps, strings.Join(args, " "), out)
		}
		for _, w := range want {
			require.Contains(t, string(out), w, "step %d, ossutil %s", steps, strings.Join(args, " "))
		}
	}
	args := strings.Fields
	head := func(key string) engine.ObjectInfo {
		t.Helper()
		oi, err := db.Head(ctx, "bkt", key)
		require.NoError(t, err)
		return oi
	}

	ossutil(true, args("mb oss://bkt"))
	ossutil(true, []string{"cp", small, "oss://bkt/small"}, "Succeed")
	ossutil(true, []string{"cp", big, "oss://bkt/big", "--bigfile-threshold", "1000000", "--part-size", "300000"}, "Succeed")
	require.Equal(t, engine.TypeMultipart, head("big").Type)
	ossutil(true, args("ls oss://bkt"), "-10   oss://bkt/big", "oss://bkt/small", "Object Number is: 2")
	ossutil(true, args("stat oss://bkt/small"), "ACL                   : default", "X-Oss-Object-Type     : Normal")
	ossutil(true, args("cat oss://bkt/small"), "hello")
	ossutil(true, []string{"cp", "oss://bkt/big", filepath.Join(dir, "big.copy")}, "Succeed")
	got, err := os.ReadFile(filepath.Join(dir, "big.copy"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(bigBody, got), "the download is the upload")
	ossutil(true, args("set-meta oss://bkt/small x-oss-meta-a:b -u"))
	require.Equal(t, map[string]string{"a": "b"}, head("small").Metadata)
	ossutil(true, args("set-acl oss://bkt/small public-read"))
	ossutil(true, args("stat oss://bkt/small"), "ACL                   : public-read", "X-Oss-Meta-A          : b")
	ossutil(true, args("set-acl oss://bkt public-read -b"))
	ossutil(true, args("stat oss://bkt"), "ACL                   : public-read", "AccessMonitor")

	ossutil(true, []string{"cp", small, "oss://bkt/cold", "--meta", "x-oss-storage-class:Archive"}, "Succeed")
	require.Equal(t, storageclass.Archive, head("cold").StorageClass)
	ossutil(false, args("cat oss://bkt/cold"), "InvalidObjectState")
	ossutil(true, args("restore oss://bkt/cold"))
	require.Equal(t, engine.Restoring, head("cold").Restore.State)
	m.Add(5 * time.Hour)
	ossutil(true, args("cat oss://bkt/cold"), "hello")

	ossutil(true, args("object-tagging --method put oss://bkt/small a#b"))
	ossutil(true, args("object-tagging --method get oss://bkt/small"), "\"a\"\t\"b\"")
	ossutil(true, args("bucket-tagging --method put oss://bkt k#v"))
	ossutil(true, args("bucket-tagging --method get oss://bkt"), "\"k\"\t\"v\"")
	ossutil(true, []string{"lifecycle", "--method", "put", "oss://bkt", policy})
	ossutil(true, args("lifecycle --method get oss://bkt"), "<ID>r1</ID>", "<Days>30</Days>")
	ossutil(true, args("create-symlink oss://bkt/link oss://bkt/small"))
	ossutil(true, args("read-symlink oss://bkt/link"), "X-Oss-Symlink-Target    : small")
	ossutil(true, args("cat oss://bkt/link"), "hello")
	for range 2 {
		ossutil(true, []string{"appendfromfile", small, "oss://bkt/app"})
	}
	ossutil(true, args("cat oss://bkt/app"), "hello\nhello\n")
	ossutil(true, args("du oss://bkt"), "total object count: 5", "total part count:   0")
	ossutil(true, args("ls -m oss://bkt"), "UploadID Number is: 0")
	ossutil(true, args("rm oss://bkt -b -a -r -f"), "Removed Bucket: bkt")
	_, err = db.Bucket(ctx, "bkt")
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
	require.Equal(t, 31, steps, "every step ran")
}
