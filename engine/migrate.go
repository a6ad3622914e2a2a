package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/coldstore-dev/coldstore/storageclass"
	bolt "go.etcd.io/bbolt"
)

// migrate brings a file of an older schema to schemaVersion, inside Open's
// transaction: a crash during it leaves the file as it was.
func migrate(tx *bolt.Tx, from uint32, cat *storageclass.Catalog) error {
	if from == 1 {
		if err := migrate1(tx); err != nil {
			return fmt.Errorf("migrating from schema 1: %w", err)
		}
	}
	if from <= 2 {
		if err := migrate2(tx, cat); err != nil {
			return fmt.Errorf("migrating from schema 2: %w", err)
		}
	}
	return tx.Bucket(bktMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, schemaVersion))
}

// schema1Objects is schema 1's "objects" bucket: one nested bucket per
// coldstore bucket, each followed by its meter under <name>\x00meter.
var schema1Objects = []byte("objects")

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
			ob, err := tx.CreateBucket(objectsName(string(k)))
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
		mb, err := tx.CreateBucket(meterName(string(name)))
		if err != nil {
			return err
		}
		return mb.Put(keyMeter, bytes.Clone(v))
	})
	if err != nil {
		return err
	}
	return tx.DeleteBucket(schema1Objects)
}
