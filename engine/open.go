package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Open opens the database at path, creating it if the path does not exist,
// and starts the background sweeper unless opts.DisableSweeper. opts may be
// nil; it is copied and never changed.
//
// Open returns an error wrapping ErrNotDatabase for a file that is empty, is
// not a bbolt file, or is another program's bbolt file; ErrCorrupt for a
// damaged one; ErrNewerSchema for a file written by a newer coldstore; and
// ErrLocked when another process holds the file longer than
// opts.OpenTimeout. It never panics on a bad file.
//
// Open also removes the chunks of any Put that a crash interrupted before it
// published its object, and migrates a file of an older schema in place, in
// one transaction.
//
// When Open created the file and then fails (a full disk, say), it removes
// the file, so that the path is as it was: a half-written new file would
// otherwise be refused by every later Open.
func Open(path string, opts *Options) (*DB, error) {
	_, err := os.Lstat(path)
	created := errors.Is(err, os.ErrNotExist)
	db, err := open(path, opts)
	if err != nil && created && !errors.Is(err, ErrLocked) {
		_ = os.Remove(path) // ErrLocked: another process made it meanwhile
	}
	return db, err
}

func open(path string, opts *Options) (*DB, error) {
	o := opts.withDefaults()
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return nil, fail("Open", "", "", ErrNotDatabase, "%s is a directory", path)
		}
		if fi.Size() == 0 {
			return nil, fail("Open", "", "", ErrNotDatabase, "%s is an empty file", path)
		}
	}
	if err := checkFileHeader(path); err != nil {
		return nil, err
	}
	bdb, err := openBolt(path, &o)
	if err != nil {
		return nil, err
	}
	if err := initFile(bdb, path, o.Catalog); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	db := &DB{
		bolt:    bdb,
		opts:    o,
		clock:   o.Clock,
		cat:     o.Catalog,
		ruleSet: ruleSetOf(o.Catalog),
		cancel:  cancel,
		wake:    make(chan struct{}, 1),
	}
	db.calls.init()
	err = bdb.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktBuckets).ForEach(func(k, v []byte) error {
			if br, err := decodeBucket(v); err == nil && br.AccessMonitor {
				db.live.of(string(k)).monitored.Store(true)
			}
			return nil
		})
	})
	if err != nil {
		cancel()
		_ = bdb.Close()
		return nil, fail("Open", "", "", ErrStorage, "%s: %v", path, err)
	}
	if !o.DisableSweeper {
		db.loop.Add(1)
		go db.runLoop(ctx)
	}
	return db, nil
}

// openBolt opens the bbolt file, turning its errors and panics on damaged
// files into typed errors.
func openBolt(path string, o *Options) (bdb *bolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			bdb, err = nil, fail("Open", "", "", ErrCorrupt, "%s: %v", path, p)
		}
	}()
	bdb, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: o.OpenTimeout, NoSync: o.NoSync, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fail("Open", "", "", ErrLocked, "%s: still locked after %v", path, o.OpenTimeout)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fail("Open", "", "", ErrNotDatabase, "%s: %v", path, err)
	case errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrInvalidMapping):
		return nil, fail("Open", "", "", ErrCorrupt, "%s: %v", path, err)
	default:
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fail("Open", "", "", ErrStorage, "%v", err)
		}
		return nil, fail("Open", "", "", ErrCorrupt, "%s: %v", path, err)
	}
}

// initFile creates the layout in a new file, or checks that an existing one
// is a coldstore database of a schema this code knows, and collects the
// chunks of interrupted Puts. A panic inside bbolt (a damaged page) is
// returned as ErrCorrupt.
func initFile(bdb *bolt.DB, path string, cat *storageclass.Catalog) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fail("Open", "", "", ErrCorrupt, "%s: %v", path, p)
		}
	}()
	err = bdb.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		if meta == nil {
			foreign := false
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { foreign = true; return nil })
			if foreign {
				return fail("Open", "", "", ErrNotDatabase, "%s is a bbolt file of another program", path)
			}
			for _, name := range allBuckets {
				if _, err := tx.CreateBucket(name); err != nil {
					return err
				}
			}
			meta = tx.Bucket(bktMeta)
			v := binary.BigEndian.AppendUint32(nil, schemaVersion)
			if err := meta.Put(keyMagic, []byte(magic)); err != nil {
				return err
			}
			return meta.Put(keyVersion, v)
		}
		if !bytes.Equal(meta.Get(keyMagic), []byte(magic)) {
			return fail("Open", "", "", ErrNotDatabase, "%s: no coldstore mark in its meta bucket", path)
		}
		v := meta.Get(keyVersion)
		if len(v) != 4 {
			return fail("Open", "", "", ErrCorrupt, "%s: unreadable schema version", path)
		}
		switch n := binary.BigEndian.Uint32(v); {
		case n > schemaVersion:
			return fail("Open", "", "", ErrNewerSchema, "%s has schema %d; this coldstore reads up to %d", path, n, schemaVersion)
		case n == 0:
			return fail("Open", "", "", ErrCorrupt, "%s: schema version 0", path)
		case n < schemaVersion:
			if err := migrate(tx, n, cat); err != nil {
				return fail("Open", "", "", ErrCorrupt, "%s: %v", path, err)
			}
		}
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return fail("Open", "", "", ErrCorrupt, "%s: bucket %q missing", path, name)
			}
		}
		return collectStaged(tx)
	})
	var oe *coldstore.OpError
	if err != nil && !errors.As(err, &oe) {
		err = fail("Open", "", "", ErrStorage, "%s: %v", path, err)
	}
	return err
}

// collectStaged deletes the chunks of Puts that never published.
func collectStaged(tx *bolt.Tx) error {
	st := tx.Bucket(bktStaging)
	var ids [][]byte
	if err := st.ForEach(func(k, _ []byte) error {
		ids = append(ids, bytes.Clone(k))
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		if len(id) != 8 {
			return fmt.Errorf("staging entry of %d bytes", len(id))
		}
		if err := deleteChunks(tx, binary.BigEndian.Uint64(id)); err != nil {
			return err
		}
		if err := st.Delete(id); err != nil {
			return err
		}
	}
	return nil
}

// deleteChunks removes every chunk stored under id.
func deleteChunks(tx *bolt.Tx, id uint64) error {
	if id == 0 {
		return nil
	}
	data := tx.Bucket(bktData)
	prefix := idKey(id)
	c := data.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}
