package model

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// upload is a multipart upload in progress: the options of the object it
// completes into, and its parts by number.
type upload struct {
	key         string
	seq         int // the upload's place in the order of initiation
	initiated   time.Time
	class       storageclass.Class
	contentType string
	metadata    map[string]string
	acl         string
	parts       map[int]*part
}

type part struct {
	body         []byte
	lastModified time.Time
}

func (u *upload) info(bkt, id string) engine.Upload {
	return engine.Upload{Bucket: bkt, Key: u.key, UploadID: id, Initiated: u.initiated, StorageClass: u.class}
}

func (p *part) info(n int) engine.Part {
	return engine.Part{Number: n, Size: int64(len(p.body)), ETag: md5hex(p.body), CRC64: crcOf(p.body), LastModified: p.lastModified}
}

// findUpload checks the names and finds upload id of bucket/key: an id is
// its key's only.
func (m *Model) findUpload(bkt, key, id string) (*bucket, *upload, error) {
	if !bucketName.MatchString(bkt) {
		return nil, nil, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return nil, nil, coldstore.ErrInvalidObjectName
	}
	b := m.buckets[bkt]
	if b == nil {
		return nil, nil, coldstore.ErrNoSuchBucket
	}
	u := b.uploads[id]
	if u == nil || u.key != key {
		return nil, nil, coldstore.ErrNoSuchUpload
	}
	return b, u, nil
}

// InitiateUpload follows engine.DB.InitiateUpload. The engine makes the
// upload ids: id is the one it returned, which the model keeps.
func (m *Model) InitiateUpload(bkt, key string, opts engine.PutOptions, id string) (engine.Upload, error) {
	if !bucketName.MatchString(bkt) {
		return engine.Upload{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.Upload{}, coldstore.ErrInvalidObjectName
	}
	acl, err := m.checkOptions(opts)
	if err != nil {
		return engine.Upload{}, err
	}
	b, o, err := m.find(bkt, key)
	if err != nil {
		return engine.Upload{}, err
	}
	if opts.ForbidOverwrite && o != nil {
		return engine.Upload{}, coldstore.ErrFileAlreadyExists
	}
	if b.uploads[id] != nil {
		panic(fmt.Sprintf("model: upload id %q given twice", id))
	}
	m.started++
	u := &upload{key: key, seq: m.started, initiated: m.Now, class: opts.StorageClass, contentType: opts.ContentType,
		metadata: clonedMetadata(opts.Metadata), acl: acl, parts: map[int]*part{}}
	if u.class == "" {
		u.class = b.class
	}
	if u.contentType == "" {
		u.contentType = "application/octet-stream"
	}
	b.uploads[id] = u
	return withAbort(u.info(bkt, id), b), nil
}

// withAbort is up with the abort b's configuration sets for it, as
// InitiateUpload and ListParts tell it.
func withAbort(up engine.Upload, b *bucket) engine.Upload {
	if due, id, ok := b.cfg.AbortOf(up.Key, up.Initiated); ok {
		up.AbortAt, up.AbortRuleID = due, id
	}
	return up
}

// UploadPart follows engine.DB.UploadPart: the part replaces any of its
// number.
func (m *Model) UploadPart(bkt, key, id string, number int, body []byte) (engine.Part, error) {
	if !bucketName.MatchString(bkt) {
		return engine.Part{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.Part{}, coldstore.ErrInvalidObjectName
	}
	if number < 1 || number > engine.MaxParts {
		return engine.Part{}, coldstore.ErrInvalidArgument
	}
	_, u, err := m.findUpload(bkt, key, id)
	if err != nil {
		return engine.Part{}, err
	}
	p := &part{body: slices.Clone(body), lastModified: m.Now}
	u.parts[number] = p
	return p.info(number), nil
}

// CopyPart follows engine.DB.CopyPart: length bytes of the source from
// offset (to its end when length is negative), read as Get reads it; a
// symbolic link is refused.
func (m *Model) CopyPart(bkt, key, id string, number int, srcBkt, srcKey string, offset, length int64) (engine.Part, error) {
	if number < 1 || number > engine.MaxParts {
		return engine.Part{}, coldstore.ErrInvalidArgument
	}
	if _, _, err := m.Symlink(srcBkt, srcKey); err == nil { // a link is no source
		return engine.Part{}, coldstore.ErrInvalidArgument
	}
	src, _, err := m.Get(srcBkt, srcKey)
	if err != nil {
		return engine.Part{}, err
	}
	size := int64(len(src))
	if length < 0 {
		length = size - offset
	}
	if offset < 0 || offset > size || length < 0 || length > size-offset {
		return engine.Part{}, coldstore.ErrInvalidArgument
	}
	return m.UploadPart(bkt, key, id, number, src[offset:offset+length])
}

// CompleteUpload follows engine.DB.CompleteUpload: the parts listed, in
// ascending order, each named by the MD5 UploadPart returned, every one
// but the last at least MinPartSize, become an object of type Multipart
// whose ETag is the MD5 of the parts' binary MD5s, "-" and the number of
// parts. The upload ends.
func (m *Model) CompleteUpload(bkt, key, id string, list []engine.CompletedPart, opts engine.CompleteOptions) (engine.ObjectInfo, error) {
	if !bucketName.MatchString(bkt) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidObjectName
	}
	acl, err := objectACL(opts.ACL)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	if !opts.All {
		if len(list) == 0 || len(list) > engine.MaxParts {
			return engine.ObjectInfo{}, coldstore.ErrInvalidArgument
		}
		for i, cp := range list {
			if cp.Number < 1 || cp.Number > engine.MaxParts {
				return engine.ObjectInfo{}, coldstore.ErrInvalidArgument
			}
			if i > 0 && cp.Number <= list[i-1].Number {
				return engine.ObjectInfo{}, coldstore.ErrInvalidPartOrder
			}
		}
	}
	b, u, err := m.findUpload(bkt, key, id)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	if opts.All {
		list = nil
		for _, n := range slices.Sorted(maps.Keys(u.parts)) {
			list = append(list, engine.CompletedPart{Number: n})
		}
		if len(list) == 0 {
			return engine.ObjectInfo{}, coldstore.ErrInvalidArgument
		}
	}
	for _, cp := range list {
		p := u.parts[cp.Number]
		if p == nil {
			return engine.ObjectInfo{}, coldstore.ErrInvalidPart
		}
		if !opts.All && !strings.EqualFold(strings.Trim(strings.TrimSpace(cp.ETag), `"`), md5hex(p.body)) {
			return engine.ObjectInfo{}, coldstore.ErrInvalidPart
		}
	}
	var body, sums []byte
	for i, cp := range list {
		p := u.parts[cp.Number]
		if i < len(list)-1 && len(p.body) < engine.MinPartSize {
			return engine.ObjectInfo{}, coldstore.ErrEntityTooSmall
		}
		body = append(body, p.body...)
		sum := md5.Sum(p.body)
		sums = append(sums, sum[:]...)
	}
	if opts.ForbidOverwrite && b.objects[key] != nil {
		return engine.ObjectInfo{}, coldstore.ErrFileAlreadyExists
	}
	o := &object{
		body: body, kind: engine.TypeMultipart, acl: u.acl, contentType: u.contentType, metadata: maps.Clone(u.metadata),
		lastModified: m.Now, class: u.class, classSince: m.Now,
	}
	if opts.ACL != "" {
		o.acl = acl
	}
	sum := md5.Sum(sums)
	o.etag = fmt.Sprintf("%s-%d", hex.EncodeToString(sum[:]), len(list))
	delete(b.uploads, id)
	b.objects[key] = o
	oi := m.info(bkt, key, o)
	oi.Expiration = expiration(b, key, o)
	return oi, nil
}

// AbortUpload follows engine.DB.AbortUpload.
func (m *Model) AbortUpload(bkt, key, id string) error {
	b, _, err := m.findUpload(bkt, key, id)
	if err != nil {
		return err
	}
	delete(b.uploads, id)
	return nil
}

// ListUploads follows engine.DB.ListUploads: the uploads in order of key,
// then of initiation. An UploadIDMarker must name an upload of KeyMarker
// in progress (the one the previous page ended with): the model does not
// order the engine's ids, only its uploads.
func (m *Model) ListUploads(bkt string, opts engine.ListUploadsOptions) (engine.UploadList, error) {
	if !bucketName.MatchString(bkt) {
		return engine.UploadList{}, coldstore.ErrInvalidBucketName
	}
	if opts.Limit < 0 || opts.Limit > engine.MaxListUploads {
		return engine.UploadList{}, coldstore.ErrInvalidArgument
	}
	if opts.Limit == 0 {
		opts.Limit = engine.MaxListUploads
	}
	b := m.buckets[bkt]
	if b == nil {
		return engine.UploadList{}, coldstore.ErrNoSuchBucket
	}
	ids := slices.SortedFunc(maps.Keys(b.uploads), func(x, y string) int {
		ux, uy := b.uploads[x], b.uploads[y]
		if c := strings.Compare(ux.key, uy.key); c != 0 {
			return c
		}
		return ux.seq - uy.seq
	})
	after := func(u *upload) bool {
		switch {
		case opts.KeyMarker == "":
			return true
		case u.key != opts.KeyMarker:
			return u.key > opts.KeyMarker
		}
		marker := b.uploads[opts.UploadIDMarker]
		return opts.UploadIDMarker != "" && marker != nil && marker.key == u.key && u.seq > marker.seq
	}
	var out engine.UploadList
	n, lastPrefix := 0, ""
	for _, id := range ids {
		u := b.uploads[id]
		if !strings.HasPrefix(u.key, opts.Prefix) || !after(u) {
			continue
		}
		if opts.Delimiter != "" {
			if i := strings.Index(u.key[len(opts.Prefix):], opts.Delimiter); i >= 0 {
				cp := u.key[:len(opts.Prefix)+i+len(opts.Delimiter)]
				if cp == lastPrefix || (opts.KeyMarker != "" && cp <= opts.KeyMarker) {
					continue
				}
				if n == opts.Limit {
					out.Truncated = true
					break
				}
				out.CommonPrefixes = append(out.CommonPrefixes, cp)
				lastPrefix = cp
				out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
				n++
				continue
			}
		}
		if n == opts.Limit {
			out.Truncated = true
			break
		}
		out.Uploads = append(out.Uploads, u.info(bkt, id))
		out.NextKeyMarker, out.NextUploadIDMarker = u.key, id
		n++
	}
	if !out.Truncated {
		out.NextKeyMarker, out.NextUploadIDMarker = "", ""
	}
	return out, nil
}

// ListParts follows engine.DB.ListParts: the parts numbered after Marker,
// in order; NextMarker is the number of the page's last part.
func (m *Model) ListParts(bkt, key, id string, opts engine.ListPartsOptions) (engine.PartList, error) {
	if !bucketName.MatchString(bkt) {
		return engine.PartList{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.PartList{}, coldstore.ErrInvalidObjectName
	}
	if opts.Marker < 0 || opts.Limit < 0 || opts.Limit > engine.MaxListParts {
		return engine.PartList{}, coldstore.ErrInvalidArgument
	}
	if opts.Limit == 0 {
		opts.Limit = engine.MaxListParts
	}
	b, u, err := m.findUpload(bkt, key, id)
	if err != nil {
		return engine.PartList{}, err
	}
	out := engine.PartList{Upload: withAbort(u.info(bkt, id), b)}
	for _, n := range slices.Sorted(maps.Keys(u.parts)) {
		if n <= opts.Marker {
			continue
		}
		if len(out.Parts) == opts.Limit {
			out.Truncated = true
			break
		}
		out.Parts = append(out.Parts, u.parts[n].info(n))
		out.NextMarker = n
	}
	return out, nil
}
