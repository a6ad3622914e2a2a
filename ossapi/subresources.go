package ossapi

import (
	"net/http"
	"sort"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
)

// subResources are the query parameters that select an OSS operation
// other than the plain service, bucket or object call (ListBuckets;
// PutBucket, DeleteBucket, ListObjects; PutObject, CopyObject, GetObject,
// HeadObject, DeleteObject). The list is the union of what the OSS API
// reference and the official clients send and sign: the Go SDK v2
// (signer.requiredSignedParametersMap and the SubResource of each
// operation), the Go SDK v1 (signKeyList and each operation's params),
// Python's oss2 (_subresource_key_set) and ali-oss.
//
// A request that carries any of them is served only when its resource,
// method and sub-resource are in served; any other is refused before
// anything is read or changed: 501 NotImplemented for an operation OSS
// has and this server does not, 405 MethodNotAllowed for a served
// sub-resource with a method OSS defines no operation for. Parameters not
// in the list (list parameters such as prefix, marker, max-keys,
// delimiter, encoding-type, list-type, start-after, continuation-token;
// the response-* overrides of GetObject; the credentials of presigned
// URLs) are not sub-resources and keep their meaning where they have one.
var subResources = setOf(
	// Access control, policies and their kin.
	"acl", "policy", "policyStatus", "publicAccessBlock", "referer", "cors",
	"accessPoint", "accessPointPolicy", "accessPointForObjectProcess",
	"accessPointConfigForObjectProcess", "accessPointPolicyForObjectProcess",
	"resourceGroup", "requestPayment", "httpsConfig", "transferAcceleration",
	"x-oss-ac-source-ip", "x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-ac-forward-allow",
	// Bucket configuration and information.
	"bucketInfo", "location", "stat", "website", "logging", "userDefinedLogFieldsConfig",
	"encryption", "inventory", "inventoryId", "qos", "qosInfo", "quota", "cname",
	"replication", "replicationLocation", "replicationProgress", "rtc",
	"redundancyTransition", "overwriteConfig", "accessmonitor", "bucketArchiveDirectRead",
	"archiveDirectRead", "metaQuery", "metadataConfiguration", "metadataInventoryTable",
	"metadataJournalTable", "dataPipeline", "agenticBucket", "bucketSpace",
	"style", "styleName", "img", "tag", "tagging",
	// Versioning and retention.
	"versioning", "versions", "versionId", "worm", "wormId", "wormExtend",
	"objectWorm", "retention", "legalHold",
	// Multipart and append uploads, symlinks, callbacks.
	"uploads", "uploadId", "partNumber", "sequential", "append", "position",
	"symlink", "callback", "callback-var", "withHashContext", "x-oss-enable-md5",
	"x-oss-enable-sha1", "x-oss-enable-sha256", "x-oss-hash-ctx", "x-oss-md5-ctx",
	"seal", "asyncFetch",
	// Object information and processing.
	"objectMeta", "objectInfo", "x-oss-process", "x-oss-async-process",
	"x-oss-write-get-object-response", "responseHeader", "comp",
	"udf", "udfName", "udfId", "udfImage", "udfImageDesc", "udfApplication", "udfApplicationLog",
	// Archive objects and lifecycle.
	"restore", "cleanRestoredObject", "lifecycle", "delete",
	// Live channels.
	"live", "vod", "status", "startTime", "endTime", "playlistName",
	// Service level.
	"regionList", "regions", "cloudboxes",
	// Old and vector APIs.
	"group", "link", "putVectorIndex", "getVectorIndex", "listVectorIndexes",
	"deleteVectorIndex", "putVectors", "getVectors", "listVectors", "deleteVectors",
	"queryVectors",
)

// v1Signed are the query parameters a V1 signature covers beside every
// x-oss-* one: the sub-resources and what the clients add to them
// (security-token, the response-* overrides, continuation-token,
// x-oss-traffic-limit...). The clients agree on every parameter they
// send to the operations served here; a parameter one client signs and
// another does not only occurs on operations that are refused anyway.
var v1Signed = func() map[string]bool {
	m := map[string]bool{}
	for k := range subResources {
		m[k] = true
	}
	for _, k := range []string{
		"security-token", "continuation-token",
		"response-content-type", "response-content-language", "response-expires",
		"response-cache-control", "response-content-disposition", "response-content-encoding",
	} {
		m[k] = true
	}
	return m
}()

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// level is what a request addresses.
const (
	service = wire.Service // no bucket: ListBuckets
	bucket  = wire.Bucket  // a bucket, no key
	object  = wire.Object  // a key in a bucket
)

// handlerFunc serves one operation.
type handlerFunc func(h *Handler, q *request) error

// served maps each sub-resource this server serves, at the level it is
// served at, to its operations by method. An operation named by several
// sub-resources together (UploadPart's partNumber and uploadId) is keyed
// by their sorted names joined with commas. Everything else in
// subResources, and any other combination, is answered 501.
var served = map[wire.Level]map[string]map[string]handlerFunc{
	bucket: {
		"lifecycle": {
			http.MethodPut:    (*Handler).putLifecycle,
			http.MethodGet:    (*Handler).getLifecycle,
			http.MethodDelete: (*Handler).deleteLifecycle,
		},
		"delete":     {http.MethodPost: (*Handler).deleteMultiple},
		"bucketInfo": {http.MethodGet: (*Handler).getBucketInfo},
		"location":   {http.MethodGet: (*Handler).getBucketLocation},
		"stat":       {http.MethodGet: (*Handler).getBucketStat},
		"tagging": {
			http.MethodPut:    (*Handler).putBucketTags,
			http.MethodGet:    (*Handler).getBucketTags,
			http.MethodDelete: (*Handler).deleteBucketTags,
		},
		"versioning": {
			http.MethodGet: (*Handler).getBucketVersioning,
			http.MethodPut: (*Handler).notServed,
		},
		"acl":           {http.MethodPut: (*Handler).putBucketACL, http.MethodGet: (*Handler).getBucketACL},
		"uploads":       {http.MethodGet: (*Handler).listUploads},
		"accessmonitor": {http.MethodPut: (*Handler).putAccessMonitor, http.MethodGet: (*Handler).getAccessMonitor},
	},
	object: {
		"restore":             {http.MethodPost: (*Handler).restore},
		"cleanRestoredObject": {http.MethodPost: (*Handler).cleanRestored},
		"append,position":     {http.MethodPost: (*Handler).appendObject},
		"append":              {http.MethodPost: (*Handler).appendWithoutPosition},
		"symlink": {
			http.MethodPut: (*Handler).putSymlink,
			http.MethodGet: (*Handler).getSymlink,
		},
		"tagging": {
			http.MethodPut:    (*Handler).putObjectTagging,
			http.MethodGet:    (*Handler).getObjectTagging,
			http.MethodDelete: (*Handler).deleteObjectTagging,
		},
		"acl":     {http.MethodPut: (*Handler).putObjectACL, http.MethodGet: (*Handler).getObjectACL},
		"uploads": {http.MethodPost: (*Handler).initiateUpload},
		"uploadId": {
			http.MethodPost:   (*Handler).completeUpload,
			http.MethodDelete: (*Handler).abortUpload,
			http.MethodGet:    (*Handler).listParts,
		},
		"partNumber,uploadId": {http.MethodPut: (*Handler).uploadPart},
		"objectMeta":          {http.MethodHead: (*Handler).getObjectMeta},
	},
}

// plain maps the calls without a sub-resource by level and method. OSS's
// PostObject (a form upload, POST on a bucket) and the CORS preflight
// (OPTIONS) are not served: 501. Any other method is 405.
var plain = map[wire.Level]map[string]handlerFunc{
	service: {http.MethodGet: (*Handler).listBuckets},
	bucket: {
		http.MethodPut:    (*Handler).putBucket,
		http.MethodDelete: (*Handler).deleteBucket,
		http.MethodGet:    (*Handler).listObjects,
	},
	object: {
		http.MethodPut:    (*Handler).putOrCopyObject,
		http.MethodGet:    (*Handler).getObjectBody,
		http.MethodHead:   (*Handler).headObject,
		http.MethodDelete: (*Handler).deleteObject,
	},
}

// routes is OSS's table (wire.Routes).
var routes = wire.Routes[handlerFunc]{SubResources: subResources, Served: served, Plain: plain, Methods: wire.HTTPMethods}

// subResourcesOf returns the sub-resources in query, sorted.
func subResourcesOf(q map[string][]string) []string {
	var subs []string
	for k := range q {
		if subResources[k] {
			subs = append(subs, k)
		}
	}
	sort.Strings(subs)
	return subs
}

// route picks the operation of a request from the table above, or refuses
// it; nothing has been read from the request nor changed before.
func (h *Handler) route(q *request) error {
	fn, what, err := routes.Route(wire.LevelOf(q.bucket, q.key), q.r.Method, q.query)
	if err != nil {
		return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: what, Err: err}
	}
	if err := unsupportedHeaders(q); err != nil {
		return err
	}
	return fn(h, q)
}

// unsupportedHeaders refuses, with 501, the request headers that ask for
// functionality this server does not have and whose silent neglect would
// store or change something else than the client asked for: server-side
// encryption and upload callbacks.
func unsupportedHeaders(q *request) error {
	hdr := q.r.Header
	for _, k := range []string{
		"x-oss-server-side-encryption", "x-oss-server-side-encryption-key-id",
		"x-oss-server-side-data-encryption", "x-oss-callback", "x-oss-callback-var",
	} {
		if hdr.Get(k) != "" {
			return notImplemented(q, "header "+k)
		}
	}
	return nil
}

func notImplemented(q *request, what string) error {
	return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: what + " is not implemented", Err: wire.ErrNotImplemented}
}
