package boltkv

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
)

// checkPages walks every page of the B+trees the meta m names, as bbolt
// would read them, before bbolt opens the file. bbolt trusts its pages: a
// file that does not keep its freelist (coldstore's do not, to save a page
// a commit) is walked at open by bbolt itself to rebuild the freelist, in a
// goroutine of its own that panics on a damaged page, where no recover can
// catch it; and a damaged length or page id read later can send a read
// past the end of the mapping. So every page reachable from the root must
// be inside the file and below the high-water mark, referenced once, a
// branch or leaf page whose elements lie inside it, with keys in order as
// bbolt checks them; every nested bucket's header must be whole. The file
// is mapped, as bbolt maps it: the walk reads the pages' headers and keys,
// never the values it does not need (a 256 KiB chunk), as bbolt's own walk
// does. f holds at least m.pgid pages (checkFileHeader made sure).
func checkPages(f *os.File, m boltMeta) error {
	data, unmap, err := mapFile(f, int64(m.pgid)*int64(m.pageSize))
	if err != nil {
		return err
	}
	defer unmap()
	w := pageWalker{data: data, ps: uint64(m.pageSize), hwm: m.pgid, seen: make([]uint64, (m.pgid+63)/64)}
	return w.bucket(m.root, "root")
}

type pageWalker struct {
	data []byte // the file's first hwm pages
	ps   uint64
	hwm  uint64
	seen []uint64 // a bit per page: reached
}

// reach marks page id reached, and reports whether it was before.
func (w *pageWalker) reach(id uint64) bool {
	word, bit := id/64, uint64(1)<<(id%64)
	before := w.seen[word]&bit != 0
	w.seen[word] |= bit
	return before
}

// bbolt's page layout.
const (
	pageBranch      = 0x01
	pageLeaf        = 0x02
	elementSize     = 16
	bucketLeafFlag  = 0x01
	bucketHeaderLen = 16 // root page id, sequence
)

// page reads page id with its overflow pages, checking its header.
func (w *pageWalker) page(id uint64, where string) ([]byte, error) {
	if id < 2 || id >= w.hwm {
		return nil, fmt.Errorf("%s: page %d outside [2, %d)", where, id, w.hwm)
	}
	h := w.data[id*w.ps:]
	ne := binary.NativeEndian
	overflow := uint64(ne.Uint32(h[boltOverflowAt:]))
	if got := ne.Uint64(h[0:]); got != id {
		return nil, fmt.Errorf("%s: page %d says it is page %d", where, id, got)
	}
	if overflow >= w.hwm-id {
		return nil, fmt.Errorf("%s: page %d overflows past the end", where, id)
	}
	for i := id; i <= id+overflow; i++ {
		if w.reach(i) {
			return nil, fmt.Errorf("%s: page %d referenced twice", where, i)
		}
	}
	return h[:(overflow+1)*w.ps], nil
}

// bucket walks the tree of a bucket whose root is page root.
func (w *pageWalker) bucket(root uint64, where string) error {
	_, err := w.tree(root, nil, nil, where)
	return err
}

// tree walks the subtree of page id, whose keys lie in [lo, hi) (nil:
// unbounded) and, below a branch, start with lo: bbolt keys each child of a
// branch by the child's first key, and finds a child by that key when it
// merges or removes it (a mismatch frees a page twice). It returns the
// subtree's largest key.
func (w *pageWalker) tree(id uint64, lo, hi []byte, where string) ([]byte, error) {
	p, err := w.page(id, where)
	if err != nil {
		return nil, err
	}
	where = fmt.Sprintf("%s: page %d", where, id)
	flags := binary.NativeEndian.Uint16(p[8:])
	switch flags {
	case pageBranch:
		elems, err := elements(p, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if len(elems) == 0 {
			return nil, fmt.Errorf("%s: empty branch page", where)
		}
		if err := ordered(elems, lo, hi); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if lo != nil && !bytes.Equal(elems[0].key, lo) {
			return nil, fmt.Errorf("%s: first key is not its parent's key for it", where)
		}
		var last []byte // the largest key of the subtrees walked so far
		for i, e := range elems {
			max := hi
			if i+1 < len(elems) {
				max = elems[i+1].key
			}
			if i > 0 && last != nil && bytes.Compare(last, e.key) >= 0 {
				return nil, fmt.Errorf("%s: key %d is not above the keys before it", where, i)
			}
			if last, err = w.tree(e.child, e.key, max, where); err != nil {
				return nil, err
			}
		}
		return last, nil
	case pageLeaf:
		elems, err := elements(p, true)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if err := ordered(elems, lo, hi); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if lo != nil && (len(elems) == 0 || !bytes.Equal(elems[0].key, lo)) {
			return nil, fmt.Errorf("%s: first key is not its parent's key for it", where)
		}
		if err := w.nested(elems, where); err != nil {
			return nil, err
		}
		if len(elems) == 0 {
			return nil, nil
		}
		return elems[len(elems)-1].key, nil
	}
	return nil, fmt.Errorf("%s: flags %#x: not a branch or leaf page", where, flags)
}

// nested walks the buckets that a leaf's elements hold.
func (w *pageWalker) nested(elems []element, where string) error {
	for _, e := range elems {
		if !e.bucket {
			continue
		}
		at := fmt.Sprintf("%s: bucket %q", where, e.key)
		if len(e.value) < bucketHeaderLen {
			return fmt.Errorf("%s: header of %d bytes", at, len(e.value))
		}
		root := binary.NativeEndian.Uint64(e.value)
		if root != 0 {
			if err := w.bucket(root, at); err != nil {
				return err
			}
			continue
		}
		// Inline: a leaf page inside the value.
		inline := e.value[bucketHeaderLen:]
		if len(inline) < boltPageHeader || binary.NativeEndian.Uint16(inline[8:]) != pageLeaf {
			return fmt.Errorf("%s: inline page is not a leaf", at)
		}
		elems, err := elements(inline, true)
		if err != nil {
			return fmt.Errorf("%s: inline page: %v", at, err)
		}
		if err := ordered(elems, nil, nil); err != nil {
			return fmt.Errorf("%s: inline page: %v", at, err)
		}
		if err := w.nested(elems, at); err != nil {
			return err
		}
	}
	return nil
}

// element is one element of a branch or leaf page.
type element struct {
	key, value []byte
	child      uint64 // branch: the child's page id
	bucket     bool   // leaf: the value is a nested bucket
}

// elements parses the elements of page p, each of which must lie inside p.
func elements(p []byte, leaf bool) ([]element, error) {
	ne := binary.NativeEndian
	count := uint64(ne.Uint16(p[10:]))
	size := uint64(len(p))
	if boltPageHeader+count*elementSize > size {
		return nil, fmt.Errorf("%d elements do not fit the page", count)
	}
	out := make([]element, count)
	for i := range count {
		at := boltPageHeader + i*elementSize
		e := p[at : at+elementSize]
		var pos, ksize, vsize uint64
		if leaf {
			out[i].bucket = ne.Uint32(e[0:])&bucketLeafFlag != 0
			pos, ksize, vsize = uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
		} else {
			pos, ksize = uint64(ne.Uint32(e[0:])), uint64(ne.Uint32(e[4:]))
			out[i].child = ne.Uint64(e[8:])
		}
		start := at + pos
		if ksize == 0 {
			return nil, fmt.Errorf("element %d has an empty key", i)
		}
		if start+ksize+vsize > size {
			return nil, fmt.Errorf("element %d (key %d bytes, value %d bytes at %d) runs past the page", i, ksize, vsize, pos)
		}
		out[i].key = p[start : start+ksize]
		out[i].value = p[start+ksize : start+ksize+vsize]
	}
	return out, nil
}

// ordered checks that the keys rise strictly and lie in [lo, hi).
func ordered(elems []element, lo, hi []byte) error {
	for i, e := range elems {
		switch {
		case i == 0 && lo != nil && bytes.Compare(lo, e.key) > 0:
			return fmt.Errorf("key %d is below its parent's", i)
		case i > 0 && bytes.Compare(elems[i-1].key, e.key) >= 0:
			return fmt.Errorf("key %d is not above key %d", i, i-1)
		case hi != nil && bytes.Compare(e.key, hi) >= 0:
			return fmt.Errorf("key %d is not below the next key of its parent", i)
		}
	}
	return nil
}
