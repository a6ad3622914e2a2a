package ossapi

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/wire"
)

// isoTime is how OSS writes times in XML bodies.
const isoTime = "2006-01-02T15:04:05.000Z"

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

var theOwner = owner{ID: "coldstore", DisplayName: "coldstore"}

// putBucket creates a bucket; its default class comes from the
// x-oss-storage-class header or a <CreateBucketConfiguration> body, its
// ACL from x-oss-acl (private when absent; InvalidArgument, and no
// bucket, when it is none of the bucket ACLs).
func (h *Handler) putBucket(q *request) error {
	class := q.r.Header.Get("x-oss-storage-class")
	var cfg struct {
		StorageClass string `xml:"StorageClass"`
	}
	if err := h.readXML(q, &cfg, true, h.opts.MaxXMLSize); err != nil {
		return err
	}
	if cfg.StorageClass != "" {
		class = cfg.StorageClass
	}
	acl, err := requestBucketACL(q, "PutBucket")
	if err != nil {
		return err
	}
	opts := &engine.BucketOptions{ACL: acl}
	if class != "" {
		c, err := h.db.Catalog().ParseClass(class)
		if err != nil {
			return err
		}
		opts.StorageClass = c
	}
	if err := h.db.CreateBucket(q.r.Context(), q.bucket, opts); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}

func (h *Handler) deleteBucket(q *request) error {
	if err := h.db.DeleteBucket(q.r.Context(), q.bucket); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}

type xmlObject struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Type         string `xml:"Type"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner,omitempty"`
	RestoreInfo  string `xml:"RestoreInfo,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listResult struct {
	XMLName xml.Name `xml:"ListBucketResult"`
	Name    string   `xml:"Name"`
	Prefix  string   `xml:"Prefix"`
	wire.ListEcho
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              *int           `xml:"KeyCount,omitempty"`
	Contents              []xmlObject    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// etag is how OSS writes an ETag: upper-case hex, in quotes.
func etag(hex string) string { return `"` + strings.ToUpper(hex) + `"` }

// listObjects serves ListObjects (marker) and ListObjectsV2 (list-type=2:
// start-after, continuation-token), with Delimiter grouping and
// encoding-type=url. Each entry carries RestoreInfo as OSS lists it, and
// its Owner in ListObjects, in ListObjectsV2 only with fetch-owner=true
// (OSS's default is false). One
// engine page answers it: a common prefix costs one seek, not a read of
// the keys under it.
func (h *Handler) listObjects(q *request) error {
	lq, err := wire.ParseListQuery(q.bucket, q.query, 100, engine.MaxListLimit)
	if err != nil {
		return err
	}
	res := listResult{Name: q.bucket, Prefix: lq.Encode(lq.Prefix), MaxKeys: lq.MaxKeys, Delimiter: lq.Delimiter}
	if lq.URLEncoding {
		res.EncodingType = "url"
		res.Delimiter = lq.Encode(lq.Delimiter)
	}
	res.ListEcho = lq.Echo()
	page, err := h.db.List(q.r.Context(), q.bucket, &engine.ListOptions{Prefix: lq.Prefix, StartAfter: lq.After, Delimiter: lq.Delimiter, Limit: lq.Limit()})
	if err != nil {
		return err
	}
	var own *owner // ListObjectsV2 names the owner only with fetch-owner=true
	if !lq.V2 || q.query.Get("fetch-owner") == "true" {
		own = &theOwner
	}
	if lq.MaxKeys > 0 {
		for _, o := range page.Objects {
			res.Contents = append(res.Contents, xmlObject{
				Key: lq.Encode(o.Key), LastModified: o.LastModified.UTC().Format(isoTime), ETag: etag(o.ETag),
				Type: o.Type, Size: o.Size, StorageClass: string(o.StorageClass), Owner: own, RestoreInfo: wire.RestoreHeader(o.Restore),
			})
		}
		for _, cp := range page.CommonPrefixes {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: lq.Encode(cp)})
		}
	}
	p := lq.Page(len(page.Objects)+len(page.CommonPrefixes), page.Truncated, page.NextStartAfter)
	res.IsTruncated, res.NextMarker, res.NextContinuationToken = p.Truncated, p.NextMarker, p.NextContinuationToken
	if lq.V2 {
		res.KeyCount = &p.KeyCount
	}
	h.writeXML(q, http.StatusOK, res)
	return nil
}

func (h *Handler) putLifecycle(q *request) error {
	body, err := h.readBody(q, h.opts.MaxXMLSize)
	if err != nil {
		return err
	}
	cfg, err := lifecycle.ParseXMLIn(h.db.Catalog(), body)
	if err != nil {
		return err
	}
	if err := h.db.PutBucketLifecycle(q.r.Context(), q.bucket, cfg); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}

func (h *Handler) getLifecycle(q *request) error {
	cfg, err := h.db.GetBucketLifecycle(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	doc, err := cfg.XML()
	if err != nil {
		return err
	}
	q.header("Content-Type", "application/xml")
	q.writeStatus(http.StatusOK)
	_, _ = q.w.Write(doc)
	return nil
}

func (h *Handler) deleteLifecycle(q *request) error {
	if err := h.db.DeleteBucketLifecycle(q.r.Context(), q.bucket); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}
