// Package model is a reference model of the engine's archive rules: the
// plainest in-memory code that follows spec §4.1 and the documented rules
// of multipart uploads, appendable objects, symbolic links and object ACLs,
// with no files, no transactions and no indexes. Usage is not modelled. The randomized tests drive it and the engine
// with the same operations and compare every answer; the crash tests use it
// to know what an acknowledged sequence of writes must have left.
//
// Errors are the bare sentinels of package coldstore; compare them with
// coldstore.Code.
package model

import (
	"crypto/md5"
	"encoding/hex"
	"hash/crc64"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Model is the state of a database: buckets, objects, multipart uploads
// and the time.
type Model struct {
	Now     time.Time
	buckets map[string]*bucket
	cat     *storageclass.Catalog
	started int // uploads initiated so far: orders the uploads of a key
}

type bucket struct {
	class   storageclass.Class
	created time.Time
	objects map[string]*object
	uploads map[string]*upload // by upload id
	cfg     *lifecycle.Configuration
}

type object struct {
	body         []byte
	etag         string // as ObjectInfo.ETag shows it
	kind         string // ObjectInfo.Type: engine.TypeNormal, ...
	target       string // a symbolic link's
	acl          string // "" for the bucket's
	contentType  string
	metadata     map[string]string
	lastModified time.Time
	class        storageclass.Class
	classSince   time.Time
	// The restore as last written; it stays after expiry until a sweep.
	tier                      storageclass.Tier
	requested, ready, expires time.Time
	hasRestore                bool
}

// New returns an empty model at time now with the OSS catalog.
func New(now time.Time) *Model {
	return &Model{Now: now, buckets: map[string]*bucket{}, cat: storageclass.OSS()}
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

func validKey(k string) bool {
	return k != "" && len(k) <= 1023 && utf8.ValidString(k) && !strings.HasPrefix(k, "/") && !strings.HasPrefix(k, `\`)
}

func (m *Model) rules(c storageclass.Class) (storageclass.Rules, bool) {
	r, err := m.cat.Rules(c)
	return r, err == nil
}

// CreateBucket follows engine.DB.CreateBucket.
func (m *Model) CreateBucket(name string, class storageclass.Class) error {
	if !bucketName.MatchString(name) {
		return coldstore.ErrInvalidBucketName
	}
	if class == "" {
		class = storageclass.Standard
	}
	if _, ok := m.rules(class); !ok {
		return coldstore.ErrInvalidArgument
	}
	if m.buckets[name] != nil {
		return coldstore.ErrBucketAlreadyExists
	}
	m.buckets[name] = &bucket{class: class, created: m.Now, objects: map[string]*object{}, uploads: map[string]*upload{}}
	return nil
}

// DeleteBucket follows engine.DB.DeleteBucket.
func (m *Model) DeleteBucket(name string) error {
	if !bucketName.MatchString(name) {
		return coldstore.ErrInvalidBucketName
	}
	b := m.buckets[name]
	if b == nil {
		return coldstore.ErrNoSuchBucket
	}
	if len(b.objects) > 0 || len(b.uploads) > 0 {
		return coldstore.ErrBucketNotEmpty
	}
	delete(m.buckets, name)
	return nil
}

// ListBuckets follows engine.DB.ListBuckets.
func (m *Model) ListBuckets() []engine.BucketInfo {
	var out []engine.BucketInfo
	for _, name := range slices.Sorted(maps.Keys(m.buckets)) {
		b := m.buckets[name]
		out = append(out, engine.BucketInfo{Name: name, StorageClass: b.class, Created: b.created, ACL: engine.ACLPrivate}) // the operations modelled set no ACL
	}
	return out
}

// find checks names and finds the object; o is nil with a nil error when
// only the key is missing.
func (m *Model) find(bkt, key string) (*bucket, *object, error) {
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
	return b, b.objects[key], nil
}

// state is the restore state of o now.
func (m *Model) state(o *object) engine.RestoreStatus {
	r, _ := m.rules(o.class)
	if !r.NeedsRestore {
		return engine.RestoreStatus{State: engine.NotArchived}
	}
	if !o.hasRestore || !m.Now.Before(o.expires) {
		return engine.RestoreStatus{State: engine.Archived}
	}
	st := engine.Restored
	if m.Now.Before(o.ready) {
		st = engine.Restoring
	}
	return engine.RestoreStatus{State: st, Tier: o.tier, RequestedAt: o.requested, ReadyAt: o.ready, ExpiresAt: o.expires}
}

// info is the object's own info: a link's is the link's (Size 0, the
// ETag the MD5 of its target's key), not its target's.
func (m *Model) info(bkt, key string, o *object) engine.ObjectInfo {
	return engine.ObjectInfo{
		Bucket: bkt, Key: key, Size: int64(len(o.body)), ETag: o.etag,
		CRC64:       crcOf(o.body),
		ContentType: o.contentType, Metadata: maps.Clone(o.metadata), LastModified: o.lastModified,
		StorageClass: o.class, ClassSince: o.classSince, Restore: m.state(o), Type: o.kind, ACL: o.acl,
	}
}

func crcOf(b []byte) uint64 { return crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)) }

func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// checkOptions checks the PutOptions the model uses as every write of an
// object does: a known class, metadata with no empty key and within
// MaxMetadataSize, an object's ACL. It returns the ACL as ObjectInfo
// shows it ("" for the bucket's).
func (m *Model) checkOptions(opts engine.PutOptions) (string, error) {
	if opts.StorageClass != "" {
		if _, ok := m.rules(opts.StorageClass); !ok {
			return "", coldstore.ErrInvalidArgument
		}
	}
	size := 0
	for k, v := range opts.Metadata {
		if k == "" {
			return "", coldstore.ErrInvalidArgument
		}
		size += len(k) + len(v)
	}
	if size > engine.MaxMetadataSize {
		return "", coldstore.ErrInvalidArgument
	}
	return objectACL(opts.ACL)
}

// objectACL checks an object's ACL as a caller gives it.
func objectACL(acl string) (string, error) {
	switch acl {
	case "", engine.ACLDefault:
		return "", nil
	case engine.ACLPrivate, engine.ACLPublicRead, engine.ACLPublicReadWrite:
		return acl, nil
	}
	return "", coldstore.ErrInvalidArgument
}

// newObject is an object written now with opts in bucket b: its class is
// the bucket's when opts has none.
func (m *Model) newObject(b *bucket, kind string, body []byte, opts engine.PutOptions, acl string) *object {
	o := &object{
		body: slices.Clone(body), etag: md5hex(body), kind: kind, acl: acl, contentType: opts.ContentType,
		lastModified: m.Now, class: opts.StorageClass, classSince: m.Now,
	}
	if o.contentType == "" {
		o.contentType = "application/octet-stream"
	}
	if o.class == "" {
		o.class = b.class
	}
	if len(opts.Metadata) > 0 {
		o.metadata = maps.Clone(opts.Metadata)
	}
	return o
}

// Put follows engine.DB.Put.
func (m *Model) Put(bkt, key string, body []byte, opts engine.PutOptions) (engine.ObjectInfo, error) {
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
	b := m.buckets[bkt]
	if b == nil {
		return engine.ObjectInfo{}, coldstore.ErrNoSuchBucket
	}
	if opts.ForbidOverwrite && b.objects[key] != nil {
		return engine.ObjectInfo{}, coldstore.ErrFileAlreadyExists
	}
	o := m.newObject(b, engine.TypeNormal, body, opts, acl)
	b.objects[key] = o
	oi := m.info(bkt, key, o)
	oi.Expiration = expiration(b, key, o)
	return oi, nil
}

// expiration is the expiration b's configuration sets for its object o at
// key, as Put, Head and Get tell it: a link's own, not its target's.
func expiration(b *bucket, key string, o *object) engine.LifecycleExpiration {
	if b.cfg == nil {
		return engine.LifecycleExpiration{}
	}
	due, id := b.cfg.ExpirationOf(lcObject(key, o))
	return engine.LifecycleExpiration{Date: due, RuleID: id}
}

// lcObject is what lifecycle evaluation sees of o at key.
func lcObject(key string, o *object) lifecycle.Object {
	return lifecycle.Object{Key: key, Size: int64(len(o.body)), Class: o.class, LastModified: o.lastModified, ClassSince: o.classSince, Appendable: o.kind == engine.TypeAppendable}
}

// read is the info of a read of bucket/key (Get, Head), and the object
// whose content it reads: a symbolic link reads its target, which must
// exist and not be a link; the info is then the target's but for the
// link's content type, metadata, type and ACL, and the later of the two
// times.
func (m *Model) read(bkt, key string) (engine.ObjectInfo, *object, error) {
	b, o, err := m.find(bkt, key)
	if err != nil {
		return engine.ObjectInfo{}, nil, err
	}
	if o == nil {
		return engine.ObjectInfo{}, nil, coldstore.ErrNoSuchKey
	}
	if o.kind != engine.TypeSymlink {
		oi := m.info(bkt, key, o)
		oi.Expiration = expiration(b, key, o)
		return oi, o, nil
	}
	t := b.objects[o.target]
	switch {
	case t == nil:
		return engine.ObjectInfo{}, nil, coldstore.ErrSymlinkTargetNotExist
	case t.kind == engine.TypeSymlink:
		return engine.ObjectInfo{}, nil, coldstore.ErrInvalidTargetType
	}
	oi := m.info(bkt, key, t)
	oi.ContentType, oi.Metadata, oi.Type, oi.ACL = o.contentType, maps.Clone(o.metadata), engine.TypeSymlink, o.acl
	oi.Expiration = expiration(b, key, o)
	if o.lastModified.After(oi.LastModified) {
		oi.LastModified = o.lastModified
	}
	return oi, t, nil
}

// Get follows engine.DB.Get: the content and the info.
func (m *Model) Get(bkt, key string) ([]byte, engine.ObjectInfo, error) {
	oi, o, err := m.read(bkt, key)
	if err != nil {
		return nil, engine.ObjectInfo{}, err
	}
	switch oi.Restore.State {
	case engine.Archived, engine.Restoring:
		return nil, engine.ObjectInfo{}, coldstore.ErrInvalidObjectState
	}
	return slices.Clone(o.body), oi, nil
}

// Head follows engine.DB.Head.
func (m *Model) Head(bkt, key string) (engine.ObjectInfo, error) {
	oi, _, err := m.read(bkt, key)
	return oi, err
}

// Content is the content bucket/key holds, in any state (nil for a link or
// an absent object): what a read must return once the object is readable.
func (m *Model) Content(bkt, key string) []byte {
	if b := m.buckets[bkt]; b != nil && b.objects[key] != nil {
		return slices.Clone(b.objects[key].body)
	}
	return nil
}

// Delete follows engine.DB.Delete: a missing key is no error.
func (m *Model) Delete(bkt, key string) error {
	b, _, err := m.find(bkt, key)
	if err != nil {
		return err
	}
	delete(b.objects, key)
	return nil
}

// Keys returns the keys of a bucket in order.
func (m *Model) Keys(bkt string) []string {
	if b := m.buckets[bkt]; b != nil {
		return slices.Sorted(maps.Keys(b.objects))
	}
	return nil
}

// List follows engine.DB.List.
func (m *Model) List(bkt string, opts engine.ListOptions) (engine.ListPage, error) {
	if !bucketName.MatchString(bkt) {
		return engine.ListPage{}, coldstore.ErrInvalidBucketName
	}
	if opts.Limit < 0 || opts.Limit > 1000 {
		return engine.ListPage{}, coldstore.ErrInvalidArgument
	}
	if opts.Limit == 0 {
		opts.Limit = 1000
	}
	b := m.buckets[bkt]
	if b == nil {
		return engine.ListPage{}, coldstore.ErrNoSuchBucket
	}
	var page engine.ListPage
	for _, k := range m.Keys(bkt) {
		if !strings.HasPrefix(k, opts.Prefix) || k <= opts.StartAfter {
			continue
		}
		if len(page.Objects) == opts.Limit {
			page.Truncated = true
			page.NextStartAfter = page.Objects[len(page.Objects)-1].Key
			break
		}
		page.Objects = append(page.Objects, m.info(bkt, k, b.objects[k]))
	}
	return page, nil
}

// Restore follows engine.DB.Restore with the default (maximum) latency.
func (m *Model) Restore(bkt, key string, opts engine.RestoreOptions) (engine.RestoreResult, error) {
	if !bucketName.MatchString(bkt) {
		return engine.RestoreResult{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.RestoreResult{}, coldstore.ErrInvalidObjectName
	}
	if opts.Days < 0 {
		return engine.RestoreResult{}, coldstore.ErrInvalidArgument
	}
	if opts.Tier != "" && opts.Tier != storageclass.TierExpedited && opts.Tier != storageclass.TierStandard && opts.Tier != storageclass.TierBulk {
		return engine.RestoreResult{}, coldstore.ErrInvalidArgument
	}
	_, o, err := m.find(bkt, key)
	if err != nil {
		return engine.RestoreResult{}, err
	}
	if o == nil {
		return engine.RestoreResult{}, coldstore.ErrNoSuchKey
	}
	r, _ := m.rules(o.class)
	if !r.NeedsRestore {
		return engine.RestoreResult{}, coldstore.ErrOperationNotSupported
	}
	days := opts.Days
	if days == 0 {
		days = r.DefaultRestoreDays
	}
	if days < r.MinRestoreDays || days > r.MaxRestoreDays {
		return engine.RestoreResult{}, coldstore.ErrInvalidArgument
	}
	tier := opts.Tier
	if len(r.Tiers) == 0 && tier != "" {
		return engine.RestoreResult{}, coldstore.ErrMalformedXML
	}
	if len(r.Tiers) > 0 {
		if tier == "" {
			tier = r.DefaultTier
		}
		if _, ok := r.Tiers[tier]; !ok {
			return engine.RestoreResult{}, coldstore.ErrInvalidArgument
		}
	}
	latency := func(t storageclass.Tier) time.Duration {
		if len(r.Tiers) == 0 {
			return r.RestoreLatency.Max
		}
		return r.Tiers[t].Max
	}
	dayDur := 24 * time.Hour
	var code engine.RestoreStatusCode
	switch m.state(o).State {
	case engine.Archived:
		o.hasRestore, o.tier, o.requested = true, tier, m.Now
		o.ready = m.Now.Add(latency(tier))
		o.expires = o.ready.Add(time.Duration(days) * dayDur)
		code = engine.Accepted
	case engine.Restoring:
		faster := opts.Tier != "" && speed(opts.Tier) < speed(o.tier)
		if !faster {
			return engine.RestoreResult{}, coldstore.ErrRestoreAlreadyInProgress
		}
		life := o.expires.Sub(o.ready)
		if ready := m.Now.Add(latency(opts.Tier)); ready.Before(o.ready) {
			o.ready = ready
		}
		o.tier = opts.Tier
		o.expires = o.ready.Add(life)
		code = engine.Accepted
	case engine.Restored:
		o.expires = o.expires.Add(time.Duration(days) * dayDur)
		if limit := o.ready.Add(time.Duration(r.MaxRestoreDays) * dayDur); o.expires.After(limit) {
			o.expires = limit
		}
		code = engine.AlreadyRestored
	}
	return engine.RestoreResult{Status: code, Restore: m.state(o)}, nil
}

func speed(t storageclass.Tier) int {
	return map[storageclass.Tier]int{storageclass.TierExpedited: 0, storageclass.TierStandard: 1, storageclass.TierBulk: 2}[t]
}

// CleanRestored follows engine.DB.CleanRestored.
func (m *Model) CleanRestored(bkt, key string) error {
	_, o, err := m.find(bkt, key)
	if err != nil {
		return err
	}
	if o == nil {
		return coldstore.ErrNoSuchKey
	}
	switch m.state(o).State {
	case engine.NotArchived:
		return coldstore.ErrOperationNotSupported
	case engine.Archived:
		return coldstore.ErrArchiveRestoreFileStale
	case engine.Restoring:
		return coldstore.ErrArchiveRestoreNotFinished
	}
	o.clear()
	return nil
}

func (o *object) clear() {
	o.hasRestore, o.tier = false, ""
	o.requested, o.ready, o.expires = time.Time{}, time.Time{}, time.Time{}
}

// SetStorageClass follows engine.DB.SetStorageClass.
func (m *Model) SetStorageClass(bkt, key string, class storageclass.Class) (engine.ObjectInfo, error) {
	if !bucketName.MatchString(bkt) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidBucketName
	}
	if !validKey(key) {
		return engine.ObjectInfo{}, coldstore.ErrInvalidObjectName
	}
	to, ok := m.rules(class)
	if !ok {
		return engine.ObjectInfo{}, coldstore.ErrInvalidArgument
	}
	_, o, err := m.find(bkt, key)
	if err != nil {
		return engine.ObjectInfo{}, err
	}
	if o == nil {
		return engine.ObjectInfo{}, coldstore.ErrNoSuchKey
	}
	if o.class == class {
		return m.info(bkt, key, o), nil
	}
	from, _ := m.rules(o.class)
	if to.Rank < from.Rank && from.NeedsRestore && m.state(o).State != engine.Restored {
		return engine.ObjectInfo{}, coldstore.ErrInvalidObjectState
	}
	o.clear()
	o.class, o.classSince, o.lastModified = class, m.Now, m.Now
	return m.info(bkt, key, o), nil
}

// Sweep follows engine.DB.Sweep: it clears the restores expired by now and
// returns how many, and the earliest expiry still pending.
func (m *Model) Sweep() engine.SweepResult {
	var res engine.SweepResult
	for _, b := range m.buckets {
		for _, o := range b.objects {
			if !o.hasRestore {
				continue
			}
			if !m.Now.Before(o.expires) {
				o.clear()
				res.Expired++
			} else if res.Next.IsZero() || o.expires.Before(res.Next) {
				res.Next = o.expires
			}
		}
	}
	return res
}

// PutBucketLifecycle follows engine.DB.PutBucketLifecycle (the access
// monitor is never on in the model).
func (m *Model) PutBucketLifecycle(bkt string, c *lifecycle.Configuration) error {
	if !bucketName.MatchString(bkt) {
		return coldstore.ErrInvalidBucketName
	}
	if c == nil || c.Validate(m.cat) != nil || c.UsesAccessTime() {
		return coldstore.ErrInvalidArgument
	}
	b := m.buckets[bkt]
	if b == nil {
		return coldstore.ErrNoSuchBucket
	}
	b.cfg = c
	return nil
}

// DeleteBucketLifecycle follows engine.DB.DeleteBucketLifecycle.
func (m *Model) DeleteBucketLifecycle(bkt string) error {
	if !bucketName.MatchString(bkt) {
		return coldstore.ErrInvalidBucketName
	}
	b := m.buckets[bkt]
	if b == nil {
		return coldstore.ErrNoSuchBucket
	}
	b.cfg = nil
	return nil
}

// RunLifecycle follows engine.DB.RunLifecycle by evaluating every object
// (the engine walks only its due index: the two must agree): expirations
// delete, transitions move to the target class unless a restored copy is
// still pending or readable. Then every upload whose AbortMultipartUpload
// is due is aborted.
func (m *Model) RunLifecycle() (transitioned, expired, aborted int) {
	for _, b := range m.buckets {
		if b.cfg == nil {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(b.objects)) {
			o := b.objects[k]
			a := b.cfg.Evaluate(lcObject(k, o), m.Now)
			switch {
			case a.Kind == lifecycle.ActionExpire:
				delete(b.objects, k)
				expired++
			case a.Kind == lifecycle.ActionTransition && !(o.hasRestore && m.Now.Before(o.expires)):
				o.clear()
				o.class, o.classSince = a.StorageClass, m.Now
				transitioned++
			}
		}
		for id, u := range b.uploads {
			if t, ok := b.cfg.AbortDue(u.key, u.initiated); ok && !t.After(m.Now) {
				delete(b.uploads, id)
				aborted++
			}
		}
	}
	return transitioned, expired, aborted
}
