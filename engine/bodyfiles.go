package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/coldstore-dev/coldstore/kv"
)

// Over a store kept in a file on this machine (kv.Local: bbolt), a body
// larger than one chunk, of a Put or a part, is kept in a file of its own
// in a folder beside the store's file (its path with ".bodies" appended),
// not in the store's pages. A large body in bbolt is copied into its
// pages, their overflow zeroed, and written with the pages of the tree
// above them at the next commit, where a file takes one write and one
// fdatasync (bench/README.md: "Large bodies in files of their own").
//
// The file is the sealed chunks of the body one after another, chunk i at
// i·(chunkSize+chunkTrailer): the same bytes, and checksums, as the chunks
// a store keeps, so every read checks them as it checks a store's, and
// Check verifies a file as it verifies chunks. Its name is its data id,
// 16 hex digits; file data ids have the top bit set, which the store's
// sequence of data ids never reaches, so an id says where its chunks are.
//
// Crash safety, in order:
//  1. A Put writes its file under a fresh random id (O_EXCL), fdatasyncs it
//     and fsyncs the folder: its bytes and its name are on the disk.
//  2. The transaction that publishes the record also writes the entry
//     files/<id> → the body's size (the index of files). Until it commits,
//     the file is no object's, and a crash leaves it unindexed.
//  3. The transaction that drops the body (a delete, an overwrite, an
//     expiry, a part replaced or left out) deletes the entry; once it has
//     committed, the file is removed.
//
// Open removes every file of the folder that the index does not name (left
// by a crash between 1 and 2, or between 3 and the removal), and nothing
// else: only names of the form of this package's. A Get reads a file
// after the transaction that found its record: if the object was replaced
// or deleted meanwhile and its file removed, the read fails with
// ErrReplaced, as a read of a store's chunks does (an open file outlives
// its removal, so a read under way is never cut).

// fileBit marks a data id whose chunks are in a file.
const fileBit = 1 << 63

// isFileID reports whether the chunks of data id are in a file.
func isFileID(id uint64) bool { return id&fileBit != 0 }

// bodiesSuffix ends the name of the folder of bodies: the store's path
// with it appended.
const bodiesSuffix = ".bodies"

// bodyFiles is the folder of a database's bodies in files.
type bodyFiles struct {
	dir    string
	synced bool // files and the folder are fsynced (the store's are)
	write  bool // new large bodies go to files (Options.SingleFile off)

	cache *chunkCache // checked chunks kept for reads (chunkcache.go); nil: none

	mu      sync.Mutex
	folder  *os.File            // the folder, open once it exists, for its fsyncs
	writing map[uint64]struct{} // files being written, or dropped and not yet removed (Check skips them)
}

// newBodyFiles returns the folder of bodies of a store, nil when it is not
// Local.
func newBodyFiles(s kv.Store, o *Options) *bodyFiles {
	l, ok := s.(kv.Local)
	if !ok {
		return nil
	}
	dir := l.Path() + bodiesSuffix
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // a later change of the working directory moves nothing
	}
	return &bodyFiles{dir: dir, synced: l.Synced(), write: !o.SingleFile, cache: newChunkCache(o.BodyCache)}
}

// fileName is the name of data id's file.
func fileName(id uint64) string { return fmt.Sprintf("%016x", id) }

// parseFileName returns the data id a file of the folder is named after;
// ok is false for a name of another form.
func parseFileName(name string) (id uint64, ok bool) {
	if len(name) != 16 {
		return 0, false
	}
	id, err := strconv.ParseUint(name, 16, 64)
	if err != nil || !isFileID(id) || fileName(id) != name {
		return 0, false
	}
	return id, true
}

// path is the file of data id.
func (f *bodyFiles) path(id uint64) string { return filepath.Join(f.dir, fileName(id)) }

// openFolder creates the folder when it is missing, syncing its parent so
// that its name survives a crash, and keeps it open for fsyncs.
func (f *bodyFiles) openFolder() (*os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.folder != nil {
		return f.folder, nil
	}
	if err := os.Mkdir(f.dir, 0o700); err == nil {
		if err := f.syncDir(filepath.Dir(f.dir)); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	d, err := os.Open(f.dir)
	if err != nil {
		return nil, err
	}
	f.folder = d
	return d, nil
}

// syncDir fsyncs the folder dir.
func (f *bodyFiles) syncDir(dir string) error {
	if !f.synced {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// create makes a new empty file under a fresh data id.
func (f *bodyFiles) create() (*os.File, uint64, error) {
	if _, err := f.openFolder(); err != nil {
		return nil, 0, err
	}
	for {
		id := rand.Uint64() | fileBit
		file, err := os.OpenFile(f.path(id), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue // 2^-63 a draw; drawn again
		}
		if err == nil {
			f.busy(id)
		}
		return file, id, err
	}
}

// busy marks the file of id as in the middle of a change: being written
// (create), or dropped by a transaction and not yet removed (dropData).
// Check does not report it unindexed until written says it is done.
func (f *bodyFiles) busy(id uint64) {
	f.mu.Lock()
	if f.writing == nil {
		f.writing = map[uint64]struct{}{}
	}
	f.writing[id] = struct{}{}
	f.mu.Unlock()
}

// written ends busy for ids: published, removed, or kept by a transaction
// that failed.
func (f *bodyFiles) written(ids ...uint64) {
	f.mu.Lock()
	for _, id := range ids {
		delete(f.writing, id)
	}
	f.mu.Unlock()
}

// unwritten lists the files of the folder that are not being written: for
// Check, before its transaction begins, so that a file published meanwhile
// is one its transaction sees indexed. A nil f has none.
func (f *bodyFiles) unwritten() ([]uint64, error) {
	if f == nil {
		return nil, nil
	}
	entries, err := os.ReadDir(f.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []uint64
	for _, e := range entries {
		if id, ok := parseFileName(e.Name()); ok {
			if _, busy := f.writing[id]; !busy {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// seal makes a written file durable: its bytes, and its name in the folder.
// Once the bytes are on the disk it lets the page cache forget them
// (dropCached): a body just archived is seldom read again soon, and its
// pages, kept, would push out the store's own. A database that does not
// sync keeps them: they are dirty, and dropping them would write them.
func (f *bodyFiles) seal(file *os.File) error {
	if !f.synced {
		return nil
	}
	if err := fdatasync(file); err != nil {
		return err
	}
	dropCached(file)
	d, err := f.openFolder()
	if err != nil {
		return err
	}
	return d.Sync()
}

// writebackEvery is how many bytes of a body file a Put writes before it
// asks for them to go to the disk (writeback), so that the disk writes them
// while the rest of the body arrives rather than after, in seal's
// fdatasync.
const writebackEvery = 1 << 20

// writeback is told that file, being written, now ends at end, and started
// is where the last writeback it started ended: it starts the writeback
// of the bytes between once there are writebackEvery of them, and
// returns where the next begins. It does nothing on a database that does
// not sync.
func (f *bodyFiles) writeback(file *os.File, started, end int64) int64 {
	if !f.synced || end-started < writebackEvery {
		return started
	}
	startWriteback(file, started, end-started)
	return end
}

// open opens data id's file for reading.
func (f *bodyFiles) open(id uint64) (*os.File, error) { return os.Open(f.path(id)) }

// remove removes the files of ids, whose index entries a committed
// transaction deleted. A file it fails to remove is left to the next
// Open.
func (f *bodyFiles) remove(ids []uint64) {
	for _, id := range ids {
		_ = os.Remove(f.path(id))
	}
	if f.cache != nil {
		f.cache.drop(ids) // after: see chunkCache's generation
	}
}

// collect removes the files of the folder that the index does not name:
// those of Puts a crash interrupted before they published, and of bodies
// dropped by a commit that a crash kept from removing them. It runs in
// Open, before any Put of this process writes a file.
func (f *bodyFiles) collect(s kv.Store) error {
	entries, err := os.ReadDir(f.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var gone []uint64
	err = s.View(context.Background(), func(tx kv.Tx) error {
		gone = gone[:0]
		idx := tx.Bucket(bktFiles)
		for _, e := range entries {
			id, ok := parseFileName(e.Name())
			if ok && idx.Get(idKey(id)) == nil {
				gone = append(gone, id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	f.remove(gone)
	return nil
}

// chunkCache is the cache of the chunks of f's files, nil when there is
// none (or no folder of bodies).
func (f *bodyFiles) chunkCache() *chunkCache {
	if f == nil {
		return nil
	}
	return f.cache
}

// close releases the folder, and the cache once no read writes from it.
func (f *bodyFiles) close() {
	if f.cache != nil {
		f.cache.close()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.folder != nil {
		_ = f.folder.Close()
		f.folder = nil
	}
}

// fileOffset is where chunk i of a file begins.
func fileOffset(i uint32) int64 { return int64(i) * (chunkSize + chunkTrailer) }

// readFileChunk reads chunk i of data id from its file into buf, which has
// room for a sealed chunk (chunkSize+chunkTrailer), checks it and returns
// the chunk's bytes, in buf. A chunk cut short or damaged fails with
// errChunkChecksum.
func readFileChunk(file *os.File, id uint64, i uint32, buf []byte) ([]byte, error) {
	buf = buf[:chunkSize+chunkTrailer]
	n, err := file.ReadAt(buf, fileOffset(i))
	if err != nil && err != io.EOF {
		return nil, err
	}
	return openChunk(chunkKey(id, i), buf[:n])
}

// fileEntry is the index's value for a file of size bytes.
func fileEntry(size int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(size)) }
