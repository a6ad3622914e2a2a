package ossapi

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/wire"
)

// OSS's answers to an ACL that is not one, with the EC each documents:
// 400 InvalidArgument, and nothing changes.
var (
	errBadBucketACL = &coldstore.Error{Code: "InvalidArgument", Status: http.StatusBadRequest, Message: "no such bucket access control exists"}
	errBadObjectACL = &coldstore.Error{Code: "InvalidArgument", Status: http.StatusBadRequest, Message: "no such object access control exists"}
)

// The ECs OSS documents for them, and the headers that carry ACLs.
const (
	ecBadBucketACL  = "0015-00000204" // x-oss-acl is none of the bucket ACLs
	ecBadObjectACL  = "0017-00000104" // x-oss-object-acl is none of the object ACLs
	ecNoObjectACL   = "0017-00000105" // PutObjectAcl without x-oss-object-acl
	headerBucketACL = "x-oss-acl"
	headerObjectACL = "x-oss-object-acl"
)

// requestBucketACL reads x-oss-acl: "" when the request has none (or an
// empty one), else the value when it is a bucket's ACL, else
// InvalidArgument (errBadBucketACL).
func requestBucketACL(q *request, op string) (string, error) {
	acl := q.r.Header.Get(headerBucketACL)
	if acl != "" && !engine.IsBucketACL(acl) {
		return "", &coldstore.OpError{Op: op, Bucket: q.bucket, Detail: headerBucketACL + " " + strconv.Quote(acl) + " is none of private, public-read, public-read-write", Err: errBadBucketACL, EC: ecBadBucketACL}
	}
	return acl, nil
}

// requestObjectACL reads x-oss-object-acl: "" when the request has none
// (or an empty one), else the value when it is an object's ACL, else
// InvalidArgument (errBadObjectACL).
func requestObjectACL(q *request, op string) (string, error) {
	acl := q.r.Header.Get(headerObjectACL)
	if acl != "" && !engine.IsObjectACL(acl) {
		return "", &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: headerObjectACL + " " + strconv.Quote(acl) + " is none of default, private, public-read, public-read-write", Err: errBadObjectACL, EC: ecBadObjectACL}
	}
	return acl, nil
}

// accessControlPolicy is OSS's answer to GetBucketAcl and GetObjectAcl.
type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   owner    `xml:"Owner"`
	Grant   string   `xml:"AccessControlList>Grant"`
}

// putBucketACL is PutBucketAcl: x-oss-acl becomes the bucket's ACL. An
// x-oss-acl that is missing or none of private, public-read,
// public-read-write is InvalidArgument and changes nothing.
func (h *Handler) putBucketACL(q *request) error {
	const op = "PutBucketAcl"
	acl, err := requestBucketACL(q, op)
	if err != nil {
		return err
	}
	if acl == "" {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Detail: "no " + headerBucketACL, Err: errBadBucketACL, EC: ecBadBucketACL}
	}
	if err := h.db.SetBucketACL(q.r.Context(), q.bucket, acl); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}

// getBucketACL is GetBucketAcl: the owner and the bucket's ACL.
func (h *Handler) getBucketACL(q *request) error {
	b, err := h.db.Bucket(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	h.writeXML(q, http.StatusOK, accessControlPolicy{Owner: theOwner, Grant: b.ACL})
	return nil
}

// putObjectACL is PutObjectAcl: x-oss-object-acl becomes the object's
// ACL (default: its bucket's). A missing x-oss-object-acl, or one that is
// none of default, private, public-read, public-read-write, is
// InvalidArgument and changes nothing.
func (h *Handler) putObjectACL(q *request) error {
	const op = "PutObjectAcl"
	acl, err := requestObjectACL(q, op)
	if err != nil {
		return err
	}
	if acl == "" {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "no " + headerObjectACL, Err: errBadObjectACL, EC: ecNoObjectACL}
	}
	if _, err := h.db.SetObjectACL(q.r.Context(), q.bucket, q.key, acl); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}

// getObjectACL is GetObjectAcl: the owner and the object's own ACL,
// default when it follows its bucket's.
func (h *Handler) getObjectACL(q *request) error {
	oi, err := h.db.Head(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	grant := oi.ACL
	if grant == "" {
		grant = engine.ACLDefault
	}
	h.writeXML(q, http.StatusOK, accessControlPolicy{Owner: theOwner, Grant: grant})
	return nil
}

// admitAnonymous decides a request that Authenticate answered with err.
// When err is the verifier's Anonymous answer (keys are configured and
// the request carries no signature at all, neither an Authorization
// header nor a presigned query), it returns nil if the ACLs let anyone
// make the request, and AccessDenied otherwise. Any other err, nil
// included, is returned as it is: a request that tries to sign and fails
// (a bad, expired or malformed signature) is never taken for an
// anonymous one.
//
// Anyone may, as OSS's ACLs allow:
//
//   - read an object whose ACL is public-read or public-read-write, its
//     own or, when it has none (default), its bucket's: GetObject and
//     HeadObject;
//   - write an object whose ACL is public-read-write (that of the bucket
//     when the object does not exist or has none): PutObject,
//     DeleteObject, and CopyObject when the source can be read too; but
//     not set an ACL: a write with x-oss-object-acl is the owner's;
//   - list a bucket whose ACL is public-read or public-read-write
//     (ListObjects, ListObjectsV2): OSS lets anyone read a public-read
//     bucket's listing, and warns that this exposes every key.
//
// Everything else is AccessDenied: the service (ListBuckets), every
// operation on a sub-resource (ACLs, tags, lifecycle, restore, bucket
// information, DeleteMultipleObjects...), creating and deleting buckets,
// and /-/clock. A bucket or an object's bucket that does not exist is
// answered as an owner would be (NoSuchBucket) for the requests anyone
// may make on an existing one.
func (h *Handler) admitAnonymous(q *request, err error) error {
	if err == nil || err != h.auth.Anonymous { // Authenticate returns Anonymous itself, unwrapped, and for no other request
		return err
	}
	denied := &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: "anonymous " + q.r.Method, Err: errAccessDenied}
	if q.r.URL.Path == wire.ClockPath || q.r.URL.Path == wire.EventsPath || q.bucket == "" || len(subResourcesOf(q.query)) > 0 {
		return denied
	}
	ctx := q.r.Context()
	var need func(acl string) bool
	switch {
	case q.key == "" && q.r.Method == http.MethodGet:
		need = readable
	case q.key == "":
		return denied
	case q.r.Method == http.MethodGet || q.r.Method == http.MethodHead:
		need = readable
	case q.r.Method == http.MethodPut && q.r.Header.Get(headerObjectACL) != "":
		return denied
	case q.r.Method == http.MethodPut || q.r.Method == http.MethodDelete:
		need = writable
		if src := q.r.Header.Get("x-oss-copy-source"); src != "" && q.r.Method == http.MethodPut {
			path, _, _ := strings.Cut(src, "?") // as copyObject reads it
			sb, sk := copySource(path)
			acl, err := h.db.EffectiveACL(ctx, sb, sk)
			if err != nil {
				return err
			}
			if !readable(acl) {
				return denied
			}
		}
	default:
		return denied
	}
	acl, err := h.db.EffectiveACL(ctx, q.bucket, q.key)
	if err != nil {
		return err
	}
	if !need(acl) {
		return denied
	}
	return nil
}

// readable reports whether anyone may read under acl.
func readable(acl string) bool {
	return acl == engine.ACLPublicRead || acl == engine.ACLPublicReadWrite
}

// writable reports whether anyone may write under acl.
func writable(acl string) bool { return acl == engine.ACLPublicReadWrite }

// copiedACL gives the object oi, which a CopyObject onto itself has just
// moved to another class (engine.DB.SetStorageClass, which keeps the
// ACL), the ACL a copy gets: acl, x-oss-object-acl, or default without
// it, as any other copy. It changes the ACL only when it differs, in a
// transaction of its own counted as a PutObjectACL.
func (h *Handler) copiedACL(q *request, oi engine.ObjectInfo, acl string) (engine.ObjectInfo, error) {
	if acl == engine.ACLDefault {
		acl = ""
	}
	if oi.ACL == acl {
		return oi, nil
	}
	return h.db.SetObjectACL(q.r.Context(), q.bucket, q.key, acl)
}
