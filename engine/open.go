package engine

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/boltkv"
	"github.com/coldstore-dev/coldstore/kv/pgkv"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Open opens the database in the bbolt file at path (package boltkv),
// creating it if the path does not exist, and starts the background sweeper
// unless opts.DisableSweeper. opts may be nil; it is copied and never
// changed.
//
// A path that is a postgres:// or postgresql:// URL (IsURL) opens the
// database in that PostgreSQL database instead (package pgkv), creating
// its tables there: any number of processes may open it at once, and
// together they keep the rules as one (see the README's "More than one
// machine"). Open then returns an error wrapping coldstore.ErrUnavailable
// when the server cannot be reached within max(OpenTimeout, 10 s), and
// ErrNewerSchema, ErrNotDatabase, ErrWrongDialect as for a file.
//
// Open returns an error wrapping ErrNotDatabase for a file that is empty, is
// not a bbolt file, or is another program's bbolt file; ErrCorrupt for a
// damaged one; ErrNewerSchema for a file written by a newer coldstore; and
// ErrLocked when another process holds the file longer than
// opts.OpenTimeout. It never panics on a bad file.
//
// Open also removes the chunks of any Put that a crash interrupted before it
// published its object, and migrates a file of an older schema in place
// (schema 1's layout in boltkv, schema 2's encodings here), each step in one
// transaction.
//
// When Open created the file and then fails (a full disk, say), it removes
// the file, so that the path is as it was: a half-written new file would
// otherwise be refused by every later Open.
func Open(path string, opts *Options) (*DB, error) {
	if IsURL(path) {
		return openURL(path, opts)
	}
	_, err := os.Lstat(path)
	created := errors.Is(err, os.ErrNotExist)
	o := opts.withDefaults()
	s, err := boltkv.Open(path, &boltkv.Options{Timeout: o.OpenTimeout, NoSync: o.NoSync})
	if err == nil {
		var db *DB
		if db, err = OpenStore(s, opts); err == nil {
			return db, nil
		}
		var oe *coldstore.OpError
		if errors.As(err, &oe) && oe.Op == "Open" {
			oe.Detail = path + ": " + oe.Detail
		}
	}
	if created && !errors.Is(err, ErrLocked) {
		_ = os.Remove(path) // ErrLocked: another process made it meanwhile
	}
	return nil, err
}

// IsURL reports whether Open takes path as the URL of a PostgreSQL
// database (postgres:// or postgresql://) rather than a file's path.
func IsURL(path string) bool {
	return strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://")
}

// openURL opens the database in the PostgreSQL database url names (package
// pgkv), which any number of processes may open at once.
func openURL(url string, opts *Options) (*DB, error) {
	o := opts.withDefaults()
	s, err := pgkv.Open(context.Background(), url, &pgkv.Options{ConnectTimeout: max(o.OpenTimeout, 10*time.Second)})
	if err != nil {
		return nil, wrap("Open", "", "", err)
	}
	return OpenStore(s, opts)
}

// OpenStore opens the database held by s, creating its layout when s is
// empty, and starts the background sweeper unless opts.DisableSweeper.
// From the call on, the DB owns s: Close closes it, and OpenStore closes it
// when it fails. opts may be nil; it is copied and never changed;
// OpenTimeout and NoSync are the store's business and are not used here.
//
// OpenStore returns an error wrapping ErrNotDatabase when s holds something
// other than a coldstore database, ErrCorrupt when it holds a damaged one,
// ErrNewerSchema for a database of a newer coldstore, ErrWrongDialect for
// a database of another dialect than opts.Dialect, and ErrStorage when s
// fails. It migrates a database of schema 2 or 3 in one transaction, and
// removes the chunks of any Put that a crash interrupted before it
// published.
func OpenStore(s kv.Store, opts *Options) (*DB, error) {
	o := opts.withDefaults()
	_, shared := s.(kv.Cluster)
	epoch, err := initStore(s, o.Dialect.Name(), o.Catalog, !shared)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	files := newBodyFiles(s, &o)
	if err := checkFiles(s, files); err != nil {
		_ = s.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	db := &DB{
		files:       files,
		store:       s,
		opts:        o,
		clock:       o.Clock,
		dialect:     o.Dialect,
		cat:         o.Catalog,
		defaultType: dialect.DefaultContentType(o.Dialect),
		ruleSet:     ruleSetOf(o.Catalog),
		cancel:      cancel,
		wake:        make(chan struct{}, 1),
	}
	db.calls.init()
	db.events.keep = max(o.EventHistory, 0)
	db.events.seq = epoch << eventEpochShift
	if c, ok := s.(kv.Cluster); ok {
		db.cluster = c
		for i := range db.stripes {
			db.stripes[i] = make(chan struct{}, writersPerBucket)
		}
		_, _ = crand.Read(db.node[:])
	}
	err = s.View(context.Background(), func(tx kv.Tx) error {
		if k, _ := tx.Bucket(bktLifecycle).Cursor().First(); k != nil || db.cluster != nil {
			db.lifecycles.Store(true) // another process may set one: always look
		}
		return tx.Bucket(bktBuckets).ForEach(func(k, v []byte) error {
			if br, err := decodeBucket(v); err == nil && br.AccessMonitor {
				db.live.of(string(k)).monitored.Store(true)
			}
			return nil
		})
	})
	if err != nil {
		cancel()
		_ = s.Close()
		return nil, fail("Open", "", "", ErrStorage, "%v", err)
	}
	if !o.DisableSweeper {
		db.loop.Add(1)
		if db.cluster != nil {
			db.loop.Add(1)
			go db.followLoop(ctx)
			go db.leadLoop(ctx)
		} else {
			go db.runLoop(ctx, nil)
		}
	}
	return db, nil
}

// checkFiles collects the files of the folder files that the index does
// not name (bodyfiles.go), or, for a store without a folder, checks that
// the index names none: a database whose bodies are in files is readable
// only beside them.
func checkFiles(s kv.Store, files *bodyFiles) error {
	if files != nil {
		if err := files.collect(s); err != nil {
			return fail("Open", "", "", ErrStorage, "collecting unreferenced body files: %v", err)
		}
		return nil
	}
	var n int
	err := s.View(context.Background(), func(tx kv.Tx) error {
		k, _ := tx.Bucket(bktFiles).Cursor().First()
		if k != nil {
			n = 1
		}
		return nil
	})
	if err != nil {
		return fail("Open", "", "", ErrStorage, "%v", err)
	}
	if n > 0 {
		return fail("Open", "", "", ErrCorrupt, "its bodies are in files beside a bbolt file; this store has no folder for them")
	}
	return nil
}

// initStore creates the layout in an empty store, recording the dialect, or
// checks that it holds a coldstore database of a schema this code knows and
// of the dialect, migrating an older schema, and, with collect, collects
// the chunks of interrupted Puts; in the same transaction it draws this
// opening's event epoch (drawEpoch). A panic inside the store (a damaged
// page) is returned as ErrCorrupt.
func initStore(s kv.Store, dialect string, cat *storageclass.Catalog, collect bool) (epoch uint64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fail("Open", "", "", ErrCorrupt, "%v", p)
		}
	}()
	err = s.Update(context.Background(), func(tx kv.Tx) error {
		if err := initLayout(tx, dialect, cat, collect); err != nil {
			return err
		}
		var err error
		epoch, err = drawEpoch(tx.Bucket(bktMeta))
		return err
	})
	var oe *coldstore.OpError
	if err != nil && !errors.As(err, &oe) {
		err = fail("Open", "", "", ErrStorage, "%v", err)
	}
	return epoch, err
}

// drawEpoch returns the next of the numbers that each opening of the
// database draws, counted in meta (keyEpoch), from 1: the high bits of the
// events' numbers (eventEpochShift), so that an event numbered after a
// reopening, a crash included, is numbered above every earlier one.
func drawEpoch(meta kv.Bucket) (uint64, error) {
	var n uint64
	if v := meta.Get(keyEpoch); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n = (n + 1) & (1<<(64-eventEpochShift) - 1) // 2^24 openings before it wraps
	if n == 0 {
		n = 1
	}
	return n, meta.Put(keyEpoch, binary.BigEndian.AppendUint64(nil, n))
}

// initLayout is initStore's work on the layout, in its transaction.
func initLayout(tx kv.Tx, dialect string, cat *storageclass.Catalog, collect bool) error {
	meta := tx.Bucket(bktMeta)
	if meta == nil {
		foreign := false
		_ = tx.ForEachBucket(func([]byte) error { foreign = true; return nil })
		if foreign {
			return fail("Open", "", "", ErrNotDatabase, "a bbolt file of another program")
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
		if err := meta.Put(keyDialect, []byte(dialect)); err != nil {
			return err
		}
		return meta.Put(keyVersion, v)
	}
	if !bytes.Equal(meta.Get(keyMagic), []byte(magic)) {
		return fail("Open", "", "", ErrNotDatabase, "no coldstore mark in its meta bucket")
	}
	v := meta.Get(keyVersion)
	if len(v) != 4 {
		return fail("Open", "", "", ErrCorrupt, "unreadable schema version")
	}
	switch n := binary.BigEndian.Uint32(v); {
	case n > schemaVersion:
		return fail("Open", "", "", ErrNewerSchema, "schema %d; this coldstore reads up to %d", n, schemaVersion)
	case n < 2:
		// Schema 1 exists only in bbolt files, whose store migrates it.
		return fail("Open", "", "", ErrCorrupt, "schema version %d", n)
	case n < schemaVersion:
		if n == 2 {
			if err := migrate2(tx, cat); err != nil {
				return fail("Open", "", "", ErrCorrupt, "migrating from schema 2: %v", err)
			}
		}
		// Schema 3 to 4 rewrites nothing; 4 to 5 adds the uploads
		// bucket, 5 to 6 the files bucket, 6 to 7 rewrites nothing
		// (schema.go says what each adds).
		for _, name := range [][]byte{bktUploads, bktFiles} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if err := meta.Put(keyVersion, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
			return err
		}
	}
	if got := dialectOf(meta); got != dialect {
		return fail("Open", "", "", ErrWrongDialect, "a database of the %s dialect opened as %s", got, dialect)
	}
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			return fail("Open", "", "", ErrCorrupt, "bucket %q missing", name)
		}
	}
	if !collect {
		return nil // other processes' writes under way (staging.go)
	}
	return collectStaged(tx)
}

// dialectOf returns the dialect a database records: "oss" when it records
// none, as every database did before dialects were recorded.
func dialectOf(meta kv.Bucket) string {
	if v := meta.Get(keyDialect); v != nil {
		return string(v)
	}
	return "oss"
}

// collectStaged deletes the chunks of Puts and Appends that never
// published.
func collectStaged(tx kv.Tx) error {
	st := tx.Bucket(bktStaging)
	var ids [][]byte
	if err := st.ForEach(func(k, _ []byte) error {
		ids = append(ids, bytes.Clone(k))
		return nil
	}); err != nil {
		return err
	}
	return collectEntries(tx, ids)
}

// collectEntries deletes the staging entries ids and the chunks each names.
func collectEntries(tx kv.Tx, ids [][]byte) error {
	st := tx.Bucket(bktStaging)
	for _, id := range ids {
		var err error
		switch len(id) {
		case 8: // a Put's: every chunk of the id
			err = deleteChunks(tx, binary.BigEndian.Uint64(id))
		case 12: // an Append's: the chunks it staged past the object's (stagingKey)
			err = deleteChunksFrom(tx, binary.BigEndian.Uint64(id), binary.BigEndian.Uint32(id[8:]))
		default:
			err = fmt.Errorf("%w: %d bytes", errStagingKey, len(id))
		}
		if err != nil {
			return err
		}
		if err := st.Delete(id); err != nil {
			return err
		}
	}
	return nil
}

// deleteChunks removes every chunk stored under id; for a file's id, its
// index entry (the file itself is writeTx.dropData's, or the next Open's).
func deleteChunks(tx kv.Tx, id uint64) error {
	if id == 0 {
		return nil
	}
	if isFileID(id) {
		return tx.Bucket(bktFiles).Delete(idKey(id))
	}
	return deleteChunksFrom(tx, id, 0)
}
