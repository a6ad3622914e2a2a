package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
)

// maxDeleteObjects is the most keys one DeleteObjects names.
const maxDeleteObjects = 1000

// maxDeleteXML bounds a DeleteObjects body: 1,000 keys of 1,024 bytes,
// escaped.
const maxDeleteXML = 8 << 20

// deleteObjects serves DeleteObjects (POST ?delete): each key deleted in
// turn, each reported in <Deleted> (none with <Quiet>true</Quiet>), or in
// <Error> with its code when its delete fails (a bad key; with an <ETag>,
// S3's conditional delete, PreconditionFailed for another ETag and
// NoSuchKey for none). No keys, or more than 1,000, is MalformedXML; a
// VersionId, LastModifiedTime or Size is not served (501); nothing is
// deleted for any of them. The body needs a Content-MD5 or a checksum header,
// as S3 requires (InvalidRequest without), and is checked against it.
func (h *Handler) deleteObjects(q *request) error {
	const op = "DeleteObjects"
	body, err := checkedRequestBody(q, op)
	if err != nil {
		return err
	}
	if err := body.required(q, op); err != nil {
		return err
	}
	var req struct {
		XMLName xml.Name `xml:"Delete"`
		Quiet   bool     `xml:"Quiet"`
		Objects []struct {
			Key       string  `xml:"Key"`
			VersionID *string `xml:"VersionId"`
			ETag      *string `xml:"ETag"`
			// Conditions of S3's directory buckets: not served.
			LastModifiedTime *string `xml:"LastModifiedTime"`
			Size             *string `xml:"Size"`
		} `xml:"Object"`
	}
	if err := readXMLFrom(body, &req, false, max(h.opts.MaxXMLSize, maxDeleteXML)); err != nil {
		return err
	}
	if len(req.Objects) == 0 {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Detail: "no objects named", Err: coldstore.ErrMalformedXML}
	}
	if len(req.Objects) > maxDeleteObjects {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Detail: fmt.Sprintf("%d objects, more than %d", len(req.Objects), maxDeleteObjects), Err: coldstore.ErrMalformedXML}
	}
	for _, o := range req.Objects {
		switch {
		case o.VersionID != nil:
			return notImplemented(q, "VersionId in DeleteObjects")
		case o.LastModifiedTime != nil:
			return notImplemented(q, "LastModifiedTime in DeleteObjects")
		case o.Size != nil:
			return notImplemented(q, "Size in DeleteObjects")
		}
	}
	type deleted struct {
		Key string `xml:"Key"`
	}
	type failed struct {
		Key     string `xml:"Key"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	out := struct {
		XMLName xml.Name  `xml:"DeleteResult"`
		NS      string    `xml:"xmlns,attr"`
		Deleted []deleted `xml:"Deleted"`
		Errors  []failed  `xml:"Error"`
	}{NS: s3NS}
	for _, o := range req.Objects {
		var err error
		if o.ETag != nil {
			want := *o.ETag
			err = h.db.DeleteIfMatch(q.r.Context(), q.bucket, o.Key, func(etag string) bool { return wire.ETagMatches(want, etag) })
		} else {
			err = h.db.Delete(q.r.Context(), q.bucket, o.Key)
		}
		var ce *coldstore.Error
		switch {
		case err == nil:
			if !req.Quiet {
				out.Deleted = append(out.Deleted, deleted{Key: o.Key})
			}
		case errors.Is(err, coldstore.ErrPreconditionFailed) || errors.Is(err, coldstore.ErrNoSuchKey):
			errors.As(err, &ce)
			out.Errors = append(out.Errors, failed{Key: o.Key, Code: ce.Code, Message: s3Message(ce)})
		case coldstore.HTTPStatus(err) == http.StatusBadRequest && errors.As(err, &ce):
			out.Errors = append(out.Errors, failed{Key: o.Key, Code: ce.Code, Message: s3Message(ce)})
		default:
			return err // the bucket is gone, the database closed: the whole request fails
		}
	}
	h.writeXML(q, http.StatusOK, out)
	return nil
}
