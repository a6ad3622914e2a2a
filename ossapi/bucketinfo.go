package ossapi

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/coldstore-dev/coldstore/wire"
)

// Where every bucket is, as OSS names a region and its location.
const (
	region   = "coldstore"
	location = "oss-" + region
)

// The paging of ListBuckets, as OSS documents it.
const (
	defaultMaxBuckets = 100
	maxMaxBuckets     = 1000
)

type xmlBucket struct {
	Name             string `xml:"Name"`
	CreationDate     string `xml:"CreationDate"`
	StorageClass     string `xml:"StorageClass"`
	Location         string `xml:"Location"`
	ExtranetEndpoint string `xml:"ExtranetEndpoint"`
	IntranetEndpoint string `xml:"IntranetEndpoint"`
	Region           string `xml:"Region"`
}

// listBuckets is ListBuckets (GetService): the buckets whose names start
// with prefix and sort after marker, max-keys of them at most (1-1000;
// 100 when absent), in name order. Prefix, Marker, MaxKeys, IsTruncated
// and NextMarker are written only when the list is cut short, as OSS
// writes them. tag-key (with tag-value) keeps the buckets with that tag. A
// max-keys outside 1-1000, or a tag-value without a tag-key, is
// InvalidArgument; a filter by resource group is 501 rather than ignored.
func (h *Handler) listBuckets(q *request) error {
	tagKey, tagValue := q.query.Get("tag-key"), q.query.Get("tag-value")
	if tagValue != "" && tagKey == "" {
		return &coldstore.OpError{Op: "ListBuckets", Detail: "tag-value without tag-key", Err: coldstore.ErrInvalidArgument}
	}
	if q.r.Header.Get("x-oss-resource-group-id") != "" {
		return notImplemented(q, "ListBuckets filtered by resource group")
	}
	prefix, marker := q.query.Get("prefix"), q.query.Get("marker")
	maxKeys := defaultMaxBuckets
	if s := q.query.Get("max-keys"); s != "" {
		n, ok := wire.ParseDigits(s)
		if !ok || n < 1 || n > maxMaxBuckets {
			return &coldstore.OpError{Op: "ListBuckets", Detail: "max-keys " + strconv.Quote(s) + " outside 1-1000", Err: coldstore.ErrInvalidArgument}
		}
		maxKeys = int(n)
	}
	bs, err := h.db.ListBuckets(q.r.Context())
	if err != nil {
		return err
	}
	type paging struct {
		Prefix      string `xml:"Prefix"`
		Marker      string `xml:"Marker"`
		MaxKeys     int    `xml:"MaxKeys"`
		IsTruncated bool   `xml:"IsTruncated"`
		NextMarker  string `xml:"NextMarker"`
	}
	out := struct {
		XMLName xml.Name `xml:"ListAllMyBucketsResult"`
		*paging
		Owner   owner       `xml:"Owner"`
		Buckets []xmlBucket `xml:"Buckets>Bucket"`
	}{Owner: theOwner}
	for _, b := range bs {
		if !strings.HasPrefix(b.Name, prefix) || b.Name <= marker {
			continue
		}
		if v, ok := b.Tags[tagKey]; tagKey != "" && (!ok || tagValue != "" && v != tagValue) {
			continue
		}
		if len(out.Buckets) == maxKeys {
			out.paging = &paging{Prefix: prefix, Marker: marker, MaxKeys: maxKeys, IsTruncated: true, NextMarker: out.Buckets[maxKeys-1].Name}
			break
		}
		out.Buckets = append(out.Buckets, h.xmlBucket(q, b))
	}
	h.writeXML(q, http.StatusOK, out)
	return nil
}

// xmlBucket is a bucket as ListBuckets and GetBucketInfo describe it.
func (h *Handler) xmlBucket(q *request, b engine.BucketInfo) xmlBucket {
	return xmlBucket{Name: b.Name, CreationDate: b.Created.UTC().Format(isoTime), StorageClass: string(b.StorageClass),
		Location: location, ExtranetEndpoint: q.r.Host, IntranetEndpoint: q.r.Host, Region: region}
}

// getBucketInfo is GetBucketInfo: the bucket's name, class, creation,
// location, endpoints (the host the request was sent to) and access
// monitor, its ACL, and what this server fixes for every bucket: its
// owner, locally redundant storage, no
// server-side encryption, versioning never enabled, no transfer
// acceleration or cross-region replication.
func (h *Handler) getBucketInfo(q *request) error {
	b, err := h.db.Bucket(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	monitor := "Disabled"
	if b.AccessMonitor {
		monitor = "Enabled"
	}
	type sse struct {
		SSEAlgorithm string `xml:"SSEAlgorithm"`
	}
	type bucketInfo struct {
		xmlBucket
		AccessMonitor          string `xml:"AccessMonitor"`
		TransferAcceleration   string `xml:"TransferAcceleration"`
		CrossRegionReplication string `xml:"CrossRegionReplication"`
		DataRedundancyType     string `xml:"DataRedundancyType"`
		Owner                  owner  `xml:"Owner"`
		ACL                    string `xml:"AccessControlList>Grant"`
		SSE                    sse    `xml:"ServerSideEncryptionRule"`
	}
	out := struct {
		XMLName xml.Name   `xml:"BucketInfo"`
		Bucket  bucketInfo `xml:"Bucket"`
	}{Bucket: bucketInfo{xmlBucket: h.xmlBucket(q, b), AccessMonitor: monitor, TransferAcceleration: "Disabled",
		CrossRegionReplication: "Disabled", DataRedundancyType: "LRS", Owner: theOwner, ACL: b.ACL, SSE: sse{SSEAlgorithm: "None"}}}
	h.writeXML(q, http.StatusOK, out)
	return nil
}

// getBucketLocation is GetBucketLocation: the one location of this server.
func (h *Handler) getBucketLocation(q *request) error {
	return h.bucketAnswer(q, struct {
		XMLName  xml.Name `xml:"LocationConstraint"`
		Location string   `xml:",chardata"`
	}{Location: location})
}

// getBucketVersioning is GetBucketVersioning: versioning was never enabled
// on any bucket here (PutBucketVersioning is not implemented), so the
// configuration is empty, as OSS answers for such a bucket.
func (h *Handler) getBucketVersioning(q *request) error {
	return h.bucketAnswer(q, struct {
		XMLName xml.Name `xml:"VersioningConfiguration"`
	}{})
}

// bucketAnswer answers the document v about the request's bucket, or
// NoSuchBucket when there is none.
func (h *Handler) bucketAnswer(q *request, v any) error {
	if _, err := h.db.Bucket(q.r.Context(), q.bucket); err != nil {
		return err
	}
	h.writeXML(q, http.StatusOK, v)
	return nil
}

// notServed answers 501 to an operation OSS has on a sub-resource this
// server serves other operations of (PutBucketVersioning).
func (h *Handler) notServed(q *request) error {
	return notImplemented(q, q.r.Method+" ?"+strings.Join(subResourcesOf(q.query), "&"))
}

// getBucketStat is GetBucketStat: the bucket's objects and bytes per class
// (engine.DB.BucketStat: exact at the call, where OSS's may be an hour
// late). Storage is the actual bytes of all objects; each archive and IA
// class has its billed Storage (minimum billable size applied) and its
// RealStorage; the multipart uploads in progress are counted with their
// parts and the parts' bytes. Live channels and delete markers do not
// exist here: their counts are 0. A class of a catalog of one's own counts
// in the totals only, having no element of its own in OSS's document.
func (h *Handler) getBucketStat(q *request) error {
	st, err := h.db.BucketStat(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	type stat struct {
		XMLName                     xml.Name `xml:"BucketStat"`
		Storage                     int64    `xml:"Storage"`
		ObjectCount                 int64    `xml:"ObjectCount"`
		MultipartUploadCount        int64    `xml:"MultipartUploadCount"`
		LiveChannelCount            int64    `xml:"LiveChannelCount"`
		MultipartPartCount          int64    `xml:"MultipartPartCount"`
		MultipartPartStorage        int64    `xml:"MultipartPartStorage"`
		DeleteMarkerCount           int64    `xml:"DeleteMarkerCount"`
		LastModifiedTime            int64    `xml:"LastModifiedTime"`
		StandardStorage             int64    `xml:"StandardStorage"`
		StandardObjectCount         int64    `xml:"StandardObjectCount"`
		InfrequentAccessStorage     int64    `xml:"InfrequentAccessStorage"`
		InfrequentAccessRealStorage int64    `xml:"InfrequentAccessRealStorage"`
		InfrequentAccessObjectCount int64    `xml:"InfrequentAccessObjectCount"`
		ArchiveStorage              int64    `xml:"ArchiveStorage"`
		ArchiveRealStorage          int64    `xml:"ArchiveRealStorage"`
		ArchiveObjectCount          int64    `xml:"ArchiveObjectCount"`
		ColdArchiveStorage          int64    `xml:"ColdArchiveStorage"`
		ColdArchiveRealStorage      int64    `xml:"ColdArchiveRealStorage"`
		ColdArchiveObjectCount      int64    `xml:"ColdArchiveObjectCount"`
		DeepColdArchiveStorage      int64    `xml:"DeepColdArchiveStorage"`
		DeepColdArchiveRealStorage  int64    `xml:"DeepColdArchiveRealStorage"`
		DeepColdArchiveObjectCount  int64    `xml:"DeepColdArchiveObjectCount"`
	}
	out := stat{LastModifiedTime: st.At.Unix(), MultipartUploadCount: st.MultipartUploads,
		MultipartPartCount: st.MultipartParts, MultipartPartStorage: st.MultipartBytes}
	for c, n := range st.Objects {
		out.ObjectCount += n
		out.Storage += st.Bytes[c]
	}
	out.StandardStorage, out.StandardObjectCount = st.Bytes[storageclass.Standard], st.Objects[storageclass.Standard]
	out.InfrequentAccessStorage, out.InfrequentAccessRealStorage, out.InfrequentAccessObjectCount = st.BillableBytes[storageclass.IA], st.Bytes[storageclass.IA], st.Objects[storageclass.IA]
	out.ArchiveStorage, out.ArchiveRealStorage, out.ArchiveObjectCount = st.BillableBytes[storageclass.Archive], st.Bytes[storageclass.Archive], st.Objects[storageclass.Archive]
	out.ColdArchiveStorage, out.ColdArchiveRealStorage, out.ColdArchiveObjectCount = st.BillableBytes[storageclass.ColdArchive], st.Bytes[storageclass.ColdArchive], st.Objects[storageclass.ColdArchive]
	out.DeepColdArchiveStorage, out.DeepColdArchiveRealStorage, out.DeepColdArchiveObjectCount = st.BillableBytes[storageclass.DeepColdArchive], st.Bytes[storageclass.DeepColdArchive], st.Objects[storageclass.DeepColdArchive]
	h.writeXML(q, http.StatusOK, out)
	return nil
}
