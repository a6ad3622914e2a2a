package ossapi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// A RestoreRequest is checked as OSS documents it: another root, an element
// it does not have, or OutputLocation is MalformedXML, and nothing starts.
func TestHandler_RestoreRequestValidated(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "cold", map[string]string{"x-oss-storage-class": "ColdArchive"}).Code)
	for _, body := range []string{
		"<Restore><Days>2</Days></Restore>",
		"<RestoreRequest><Days>2</Days><Speed>fast</Speed></RestoreRequest>",
		"<RestoreRequest><Days>2</Days><JobParameters><Tier>Bulk</Tier><Priority>1</Priority></JobParameters></RestoreRequest>",
		"<RestoreRequest><Days>2</Days><OutputLocation><S3/></OutputLocation></RestoreRequest>",
		"<RestoreRequest><Days>two</Days></RestoreRequest>",
	} {
		w := do(t, h, "POST", "/bkt/k?restore", body, nil)
		require.Equal(t, 400, w.Code, body)
		require.Equal(t, "MalformedXML", errorOf(t, w).Code, body)
		require.Empty(t, do(t, h, "HEAD", "/bkt/k", "", nil).Header().Get("x-oss-restore"), "nothing started: %s", body)
	}
	w := do(t, h, "POST", "/bkt/k?restore", `<RestoreRequest xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com"><Days>2</Days><JobParameters><Tier>Bulk</Tier></JobParameters></RestoreRequest>`, nil)
	require.Equal(t, 202, w.Code, w.Body.String())
	require.Equal(t, "Bulk", w.Header().Get("x-oss-object-restore-priority"))
}

// NoSuchLifecycle carries OSS's own message.
func TestHandler_NoSuchLifecycleMessage(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	w := do(t, h, "GET", "/bkt?lifecycle", "", nil)
	require.Equal(t, 404, w.Code)
	e := errorOf(t, w)
	require.Equal(t, "NoSuchLifecycle", e.Code)
	require.Equal(t, "No Row found in Lifecycle Table.", e.Message)
}

// The refusals OSS documents an EC for carry it, in the document and in
// x-oss-ec, where the SDK reads it.
func TestSDKv2_ErrorCodes(t *testing.T) {
	c, _, db, _ := serve(t)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err := db.Put(ctx, "bkt", "a", strings.NewReader("cold"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	_, err = db.Put(ctx, "bkt", "s", strings.NewReader("warm"), nil)
	require.NoError(t, err)
	ec := func(err error) string {
		t.Helper()
		var se *oss.ServiceError
		require.True(t, errors.As(err, &se), "%v", err)
		return se.EC
	}
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("a")})
	require.Equal(t, "0016-00000404", ec(err))
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("s")})
	require.Equal(t, "0016-00000702", ec(err))
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("a"), RestoreRequest: &oss.RestoreRequest{Days: 8}})
	require.Equal(t, "0016-00000708", ec(err))
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("a")})
	require.NoError(t, err)
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("a")})
	require.Equal(t, "0016-00000701", ec(err))
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("a")})
	require.Equal(t, "0016-00000404", ec(err), "restoring")
	_, err = c.CleanRestoredObject(ctx, &oss.CleanRestoredObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("a")})
	require.Equal(t, "0016-00000719", ec(err))
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("missing")})
	require.Equal(t, "0026-00000001", ec(err), "NoSuchKey's EC (ec.go)")
}

// A copy from an archived source is 403 InvalidObjectState without
// GetObject's EC: OSS documents none for it.
func TestHandler_CopyFromArchivedNoEC(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/a", "cold", map[string]string{"x-oss-storage-class": "Archive"}).Code)
	w := do(t, h, "PUT", "/bkt/copy", "", map[string]string{"x-oss-copy-source": "/bkt/a"})
	require.Equal(t, 403, w.Code)
	require.Equal(t, "InvalidObjectState", errorOf(t, w).Code)
	require.Empty(t, w.Header().Get("x-oss-ec"))
	require.NotContains(t, w.Body.String(), "<EC>")
	require.Equal(t, "0016-00000404", do(t, h, "GET", "/bkt/a", "", nil).Header().Get("x-oss-ec"))
}

// TestRestore_UnknownTier: a tier that is none of OSS's is 400
// InvalidArgument with OSS's EC for a bad tier, 0016-00000703, and
// changes nothing.
func TestRestore_UnknownTier(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "x", map[string]string{"x-oss-storage-class": "ColdArchive"}).Code)
	w := do(t, h, "POST", "/bkt/k?restore", `<RestoreRequest><Days>2</Days><JobParameters><Tier>Fast</Tier></JobParameters></RestoreRequest>`, nil)
	require.Equal(t, 400, w.Code, w.Body.String())
	require.Equal(t, "InvalidArgument", errorOf(t, w).Code)
	require.Contains(t, w.Body.String(), "<EC>0016-00000703</EC>")
	w = do(t, h, "HEAD", "/bkt/k", "", nil)
	require.Empty(t, w.Header().Get("x-oss-restore"), "no restore began")
}
