package ossapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/stretchr/testify/require"
)

// TestSDKv2_ACL: bucket and object ACLs are stored and returned through
// the Go SDK v2: at creation (PutBucket, PutObject, CopyObject), by
// PutBucketAcl and PutObjectAcl, in GetBucketAcl, GetObjectAcl and
// GetBucketInfo.
func TestSDKv2_ACL(t *testing.T) {
	c, _, db, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("plain")})
	require.NoError(t, err)
	_, err = c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("open"), Acl: oss.BucketACLPublicRead})
	require.NoError(t, err)
	for name, want := range map[string]string{"plain": "private", "open": "public-read"} {
		got, err := c.GetBucketAcl(ctx, &oss.GetBucketAclRequest{Bucket: oss.Ptr(name)})
		require.NoError(t, err)
		require.Equal(t, want, oss.ToString(got.ACL), name)
		require.Equal(t, "coldstore", oss.ToString(got.Owner.ID))
		require.Equal(t, "coldstore", oss.ToString(got.Owner.DisplayName))
		info, err := c.GetBucketInfo(ctx, &oss.GetBucketInfoRequest{Bucket: oss.Ptr(name)})
		require.NoError(t, err)
		require.Equal(t, want, oss.ToString(info.BucketInfo.ACL), name)
	}

	_, err = c.PutBucketAcl(ctx, &oss.PutBucketAclRequest{Bucket: oss.Ptr("plain"), Acl: oss.BucketACLPublicReadWrite})
	require.NoError(t, err)
	got, err := c.GetBucketAcl(ctx, &oss.GetBucketAclRequest{Bucket: oss.Ptr("plain")})
	require.NoError(t, err)
	require.Equal(t, "public-read-write", oss.ToString(got.ACL))
	b, err := db.Bucket(ctx, "plain")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicReadWrite, b.ACL)

	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("follows"), Body: strings.NewReader("x")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("shut"), Acl: oss.ObjectACLPrivate, Body: strings.NewReader("x")})
	require.NoError(t, err)
	objectACL := func(key string) string {
		t.Helper()
		got, err := c.GetObjectAcl(ctx, &oss.GetObjectAclRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr(key)})
		require.NoError(t, err)
		require.Equal(t, "coldstore", oss.ToString(got.Owner.ID))
		return oss.ToString(got.ACL)
	}
	require.Equal(t, "default", objectACL("follows"))
	require.Equal(t, "private", objectACL("shut"))

	_, err = c.PutObjectAcl(ctx, &oss.PutObjectAclRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("follows"), Acl: oss.ObjectACLPublicRead})
	require.NoError(t, err)
	require.Equal(t, "public-read", objectACL("follows"))
	_, err = c.PutObjectAcl(ctx, &oss.PutObjectAclRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("follows"), Acl: oss.ObjectACLDefault})
	require.NoError(t, err)
	require.Equal(t, "default", objectACL("follows"))

	// A copy gets x-oss-object-acl, default without it: not the source's.
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("copy"), SourceKey: oss.Ptr("shut")})
	require.NoError(t, err)
	require.Equal(t, "default", objectACL("copy"))
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("copy"), SourceKey: oss.Ptr("shut"), Acl: oss.ObjectACLPublicReadWrite})
	require.NoError(t, err)
	require.Equal(t, "public-read-write", objectACL("copy"))
	// So does a copy onto itself that only changes the class.
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("copy"), SourceKey: oss.Ptr("copy"),
		StorageClass: oss.StorageClassIA, Acl: oss.ObjectACLPublicRead})
	require.NoError(t, err)
	require.Equal(t, "public-read", objectACL("copy"))
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("copy"), SourceKey: oss.Ptr("copy"),
		StorageClass: oss.StorageClassArchive})
	require.NoError(t, err)
	require.Equal(t, "default", objectACL("copy"))
	head, err := db.Head(ctx, "plain", "copy")
	require.NoError(t, err)
	require.Equal(t, engine.ObjectInfo{}.ACL, head.ACL)
	require.Equal(t, "Archive", string(head.StorageClass))

	_, err = c.GetObjectAcl(ctx, &oss.GetObjectAclRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchKey", 404)
	_, err = c.GetBucketAcl(ctx, &oss.GetBucketAclRequest{Bucket: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchBucket", 404)
	_, err = c.PutObjectAcl(ctx, &oss.PutObjectAclRequest{Bucket: oss.Ptr("plain"), Key: oss.Ptr("missing"), Acl: oss.ObjectACLPrivate})
	serviceError(t, err, "NoSuchKey", 404)
	_, err = c.PutBucketAcl(ctx, &oss.PutBucketAclRequest{Bucket: oss.Ptr("missing"), Acl: oss.BucketACLPrivate})
	serviceError(t, err, "NoSuchBucket", 404)
}

// TestSDKv2_ACLInvalid: an ACL that is not one is 400 InvalidArgument,
// with OSS's message and EC, through the SDK, and changes nothing: not the
// bucket's ACL, not the object's, no bucket or object created or
// replaced.
func TestSDKv2_ACLInvalid(t *testing.T) {
	c, _, db, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("bkt"), Acl: oss.BucketACLPublicRead})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("k"), Acl: oss.ObjectACLPrivate, Body: strings.NewReader("old")})
	require.NoError(t, err)
	bucketBefore, err := db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	objectBefore, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)

	invalid := func(err error, message, ec string) {
		t.Helper()
		serviceError(t, err, "InvalidArgument", 400)
		var se *oss.ServiceError
		require.ErrorAs(t, err, &se)
		require.Equal(t, message, se.Message)
		require.Equal(t, ec, se.EC)
	}
	const bucketMsg, objectMsg = "no such bucket access control exists", "no such object access control exists"
	for _, bad := range []string{"public", "default", "Private"} {
		_, err = c.PutBucketAcl(ctx, &oss.PutBucketAclRequest{Bucket: oss.Ptr("bkt"), Acl: oss.BucketACLType(bad)})
		invalid(err, bucketMsg, "0015-00000204")
		_, err = c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("other"), Acl: oss.BucketACLType(bad)})
		invalid(err, bucketMsg, "0015-00000204")
	}
	for _, bad := range []string{"public", "Default", "authenticated-read"} {
		_, err = c.PutObjectAcl(ctx, &oss.PutObjectAclRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("k"), Acl: oss.ObjectACLType(bad)})
		invalid(err, objectMsg, "0017-00000104")
		_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("k"), Acl: oss.ObjectACLType(bad), Body: strings.NewReader("new")})
		invalid(err, objectMsg, "0017-00000104")
		_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("fresh"), Acl: oss.ObjectACLType(bad), Body: strings.NewReader("new")})
		invalid(err, objectMsg, "0017-00000104")
		_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("fresh"), SourceKey: oss.Ptr("k"), Acl: oss.ObjectACLType(bad)})
		invalid(err, objectMsg, "0017-00000104")
		_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("k"), SourceKey: oss.Ptr("k"), StorageClass: oss.StorageClassIA, Acl: oss.ObjectACLType(bad)})
		invalid(err, objectMsg, "0017-00000104")
	}

	bucketAfter, err := db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, bucketBefore, bucketAfter)
	objectAfter, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, objectBefore, objectAfter, "neither replaced, nor its ACL or class changed")
	_, err = db.Head(ctx, "bkt", "fresh")
	require.Error(t, err, "no object created")
	_, err = db.Bucket(ctx, "other")
	require.Error(t, err, "no bucket created")
}

// TestACL_MissingHeader: PutBucketAcl and PutObjectAcl without their
// header are InvalidArgument (PutObjectAcl with the EC OSS documents
// for it) and change nothing.
func TestACL_MissingHeader(t *testing.T) {
	h, db := walkServer(t)
	require.NoError(t, db.SetBucketACL(ctx, "bkt", engine.ACLPublicRead))
	before := state(t, h)
	for _, c := range []struct{ target, message, ec string }{
		{"/bkt?acl", "no such bucket access control exists", "0015-00000204"},
		{"/bkt/obj?acl", "no such object access control exists", "0017-00000105"},
	} {
		w := do(t, h, "PUT", c.target, "", nil)
		require.Equal(t, 400, w.Code, w.Body.String())
		e := errorOf(t, w)
		require.Equal(t, "InvalidArgument", e.Code)
		require.Equal(t, c.message, e.Message)
		require.Equal(t, c.ec, w.Header().Get("x-oss-ec"))
	}
	require.Equal(t, before, state(t, h))
	b, err := db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicRead, b.ACL)
}

// TestHandler_ACLDocuments: the documents GetBucketAcl and GetObjectAcl
// answer, as OSS writes them.
func TestHandler_ACLDocuments(t *testing.T) {
	h, _ := walkServer(t)
	w := do(t, h, "GET", "/bkt?acl", "", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, "application/xml", w.Header().Get("Content-Type"))
	require.Contains(t, w.Body.String(), `<AccessControlPolicy><Owner><ID>coldstore</ID><DisplayName>coldstore</DisplayName></Owner>`+
		`<AccessControlList><Grant>private</Grant></AccessControlList></AccessControlPolicy>`)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/obj?acl", "", map[string]string{"x-oss-object-acl": "public-read-write"}).Code)
	w = do(t, h, "GET", "/bkt/obj?acl", "", nil)
	require.Equal(t, 200, w.Code)
	require.Contains(t, w.Body.String(), `<AccessControlList><Grant>public-read-write</Grant></AccessControlList>`)
	w = do(t, h, "GET", "/bkt/dir/k?acl", "", nil)
	require.Contains(t, w.Body.String(), `<AccessControlList><Grant>default</Grant></AccessControlList>`)
	for _, m := range []string{"POST", "DELETE"} {
		require.Equal(t, http.StatusMethodNotAllowed, do(t, h, m, "/bkt?acl", "", nil).Code, m)
		require.Equal(t, http.StatusMethodNotAllowed, do(t, h, m, "/bkt/obj?acl", "", nil).Code, m)
	}
}

// TestSDKv1_ACL: the same through the older Go SDK.
func TestSDKv1_ACL(t *testing.T) {
	_, _, db, url := serve(t)
	client, err := ossv1.New(url, "ak", "sk", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	require.NoError(t, client.CreateBucket("bkt", ossv1.ACL(ossv1.ACLPublicRead)))
	acl, err := client.GetBucketACL("bkt")
	require.NoError(t, err)
	require.Equal(t, "public-read", acl.ACL)
	require.Equal(t, "coldstore", acl.Owner.ID)
	require.NoError(t, client.SetBucketACL("bkt", ossv1.ACLPrivate))
	acl, err = client.GetBucketACL("bkt")
	require.NoError(t, err)
	require.Equal(t, "private", acl.ACL)
	info, err := client.GetBucketInfo("bkt")
	require.NoError(t, err)
	require.Equal(t, "private", info.BucketInfo.ACL)

	b, err := client.Bucket("bkt")
	require.NoError(t, err)
	require.NoError(t, b.PutObject("k", strings.NewReader("x"), ossv1.ObjectACL(ossv1.ACLPublicReadWrite)))
	oacl, err := b.GetObjectACL("k")
	require.NoError(t, err)
	require.Equal(t, "public-read-write", oacl.ACL)
	require.NoError(t, b.SetObjectACL("k", ossv1.ACLDefault))
	oacl, err = b.GetObjectACL("k")
	require.NoError(t, err)
	require.Equal(t, "default", oacl.ACL)
	_, err = b.CopyObject("k", "copy", ossv1.ObjectACL(ossv1.ACLPublicRead))
	require.NoError(t, err)
	oacl, err = b.GetObjectACL("copy")
	require.NoError(t, err)
	require.Equal(t, "public-read", oacl.ACL)

	before, err := db.Head(ctx, "bkt", "copy")
	require.NoError(t, err)
	v1Error(t, b.SetObjectACL("copy", ossv1.ACLType("public")), "InvalidArgument", 400)
	v1Error(t, client.SetBucketACL("bkt", ossv1.ACLType("public")), "InvalidArgument", 400)
	v1Error(t, b.PutObject("copy", strings.NewReader("new"), ossv1.ObjectACL(ossv1.ACLType("public"))), "InvalidArgument", 400)
	after, err := db.Head(ctx, "bkt", "copy")
	require.NoError(t, err)
	require.Equal(t, before, after)
	r, err := b.GetObject("copy")
	require.NoError(t, err)
	body, _ := io.ReadAll(r)
	r.Close()
	require.Equal(t, "x", string(body))
	bi, err := db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPrivate, bi.ACL)
}

// TestSDKv2_ACLMultipart: CompleteMultipartUpload's x-oss-object-acl,
// through the SDK, is the completed object's ACL; a bad one is
// InvalidArgument and completes nothing.
func TestSDKv2_ACLMultipart(t *testing.T) {
	c, _, db, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	up, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("big")})
	require.NoError(t, err)
	part, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("big"), UploadId: up.UploadId,
		PartNumber: 1, Body: strings.NewReader("only part")})
	require.NoError(t, err)
	complete := func(acl oss.ObjectACLType) error {
		_, err := c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("big"),
			UploadId: up.UploadId, Acl: acl, CompleteMultipartUpload: &oss.CompleteMultipartUpload{
				Parts: []oss.UploadPart{{PartNumber: 1, ETag: part.ETag}}}})
		return err
	}
	serviceError(t, complete("everyone"), "InvalidArgument", 400)
	_, err = db.Head(ctx, "bkt", "big")
	require.Error(t, err, "nothing completed")
	require.NoError(t, complete(oss.ObjectACLPublicRead))
	got, err := c.GetObjectAcl(ctx, &oss.GetObjectAclRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("big")})
	require.NoError(t, err)
	require.Equal(t, "public-read", oss.ToString(got.ACL))
}
