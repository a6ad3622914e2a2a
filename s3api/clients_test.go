package s3api_test

import (
	"bytes"
	"context"
	"math/rand/v2"
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
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// The S3 clients Debian packages, which .ci/run installs: the aws
// command-line client (awscli), boto3 (python3-boto3), rclone and s3cmd.
// Each test drives one through the archive story against a server that
// verifies SigV4 with the key AKID/SECRET, moving the mock clock between
// its commands, and checks both the client's answers and the database.

// debianClient returns the path of a client Debian installs in
// /usr/bin, failing the test with how to get it when it is missing.
func debianClient(t *testing.T, name, pkg string) string {
	t.Helper()
	p := filepath.Join("/usr/bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: install Debian's %s (apt-get install %s; .ci/run does)", p, pkg, pkg)
	}
	return p
}

// clientServer is an S3 server for a client run: SigV4 with AKID/SECRET,
// the mock clock, a working directory and an environment free of the
// machine's AWS settings.
type clientServer struct {
	t   *testing.T
	db  *engine.DB
	m   *clock.Mock
	url string
	dir string
	env []string
}

func newClientServer(t *testing.T) *clientServer {
	t.Helper()
	db, m := enginetest.NewS3(t, nil)
	srv := httptest.NewServer(s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "RCLONE_") || k == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+dir, "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "aws-credentials"),
		"COLDSTORE_ENDPOINT="+srv.URL)
	return &clientServer{t: t, db: db, m: m, url: srv.URL, dir: dir, env: env}
}

// run runs a client command; ok says whether it must succeed, and its
// output must hold each of want. It returns the output.
func (c *clientServer) run(ok bool, name string, args []string, want ...string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	out, err := cmd.CombinedOutput()
	line := name + " " + strings.Join(args, " ")
	if ok {
		require.NoError(c.t, err, "%s:\n%s", line, out)
	} else {
		require.Error(c.t, err, "%s should fail:\n%s", line, out)
	}
	for _, w := range want {
		require.Contains(c.t, string(out), w, line)
	}
	return string(out)
}

func (c *clientServer) file(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	require.NoError(c.t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func (c *clientServer) class(bucket, key string) storageclass.Class {
	c.t.Helper()
	oi, err := c.db.Head(ctx, bucket, key)
	require.NoError(c.t, err)
	return oi.StorageClass
}

// TestAWSCLI: the aws command-line client (Debian's awscli, v2).
func TestAWSCLI(t *testing.T) {
	aws := debianClient(t, "aws", "awscli")
	c := newClientServer(t)
	a := func(ok bool, args string, want ...string) string {
		return c.run(ok, aws, append([]string{"--endpoint-url", c.url}, strings.Fields(args)...), want...)
	}
	small := c.file("small", "sand and sea")
	a(true, "s3 mb s3://photos", "make_bucket: photos")
	a(true, "s3api put-object --bucket photos --key beach.jpg --storage-class GLACIER --body "+small, "ETag")
	require.Equal(t, storageclass.S3Glacier, c.class("photos", "beach.jpg"))
	a(false, "s3api get-object --bucket photos --key beach.jpg "+filepath.Join(c.dir, "out"), "InvalidObjectState")
	restore := "s3api restore-object --bucket photos --key beach.jpg --restore-request Days=2,GlacierJobParameters={Tier=Standard}"
	a(true, restore)
	a(false, restore, "RestoreAlreadyInProgress")
	a(true, "s3api head-object --bucket photos --key beach.jpg", `ongoing-request=\"true\"`, `"StorageClass": "GLACIER"`)
	c.m.Add(5 * time.Hour)
	a(true, "s3api head-object --bucket photos --key beach.jpg", `expiry-date=\"Thu, 04 Jan 2024 00:00:00 GMT\"`)
	a(true, "s3 cp s3://photos/beach.jpg "+filepath.Join(c.dir, "down"), "download:")
	got, err := os.ReadFile(filepath.Join(c.dir, "down"))
	require.NoError(t, err)
	require.Equal(t, "sand and sea", string(got))
	a(true, "s3api restore-object --bucket photos --key beach.jpg --restore-request Days=1")
	a(true, "s3api head-object --bucket photos --key beach.jpg", `expiry-date=\"Wed, 03 Jan 2024 00:00:00 GMT\"`)

	bigBody := make([]byte, 20<<20) // 20 MiB: multipart at 8 MiB, and downloaded in ranges of 8 MiB
	_, _ = rand.NewChaCha8([32]byte{7}).Read(bigBody)
	big := c.file("big", string(bigBody))
	a(true, "s3 cp "+big+" s3://photos/big --storage-class DEEP_ARCHIVE", "upload:")
	oi, err := c.db.Head(ctx, "photos", "big")
	require.NoError(t, err)
	require.Equal(t, engine.TypeMultipart, oi.Type)
	require.Equal(t, storageclass.S3DeepArchive, oi.StorageClass)
	a(true, "s3 ls s3://photos", "beach.jpg", "big")
	a(false, "s3api restore-object --bucket photos --key big --restore-request Days=1,GlacierJobParameters={Tier=Expedited}", "InvalidArgument")
	a(true, "s3api restore-object --bucket photos --key big --restore-request Days=1,GlacierJobParameters={Tier=Bulk}")
	lc := c.file("lc.json", `{"Rules":[{"ID":"cold-logs","Status":"Enabled","Filter":{"Prefix":"logs/"},"Transitions":[{"Days":30,"StorageClass":"GLACIER"}],"Expiration":{"Days":365}}]}`)
	a(true, "s3api put-bucket-lifecycle-configuration --bucket photos --lifecycle-configuration file://"+lc)
	a(true, "s3api get-bucket-lifecycle-configuration --bucket photos", `"ID": "cold-logs"`, `"StorageClass": "GLACIER"`, `"Days": 365`)
	c.m.Add(43 * time.Hour) // 01-03 00:00: beach.jpg's copy is gone; big's Bulk restore (48 h) not done
	a(false, "s3api get-object --bucket photos --key beach.jpg "+filepath.Join(c.dir, "out"), "InvalidObjectState")
	a(true, "s3api head-object --bucket photos --key big", `ongoing-request=\"true\"`)
	c.m.Add(5 * time.Hour)
	a(true, "s3api head-object --bucket photos --key big", `expiry-date=\"Fri, 05 Jan 2024 00:00:00 GMT\"`)
	a(true, "s3 cp s3://photos/big "+filepath.Join(c.dir, "big.down"), "download:")
	down, err := os.ReadFile(filepath.Join(c.dir, "big.down"))
	require.NoError(t, err)
	require.Equal(t, 20<<20, len(down))
	require.True(t, bytes.Equal(bigBody, down), "the download's bytes are the upload's")
	a(true, "s3 rb s3://photos --force", "remove_bucket: photos")
	_, err = c.db.Bucket(ctx, "photos")
	require.Error(t, err)
}

// TestBoto3: boto3 (Debian's python3-boto3), one call per process
// (testdata/boto3_call.py) so that the clock moves between them.
func TestBoto3(t *testing.T) {
	py := debianClient(t, "python3", "python3-boto3")
	c := newClientServer(t)
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("boto3 is missing from %s: install Debian's python3-boto3 (.ci/run does): %s", py, out)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_call.py"))
	require.NoError(t, err)
	b := func(ok bool, args string, want ...string) string {
		return c.run(ok, py, append([]string{script}, strings.Fields(args)...), want...)
	}
	b(true, "create_bucket photos")
	b(true, "put_object photos cold.txt frozen-bytes DEEP_ARCHIVE", "ETag")
	b(false, "get_object photos cold.txt", "error InvalidObjectState 403")
	b(false, "restore_object photos cold.txt 1 Expedited", "error InvalidArgument 400")
	b(true, "restore_object photos cold.txt 1 Bulk", `"Status": 202`)
	b(false, "restore_object photos cold.txt 1 Bulk", "error RestoreAlreadyInProgress 409")
	b(true, "head_object photos cold.txt", `"StorageClass": "DEEP_ARCHIVE"`, `ongoing-request=\"true\"`)
	c.m.Add(48 * time.Hour)
	b(true, "get_object photos cold.txt", `"Body": "frozen-bytes"`, `expiry-date=\"Thu, 04 Jan 2024 00:00:00 GMT\"`)
	b(true, "restore_object photos cold.txt 3", `"Status": 200`)
	b(true, "head_object photos cold.txt", `expiry-date=\"Sat, 06 Jan 2024 00:00:00 GMT\"`)
	b(true, "put_lifecycle photos logs/ 30")
	b(true, "get_lifecycle photos", `["to-deep", "DEEP_ARCHIVE"]`)
	big := c.file("big", strings.Repeat("x", 11<<20))
	b(true, "upload_file photos big.bin "+big+" GLACIER", `"StorageClass": "GLACIER"`, `-3\"`)
	b(true, "get_object_attributes photos big.bin", `"StorageClass": "GLACIER"`, `"ObjectSize": 11534336`,
		`"ObjectParts": {"TotalPartsCount": 3}`, `"Checksum": null`)
	b(true, "list_objects_v2 photos", `["big.bin", "GLACIER"]`, `["cold.txt", "DEEP_ARCHIVE"]`)
	c.m.Add(72 * time.Hour) // 01-06 00:00: the copy is gone
	b(false, "get_object photos cold.txt", "error InvalidObjectState 403")
	b(true, "delete_objects photos big.bin cold.txt", `"Deleted": ["big.bin", "cold.txt"]`)
	// User metadata comes back with the names it was put with, in lower
	// case as S3 keeps them: botocore hands them over as the answer spells
	// them.
	b(true, "put_meta photos meta.txt my-key=v Color=blue")
	b(true, "head_meta photos meta.txt", `"Head": [["color", "blue"], ["my-key", "v"]]`, `"Get": [["color", "blue"], ["my-key", "v"]]`)
}

// TestRclone: rclone (Debian's, 1.60), configured by its environment.
func TestRclone(t *testing.T) {
	rc := debianClient(t, "rclone", "rclone")
	c := newClientServer(t)
	c.env = append(c.env, "RCLONE_CONFIG_S3_TYPE=s3", "RCLONE_CONFIG_S3_PROVIDER=Other", "RCLONE_CONFIG_S3_ACCESS_KEY_ID=AKID",
		"RCLONE_CONFIG_S3_SECRET_ACCESS_KEY=SECRET", "RCLONE_CONFIG_S3_ENDPOINT="+c.url, "RCLONE_CONFIG_S3_REGION=us-east-1",
		"RCLONE_CONFIG_S3_FORCE_PATH_STYLE=true", "RCLONE_CONFIG="+filepath.Join(c.dir, "rclone.conf"))
	r := func(ok bool, args string, want ...string) string {
		return c.run(ok, rc, strings.Fields(args), want...)
	}
	f := c.file("notes.txt", "restore me")
	r(true, "mkdir s3:rcl")
	r(true, "copyto "+f+" s3:rcl/notes.txt --s3-storage-class GLACIER")
	require.Equal(t, storageclass.S3Glacier, c.class("rcl", "notes.txt"))
	r(false, "cat s3:rcl/notes.txt --low-level-retries 1 --retries 1")
	r(true, "backend restore s3:rcl -o priority=Standard -o lifetime=2", `"Status": "OK"`, "notes.txt")
	r(true, "backend restore s3:rcl -o priority=Standard -o lifetime=2", "RestoreAlreadyInProgress")
	c.m.Add(5 * time.Hour)
	r(true, "cat s3:rcl/notes.txt", "restore me")
	r(true, "lsl s3:rcl", "notes.txt")
	r(true, "copyto "+f+" s3:rcl/deep.txt --s3-storage-class DEEP_ARCHIVE")
	require.Equal(t, storageclass.S3DeepArchive, c.class("rcl", "deep.txt"))
	c.m.Add(67 * time.Hour) // 01-04 00:00: notes.txt's copy (ready 01-01 05:00, 2 days) is gone
	r(false, "cat s3:rcl/notes.txt --low-level-retries 1 --retries 1")
	big := c.file("big", strings.Repeat("y", 7<<20))
	r(true, "copyto "+big+" s3:rcl/big --s3-upload-cutoff 5M --s3-chunk-size 5M")
	oi, err := c.db.Head(ctx, "rcl", "big")
	require.NoError(t, err)
	require.Equal(t, engine.TypeMultipart, oi.Type)
	require.Equal(t, int64(7<<20), oi.Size)
	r(true, "purge s3:rcl")
}

// TestS3cmd: s3cmd (Debian's, 2.3), with a configuration file of its own.
func TestS3cmd(t *testing.T) {
	s3cmd := debianClient(t, "s3cmd", "s3cmd")
	c := newClientServer(t)
	host := strings.TrimPrefix(c.url, "http://")
	cfg := c.file("s3cfg", "[default]\naccess_key = AKID\nsecret_key = SECRET\nhost_base = "+host+"\nhost_bucket = "+host+
		"\nuse_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n")
	s := func(ok bool, args string, want ...string) string {
		return c.run(ok, s3cmd, append([]string{"-c", cfg}, strings.Fields(args)...), want...)
	}
	f := c.file("doc.txt", "s3cmd bytes")
	s(true, "mb s3://s3c")
	s(true, "put "+f+" s3://s3c/doc.txt --storage-class=GLACIER")
	require.Equal(t, storageclass.S3Glacier, c.class("s3c", "doc.txt"))
	s(false, "get s3://s3c/doc.txt "+filepath.Join(c.dir, "out1"), "InvalidObjectState")
	s(true, "restore s3://s3c/doc.txt --restore-days=2 --restore-priority=standard")
	c.m.Add(5 * time.Hour)
	s(true, "get s3://s3c/doc.txt "+filepath.Join(c.dir, "out2"))
	got, err := os.ReadFile(filepath.Join(c.dir, "out2"))
	require.NoError(t, err)
	require.Equal(t, "s3cmd bytes", string(got))
	s(true, "ls s3://s3c", "doc.txt")
	s(true, "info s3://s3c/doc.txt", "ACL:", "FULL_CONTROL")
	lc := c.file("lc.xml", `<LifecycleConfiguration><Rule><ID>s3cmd-rule</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>`+
		`<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>`)
	s(true, "setlifecycle "+lc+" s3://s3c")
	s(true, "getlifecycle s3://s3c", "<ID>s3cmd-rule</ID>", "<StorageClass>GLACIER</StorageClass>")
	s(true, "put "+f+" s3://s3c/deep.txt --storage-class=DEEP_ARCHIVE")
	require.Equal(t, storageclass.S3DeepArchive, c.class("s3c", "deep.txt"))
	s(false, "get s3://s3c/deep.txt "+filepath.Join(c.dir, "out3"), "InvalidObjectState")
	c.m.Add(67 * time.Hour) // 01-04 00:00: doc.txt's copy (ready 01-01 05:00, 2 days) is gone
	s(false, "get s3://s3c/doc.txt "+filepath.Join(c.dir, "out4"), "InvalidObjectState")
	s(true, "del s3://s3c/deep.txt")
	s(true, "del s3://s3c/doc.txt")
	s(true, "rb s3://s3c")
}
