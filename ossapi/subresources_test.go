package ossapi_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

// allSubResources is every sub-resource the OSS API and its clients know
// (the union of the SDKs' lists), written out here so that the test fails
// if one is dropped from the server's table.
var allSubResources = strings.Fields(`
acl policy policyStatus publicAccessBlock referer cors accessPoint accessPointPolicy
accessPointForObjectProcess accessPointConfigForObjectProcess accessPointPolicyForObjectProcess
resourceGroup requestPayment httpsConfig transferAcceleration
x-oss-ac-source-ip x-oss-ac-subnet-mask x-oss-ac-vpc-id x-oss-ac-forward-allow
bucketInfo location stat website logging userDefinedLogFieldsConfig encryption inventory inventoryId
qos qosInfo quota cname replication replicationLocation replicationProgress rtc redundancyTransition
overwriteConfig accessmonitor bucketArchiveDirectRead archiveDirectRead metaQuery metadataConfiguration
metadataInventoryTable metadataJournalTable dataPipeline agenticBucket bucketSpace style styleName img
tag tagging versioning versions versionId worm wormId wormExtend objectWorm retention legalHold
uploads uploadId partNumber sequential append position symlink callback callback-var withHashContext
x-oss-enable-md5 x-oss-enable-sha1 x-oss-enable-sha256 x-oss-hash-ctx x-oss-md5-ctx seal asyncFetch
objectMeta objectInfo x-oss-process x-oss-async-process x-oss-write-get-object-response responseHeader comp
udf udfName udfId udfImage udfImageDesc udfApplication udfApplicationLog
restore cleanRestoredObject lifecycle delete live vod status startTime endTime playlistName
regionList regions cloudboxes group link putVectorIndex getVectorIndex listVectorIndexes
deleteVectorIndex putVectors getVectors listVectors deleteVectors queryVectors`)

// servedSub are the (path kind, method, sub-resource) this server serves.
var servedSub = map[string]bool{
	"bucket PUT lifecycle": true, "bucket GET lifecycle": true, "bucket DELETE lifecycle": true,
	"bucket POST delete":    true,
	"bucket GET bucketInfo": true, "bucket GET location": true, "bucket GET versioning": true, "bucket GET stat": true,
	"object PUT tagging": true, "object GET tagging": true, "object DELETE tagging": true,
	"bucket PUT tagging": true, "bucket GET tagging": true, "bucket DELETE tagging": true,
	"object POST restore": true, "object POST cleanRestoredObject": true,
	"bucket PUT acl": true, "bucket GET acl": true, "object PUT acl": true, "object GET acl": true,
	"bucket GET uploads": true, "object POST uploads": true, "bucket PUT accessmonitor": true, "bucket GET accessmonitor": true,
	"object POST uploadId": true, "object DELETE uploadId": true, "object GET uploadId": true,
	"object HEAD objectMeta": true,
	"object POST append":     true, "object PUT symlink": true, "object GET symlink": true,
}

// state is what the walk must leave unchanged: every object's bytes and
// metadata, the listing, the buckets, the lifecycle.
func state(t *testing.T, h http.Handler) string {
	t.Helper()
	var b strings.Builder
	for _, target := range []string{"/", "/bkt", "/bkt?lifecycle", "/bkt/obj", "/bkt/dir/k", "/other"} {
		w := do(t, h, "GET", target, "", nil)
		b.WriteString(target + " " + w.Result().Status + " " + w.Header().Get("ETag") + " " + w.Header().Get("x-oss-storage-class") +
			" " + metaOf(w, "m") + " " + w.Header().Get("Content-Type") + "\n")
		body := w.Body.String()
		if i := strings.Index(body, "<RequestId>"); i >= 0 { // errors differ by request id only
			body = body[:i]
		}
		b.WriteString(body + "\n")
	}
	return b.String()
}

func walkServer(t *testing.T) (http.Handler, *engine.DB) {
	t.Helper()
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/other", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/obj", "the original bytes", map[string]string{"x-oss-meta-m": "v", "Content-Type": "text/plain"}).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/dir/k", "more", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt?lifecycle", `<LifecycleConfiguration><Rule><ID>r</ID><Prefix>x/</Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>`, nil).Code)
	return h, db
}

// TestSubResources_Walk sends every sub-resource, with every method, to
// the service, a bucket and an object, with a body that would replace the
// object if it were taken for a PutObject: each is refused (501 for what
// OSS has and this server does not, 405 for a method OSS has no operation
// for) and nothing changes.
func TestSubResources_Walk(t *testing.T) {
	h, _ := walkServer(t)
	before := state(t, h)
	require.Contains(t, before, "the original bytes")
	paths := map[string]string{"service": "/", "bucket": "/bkt", "object": "/bkt/obj"}
	methods := []string{"GET", "PUT", "POST", "DELETE", "HEAD"}
	n := 0
	for _, sub := range allSubResources {
		for kind, path := range paths {
			for _, method := range methods {
				if servedSub[kind+" "+method+" "+sub] {
					continue
				}
				for _, query := range []string{sub, sub + "=", sub + "=1", "prefix=dir%2F&" + sub + "=x"} {
					w := do(t, h, method, path+"?"+query, "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>",
						map[string]string{"x-oss-object-acl": "private", "x-oss-symlink-target": "obj", "x-oss-copy-source": "/bkt/dir/k"})
					require.Contains(t, []int{501, 405}, w.Code, "%s %s?%s: %s", method, path, query, w.Body.String())
					if method != "HEAD" {
						e := errorOf(t, w)
						require.Contains(t, []string{"NotImplemented", "MethodNotAllowed"}, e.Code)
					}
					n++
				}
			}
		}
	}
	// A served sub-resource with one that is not, or with the wrong method.
	for _, c := range []struct{ method, target string }{
		{"POST", "/bkt/obj?restore&acl"}, {"POST", "/bkt/obj?restore&versionId=1"}, {"GET", "/bkt/obj?restore"},
		{"PUT", "/bkt/obj?restore"}, {"DELETE", "/bkt/obj?cleanRestoredObject"}, {"PUT", "/bkt?delete"},
		{"DELETE", "/bkt?delete"}, {"POST", "/bkt?lifecycle"}, {"PUT", "/bkt?lifecycle&tagging"},
		{"POST", "/bkt?delete&versions"}, {"PUT", "/bkt/obj?lifecycle"}, {"POST", "/bkt/obj?delete"},
		{"DELETE", "/?lifecycle"}, {"POST", "/bkt/obj"}, {"POST", "/bkt"}, {"PUT", "/"}, {"DELETE", "/"},
		{"OPTIONS", "/bkt/obj"}, {"PATCH", "/bkt/obj"}, {"PROPFIND", "/bkt"}, {"TRACE", "/bkt/obj"},
	} {
		w := do(t, h, c.method, c.target, "<Delete><Object><Key>obj</Key></Object></Delete>", nil)
		require.Contains(t, []int{501, 405}, w.Code, "%s %s: %s", c.method, c.target, w.Body.String())
		n++
	}
	require.Greater(t, n, 2000)
	require.Equal(t, before, state(t, h), "a refused request changed something")
}

// TestSubResources_ServedStillServed: the served sub-resources and the
// query parameters that are not sub-resources keep working.
func TestSubResources_ServedStillServed(t *testing.T) {
	h, _ := walkServer(t)
	w := do(t, h, "GET", "/bkt?lifecycle", "", nil)
	require.Equal(t, 200, w.Code)
	require.Contains(t, w.Body.String(), "<LifecycleConfiguration>")
	w = do(t, h, "GET", "/bkt/obj?response-content-type=application%2Fjson&response-content-disposition=attachment&response-cache-control=no-cache", "", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, "the original bytes", w.Body.String())
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	require.Equal(t, "attachment", w.Header().Get("Content-Disposition"))
	require.Equal(t, "no-cache", w.Header().Get("Cache-Control"))
	w = do(t, h, "GET", "/bkt?prefix=dir%2F&delimiter=%2F&max-keys=10&encoding-type=url&marker=", "", nil)
	require.Equal(t, 200, w.Code)
	require.Contains(t, w.Body.String(), "<Key>dir%2Fk</Key>")
	w = do(t, h, "GET", "/bkt?list-type=2&fetch-owner=true&start-after=a&continuation-token=", "", nil)
	require.Equal(t, 200, w.Code)
	require.Contains(t, w.Body.String(), "<KeyCount>2</KeyCount>")
	w = do(t, h, "GET", "/bkt/obj?x-oss-traffic-limit=819200&x-oss-request-payer=requester", "", nil)
	require.Equal(t, 200, w.Code)
	w = do(t, h, "POST", "/bkt?delete", "<Delete><Object><Key>dir/k</Key></Object></Delete>", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, 404, do(t, h, "HEAD", "/bkt/dir/k", "", nil).Code)
}

// TestSubResources_Headers: headers that ask for what is not served are
// refused before anything is stored.
func TestSubResources_Headers(t *testing.T) {
	h, _ := walkServer(t)
	before := state(t, h)
	for _, hdr := range []map[string]string{
		{"x-oss-server-side-encryption": "AES256"}, {"x-oss-server-side-encryption": "KMS", "x-oss-server-side-encryption-key-id": "k"},
		{"x-oss-server-side-data-encryption": "SM4"}, {"x-oss-callback": "eyJjYWxsYmFja1VybCI6Imh0dHA6Ly9leGFtcGxlLmNvbSJ9"},
	} {
		w := do(t, h, "PUT", "/bkt/obj", "replaced", hdr)
		require.Equal(t, 501, w.Code, "%v", hdr)
		require.Equal(t, "NotImplemented", errorOf(t, w).Code)
		hdr["x-oss-copy-source"] = "/bkt/dir/k"
		require.Equal(t, 501, do(t, h, "PUT", "/bkt/obj", "", hdr).Code, "copy %v", hdr)
	}
	w := do(t, h, "PUT", "/bkt/obj", "", map[string]string{"x-oss-copy-source": "/bkt/dir/k?versionId=CAEQ"})
	require.Equal(t, 501, w.Code)
	w = do(t, h, "POST", "/bkt?delete", "<Delete><Object><Key>obj</Key><VersionId>null</VersionId></Object></Delete>", nil)
	require.Equal(t, 501, w.Code)
	require.Equal(t, before, state(t, h))
	// forbid-overwrite false is what OSS does by default.
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/new", "x", map[string]string{"x-oss-forbid-overwrite": "false"}).Code)
}

// v2Strict is an SDK v2 client that does not retry: a 501 is answered
// once.
func v2Strict(url string) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider("ak", "sk")).
		WithRegion("cn-hangzhou").WithEndpoint(url).WithUsePathStyle(true).WithRetryMaxAttempts(1)
	return oss.NewClient(cfg)
}

// TestSubResources_SDKv2Findings: the calls that lost data through the
// OSS Go SDK v2 before the table (issue 11) now fail with 501 and change
// nothing.
func TestSubResources_SDKv2Findings(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := v2Strict(srv.URL)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("obj"), Body: strings.NewReader("precious")})
	require.NoError(t, err)
	before := state(t, h)
	b, k := oss.Ptr("bkt"), oss.Ptr("obj")
	calls := map[string]func() error{
		"PutBucketPolicy": func() error {
			_, err := c.PutBucketPolicy(ctx, &oss.PutBucketPolicyRequest{Bucket: b, Body: strings.NewReader(`{"Version":"1","Statement":[]}`)})
			return err
		},
		"PutBucketWebsite": func() error {
			_, err := c.PutBucketWebsite(ctx, &oss.PutBucketWebsiteRequest{Bucket: b,
				WebsiteConfiguration: &oss.WebsiteConfiguration{IndexDocument: &oss.IndexDocument{Suffix: oss.Ptr("index.html")}}})
			return err
		},
		"DeleteBucketCors": func() error {
			_, err := c.DeleteBucketCors(ctx, &oss.DeleteBucketCorsRequest{Bucket: b})
			return err
		},
		"GetBucketPolicy": func() error {
			_, err := c.GetBucketPolicy(ctx, &oss.GetBucketPolicyRequest{Bucket: b})
			return err
		},
		"PutBucketVersioning": func() error {
			_, err := c.PutBucketVersioning(ctx, &oss.PutBucketVersioningRequest{Bucket: b,
				VersioningConfiguration: &oss.VersioningConfiguration{Status: oss.VersionEnabled}})
			return err
		},
		"ListObjectVersions": func() error {
			_, err := c.ListObjectVersions(ctx, &oss.ListObjectVersionsRequest{Bucket: b})
			return err
		},
		"DeleteObject with a version": func() error {
			_, err := c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: b, Key: k, VersionId: oss.Ptr("CAEQ")})
			return err
		},
	}
	names := make([]string, 0, len(calls))
	for name := range calls {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		err := calls[name]()
		serviceError(t, err, "NotImplemented", 501)
		require.Equal(t, before, state(t, h), name)
	}
	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: k})
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.Equal(t, "precious", string(body))
}

// TestSubResources_SDKv1: the same kind of calls through the older SDK.
func TestSubResources_SDKv1(t *testing.T) {
	b, client, h, _ := serveV1(t)
	require.NoError(t, b.PutObject("obj", strings.NewReader("precious")))
	before := state(t, h)
	for name, err := range map[string]error{
		"SetBucketReferer":    client.SetBucketReferer("bkt", []string{"http://example.com"}, false),
		"SetBucketWebsite":    client.SetBucketWebsite("bkt", "index.html", "error.html"),
		"DeleteBucketCORS":    client.DeleteBucketCORS("bkt"),
		"DeleteBucketPolicy":  client.DeleteBucketPolicy("bkt"),
		"SetBucketVersioning": client.SetBucketVersioning("bkt", ossv1.VersioningConfig{Status: "Enabled"}),
	} {
		v1Error(t, err, "NotImplemented", 501)
		require.Equal(t, before, state(t, h), name)
	}
	_, err := client.GetBucketPolicy("bkt")
	v1Error(t, err, "NotImplemented", 501)
	require.Equal(t, before, state(t, h))
}

// The XML error of a refused request names the code and no detail.
func TestSubResources_ErrorBody(t *testing.T) {
	h, _ := walkServer(t)
	w := do(t, h, "PUT", "/bkt/obj?referer", "", nil)
	require.Equal(t, 501, w.Code)
	var e struct {
		Code, Message, Detail string
	}
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &e))
	require.Equal(t, "NotImplemented", e.Code)
	require.Empty(t, e.Detail, "a 5xx carries no detail")
	w = do(t, h, "PATCH", "/bkt/obj", "", nil)
	require.Equal(t, 405, w.Code)
	require.Equal(t, "MethodNotAllowed", errorOf(t, w).Code)
}
