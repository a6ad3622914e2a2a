package s3api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/coldstore-dev/coldstore/wire"
)

// httpTime is the format of Last-Modified.
const httpTime = http.TimeFormat

// objectHeaders writes what HeadObject and GetObject answer about oi:
// x-amz-storage-class is left out for STANDARD, as S3 leaves it out.
func objectHeaders(q *request, oi engine.ObjectInfo) {
	// The names as net/http keys them (Header.Set builds a name that is
	// not canonical again): the same bytes on the wire.
	q.header("Etag", etag(oi.ETag))
	q.header("Last-Modified", oi.LastModified.UTC().Format(httpTime))
	q.header("Content-Type", oi.ContentType)
	if oi.StorageClass != storageclass.S3Standard {
		q.header("X-Amz-Storage-Class", string(oi.StorageClass))
	}
	if h := wire.RestoreHeader(oi.Restore); h != "" {
		q.header("X-Amz-Restore", h)
	}
	expirationHeader(q, oi)
	for k, v := range oi.Headers {
		q.header(k, v)
	}
	for k, v := range oi.Metadata {
		q.metaHeader("x-amz-meta-"+strings.ToLower(k), v)
	}
	if len(oi.Tags) > 0 {
		q.header("X-Amz-Tagging-Count", strconv.Itoa(len(oi.Tags)))
	}
	q.header("Accept-Ranges", "bytes")
}

// expirationHeader writes x-amz-expiration when a lifecycle rule expires
// oi, as S3 answers PutObject, CopyObject, CompleteMultipartUpload,
// HeadObject and GetObject.
func expirationHeader(q *request, oi engine.ObjectInfo) {
	if h := wire.ExpirationHeader(oi.Expiration); h != "" {
		q.header("X-Amz-Expiration", h)
	}
}

// putOrCopyObject serves PUT on an object: CopyObject when
// x-amz-copy-source names a source, PutObject otherwise.
func (h *Handler) putOrCopyObject(q *request) error {
	if q.r.Header.Get("x-amz-copy-source") != "" {
		return h.copyObject(q)
	}
	return h.putObject(q)
}

// parseClass reads x-amz-storage-class: "" when absent, else a class of
// the catalog, else InvalidStorageClass.
func (h *Handler) parseClass(q *request, op string) (storageclass.Class, error) {
	c := q.r.Header.Get("x-amz-storage-class")
	if c == "" {
		return "", nil
	}
	class, err := h.db.Catalog().ParseClass(c)
	if err != nil || string(class) != c {
		return "", &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-amz-storage-class " + strconv.Quote(c), Err: errInvalidStorageClass}
	}
	return class, nil
}

// requestMeta reads x-amz-meta-*, x-amz-tagging (a query string) and the
// headers an object keeps.
func requestMeta(q *request, op string) (meta, tags, headers map[string]string, err error) {
	meta = map[string]string{}
	for k, vs := range q.r.Header {
		if m, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-meta-"); ok && len(vs) > 0 {
			meta[m] = vs[0]
		}
	}
	if t := q.r.Header.Get("x-amz-tagging"); t != "" {
		parsed, perr := url.ParseQuery(t)
		if perr != nil {
			return nil, nil, nil, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-amz-tagging is not a query string", Err: coldstore.ErrInvalidArgument}
		}
		tags = map[string]string{}
		for k, v := range parsed {
			if err := checkTag(q, op, k, v[0], len(v)); err != nil {
				return nil, nil, nil, err
			}
			tags[k] = v[0]
		}
		if err := checkTagCount(q, op, len(tags)); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, k := range engine.StoredHeaders {
		v := q.r.Header.Get(k)
		if k == "Content-Encoding" {
			v = withoutAWSChunked(v)
		}
		if v != "" {
			if headers == nil {
				headers = map[string]string{}
			}
			headers[k] = v
		}
	}
	return meta, tags, headers, nil
}

// withoutAWSChunked is a Content-Encoding without aws-chunked, which
// names the request's framing, not the object's encoding.
func withoutAWSChunked(v string) string {
	var keep []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
			keep = append(keep, e)
		}
	}
	return strings.Join(keep, ", ")
}

// putOptions reads what a PutObject or CreateMultipartUpload says of the
// object to be. If-None-Match: * forbids an overwrite (S3's conditional
// write: 412 PreconditionFailed when the key exists); any other
// If-None-Match, and If-Match, on a write are not served (501).
func (h *Handler) putOptions(q *request, op string) (*engine.PutOptions, error) {
	o := &engine.PutOptions{ContentType: q.r.Header.Get("Content-Type")}
	switch inm := q.r.Header.Get("If-None-Match"); {
	case inm == "*":
		o.ForbidOverwrite = true
	case inm != "":
		return nil, notImplemented(q, "If-None-Match other than * on a write")
	}
	if q.r.Header.Get("If-Match") != "" {
		return nil, notImplemented(q, "If-Match on a write")
	}
	var err error
	if o.StorageClass, err = h.parseClass(q, op); err != nil {
		return nil, err
	}
	if o.Metadata, o.Tags, o.Headers, err = requestMeta(q, op); err != nil {
		return nil, err
	}
	return o, nil
}

// putObject serves PutObject: the body, checked against Content-MD5,
// x-amz-content-sha256 and x-amz-checksum-* as it is read, stored in the
// class x-amz-storage-class names (the bucket's, STANDARD, without one).
func (h *Handler) putObject(q *request) error {
	const op = "PutObject"
	if err := bodyLength(q); err != nil {
		return err
	}
	opts, err := h.putOptions(q, op)
	if err != nil {
		return err
	}
	body, err := checkedRequestBody(q, op)
	if err != nil {
		return err
	}
	body.behind(q)
	defer body.close()
	oi, err := h.db.Put(q.r.Context(), q.bucket, q.key, body, opts)
	if err != nil {
		return err
	}
	q.header("Etag", etag(oi.ETag))
	expirationHeader(q, oi)
	body.echo(q, true)
	q.writeStatus(http.StatusOK)
	return nil
}

// headObject serves HeadObject: GetObject's headers, no body (with
// ?partNumber=, the part's length and range, 206; 200 for an empty
// object's part 1). An archived object answers too: HEAD reads no content.
func (h *Handler) headObject(q *request) error {
	part, count, byPart, err := h.partOf(q)
	if err != nil {
		return err
	}
	oi, err := h.db.Head(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	if s := wire.Preconditions(q.r.Header, oi.ETag, oi.LastModified); s != 0 {
		return precondition(q, oi, s)
	}
	objectHeaders(q, oi)
	if byPart && part.Partial {
		q.header("x-amz-mp-parts-count", strconv.Itoa(count))
		q.header("Content-Range", part.ContentRange(oi.Size))
		q.header("Content-Length", strconv.FormatInt(part.Length, 10))
		q.writeStatus(http.StatusPartialContent)
		return nil
	}
	if byPart {
		q.header("x-amz-mp-parts-count", strconv.Itoa(count))
	}
	q.header("Content-Length", strconv.FormatInt(oi.Size, 10))
	q.writeStatus(http.StatusOK)
	return nil
}

// precondition answers a failed condition: 304 with the validators, or
// 412 PreconditionFailed.
func precondition(q *request, oi engine.ObjectInfo, status int) error {
	if status == http.StatusPreconditionFailed {
		return wire.ErrPreconditionFailed
	}
	q.header("Etag", etag(oi.ETag))
	q.header("Last-Modified", oi.LastModified.UTC().Format(httpTime))
	q.writeStatus(http.StatusNotModified)
	return nil
}

// responseOverrides are GetObject's query parameters that set a header.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// rangeRules are S3's: a range past the end is cut at it, a suffix longer
// than the object is all of it, and an unsatisfiable one is 416; of
// several ranges only the first counts.
var rangeRules = wire.RangeRules{FirstOfMany: true, RefuseUnsatisfiable: true, Clamp: true}

// errInvalidPartNumber is S3's answer to a part the object does not have.
var errInvalidPartNumber = &coldstore.Error{Code: "InvalidPartNumber", Status: http.StatusRequestedRangeNotSatisfiable, Message: "The requested partnumber is not satisfiable"}

// partOf reads ?partNumber= of a GetObject or HeadObject: ok is false
// without one; else the part's range in the object and the object's part
// count (engine.DB.PartRange). A number outside 1-10,000 is
// InvalidArgument, a part the object lacks 416 InvalidPartNumber, and a
// Range header beside it InvalidRequest, as S3 answers them.
func (h *Handler) partOf(q *request) (rng wire.ByteRange, count int, ok bool, err error) {
	if !q.query.Has("partNumber") {
		return rng, 0, false, nil
	}
	op := "GetObject"
	if q.r.Method == http.MethodHead {
		op = "HeadObject"
	}
	n, aerr := strconv.Atoi(q.query.Get("partNumber"))
	if aerr != nil || n < 1 || n > engine.MaxParts {
		return rng, 0, false, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "partNumber " + strconv.Quote(q.query.Get("partNumber")),
			Err: coldstore.ErrInvalidArgument, Message: "Part number must be an integer between 1 and 10000, inclusive"}
	}
	if q.r.Header.Get("Range") != "" {
		return rng, 0, false, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "Range and partNumber",
			Err: coldstore.ErrInvalidRequest, Message: "Cannot specify both Range header and partNumber query parameter."}
	}
	off, length, count, err := h.db.PartRange(q.r.Context(), q.bucket, q.key, n)
	if errors.Is(err, coldstore.ErrInvalidArgument) {
		return rng, 0, false, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: err.Error(), Err: errInvalidPartNumber}
	}
	if err != nil {
		return rng, 0, false, err
	}
	// An empty object's part 1 is empty: no byte range names it, so it is
	// answered whole (200, no Content-Range, which would read "0--1").
	return wire.ByteRange{Start: off, Length: length, Partial: length > 0}, count, true, nil
}

// getObject serves GetObject: the whole object, the range asked for, or
// the part ?partNumber= names (206 with x-amz-mp-parts-count; 200 for an
// empty object's part 1). An archived
// object not restored, or still restoring, is 403 InvalidObjectState with
// its StorageClass, ranged reads included.
func (h *Handler) getObject(q *request) error {
	part, count, byPart, err := h.partOf(q)
	if err != nil {
		return err
	}
	obj, err := h.db.Get(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return h.withClass(q, q.bucket, q.key, err)
	}
	defer obj.Close()
	oi := obj.Info()
	if s := wire.Preconditions(q.r.Header, oi.ETag, oi.LastModified); s != 0 {
		return precondition(q, oi, s)
	}
	spec := q.r.Header.Get("Range")
	if ir := q.r.Header.Get("If-Range"); spec != "" && ir != "" && !wire.IfRange(ir, oi.ETag, oi.LastModified) {
		spec = ""
	}
	rng, err := wire.ParseRange(spec, oi.Size, rangeRules)
	if err != nil {
		q.header("Content-Range", wire.UnsatisfiedContentRange(oi.Size))
		return &coldstore.OpError{Op: "GetObject", Bucket: q.bucket, Key: q.key, Detail: "Range " + strconv.Quote(q.r.Header.Get("Range")) + fmt.Sprintf(" of an object of %d bytes", oi.Size), Err: err}
	}
	if byPart {
		rng = part
		q.header("x-amz-mp-parts-count", strconv.Itoa(count))
	}
	objectHeaders(q, oi)
	for p, hdr := range responseOverrides {
		if v := q.query.Get(p); v != "" {
			q.header(hdr, v)
		}
	}
	status := http.StatusOK
	if rng.Partial { // the range alone is read, and copied by WriteTo
		if err := obj.SetRange(rng.Start, rng.Length); err != nil {
			return err
		}
		q.header("Content-Range", rng.ContentRange(oi.Size))
		status = http.StatusPartialContent
	}
	if err := h.front.SendBody(q.w, q.id, status, obj, rng.Length); err != nil {
		return err
	}
	q.status = status
	return nil
}

// withClass gives an InvalidObjectState refusal of bucket/key the
// object's class, which S3's document names.
func (h *Handler) withClass(q *request, bucket, key string, err error) error {
	if !errors.Is(err, coldstore.ErrInvalidObjectState) {
		return err
	}
	if oi, herr := h.db.Head(q.r.Context(), bucket, key); herr == nil {
		return wire.WithStorageClass(err, string(oi.StorageClass))
	}
	return err
}

// deleteObject serves DeleteObject: 204, whether the key existed or not;
// with If-Match (an ETag, a list of them, or "*"), a conditional delete,
// as S3 serves it: 412 PreconditionFailed when the object's ETag is
// another, 404 NoSuchKey when there is none, nothing removed then.
// x-amz-if-match-last-modified-time and x-amz-if-match-size, conditions
// of S3's directory buckets, are not served (501).
func (h *Handler) deleteObject(q *request) error {
	for _, name := range []string{"X-Amz-If-Match-Last-Modified-Time", "X-Amz-If-Match-Size"} {
		if headerValue(q.r.Header, name) != "" { // S3's directory buckets' conditions
			return notImplemented(q, "header "+strings.ToLower(name))
		}
	}
	var err error
	if im := strings.Join(q.r.Header.Values("If-Match"), ","); im != "" {
		err = h.db.DeleteIfMatch(q.r.Context(), q.bucket, q.key, func(etag string) bool { return wire.ETagMatches(im, etag) })
	} else {
		err = h.db.Delete(q.r.Context(), q.bucket, q.key)
	}
	if err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}
