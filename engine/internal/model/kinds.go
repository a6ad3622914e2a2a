package model

import (
	"maps"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// appendableClass reports whether an appendable object may be of class c:
// not ColdArchive nor DeepColdArchive, as OSS sets it.
func appendableClass(c storageclass.Class) bool {
	return c != storageclass.ColdArchive && c != storageclass.DeepColdArchive
}

// Append follows engine.DB.Append: it adds body to the appendable object
// bucket/key at position, which must be its length. Position 0 on a
// missing key creates the object with opts; a later append checks opts as
// the first does but keeps what the first stored. The ETag is the MD5 of
// the whole content. With ErrPositionNotEqualToLength the info is the
// object's as it is (zero when it does not exist).
func (m *Model) Append(bkt, key string, position int64, body []byte, opts engine.PutOptions) (engine.ObjectInfo, error) {
	if !bucketName.MatchString(bkt) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidObjectName
	}
	acl, err := m.checkOptions(opts)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	if position < 0 || !appendableClass(opts.StorageClass) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidArgument
	}
	b, o, err := m.find(bkt, key)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	switch {
	case o == nil && position != 0:
		return engine.ObjectInfo{}, coldstore.ErrPositionNotEqualToLength
	case o == nil:
		o = m.newObject(b, engine.TypeAppendable, nil, opts, acl)
	case o.kind != engine.TypeAppendable:
		return engine.ObjectInfo{}, coldstore.ErrObjectNotAppendable
	case int64(len(o.body)) != position:
		return m.info(bkt, key, o), coldstore.ErrPositionNotEqualToLength
	}
	if !appendableClass(o.class) { // the bucket's, or one a transition gave it
		return engine.ObjectInfo{}, coldstore.ErrInvalidArgument
	}
	o.body = append(o.body, body...)
	o.etag = md5hex(o.body)
	o.lastModified = m.Now
	b.objects[key] = o
	return m.info(bkt, key, o), nil
}

// PutSymlink follows engine.DB.PutSymlink: bucket/key becomes a link to
// target, a valid key of the same bucket that need not exist.
func (m *Model) PutSymlink(bkt, key, target string, opts engine.PutOptions) (engine.ObjectInfo, error) {
	if !bucketName.MatchString(bkt) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidObjectName
	}
	if !validKey(target) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidArgument
	}
	acl, err := m.checkOptions(opts)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	b, old, err := m.find(bkt, key)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	if opts.ForbidOverwrite && old != nil {
		return engine.ObjectInfo{}, coldstore.ErrFileAlreadyExists
	}
	o := m.newObject(b, engine.TypeSymlink, nil, opts, acl)
	o.target, o.etag = target, md5hex([]byte(target))
	b.objects[key] = o
	return m.info(bkt, key, o), nil
}

// Symlink follows engine.DB.Symlink: the target of a link and the link's
// own info.
func (m *Model) Symlink(bkt, key string) (string, engine.ObjectInfo, error) {
	_, o, err := m.find(bkt, key)
	switch {
	case err != nil:
		return "", engine.ObjectInfo{}, err
	case o == nil:
		return "", engine.ObjectInfo{}, coldstore.ErrNoSuchKey
	case o.kind != engine.TypeSymlink:
		return "", engine.ObjectInfo{}, coldstore.ErrNotSymlink
	}
	return o.target, m.info(bkt, key, o), nil
}

// SetObjectACL follows engine.DB.SetObjectACL: only the ACL changes.
func (m *Model) SetObjectACL(bkt, key, acl string) (engine.ObjectInfo, error) {
	if !bucketName.MatchString(bkt) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidObjectName
	}
	acl, err := objectACL(acl)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	_, o, err := m.find(bkt, key)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	if o == nil {
		return engine.ObjectInfo{}, coldstore.ErrNoSuchKey
	}
	o.acl = acl
	return m.info(bkt, key, o), nil
}

// clonedMetadata is metadata as an object keeps it: nil when empty.
func clonedMetadata(md map[string]string) map[string]string {
	if len(md) == 0 {
		return nil
	}
	return maps.Clone(md)
}
