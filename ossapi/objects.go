package ossapi

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// httpTime is the format of Last-Modified.
const httpTime = http.TimeFormat

// objectHeaders writes what HeadObject and GetObject answer about oi.
func objectHeaders(q *request, oi engine.ObjectInfo) {
	q.header("ETag", etag(oi.ETag))
	q.header("Last-Modified", oi.LastModified.UTC().Format(httpTime))
	q.header("Content-Type", oi.ContentType)
	q.header("x-oss-object-type", "Normal")
	q.header("x-oss-storage-class", string(oi.StorageClass))
	if h := oi.Restore.Header(); h != "" {
		q.header("x-oss-restore", h)
	}
	for k, v := range oi.Metadata {
		q.header("x-oss-meta-"+k, v)
	}
	if len(oi.Tags) > 0 {
		q.header("x-oss-tagging-count", strconv.Itoa(len(oi.Tags)))
	}
}

// checkedBody verifies Content-MD5 at the end of the body: a mismatch
// fails the read, so the engine stores nothing. It also computes the
// CRC-64 that OSS answers in x-oss-hash-crc64ecma.
type checkedBody struct {
	r    io.Reader
	want []byte // nil: no Content-MD5
	md5  hash.Hash
	crc  hash.Hash64
}

func (c *checkedBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.md5.Write(p[:n])
	c.crc.Write(p[:n])
	if err == io.EOF && c.want != nil && !bytes.Equal(c.md5.Sum(nil), c.want) {
		return n, errInvalidDigest
	}
	return n, err
}

func (h *Handler) putObject(q *request) error {
	opts := &engine.PutOptions{ContentType: q.r.Header.Get("Content-Type"), Metadata: map[string]string{}}
	if c := q.r.Header.Get("x-oss-storage-class"); c != "" {
		class, err := storageclass.ParseClass(c)
		if err != nil {
			return err
		}
		opts.StorageClass = class
	}
	for k, vs := range q.r.Header {
		if m, ok := strings.CutPrefix(strings.ToLower(k), "x-oss-meta-"); ok && len(vs) > 0 {
			opts.Metadata[m] = vs[0]
		}
	}
	if t := q.r.Header.Get("x-oss-tagging"); t != "" {
		tags, err := url.ParseQuery(t)
		if err != nil {
			return &coldstore.OpError{Op: "PutObject", Bucket: q.bucket, Key: q.key, Detail: "x-oss-tagging: " + err.Error(), Err: coldstore.ErrInvalidArgument}
		}
		opts.Tags = map[string]string{}
		for k, v := range tags {
			opts.Tags[k] = v[0]
		}
	}
	body := &checkedBody{r: q.r.Body, md5: md5.New(), crc: crc64.New(crc64.MakeTable(crc64.ECMA))}
	if m := q.r.Header.Get("Content-MD5"); m != "" {
		want, err := base64.StdEncoding.DecodeString(m)
		if err != nil || len(want) != md5.Size {
			return errInvalidDigest
		}
		body.want = want
	}
	oi, err := h.db.Put(q.r.Context(), q.bucket, q.key, body, opts)
	if err != nil {
		return err
	}
	q.header("ETag", etag(oi.ETag))
	q.header("Content-MD5", base64.StdEncoding.EncodeToString(body.md5.Sum(nil)))
	q.header("x-oss-hash-crc64ecma", strconv.FormatUint(body.crc.Sum64(), 10))
	q.writeStatus(http.StatusOK)
	return nil
}

// byteRange parses a Range header against size: the first byte and the
// count; ok is false when there is no usable range (OSS then answers the
// whole object).
func byteRange(spec string, size int64) (start, n int64, ok bool, err error) {
	spec, found := strings.CutPrefix(spec, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, _ := strings.Cut(spec, "-")
	switch {
	case a == "" && b == "":
		return 0, 0, false, nil
	case a == "": // the last b bytes
		k, e := strconv.ParseInt(b, 10, 64)
		if e != nil {
			return 0, 0, false, nil
		}
		k = min(k, size)
		return size - k, k, true, nil
	}
	first, e := strconv.ParseInt(a, 10, 64)
	if e != nil {
		return 0, 0, false, nil
	}
	last := size - 1
	if b != "" {
		if last, e = strconv.ParseInt(b, 10, 64); e != nil || last < first {
			return 0, 0, false, nil
		}
		last = min(last, size-1)
	}
	if first >= size {
		return 0, 0, false, errInvalidRange
	}
	return first, last - first + 1, true, nil
}

// getObject serves GetObject and HeadObject.
func (h *Handler) getObject(q *request, head bool) error {
	if head {
		oi, err := h.db.Head(q.r.Context(), q.bucket, q.key)
		if err != nil {
			return err
		}
		objectHeaders(q, oi)
		q.header("Content-Length", strconv.FormatInt(oi.Size, 10))
		q.writeStatus(http.StatusOK)
		return nil
	}
	obj, err := h.db.Get(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	defer obj.Close()
	oi := obj.Info()
	start, n, ranged, err := byteRange(q.r.Header.Get("Range"), oi.Size)
	if err != nil {
		q.header("Content-Range", fmt.Sprintf("bytes */%d", oi.Size))
		return err
	}
	objectHeaders(q, oi)
	status := http.StatusOK
	var body io.Reader = obj
	if ranged {
		if _, err := io.CopyN(io.Discard, obj, start); err != nil {
			return err
		}
		body = io.LimitReader(obj, n)
		q.header("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, oi.Size))
		q.header("Accept-Ranges", "bytes")
		status = http.StatusPartialContent
	} else {
		n = oi.Size
	}
	q.header("Content-Length", strconv.FormatInt(n, 10))
	q.writeStatus(status)
	_, err = io.Copy(q.w, body)
	if err != nil {
		h.opts.Logger.Error("body cut short", "id", q.id, "err", err)
	}
	return nil // the status is sent: nothing else can be answered
}

func (h *Handler) deleteObject(q *request) error {
	if err := h.db.Delete(q.r.Context(), q.bucket, q.key); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}

// deleteMultiple serves DeleteMultipleObjects (POST /?delete).
func (h *Handler) deleteMultiple(q *request) error {
	var req struct {
		Quiet   bool `xml:"Quiet"`
		Objects []struct {
			Key string `xml:"Key"`
		} `xml:"Object"`
	}
	if err := h.readXML(q, &req, false); err != nil {
		return err
	}
	urlEncoded := q.r.URL.Query().Get("encoding-type") == "url"
	type deleted struct {
		Key string `xml:"Key"`
	}
	out := struct {
		XMLName      xml.Name  `xml:"DeleteResult"`
		EncodingType string    `xml:"EncodingType,omitempty"`
		Deleted      []deleted `xml:"Deleted"`
	}{}
	if urlEncoded {
		out.EncodingType = "url"
	}
	for _, o := range req.Objects {
		key := o.Key
		if urlEncoded {
			if k, err := url.QueryUnescape(key); err == nil {
				key = k
			}
		}
		if err := h.db.Delete(q.r.Context(), q.bucket, key); err != nil {
			return err
		}
		if !req.Quiet {
			out.Deleted = append(out.Deleted, deleted{Key: o.Key})
		}
	}
	h.writeXML(q, http.StatusOK, out)
	return nil
}

// copyObject serves CopyObject: x-oss-copy-source names /bucket/key. A copy
// of an object onto itself that names a storage class changes the class
// as SetStorageClass does (restored archive objects may go warmer); any
// other copy reads the source (an archived source that is not restored is
// refused with InvalidObjectState) and writes the target.
func (h *Handler) copyObject(q *request) error {
	src := unescapePath(strings.TrimPrefix(q.r.Header.Get("x-oss-copy-source"), "/"))
	sb, sk, _ := strings.Cut(src, "/")
	class := storageclass.Class("")
	if c := q.r.Header.Get("x-oss-storage-class"); c != "" {
		var err error
		if class, err = storageclass.ParseClass(c); err != nil {
			return err
		}
	}
	var oi engine.ObjectInfo
	var err error
	if sb == q.bucket && sk == q.key && class != "" {
		oi, err = h.db.SetStorageClass(q.r.Context(), q.bucket, q.key, class)
	} else {
		var obj *engine.Object
		if obj, err = h.db.Get(q.r.Context(), sb, sk); err != nil {
			return err
		}
		defer obj.Close()
		from := obj.Info()
		opts := &engine.PutOptions{StorageClass: class, ContentType: from.ContentType, Metadata: from.Metadata, Tags: from.Tags}
		oi, err = h.db.Put(q.r.Context(), q.bucket, q.key, obj, opts)
	}
	if err != nil {
		return err
	}
	h.writeXML(q, http.StatusOK, struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		ETag         string   `xml:"ETag"`
		LastModified string   `xml:"LastModified"`
	}{ETag: etag(oi.ETag), LastModified: oi.LastModified.UTC().Format(isoTime)})
	return nil
}

// restore serves RestoreObject: the optional <RestoreRequest> body with
// Days and JobParameters/Tier; 202 Accepted, 200 when already restored.
func (h *Handler) restore(q *request) error {
	var req struct {
		Days    int       `xml:"Days"`
		Tier    string    `xml:"JobParameters>Tier"`
		Outputs *struct{} `xml:"OutputLocation"`
	}
	if err := h.readXML(q, &req, true); err != nil {
		return err
	}
	if req.Outputs != nil {
		return &coldstore.OpError{Op: "RestoreObject", Bucket: q.bucket, Key: q.key, Detail: "OutputLocation is not supported", Err: coldstore.ErrMalformedXML}
	}
	opts := &engine.RestoreOptions{Days: req.Days}
	if req.Tier != "" {
		t, err := storageclass.ParseTier(req.Tier)
		if err != nil {
			return err
		}
		opts.Tier = t
	}
	res, err := h.db.Restore(q.r.Context(), q.bucket, q.key, opts)
	if err != nil {
		return err
	}
	if res.Restore.Tier != "" {
		q.header("x-oss-object-restore-priority", string(res.Restore.Tier))
	}
	q.writeStatus(res.Status.HTTPStatus())
	return nil
}

func (h *Handler) cleanRestored(q *request) error {
	if err := h.db.CleanRestored(q.r.Context(), q.bucket, q.key); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}
