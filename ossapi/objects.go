package ossapi

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/coldstore-dev/coldstore/wire"
)

// httpTime is the format of Last-Modified.
const httpTime = http.TimeFormat

// objectHeaders writes what HeadObject and GetObject answer about oi.
func objectHeaders(q *request, oi engine.ObjectInfo) {
	q.header("ETag", etag(oi.ETag))
	q.header("Last-Modified", oi.LastModified.UTC().Format(httpTime))
	q.header("Content-Type", oi.ContentType)
	q.header("x-oss-object-type", oi.Type)
	if oi.Type == engine.TypeAppendable {
		q.header("x-oss-next-append-position", strconv.FormatInt(oi.Size, 10))
	}
	q.header("x-oss-storage-class", string(oi.StorageClass))
	if h := wire.RestoreHeader(oi.Restore); h != "" {
		q.header("x-oss-restore", h)
	}
	if h := wire.ExpirationHeader(oi.Expiration); h != "" {
		q.header("x-oss-expiration", h)
	}
	for k, v := range oi.Headers {
		q.header(k, v)
	}
	for k, v := range oi.Metadata {
		q.metaHeader("x-oss-meta-"+strings.ToLower(k), v)
	}
	if len(oi.Tags) > 0 {
		q.header("x-oss-tagging-count", strconv.Itoa(len(oi.Tags)))
	}
}

// crcHeader writes x-oss-hash-crc64ecma, the CRC-64/ECMA of the whole
// object that the SDKs check their downloads against. An object of some
// bytes whose CRC reads 0 has none recorded: no header rather than a
// wrong one.
func crcHeader(q *request, oi engine.ObjectInfo) {
	if oi.CRC64 != 0 || oi.Size == 0 {
		q.header("x-oss-hash-crc64ecma", strconv.FormatUint(oi.CRC64, 10))
	}
}

// checkedBody verifies Content-MD5 and a hex x-oss-content-sha256 at the
// end of the body: a mismatch fails the read, so the engine stores
// nothing.
type checkedBody struct {
	r          io.Reader
	wantMD5    []byte    // nil: no Content-MD5
	wantSHA256 []byte    // nil: no payload hash (UNSIGNED-PAYLOAD)
	md5        hash.Hash // with Content-MD5 only: the engine computes the body's own
	sha256     hash.Hash
}

func (c *checkedBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.md5 != nil {
		c.md5.Write(p[:n])
	}
	if c.sha256 != nil {
		c.sha256.Write(p[:n])
	}
	if err == io.EOF {
		if c.wantMD5 != nil && !bytes.Equal(c.md5.Sum(nil), c.wantMD5) {
			return n, errDigestMismatch
		}
		if c.wantSHA256 != nil && !bytes.Equal(c.sha256.Sum(nil), c.wantSHA256) {
			return n, errContentSHA256Mismatch
		}
	}
	return n, err
}

var errContentSHA256Mismatch = &coldstore.Error{Code: "InvalidDigest", Status: http.StatusBadRequest, Message: "The x-oss-content-sha256 you specified did not match the body received."}

// putOrCopyObject serves PUT on an object: CopyObject when
// x-oss-copy-source names a source, PutObject otherwise.
func (h *Handler) putOrCopyObject(q *request) error {
	if !xmlChars(q.key) {
		return &coldstore.OpError{Op: "PutObject", Bucket: q.bucket, Key: q.key, Detail: "the key holds a character XML 1.0 cannot carry: a listing could not name it", Err: coldstore.ErrInvalidObjectName}
	}
	if q.r.Header.Get("x-oss-copy-source") != "" {
		return h.copyObject(q)
	}
	return h.putObject(q)
}

// xmlChars reports whether every character of s is one XML 1.0 can
// carry (its Char production), so that listings can name the key.
func xmlChars(s string) bool {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

// requestMeta reads the user metadata, content type and tags of a
// PutObject (or a CopyObject that replaces them).
func requestMeta(q *request, op string) (contentType string, meta, tags map[string]string, err error) {
	meta = map[string]string{}
	for k, vs := range q.r.Header {
		if m, ok := strings.CutPrefix(strings.ToLower(k), "x-oss-meta-"); ok && len(vs) > 0 {
			meta[m] = vs[0]
		}
	}
	if t := q.r.Header.Get("x-oss-tagging"); t != "" {
		if tags, err = headerTags(q, op, t); err != nil {
			return "", nil, nil, err
		}
	}
	return q.r.Header.Get("Content-Type"), meta, tags, nil
}

// requestHeaders reads the standard headers a PutObject stores with the
// object (engine.StoredHeaders), those the request sets.
func requestHeaders(q *request) map[string]string {
	var hdr map[string]string
	for _, k := range engine.StoredHeaders {
		if v := q.r.Header.Get(k); v != "" {
			if hdr == nil {
				hdr = map[string]string{}
			}
			hdr[k] = v
		}
	}
	return hdr
}

func (h *Handler) putObject(q *request) error {
	opts, err := h.putOptions(q, "PutObject")
	if err != nil {
		return err
	}
	body, err := checkedRequestBody(q, "PutObject")
	if err != nil {
		return err
	}
	oi, err := h.db.Put(q.r.Context(), q.bucket, q.key, body, opts)
	if err != nil {
		return err
	}
	q.header("ETag", etag(oi.ETag))
	q.header("Content-MD5", contentMD5(oi.ETag))
	crcHeader(q, oi)
	q.writeStatus(http.StatusOK)
	return nil
}

// putOptions reads what a PutObject or InitiateMultipartUpload says of
// the object to be: content type, metadata, tags, stored headers, storage
// class and x-oss-forbid-overwrite.
func (h *Handler) putOptions(q *request, op string) (*engine.PutOptions, error) {
	opts := &engine.PutOptions{ForbidOverwrite: forbidOverwrite(q)}
	var err error
	if opts.ContentType, opts.Metadata, opts.Tags, err = requestMeta(q, op); err != nil {
		return nil, err
	}
	opts.Headers = requestHeaders(q)
	if opts.ACL, err = requestObjectACL(q, op); err != nil {
		return nil, err
	}
	if c := q.r.Header.Get("x-oss-storage-class"); c != "" {
		class, err := h.db.Catalog().ParseClass(c)
		if err != nil {
			return nil, err
		}
		opts.StorageClass = class
	}
	return opts, nil
}

// contentMD5 is the Content-MD5 OSS answers a PutObject or an UploadPart
// with: base64 of the body's MD5, which the ETag the engine gives such a
// body is in hex.
func contentMD5(etag string) string {
	sum, err := hex.DecodeString(etag)
	if err != nil || len(sum) != md5.Size {
		return ""
	}
	return base64.StdEncoding.EncodeToString(sum)
}

// checkedRequestBody is the request's body, checked against its
// Content-MD5 and x-oss-content-sha256 as it is read.
func checkedRequestBody(q *request, op string) (*checkedBody, error) {
	body := &checkedBody{r: q.body}
	if m := q.r.Header.Get("Content-MD5"); m != "" {
		want, err := base64.StdEncoding.DecodeString(m)
		if err != nil || len(want) != md5.Size {
			return nil, errDigestMalformed
		}
		body.wantMD5, body.md5 = want, md5.New()
	}
	if s := q.r.Header.Get("x-oss-content-sha256"); s != "" && s != "UNSIGNED-PAYLOAD" {
		want, err := hex.DecodeString(s)
		if err != nil || len(want) != sha256.Size {
			return nil, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-oss-content-sha256 is neither UNSIGNED-PAYLOAD nor a hex SHA-256", Err: coldstore.ErrInvalidArgument}
		}
		body.wantSHA256, body.sha256 = want, sha256.New()
	}
	return body, nil
}

// OSS's answers to a Range header that is not one satisfiable range: by
// default such a header is ignored (the whole object, 200) and of several
// ranges only the first counts; with x-oss-range-behavior: standard a range
// that reaches past the end is cut at the end (206), a suffix longer than
// the object is the whole object (206), and anything else that is not one
// satisfiable range is 416 InvalidRange.
var (
	rangesLax      = wire.RangeRules{FirstOfMany: true}
	rangesStandard = wire.RangeRules{RefuseMalformed: true, RefuseUnsatisfiable: true, Clamp: true}
)

// conditions evaluates the conditional headers of hdr against oi (see
// wire.Preconditions): 0, 304 or 412.
func conditions(hdr http.Header, oi engine.ObjectInfo) int {
	return wire.Preconditions(hdr, oi.ETag, oi.LastModified)
}

// precondition answers a failed condition: 304 with the validators and
// no body, or 412 PreconditionFailed.
func precondition(q *request, oi engine.ObjectInfo, status int) error {
	if status == http.StatusPreconditionFailed {
		return wire.ErrPreconditionFailed
	}
	q.header("ETag", etag(oi.ETag))
	q.header("Last-Modified", oi.LastModified.UTC().Format(httpTime))
	q.writeStatus(http.StatusNotModified)
	return nil
}

// responseOverrides are the query parameters of GetObject that set a
// header of the answer.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// headObject serves HeadObject: the headers of GetObject, with the
// object's CRC-64, and no body.
func (h *Handler) headObject(q *request) error {
	oi, err := h.db.Head(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	if s := conditions(q.r.Header, oi); s != 0 {
		return precondition(q, oi, s)
	}
	objectHeaders(q, oi)
	crcHeader(q, oi)
	q.header("Content-Length", strconv.FormatInt(oi.Size, 10))
	q.header("Accept-Ranges", "bytes")
	q.writeStatus(http.StatusOK)
	return nil
}

// getObjectBody serves GetObject: the whole object with its CRC-64, or
// the range asked for (206, after one seek to its first byte).
func (h *Handler) getObjectBody(q *request) error {
	obj, err := h.db.Get(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	defer obj.Close()
	oi := obj.Info()
	if s := conditions(q.r.Header, oi); s != 0 {
		return precondition(q, oi, s)
	}
	rules := rangesLax
	if strings.EqualFold(strings.TrimSpace(q.r.Header.Get("x-oss-range-behavior")), "standard") {
		rules = rangesStandard
	}
	spec := q.r.Header.Get("Range")
	if ir := q.r.Header.Get("If-Range"); spec != "" && ir != "" && !wire.IfRange(ir, oi.ETag, oi.LastModified) {
		spec = "" // the object changed: the whole of it (RFC 9110)
	}
	rng, err := wire.ParseRange(spec, oi.Size, rules)
	if err != nil {
		q.header("Content-Range", wire.UnsatisfiedContentRange(oi.Size))
		return &coldstore.OpError{Op: "GetObject", Bucket: q.bucket, Key: q.key, Detail: "Range " + strconv.Quote(q.r.Header.Get("Range")) + fmt.Sprintf(" of an object of %d bytes", oi.Size), Err: err}
	}
	objectHeaders(q, oi)
	for p, hdr := range responseOverrides {
		if v := q.query.Get(p); v != "" {
			q.header(hdr, v)
		}
	}
	q.header("Accept-Ranges", "bytes")
	status := http.StatusOK
	// The object, or its range, is copied by its WriteTo (no second
	// copy); a range is one seek to the chunk it starts in, nothing before
	// it read, and nothing after it.
	if rng.Partial {
		if err := obj.SetRange(rng.Start, rng.Length); err != nil {
			return err
		}
		q.header("Content-Range", rng.ContentRange(oi.Size))
		status = http.StatusPartialContent
	} else {
		crcHeader(q, oi)
	}
	if err := h.front.SendBody(q.w, q.id, status, obj, rng.Length); err != nil {
		return err
	}
	q.status = status
	return nil
}

func (h *Handler) deleteObject(q *request) error {
	if err := h.db.Delete(q.r.Context(), q.bucket, q.key); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}

// maxDeleteObjects is the most keys one DeleteMultipleObjects names, as
// OSS allows.
const maxDeleteObjects = 1000

// maxDeleteXML bounds a DeleteMultipleObjects body: 1,000 keys of 1,023
// bytes, each byte escaped as an entity of up to 6 bytes, and the tags.
const maxDeleteXML = 8 << 20

// deleteMultiple serves DeleteMultipleObjects (POST /?delete). A body that
// names more than 1,000 keys, or a version, is refused before any key is
// deleted. The body's keys are taken as they are (XML-escaped only):
// encoding-type=url applies to the answer, whose keys it URL-encodes as
// listings do; the OSS Go SDKs send it with every key unencoded and decode
// the answer.
func (h *Handler) deleteMultiple(q *request) error {
	var req struct {
		Quiet   bool `xml:"Quiet"`
		Objects []struct {
			Key       string  `xml:"Key"`
			VersionID *string `xml:"VersionId"`
		} `xml:"Object"`
	}
	if err := h.readXML(q, &req, false, max(h.opts.MaxXMLSize, maxDeleteXML)); err != nil {
		return err
	}
	if len(req.Objects) > maxDeleteObjects {
		return &coldstore.OpError{Op: "DeleteMultipleObjects", Bucket: q.bucket, Detail: fmt.Sprintf("%d objects, more than %d", len(req.Objects), maxDeleteObjects), Err: coldstore.ErrMalformedXML}
	}
	for _, o := range req.Objects {
		if o.VersionID != nil {
			return notImplemented(q, "VersionId in DeleteMultipleObjects")
		}
	}
	enc := wire.ListQuery{URLEncoding: q.query.Get("encoding-type") == "url"}
	type deleted struct {
		Key string `xml:"Key"`
	}
	out := struct {
		XMLName      xml.Name  `xml:"DeleteResult"`
		EncodingType string    `xml:"EncodingType,omitempty"`
		Deleted      []deleted `xml:"Deleted"`
	}{}
	if enc.URLEncoding {
		out.EncodingType = "url"
	}
	for _, o := range req.Objects {
		if err := h.db.Delete(q.r.Context(), q.bucket, o.Key); err != nil {
			return err
		}
		if !req.Quiet {
			out.Deleted = append(out.Deleted, deleted{Key: enc.Encode(o.Key)})
		}
	}
	h.writeXML(q, http.StatusOK, out)
	return nil
}

// copyConditions evaluates the x-oss-copy-source-if-* headers against the
// source: any that fails is 412 PreconditionFailed.
func copyConditions(hdr http.Header, src engine.ObjectInfo) error {
	return wire.CopyPreconditions(hdr, "x-oss-copy-source-", src.ETag, src.LastModified)
}

// copyObject serves CopyObject: x-oss-copy-source names /bucket/key (a
// version, ?versionId=, is not served: 501). The source's metadata and
// tags are copied unless x-oss-metadata-directive: REPLACE and
// x-oss-tagging-directive: Replace take the request's; the
// x-oss-copy-source-if-* conditions are checked on the source. The copy's
// ACL is x-oss-object-acl, default (its bucket's) without it: the
// source's is not copied (acl.go, copiedACL). A copy of
// an object onto itself that names a storage class and keeps the metadata
// changes the class as SetStorageClass does (restored archive objects may
// go warmer); any other copy reads the source (an archived source that is
// not restored is refused with InvalidObjectState) and writes the target.
// A symbolic link as the source is copied as a link, not followed.
func (h *Handler) copyObject(q *request) error {
	const op = "CopyObject"
	raw := q.r.Header.Get("x-oss-copy-source")
	path, version, _ := strings.Cut(raw, "?")
	if version != "" {
		return notImplemented(q, "x-oss-copy-source with a version")
	}
	sb, sk := copySource(path)
	replaceMeta, err := directive(q, "x-oss-metadata-directive", op)
	if err != nil {
		return err
	}
	replaceTags, err := directive(q, "x-oss-tagging-directive", op)
	if err != nil {
		return err
	}
	acl, err := requestObjectACL(q, op)
	if err != nil {
		return err
	}
	class := storageclass.Class("")
	if c := q.r.Header.Get("x-oss-storage-class"); c != "" {
		if class, err = h.db.Catalog().ParseClass(c); err != nil {
			return err
		}
	}
	target, link, err := h.db.Symlink(q.r.Context(), sb, sk)
	isLink := err == nil
	self := sb == q.bucket && sk == q.key
	if forbidOverwrite(q) && self {
		// The target must not exist: a copy onto itself would overwrite
		// it, and another is a Put that forbids overwriting.
		if !isLink {
			if _, err := h.db.Head(q.r.Context(), sb, sk); err != nil {
				return err
			}
		}
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "the copy would overwrite its source", Err: coldstore.ErrFileAlreadyExists}
	}
	var oi engine.ObjectInfo
	switch {
	case isLink:
		// OSS copies the link, not its target: "If the source object is a
		// symbolic link, only the symbolic link is copied". The copy names
		// the same key, in its own bucket.
		if err := copyConditions(q.r.Header, link); err != nil {
			return err
		}
		opts, err := copyOptions(q, op, link, class, acl, replaceMeta, replaceTags)
		if err != nil {
			return err
		}
		if oi, err = h.db.PutSymlink(q.r.Context(), q.bucket, q.key, target, opts); err != nil {
			return err
		}
	case self && class != "" && !replaceMeta && !replaceTags:
		from, err := h.db.Head(q.r.Context(), sb, sk)
		if err != nil {
			return err
		}
		if err := copyable(q, from); err != nil {
			return err
		}
		if err := copyConditions(q.r.Header, from); err != nil {
			return err
		}
		if oi, err = h.db.SetStorageClass(q.r.Context(), q.bucket, q.key, class); err != nil {
			return err
		}
		if oi, err = h.copiedACL(q, oi, acl); err != nil {
			return err
		}
	default:
		obj, err := h.db.Get(q.r.Context(), sb, sk)
		if err != nil {
			return withoutEC(op, err)
		}
		defer obj.Close()
		from := obj.Info()
		if err := copyable(q, from); err != nil {
			return err
		}
		if err := copyConditions(q.r.Header, from); err != nil {
			return err
		}
		opts, err := copyOptions(q, op, from, class, acl, replaceMeta, replaceTags)
		if err != nil {
			return err
		}
		if oi, err = h.db.Put(q.r.Context(), q.bucket, q.key, obj, opts); err != nil {
			return err
		}
	}
	crcHeader(q, oi)
	h.writeXML(q, http.StatusOK, struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		ETag         string   `xml:"ETag"`
		LastModified string   `xml:"LastModified"`
	}{ETag: etag(oi.ETag), LastModified: oi.LastModified.UTC().Format(isoTime)})
	return nil
}

// copyOptions are the options of a CopyObject's target: the class named
// (its bucket's when none), the source's content type, metadata, headers
// and tags unless the directives take the request's, the request's ACL,
// and x-oss-forbid-overwrite.
func copyOptions(q *request, op string, from engine.ObjectInfo, class storageclass.Class, acl string, replaceMeta, replaceTags bool) (*engine.PutOptions, error) {
	opts := &engine.PutOptions{StorageClass: class, ContentType: from.ContentType, Metadata: from.Metadata, Tags: from.Tags, Headers: from.Headers, ForbidOverwrite: forbidOverwrite(q), ACL: acl, Copy: true}
	contentType, meta, tags, err := requestMeta(q, op)
	if err != nil {
		return nil, err
	}
	if replaceMeta {
		opts.ContentType, opts.Metadata, opts.Headers = contentType, meta, requestHeaders(q)
	}
	if replaceTags {
		opts.Tags = tags
	}
	return opts, nil
}

// copyable refuses a CopyObject from an appendable object, which OSS
// documents it cannot copy ("The CopyObject operation cannot be performed
// on appendable objects"); it documents no error code for it, so the
// answer is OperationNotSupported (400), its code for an operation a
// resource does not support.
func copyable(q *request, src engine.ObjectInfo) error {
	if src.Type == engine.TypeAppendable {
		return &coldstore.OpError{Op: "CopyObject", Bucket: q.bucket, Key: q.key, Detail: "the source is an appendable object", Err: coldstore.ErrOperationNotSupported}
	}
	return nil
}

// withoutEC is err without its EC unless op made it: the EC of a refused
// read of a copy's source is GetObject's (0016-00000404), and OSS
// documents none for a CopyObject or UploadPartCopy whose source cannot be
// read, so none is sent rather than GetObject's; a refusal of the copy's
// own (UploadPartCopy from a link, 0042-00000308) keeps its EC.
func withoutEC(op string, err error) error {
	var oe *coldstore.OpError
	if errors.As(err, &oe) && oe.EC != "" && oe.Op != op {
		c := *oe
		c.EC = ""
		return &c
	}
	return err
}

// forbidOverwrite reads x-oss-forbid-overwrite: true (any case, spaces
// around) forbids a PutObject or CopyObject to replace an existing object;
// anything else, as OSS reads it, allows it.
func forbidOverwrite(q *request) bool {
	return strings.EqualFold(strings.TrimSpace(q.r.Header.Get("x-oss-forbid-overwrite")), "true")
}

// directive reads a COPY or REPLACE header (any case): true for REPLACE.
func directive(q *request, header, op string) (bool, error) {
	switch v := strings.TrimSpace(q.r.Header.Get(header)); {
	case v == "" || strings.EqualFold(v, "COPY"):
		return false, nil
	case strings.EqualFold(v, "REPLACE"):
		return true, nil
	default:
		return false, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: header + " " + strconv.Quote(v) + " is neither COPY nor REPLACE", Err: coldstore.ErrInvalidArgument}
	}
}

// restore serves RestoreObject: the optional <RestoreRequest> body with
// Days and JobParameters/Tier; 202 Accepted, 200 when already restored. A
// body with another root, or an element OSS's RestoreRequest does not
// have, is MalformedXML, as OSS answers it; so is OutputLocation, which
// OSS documents and refuses (EC 0016-00000710).
func (h *Handler) restore(q *request) error {
	type element struct{ XMLName xml.Name }
	var req struct {
		XMLName       xml.Name
		Days          int `xml:"Days"`
		JobParameters *struct {
			Tier  string    `xml:"Tier"`
			Other []element `xml:",any"`
		} `xml:"JobParameters"`
		Outputs *struct{} `xml:"OutputLocation"`
		Other   []element `xml:",any"`
	}
	if err := h.readXML(q, &req, true, h.opts.MaxXMLSize); err != nil {
		return err
	}
	malformed := func(detail string) error {
		return &coldstore.OpError{Op: "RestoreObject", Bucket: q.bucket, Key: q.key, Detail: detail, Err: coldstore.ErrMalformedXML}
	}
	switch {
	case req.XMLName.Local != "" && req.XMLName.Local != "RestoreRequest":
		return malformed("root element <" + req.XMLName.Local + ">, not <RestoreRequest>")
	case req.Outputs != nil:
		return malformed("OutputLocation is not supported")
	case len(req.Other) > 0:
		return malformed("unknown element <" + req.Other[0].XMLName.Local + "> in <RestoreRequest>")
	case req.JobParameters != nil && len(req.JobParameters.Other) > 0:
		return malformed("unknown element <" + req.JobParameters.Other[0].XMLName.Local + "> in <JobParameters>")
	}
	opts := &engine.RestoreOptions{Days: req.Days}
	var tier string
	if req.JobParameters != nil {
		tier = req.JobParameters.Tier
	}
	if tier != "" {
		// A tier that is none of OSS's goes to the dialect as written: it
		// refuses it with OSS's EC (0016-00000703), as a tier the class
		// lacks.
		opts.Tier = storageclass.Tier(tier)
		if t, err := storageclass.ParseTier(tier); err == nil {
			opts.Tier = t
		}
	}
	res, err := h.db.Restore(q.r.Context(), q.bucket, q.key, opts)
	if err != nil {
		return err
	}
	if res.Restore.Tier != "" {
		q.header("x-oss-object-restore-priority", string(res.Restore.Tier))
	}
	status := http.StatusOK // AlreadyRestored: the expiry was prolonged
	if res.Status == engine.Accepted {
		status = http.StatusAccepted
	}
	q.writeStatus(status)
	return nil
}

func (h *Handler) cleanRestored(q *request) error {
	if err := h.db.CleanRestored(q.r.Context(), q.bucket, q.key); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}
