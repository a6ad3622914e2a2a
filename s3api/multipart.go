package s3api

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/wire"
)

// S3's multipart upload operations over the engine's uploads
// (engine/multipart.go): CreateMultipartUpload (POST ?uploads),
// UploadPart and UploadPartCopy (PUT ?partNumber&uploadId, the copy with
// x-amz-copy-source), CompleteMultipartUpload (POST ?uploadId),
// AbortMultipartUpload (DELETE ?uploadId), ListParts (GET ?uploadId) and
// ListMultipartUploads (GET on the bucket, ?uploads). Part numbers run
// 1-10,000 and parts up to 5 GiB; every part but the last is at least 5
// MiB (the S3 dialect's MinPartSize), as in S3.

// maxCompleteBody bounds a CompleteMultipartUpload body.
const maxCompleteBody = 4 << 20

// createUpload serves CreateMultipartUpload, with PutObject's headers for
// the object to be.
func (h *Handler) createUpload(q *request) error {
	const op = "CreateMultipartUpload"
	opts, err := h.putOptions(q, op)
	if err != nil {
		return err
	}
	up, err := h.db.InitiateUpload(q.r.Context(), q.bucket, q.key, opts)
	if err != nil {
		return err
	}
	abortHeaders(q, up)
	h.writeXML(q, http.StatusOK, struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		NS       string   `xml:"xmlns,attr"`
		Bucket   string   `xml:"Bucket"`
		Key      string   `xml:"Key"`
		UploadID string   `xml:"UploadId"`
	}{NS: s3NS, Bucket: q.bucket, Key: q.key, UploadID: up.UploadID})
	return nil
}

// abortHeaders writes x-amz-abort-date and x-amz-abort-rule-id when a
// lifecycle rule aborts up, as S3 answers CreateMultipartUpload and
// ListParts.
func abortHeaders(q *request, up engine.Upload) {
	if !up.AbortAt.IsZero() {
		q.header("X-Amz-Abort-Date", up.AbortAt.UTC().Format(httpTime))
		q.header("X-Amz-Abort-Rule-Id", up.AbortRuleID)
	}
}

// uploadPart serves UploadPart, and UploadPartCopy with x-amz-copy-source.
func (h *Handler) uploadPart(q *request) error {
	const op = "UploadPart"
	n, err := strconv.Atoi(q.query.Get("partNumber"))
	if err != nil || n < 1 || n > engine.MaxParts {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "partNumber " + strconv.Quote(q.query.Get("partNumber")),
			Err: coldstore.ErrInvalidArgument, Message: "Part number must be an integer between 1 and 10000, inclusive"}
	}
	if q.r.Header.Get("x-amz-copy-source") != "" {
		return h.uploadPartCopy(q, n)
	}
	if err := bodyLength(q); err != nil {
		return err
	}
	body, err := checkedRequestBody(q, op)
	if err != nil {
		return err
	}
	body.behind(q)
	defer body.close()
	p, err := h.db.UploadPart(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId"), n, body)
	if err != nil {
		return err
	}
	q.header("ETag", etag(p.ETag))
	body.echo(q, false)
	q.writeStatus(http.StatusOK)
	return nil
}

// uploadPartCopy serves UploadPartCopy: the source's bytes in
// x-amz-copy-source-range (bytes=first-last) or all of them become the
// part; an archived source not restored is refused as CopyObject refuses
// it.
func (h *Handler) uploadPartCopy(q *request, n int) error {
	const op = "UploadPartCopy"
	sb, sk, err := copySource(q)
	if err != nil {
		return err
	}
	from, err := h.db.Head(q.r.Context(), sb, sk)
	if err != nil {
		return err
	}
	if err := copyConditions(q.r.Header, from); err != nil {
		return err
	}
	offset, length := int64(0), int64(-1)
	if r := q.r.Header.Get("x-amz-copy-source-range"); r != "" {
		var ok bool
		if offset, length, ok = wire.ParseCopyRange(r); !ok {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-amz-copy-source-range " + strconv.Quote(r) + " is not bytes=first-last", Err: coldstore.ErrInvalidArgument}
		}
	}
	p, err := h.db.CopyPart(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId"), n, sb, sk, offset, length)
	if err != nil {
		return sourceRefusal(err, from)
	}
	h.writeXML(q, http.StatusOK, struct {
		XMLName      xml.Name `xml:"CopyPartResult"`
		NS           string   `xml:"xmlns,attr"`
		LastModified string   `xml:"LastModified"`
		ETag         string   `xml:"ETag"`
	}{NS: s3NS, LastModified: p.LastModified.UTC().Format(isoTime), ETag: etag(p.ETag)})
	return nil
}

// completeUpload serves CompleteMultipartUpload: the parts the body lists,
// in order. If-None-Match: * forbids an overwrite (412). A Complete of an
// upload that is gone answers 200 as the first did when the object at the
// key is still the one those parts made (its ETag is theirs): S3 answers a
// retried Complete so, and the SDKs retry one whose answer was lost.
func (h *Handler) completeUpload(q *request) error {
	const op = "CompleteMultipartUpload"
	var req struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Parts   []struct {
			PartNumber string `xml:"PartNumber"`
			ETag       string `xml:"ETag"`
		} `xml:"Part"`
	}
	q.objectChecksum = true // an x-amz-checksum-* here is the object's
	if err := h.readXML(q, op, &req, false, maxCompleteBody); err != nil {
		return err
	}
	if len(req.Parts) == 0 {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "no parts listed", Err: coldstore.ErrMalformedXML}
	}
	parts := make([]engine.CompletedPart, 0, len(req.Parts))
	for _, p := range req.Parts {
		n, err := strconv.Atoi(strings.TrimSpace(p.PartNumber))
		if err != nil {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "PartNumber " + strconv.Quote(p.PartNumber), Err: coldstore.ErrMalformedXML}
		}
		parts = append(parts, engine.CompletedPart{Number: n, ETag: p.ETag})
	}
	o := &engine.CompleteOptions{}
	switch inm := q.r.Header.Get("If-None-Match"); {
	case inm == "*":
		o.ForbidOverwrite = true
	case inm != "" || q.r.Header.Get("If-Match") != "":
		return notImplemented(q, "a condition other than If-None-Match: * on a write")
	}
	oi, err := h.db.CompleteUpload(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId"), parts, o)
	if errors.Is(err, coldstore.ErrNoSuchUpload) {
		if done, herr := h.db.Head(q.r.Context(), q.bucket, q.key); herr == nil && done.Type == engine.TypeMultipart && done.ETag == multipartETag(parts) {
			oi, err = done, nil
		}
	}
	if err != nil {
		return err
	}
	expirationHeader(q, oi)
	h.writeXML(q, http.StatusOK, struct {
		XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
		NS       string   `xml:"xmlns,attr"`
		Location string   `xml:"Location"`
		Bucket   string   `xml:"Bucket"`
		Key      string   `xml:"Key"`
		ETag     string   `xml:"ETag"`
	}{NS: s3NS, Location: "/" + q.bucket + "/" + wire.EscapePath(q.key), Bucket: q.bucket, Key: q.key, ETag: etag(oi.ETag)})
	return nil
}

// multipartETag is the ETag of the object the parts listed make: the MD5
// of their MD5s, "-", their count; "" when an ETag listed is not an MD5.
func multipartETag(parts []engine.CompletedPart) string {
	h := md5.New()
	for _, p := range parts {
		sum, err := hex.DecodeString(strings.Trim(strings.TrimSpace(p.ETag), `"`))
		if err != nil || len(sum) != md5.Size {
			return ""
		}
		h.Write(sum)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
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

// listParts serves ListParts, paged by max-parts (default 1000) and
// part-number-marker.
func (h *Handler) listParts(q *request) error {
	const op = "ListParts"
	limit, err := intParam(q, op, "max-parts", engine.MaxListParts, 1, math.MaxInt32)
	if err != nil {
		return err
	}
	limit = min(limit, engine.MaxListParts) // S3 takes any and lists at most 1,000
	marker, err := intParam(q, op, "part-number-marker", 0, 0, engine.MaxParts)
	if err != nil {
		return err
	}
	pl, err := h.db.ListParts(q.r.Context(), q.bucket, q.key, q.query.Get("uploadId"), &engine.ListPartsOptions{Marker: marker, Limit: limit})
	if err != nil {
		return err
	}
	type xmlPart struct {
		PartNumber   int    `xml:"PartNumber"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
	}
	res := struct {
		XMLName              xml.Name  `xml:"ListPartsResult"`
		NS                   string    `xml:"xmlns,attr"`
		Bucket               string    `xml:"Bucket"`
		Key                  string    `xml:"Key"`
		UploadID             string    `xml:"UploadId"`
		StorageClass         string    `xml:"StorageClass"`
		PartNumberMarker     int       `xml:"PartNumberMarker"`
		NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
		MaxParts             int       `xml:"MaxParts"`
		IsTruncated          bool      `xml:"IsTruncated"`
		Parts                []xmlPart `xml:"Part"`
	}{NS: s3NS, Bucket: q.bucket, Key: q.key, UploadID: pl.Upload.UploadID, StorageClass: string(pl.Upload.StorageClass),
		PartNumberMarker: marker, NextPartNumberMarker: pl.NextMarker, MaxParts: limit, IsTruncated: pl.Truncated}
	for _, p := range pl.Parts {
		res.Parts = append(res.Parts, xmlPart{PartNumber: p.Number, LastModified: p.LastModified.UTC().Format(isoTime), ETag: etag(p.ETag), Size: p.Size})
	}
	abortHeaders(q, pl.Upload)
	h.writeXML(q, http.StatusOK, res)
	return nil
}

// listUploads serves ListMultipartUploads, paged by max-uploads (default
// 1000), key-marker and upload-id-marker, with prefix, delimiter and
// encoding-type=url.
func (h *Handler) listUploads(q *request) error {
	const op = "ListMultipartUploads"
	if err := encodingType(q); err != nil {
		return err
	}
	limit, err := intParam(q, op, "max-uploads", engine.MaxListUploads, 1, math.MaxInt32)
	if err != nil {
		return err
	}
	limit = min(limit, engine.MaxListUploads) // S3 takes any and lists at most 1,000
	o := &engine.ListUploadsOptions{Prefix: q.query.Get("prefix"), Delimiter: q.query.Get("delimiter"),
		KeyMarker: q.query.Get("key-marker"), UploadIDMarker: q.query.Get("upload-id-marker"), Limit: limit}
	if o.KeyMarker == "" {
		o.UploadIDMarker = "" // S3 ignores an upload-id-marker without a key-marker
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
	// encoding-type=url encodes the keys, prefixes, markers and delimiter
	// as ListObjects does (S3: botocore's ListMultipartUploadsOutput).
	enc := wire.ListQuery{URLEncoding: q.query.Get("encoding-type") == "url", KeepSlash: true}
	res := struct {
		XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
		NS                 string         `xml:"xmlns,attr"`
		Bucket             string         `xml:"Bucket"`
		KeyMarker          string         `xml:"KeyMarker"`
		UploadIDMarker     string         `xml:"UploadIdMarker"`
		NextKeyMarker      string         `xml:"NextKeyMarker"`
		NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
		Delimiter          string         `xml:"Delimiter,omitempty"`
		Prefix             string         `xml:"Prefix"`
		MaxUploads         int            `xml:"MaxUploads"`
		EncodingType       string         `xml:"EncodingType,omitempty"`
		IsTruncated        bool           `xml:"IsTruncated"`
		Uploads            []xmlUpload    `xml:"Upload"`
		CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
	}{NS: s3NS, Bucket: q.bucket, KeyMarker: enc.Encode(o.KeyMarker), UploadIDMarker: o.UploadIDMarker, NextKeyMarker: enc.Encode(ul.NextKeyMarker),
		NextUploadIDMarker: ul.NextUploadIDMarker, Delimiter: enc.Encode(o.Delimiter), Prefix: enc.Encode(o.Prefix), MaxUploads: limit, IsTruncated: ul.Truncated}
	if enc.URLEncoding {
		res.EncodingType = "url"
	}
	for _, u := range ul.Uploads {
		res.Uploads = append(res.Uploads, xmlUpload{Key: enc.Encode(u.Key), UploadID: u.UploadID, StorageClass: string(u.StorageClass), Initiated: u.Initiated.UTC().Format(isoTime)})
	}
	for _, p := range ul.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: enc.Encode(p)})
	}
	h.writeXML(q, http.StatusOK, res)
	return nil
}
