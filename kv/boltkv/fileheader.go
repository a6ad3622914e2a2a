package boltkv

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"io"
	"os"

	"github.com/coldstore-dev/coldstore/kv"
)

// bbolt's file format, as far as checkFileHeader reads it: two meta pages
// (0 and 1), each a 16-byte page header then the meta, in the machine's byte
// order.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	boltPageHeader   = 16
	boltMetaSize     = 64 // through the checksum
	boltMetaSumSize  = 56 // the bytes the checksum covers
	boltNoFreelist   = ^uint64(0)
	boltMinPageSize  = 512
	boltMaxPageSize  = 1 << 16
	boltOverflowAt   = 12 // offset of a page header's overflow count
	boltFreelistFlag = 0x10
)

type boltMeta struct {
	pageSize       uint32
	root, freelist uint64
	pgid, txid     uint64
}

// checkFileHeader checks an existing file before bbolt maps it. bbolt trusts
// the page ids in its meta pages: a truncated file makes it read past the
// end of the mapping while loading the freelist, a fault no recover can
// catch. So the pages the newest valid meta names (root, freelist, high-water
// mark) must lie inside the file. A file that does not exist passes: bbolt
// creates it.
func checkFileHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fail(kv.ErrStorage, "%v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fail(kv.ErrStorage, "%v", err)
	}
	size := fi.Size()
	m0, magic0, ok0 := readMeta(f, 0)
	if !magic0 {
		return fail(kv.ErrNotDatabase, "%s: not a bbolt file", path)
	}
	pageSize := int64(os.Getpagesize())
	if ok0 {
		pageSize = int64(m0.pageSize)
	}
	m1, _, ok1 := readMeta(f, pageSize)
	var m boltMeta
	switch {
	case ok0 && ok1 && m1.txid > m0.txid, !ok0 && ok1:
		m = m1
	case ok0:
		m = m0
	default:
		return fail(kv.ErrCorrupt, "%s: both meta pages are damaged", path)
	}
	ps := int64(m.pageSize)
	if m.pgid < 2 || int64(m.pgid) > size/ps {
		return fail(kv.ErrCorrupt, "%s: file of %d bytes is shorter than its %d pages of %d bytes (truncated?)", path, size, m.pgid, ps)
	}
	if m.root >= m.pgid {
		return fail(kv.ErrCorrupt, "%s: root page %d past the end", path, m.root)
	}
	if m.freelist != boltNoFreelist {
		if m.freelist < 2 || m.freelist >= m.pgid {
			return fail(kv.ErrCorrupt, "%s: freelist page %d past the end", path, m.freelist)
		}
		var h [boltPageHeader]byte
		if _, err := f.ReadAt(h[:], int64(m.freelist)*ps); err != nil {
			return fail(kv.ErrCorrupt, "%s: freelist page unreadable: %v", path, err)
		}
		flags := binary.NativeEndian.Uint16(h[8:])
		overflow := uint64(binary.NativeEndian.Uint32(h[boltOverflowAt:]))
		if flags&boltFreelistFlag == 0 || m.freelist+overflow >= m.pgid {
			return fail(kv.ErrCorrupt, "%s: freelist page %d is damaged", path, m.freelist)
		}
	}
	if err := checkPages(f, m); err != nil {
		return fail(kv.ErrCorrupt, "%s: %v", path, err)
	}
	return nil
}

// readMeta reads the meta of the page at offset off. magic reports whether
// the page carries bbolt's magic number; ok whether the meta is whole
// (magic, version, checksum and a sane page size).
func readMeta(r io.ReaderAt, off int64) (m boltMeta, magic, ok bool) {
	var b [boltMetaSize]byte
	if _, err := r.ReadAt(b[:], off+boltPageHeader); err != nil {
		return m, false, false
	}
	ne := binary.NativeEndian
	if ne.Uint32(b[0:]) != boltMagic {
		return m, false, false
	}
	h := fnv.New64a()
	h.Write(b[:boltMetaSumSize])
	m = boltMeta{
		pageSize: ne.Uint32(b[8:]),
		root:     ne.Uint64(b[16:]),
		freelist: ne.Uint64(b[32:]),
		pgid:     ne.Uint64(b[40:]),
		txid:     ne.Uint64(b[48:]),
	}
	ok = ne.Uint32(b[4:]) == boltVersion && ne.Uint64(b[56:]) == h.Sum64() &&
		m.pageSize >= boltMinPageSize && m.pageSize <= boltMaxPageSize && m.pageSize&(m.pageSize-1) == 0
	return m, true, ok
}
