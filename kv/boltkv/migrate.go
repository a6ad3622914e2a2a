package boltkv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	bolt "go.etcd.io/bbolt"
)

// The parts of coldstore's layout that the layout migration reads. The
// engine's schema.go describes the whole layout; schema 1 existed only in
// bbolt files, so only this store migrates it.
var (
	bktMeta        = []byte("meta")
	keyVersion     = []byte("version")
	keyMagic       = []byte("magic")
	magic          = []byte("coldstore")
	schema1Objects = []byte("objects") // schema 1: one bucket nesting every coldstore bucket's objects
)

const (
	objectsPrefix = "objects/" // schema 2: each coldstore bucket's objects at the top level
	meterSuffix   = "\x00meter"
	keyMeter      = "m"
)

// migrateLayout brings a coldstore database of schema 1 to the layout of
// schema 2, in one transaction: a crash during it leaves the file as it
// was. Files of any other schema, and files that are not coldstore
// databases, are left for the engine to judge.
func (s *Store) migrateLayout() (err error) {
	defer func() {
		if p := recover(); p != nil { // a damaged page the header check let through
			err = fail(kv.ErrCorrupt, "%s: %v", s.Path(), p)
		}
	}()
	old := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		old = isSchema1(tx)
		return nil
	}); err != nil {
		return fail(kv.ErrStorage, "%s: %v", s.Path(), err)
	}
	if !old { // a file that needs no migration is not written to
		return nil
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		if err := migrate1(tx); err != nil {
			return fail(kv.ErrCorrupt, "%s: migrating from schema 1: %v", s.Path(), err)
		}
		return meta.Put(keyVersion, binary.BigEndian.AppendUint32(nil, 2))
	}); err != nil {
		var oe *coldstore.OpError
		if errors.As(err, &oe) {
			return err
		}
		return fail(kv.ErrStorage, "%s: %v", s.Path(), err)
	}
	return nil
}

// isSchema1 reports whether tx holds a coldstore database of schema 1.
func isSchema1(tx *bolt.Tx) bool {
	meta := tx.Bucket(bktMeta)
	if meta == nil || !bytes.Equal(meta.Get(keyMagic), magic) {
		return false
	}
	v := meta.Get(keyVersion)
	return len(v) == 4 && binary.BigEndian.Uint32(v) == 1
}

// migrate1 moves each nested objects bucket of schema 1 to a top-level
// bucket, and each meter to its own bucket. The records and index entries
// themselves are unchanged.
func migrate1(tx *bolt.Tx) error {
	old := tx.Bucket(schema1Objects)
	if old == nil {
		return fmt.Errorf("bucket %q missing", schema1Objects)
	}
	err := old.ForEach(func(k, v []byte) error {
		if v == nil { // a nested bucket: the objects of bucket k
			ob, err := tx.CreateBucket([]byte(objectsPrefix + string(k)))
			if err != nil {
				return err
			}
			return old.Bucket(k).ForEach(func(k, v []byte) error {
				if v == nil {
					return fmt.Errorf("unexpected bucket %q among objects", k)
				}
				return ob.Put(bytes.Clone(k), bytes.Clone(v))
			})
		}
		name, ok := bytes.CutSuffix(k, []byte(meterSuffix))
		if !ok {
			return fmt.Errorf("unexpected key %q", k)
		}
		mb, err := tx.CreateBucket([]byte(objectsPrefix + string(name) + meterSuffix))
		if err != nil {
			return err
		}
		return mb.Put([]byte(keyMeter), bytes.Clone(v))
	})
	if err != nil {
		return err
	}
	return tx.DeleteBucket(schema1Objects)
}
