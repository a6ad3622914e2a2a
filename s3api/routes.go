package s3api

import (
	"net/http"
	"sort"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
)

// subResources are the query parameters that select an S3 operation other
// than the plain service, bucket or object call, as the S3 API reference
// and botocore's model name them. A request with any of them is served
// only when its level, method and sub-resources are in served; any other
// is refused, before anything is read or changed, with 501 NotImplemented
// (405 MethodNotAllowed for a served sub-resource and a method S3 has no
// operation for). Other parameters (prefix, delimiter, marker, max-keys,
// list-type, start-after, continuation-token, encoding-type,
// fetch-owner, ListBuckets's max-buckets and bucket-region, the response-*
// overrides, the X-Amz-* of presigned URLs)
// keep their meaning where they have one.
var subResources = setOf(
	"accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption",
	"intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging",
	"metadataConfiguration", "metadataTable", "metrics", "notification", "object-lock",
	"ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock",
	"renameObject", "replication", "requestPayment", "restore", "retention", "select",
	"select-type", "session", "tagging", "torrent", "uploadId", "uploads", "versionId",
	"versioning", "versions", "website", "abac", "inventoryConfiguration",
	"metadataInventoryTable", "metadataJournalTable",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

type handlerFunc func(h *Handler, q *request) error

const (
	service = wire.Service
	bucket  = wire.Bucket
	object  = wire.Object
)

// routes is S3's table: served maps each sub-resource served, at its
// level, to its operations by method (several sub-resources together
// keyed by their sorted names joined with commas); plain the calls
// without one (wire.Routes).
var routes = wire.Routes[handlerFunc]{
	SubResources: subResources,
	Methods:      wire.HTTPMethods,
	Served: map[wire.Level]map[string]map[string]handlerFunc{
		bucket: {
			"location":   {http.MethodGet: (*Handler).getBucketLocation},
			"acl":        {http.MethodGet: (*Handler).getACL, http.MethodPut: (*Handler).putACL},
			"delete":     {http.MethodPost: (*Handler).deleteObjects},
			"versioning": {http.MethodGet: (*Handler).getBucketVersioning, http.MethodPut: (*Handler).notServed},
			"uploads":    {http.MethodGet: (*Handler).listUploads},
			"lifecycle": {
				http.MethodPut:    (*Handler).putLifecycle,
				http.MethodGet:    (*Handler).getLifecycle,
				http.MethodDelete: (*Handler).deleteLifecycle,
			},
		},
		object: {
			"restore":    {http.MethodPost: (*Handler).restoreObject},
			"attributes": {http.MethodGet: (*Handler).getObjectAttributes},
			"acl":        {http.MethodGet: (*Handler).getACL, http.MethodPut: (*Handler).putACL},
			"tagging": {
				http.MethodPut:    (*Handler).putObjectTagging,
				http.MethodGet:    (*Handler).getObjectTagging,
				http.MethodDelete: (*Handler).deleteObjectTagging,
			},
			"uploads": {http.MethodPost: (*Handler).createUpload},
			"uploadId": {
				http.MethodPost:   (*Handler).completeUpload,
				http.MethodDelete: (*Handler).abortUpload,
				http.MethodGet:    (*Handler).listParts,
			},
			"partNumber,uploadId": {http.MethodPut: (*Handler).uploadPart},
			"partNumber":          {http.MethodGet: (*Handler).getObject, http.MethodHead: (*Handler).headObject},
		},
	},
	Plain: map[wire.Level]map[string]handlerFunc{
		service: {http.MethodGet: (*Handler).listBuckets},
		bucket: {
			http.MethodPut:    (*Handler).createBucket,
			http.MethodHead:   (*Handler).headBucket,
			http.MethodDelete: (*Handler).deleteBucket,
			http.MethodGet:    (*Handler).listObjects,
		},
		object: {
			http.MethodPut:    (*Handler).putOrCopyObject,
			http.MethodGet:    (*Handler).getObject,
			http.MethodHead:   (*Handler).headObject,
			http.MethodDelete: (*Handler).deleteObject,
		},
	},
}

// route picks the operation of a request from routes, or refuses it;
// nothing has been read nor changed before.
func (h *Handler) route(q *request) error {
	fn, what, err := routes.Route(wire.LevelOf(q.bucket, q.key), q.r.Method, q.query)
	if err != nil {
		return &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Key: q.key, Detail: what, Err: err}
	}
	if err := unsupportedHeaders(q); err != nil {
		return err
	}
	if err := aclHeaders(q); err != nil {
		return err
	}
	return fn(h, q)
}

// errACLNotSupported is S3's answer to an ACL on a bucket whose ACLs are
// disabled (Object Ownership BucketOwnerEnforced), the default of every
// bucket S3 has created since April 2023, and of every bucket here.
var errACLNotSupported = &coldstore.Error{Code: "AccessControlListNotSupported", Status: http.StatusBadRequest, Message: "The bucket does not allow ACLs"}

// aclHeaders refuses an x-amz-acl other than the two S3 accepts on such a
// bucket (private, bucket-owner-full-control), and any x-amz-grant-*, as
// S3 does: nothing is stored.
func aclHeaders(q *request) error {
	if acl := q.r.Header.Get("x-amz-acl"); acl != "" && acl != "private" && acl != "bucket-owner-full-control" {
		return &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Key: q.key, Detail: "x-amz-acl " + acl, Err: errACLNotSupported}
	}
	for k := range q.r.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-grant-") {
			return &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Key: q.key, Detail: k, Err: errACLNotSupported}
		}
	}
	return nil
}

// unsupportedHeaders refuses, with 501, request headers asking for what
// this server does not have and whose neglect would store something else
// than the client asked for: server-side encryption of any kind (this
// server stores bodies as they come), object lock (on an object or a new
// bucket), a new bucket's ACLs (an object ownership but
// BucketOwnerEnforced), website redirects, appends at an offset (S3's
// directory buckets).
func unsupportedHeaders(q *request) error {
	hdr := q.r.Header
	for _, k := range refusedHeaders {
		if v := hdr[k]; len(v) > 0 && v[0] != "" {
			return notImplemented(q, "header "+strings.ToLower(k))
		}
	}
	// A bucket with object lock, or with ACLs enabled (any ownership but
	// BucketOwnerEnforced), is not what this server makes.
	if v := headerValue(hdr, "X-Amz-Bucket-Object-Lock-Enabled"); v != "" && !strings.EqualFold(v, "false") {
		return notImplemented(q, "header x-amz-bucket-object-lock-enabled: "+v)
	}
	if v := headerValue(hdr, "X-Amz-Object-Ownership"); v != "" && v != "BucketOwnerEnforced" {
		return notImplemented(q, "header x-amz-object-ownership: "+v)
	}
	return nil
}

// refusedHeaders are the request headers unsupportedHeaders refuses,
// canonical, as net/http keys them: looked up without canonicalizing.
var refusedHeaders = []string{
	"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Customer-Algorithm", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id",
	"X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold",
	"X-Amz-Website-Redirect-Location", "X-Amz-Write-Offset-Bytes",
}

// notServed answers 501 to an operation S3 has on a sub-resource this
// server serves other operations of (PutBucketVersioning): 405 would say
// S3 has no such operation.
func (h *Handler) notServed(q *request) error {
	var subs []string
	for k := range q.query {
		if subResources[k] {
			subs = append(subs, k)
		}
	}
	sort.Strings(subs)
	return notImplemented(q, q.r.Method+" ?"+strings.Join(subs, "&"))
}

func notImplemented(q *request, what string) error {
	return &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Key: q.key, Detail: what + " is not implemented", Err: wire.ErrNotImplemented}
}
