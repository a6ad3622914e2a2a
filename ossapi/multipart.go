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

// The multipart upload operations of OSS, over the engine's uploads
// (engine/multipart.go): InitiateMultipartUpload (POST ?uploads),
// UploadPart and UploadPartCopy (PUT ?partNumber&uploadId, the copy with
// x-oss-copy-source), CompleteMultipartUpload (POST ?uploadId),
// AbortMultipartUpload (DELETE ?uploadId), ListParts (GET ?uploadId) and
// ListMultipartUploads (GET on the bucket, ?uploads).

// maxCompleteBody bounds a CompleteMultipartUpload body: 10,000 parts of
// about 100 bytes each.
const maxCompleteBody = 2 << 20

// initiateUpload serves InitiateMultipartUpload. It takes the headers of
// PutObject that describe the object (class, content type, metadata,
// tags, stored headers, x-oss-forbid-overwrite).
func (h *Handler) initiateUpload(q *request) error {
	const op = "InitiateMultipartUpload"
	if !xmlChars(q.key) {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "the key holds a character XML 1.0 cannot carry", Err: coldstore.ErrInvalidObjectName}
	}
	opts, err := h.putOptions(q, op)
	if err != nil {
		return err
	}
	up, err := h.db.InitiateUpload(q.r.Context(), q.bucket, q.key, opts)
	if err != nil {
		return err
	}
	enc := encoder(q)
	h.writeXML(q, http.StatusOK, struct {
		XMLName      xml.Name `xml:"InitiateMultipartUploadResult"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		UploadID     string   `xml:"UploadId"`
		EncodingType string   `xml:"EncodingType,omitempty"`
	}{Bucket: q.bucket, Key: enc.Encode(q.key), UploadID: up.UploadID, EncodingType: enc.name()})
	return nil
}

// keyEncoding is encoding-type=url, or none.
type keyEncoding struct{ wire.ListQuery }

func encoder(q *request) keyEncoding {
	return keyEncoding{wire.ListQuery{URLEncoding: q.query.Get("encoding-type") == "url"}}
}

// name is the EncodingType element's value: "url" or empty.
func (e keyEncoding) name() string {
	if e.URLEncoding {
		return "url"
	}
	return ""
}

// partNumber reads the partNumber parameter: 1-10000, else InvalidArgument.
func partNumber(q *request, op string) (int, error) {
	n, err := strconv.Atoi(q.query.Get("partNumber"))
	if err != nil || n < 1 || n > engine.MaxParts {
		return 0, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "Part number must be an integer between 1 and 10000, inclusive.", Err: coldstore.ErrInvalidArgument}
	}
	return n, nil
}

// uploadPart serves UploadPart, and UploadPartCopy when the request names
// a source in x-oss-copy-source. The answer carries the part's ETag and
// CRC-64, which the SDKs check against what they sent.
func (h *Handler) uploadPart(q *request) error {
	const op = "UploadPart"
	n, err := partNumber(q, op)
	if err != nil {
		return err
	}
	if q.r.Header.Get("x-oss-copy-source") != "" {
		return h.uploadPartCopy(q, n)
	}
	body, err := checkedRequestBody(q, op)
	if err != nil {
		return err
	}
	p, err := h.db.UploadPart(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId"), n, body)
	if err != nil {
		return err
	}
	q.header("ETag", etag(p.ETag))
	q.header("Content-MD5", contentMD5(p.ETag))
	q.header("x-oss-hash-crc64ecma", strconv.FormatUint(p.CRC64, 10))
	q.writeStatus(http.StatusOK)
	return nil
}

// uploadPartCopy serves UploadPartCopy: the source's bytes in
// x-oss-copy-source-range (bytes=first-last, inclusive; the whole source
// without it) become the part. The x-oss-copy-source-if-* conditions are
// checked on the source; an archived source that is not restored is
// refused with InvalidObjectState, as GetObject refuses it.
func (h *Handler) uploadPartCopy(q *request, n int) error {
	const op = "UploadPartCopy"
	path, version, _ := strings.Cut(q.r.Header.Get("x-oss-copy-source"), "?")
	if version != "" {
		return notImplemented(q, "x-oss-copy-source with a version")
	}
	sb, sk := copySource(path)
	from, err := h.db.Head(q.r.Context(), sb, sk)
	if err != nil {
		return withoutEC(op, err)
	}
	if err := copyConditions(q.r.Header, from); err != nil {
		return err
	}
	offset, length := int64(0), int64(-1)
	if r := q.r.Header.Get("x-oss-copy-source-range"); r != "" {
		var ok bool
		if offset, length, ok = wire.ParseCopyRange(r); !ok {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-oss-copy-source-range " + strconv.Quote(r) + " is not bytes=first-last", Err: coldstore.ErrInvalidArgument}
		}
	}
	p, err := h.db.CopyPart(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId"), n, sb, sk, offset, length)
	if err != nil {
		return withoutEC(op, err)
	}
	// The ETag in a header too: ali-oss reads it there.
	q.header("ETag", etag(p.ETag))
	q.header("x-oss-hash-crc64ecma", strconv.FormatUint(p.CRC64, 10))
	h.writeXML(q, http.StatusOK, struct {
		XMLName      xml.Name `xml:"CopyPartResult"`
		LastModified string   `xml:"LastModified"`
		ETag         string   `xml:"ETag"`
	}{LastModified: p.LastModified.UTC().Format(isoTime), ETag: etag(p.ETag)})
	return nil
}

// completeUpload serves CompleteMultipartUpload: the parts listed in the
// <CompleteMultipartUpload> body, or, with x-oss-complete-all: yes and no
// body, every part stored.
func (h *Handler) completeUpload(q *request) error {
	const op = "CompleteMultipartUpload"
	var req struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Parts   []struct {
			PartNumber string `xml:"PartNumber"`
			ETag       string `xml:"ETag"`
		} `xml:"Part"`
	}
	all := false
	switch v := q.r.Header.Get("x-oss-complete-all"); {
	case v == "":
	case strings.EqualFold(v, "yes"):
		all = true
	default:
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-oss-complete-all must be yes", Err: coldstore.ErrInvalidArgument}
	}
	acl, err := requestObjectACL(q, op)
	if err != nil {
		return err
	}
	body, err := h.readBody(q, maxCompleteBody)
	if err != nil {
		return err
	}
	if all && len(body) > 0 {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "a body with x-oss-complete-all: yes", Err: coldstore.ErrInvalidArgument}
	}
	if !all {
		if err := wire.DecodeXML(body, &req, false); err != nil {
			return err
		}
	}
	parts := make([]engine.CompletedPart, 0, len(req.Parts))
	for _, p := range req.Parts {
		n, err := strconv.Atoi(strings.TrimSpace(p.PartNumber))
		if err != nil {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "PartNumber " + strconv.Quote(p.PartNumber) + " is not a number", Err: coldstore.ErrMalformedXML}
		}
		parts = append(parts, engine.CompletedPart{Number: n, ETag: p.ETag})
	}
	oi, err := h.db.CompleteUpload(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId"), parts,
		&engine.CompleteOptions{All: all, ForbidOverwrite: forbidOverwrite(q), ACL: acl})
	if err != nil {
		return err
	}
	crcHeader(q, oi)
	enc := encoder(q)
	h.writeXML(q, http.StatusOK, struct {
		XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
		EncodingType string   `xml:"EncodingType,omitempty"`
		Location     string   `xml:"Location"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		ETag         string   `xml:"ETag"`
	}{EncodingType: enc.name(), Location: objectURL(q), Bucket: q.bucket, Key: enc.Encode(q.key), ETag: etag(oi.ETag)})
	return nil
}

// objectURL is the URL of the request's object on this server, as
// CompleteMultipartUpload's Location gives it.
func objectURL(q *request) string {
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host + "/" + q.bucket + "/" + pathEscape(q.key)
}

// pathEscape escapes a key for a URL path, keeping its slashes.
func pathEscape(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = wire.EscapeQuery(s)
	}
	return strings.Join(segs, "/")
}

// abortUpload serves AbortMultipartUpload: 204.
func (h *Handler) abortUpload(q *request) error {
	if err := h.db.AbortUpload(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId")); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}

// intParam reads an optional integer parameter in [lo, hi] (def when
// absent); anything else is InvalidArgument.
func intParam(q *request, op, name string, def, lo, hi int) (int, error) {
	n, ok := wire.IntParam(q.query, name, def, lo, hi)
	if !ok {
		return 0, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: name + " " + strconv.Quote(q.query.Get(name)) + " outside " + strconv.Itoa(lo) + "-" + strconv.Itoa(hi), Err: coldstore.ErrInvalidArgument}
	}
	return n, nil
}

// listParts serves ListParts, paged by max-parts (1-1000, default 1000)
// and part-number-marker.
func (h *Handler) listParts(q *request) error {
	const op = "ListParts"
	limit, err := intParam(q, op, "max-parts", engine.MaxListParts, 1, engine.MaxListParts)
	if err != nil {
		return err
	}
	marker, err := intParam(q, op, "part-number-marker", 0, 0, engine.MaxParts)
	if err != nil {
		return err
	}
	pl, err := h.db.ListParts(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId"), &engine.ListPartsOptions{Marker: marker, Limit: limit})
	if err != nil {
		return err
	}
	type xmlPart struct {
		PartNumber    int    `xml:"PartNumber"`
		LastModified  string `xml:"LastModified"`
		ETag          string `xml:"ETag"`
		HashCrc64ecma uint64 `xml:"HashCrc64ecma"`
		Size          int64  `xml:"Size"`
	}
	enc := encoder(q)
	res := struct {
		XMLName              xml.Name  `xml:"ListPartsResult"`
		EncodingType         string    `xml:"EncodingType,omitempty"`
		Bucket               string    `xml:"Bucket"`
		Key                  string    `xml:"Key"`
		UploadID             string    `xml:"UploadId"`
		StorageClass         string    `xml:"StorageClass"`
		PartNumberMarker     int       `xml:"PartNumberMarker"`
		NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
		MaxParts             int       `xml:"MaxParts"`
		IsTruncated          bool      `xml:"IsTruncated"`
		Parts                []xmlPart `xml:"Part"`
	}{EncodingType: enc.name(), Bucket: q.bucket, Key: enc.Encode(q.key), UploadID: pl.Upload.UploadID,
		StorageClass: string(pl.Upload.StorageClass), PartNumberMarker: marker,
		NextPartNumberMarker: pl.NextMarker, MaxParts: limit, IsTruncated: pl.Truncated}
	for _, p := range pl.Parts {
		res.Parts = append(res.Parts, xmlPart{PartNumber: p.Number, LastModified: p.LastModified.UTC().Format(isoTime),
			ETag: etag(p.ETag), HashCrc64ecma: p.CRC64, Size: p.Size})
	}
	h.writeXML(q, http.StatusOK, res)
	return nil
}

// listUploads serves ListMultipartUploads, paged by max-uploads (1-1000,
// default 1000), key-marker and upload-id-marker, with prefix, delimiter
// and encoding-type=url.
func (h *Handler) listUploads(q *request) error {
	const op = "ListMultipartUploads"
	limit, err := intParam(q, op, "max-uploads", engine.MaxListUploads, 1, engine.MaxListUploads)
	if err != nil {
		return err
	}
	o := &engine.ListUploadsOptions{
		Prefix: q.query.Get("prefix"), Delimiter: q.query.Get("delimiter"),
		KeyMarker: q.query.Get("key-marker"), UploadIDMarker: q.query.Get("upload-id-marker"), Limit: limit,
	}
	if o.KeyMarker == "" {
		o.UploadIDMarker = "" // OSS ignores an upload-id-marker without a key-marker
	}
	ul, err := h.db.ListUploads(q.r.Context(), q.bucket, o)
	if err != nil {
		return err
	}
	type xmlUpload struct {
		Key          string `xml:"Key"`
		UploadID     string `xml:"UploadId"`
		StorageClass string `xml:"StorageClass"`
		Initiated    string `xml:"Initiated"`
	}
	enc := encoder(q)
	res := struct {
		XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
		EncodingType       string         `xml:"EncodingType,omitempty"`
		Bucket             string         `xml:"Bucket"`
		KeyMarker          string         `xml:"KeyMarker"`
		UploadIDMarker     string         `xml:"UploadIdMarker"`
		NextKeyMarker      string         `xml:"NextKeyMarker"`
		NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
		Delimiter          string         `xml:"Delimiter"`
		Prefix             string         `xml:"Prefix"`
		MaxUploads         int            `xml:"MaxUploads"`
		IsTruncated        bool           `xml:"IsTruncated"`
		Uploads            []xmlUpload    `xml:"Upload"`
		CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
	}{EncodingType: enc.name(), Bucket: q.bucket, KeyMarker: enc.Encode(o.KeyMarker), UploadIDMarker: o.UploadIDMarker,
		NextKeyMarker: enc.Encode(ul.NextKeyMarker), NextUploadIDMarker: ul.NextUploadIDMarker,
		Delimiter: enc.Encode(o.Delimiter), Prefix: enc.Encode(o.Prefix), MaxUploads: limit, IsTruncated: ul.Truncated}
	for _, u := range ul.Uploads {
		res.Uploads = append(res.Uploads, xmlUpload{Key: enc.Encode(u.Key), UploadID: u.UploadID,
			StorageClass: string(u.StorageClass), Initiated: u.Initiated.UTC().Format(isoTime)})
	}
	for _, p := range ul.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: enc.Encode(p)})
	}
	h.writeXML(q, http.StatusOK, res)
	return nil
}
