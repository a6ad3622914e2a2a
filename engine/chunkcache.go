package engine

import (
	"math"
	"sync"
)

// A chunkCache keeps chunks of body files (bodyfiles.go) in memory once a
// read has checked them, so that a GET of a large object read before
// writes them from there: no read of the file and no second check, one
// pass over the bytes where the checked read makes three (the read's copy
// out of the page cache, the check, the socket's copy). It is a block
// cache of the kind pebble keeps, of checked bytes: what it holds went
// through openChunk, and a read served from it returns those bytes, the
// stored ones, whatever the disk holds by then (Check reads the files, not
// the cache, so damage on the disk is still found).
//
// A slot holds a group of up to four consecutive chunks of one data id,
// from a multiple of four, one after another without their sums: a MiB
// that a GET writes in one call, as WriteTo's pieces are (sendPiece). A
// group may hold fewer chunks than the id has there: a read fills only
// the chunks it needs, and stops at a chunk that fails its check; a read
// of a chunk past them fills the group again, from its start.
//
// Its memory is an arena of slots, mapped outside Go's heap
// (arena_unix.go): a cache in the heap would count in the collector's
// pacing and let the garbage grow by as much again. Pages are taken from
// the system only as slots are first filled, so the cache's size is a
// bound, not a cost.
//
// A slot is found by the group it holds (data id and group number),
// pinned while a reader writes from it, and replaced by the CLOCK rule: a
// slot read since the hand last passed is passed once more, a pinned one
// is never taken.
//
// A chunk is never found under an id whose file is another's. File ids
// are not reused while a file exists; remove, once it has removed files,
// drops their groups and moves the cache's generation on. A read notes
// the generation before it opens its file, and publish keeps what it read
// only while the generation is still that one: a read of a file removed
// since (open files outlive their removal) fills slots for itself alone,
// never for a later file that draws the same id.
type chunkCache struct {
	mu     sync.Mutex
	arena  []byte
	free   func() // returns the arena to the system
	slots  []cacheSlot
	index  map[chunkRef]int32
	hand   int
	gen    uint64 // drops so far (the generation)
	pins   int    // slots pinned, over all slots: the arena is freed at 0 once closed
	closed bool   // close was called: nothing is found or reserved
}

// chunkRef names a group of chunks: chunks slotChunks·g to
// slotChunks·(g+1)−1 of data id.
type chunkRef struct {
	id uint64
	g  uint32
}

// cacheSlot is the state of one slot of the arena.
type cacheSlot struct {
	ref  chunkRef
	n    int32 // bytes of the chunks it holds, without their sums
	pins int32
	live bool // found in the index under ref
	used bool // read since the hand passed it
}

// slotChunks is how many chunks a slot holds.
const slotChunks = sendPiece / chunkSize

// slotSize is a slot's room: its chunks and a sum, so that a file's
// sealed chunk is read straight into its place, its sum over the start of
// the next (which the next read overwrites).
const slotSize = slotChunks*chunkSize + chunkTrailer

// newChunkCache returns a cache of at most size bytes, nil (no cache) when
// size holds no slot or the arena cannot be mapped.
func newChunkCache(size int64) *chunkCache {
	n := size / slotSize
	if n <= 0 {
		return nil
	}
	n = min(n, 64<<30/slotSize, math.MaxInt/slotSize) // at most 64 GiB, and what an int counts
	arena, free, err := mapArena(int(n) * slotSize)
	if err != nil {
		return nil
	}
	return &chunkCache{
		arena: arena,
		free:  free,
		slots: make([]cacheSlot, n),
		index: make(map[chunkRef]int32, n),
	}
}

// bytes is slot s's room, a sealed chunk's.
func (c *chunkCache) bytes(s int32) []byte {
	off := int(s) * slotSize
	return c.arena[off : off+slotSize : off+slotSize]
}

// get returns the slot holding r, pinned, and the bytes of the chunks it
// holds; -1 and nil when the cache does not hold r. release unpins it.
func (c *chunkCache) get(r chunkRef) (int32, []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.index[r]
	if !ok {
		return -1, nil
	}
	sl := &c.slots[s]
	sl.pins++
	sl.used = true
	c.pins++
	return s, c.bytes(s)[:sl.n]
}

// reserve takes a slot for chunks about to be read, pinned and found by
// no one: the first slot never filled or dropped, else the one the CLOCK
// hand stops at. It returns -1 when every slot is pinned, or after close.
func (c *chunkCache) reserve() (int32, []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return -1, nil
	}
	for range 2 * len(c.slots) {
		s := c.hand
		c.hand = (c.hand + 1) % len(c.slots)
		sl := &c.slots[s]
		if sl.pins > 0 {
			continue
		}
		if sl.live && sl.used {
			sl.used = false
			continue
		}
		if sl.live {
			delete(c.index, sl.ref)
		}
		*sl = cacheSlot{pins: 1}
		c.pins++
		return int32(s), c.bytes(int32(s))
	}
	return -1, nil
}

// generation returns the cache's generation, for a read to note before
// it opens a file.
func (c *chunkCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// publish makes slot s, reserved and now holding n bytes of the checked
// chunks of r, read from a file opened in generation gen, found under r.
// It stays pinned. When another read published r first with as many
// bytes or more, or a drop has come since gen, s stays unfound, and is
// free again once released; a fill with fewer bytes gives way to s.
func (c *chunkCache) publish(s int32, r chunkRef, n int, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || gen != c.gen {
		return
	}
	if e, ok := c.index[r]; ok {
		if c.slots[e].n >= int32(n) {
			return
		}
		c.slots[e].live, c.slots[e].used = false, false
	}
	c.index[r] = s
	c.slots[s] = cacheSlot{ref: r, n: int32(n), pins: c.slots[s].pins, live: true, used: true}
}

// release unpins slot s, got or reserved. The last release after close
// frees the arena.
func (c *chunkCache) release(s int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slots[s].pins--
	c.pins--
	if c.closed && c.pins == 0 {
		c.unmap()
	}
}

// drop forgets the groups of the data ids ids, whose files have been
// removed, and moves the generation on. A slot being written from stays
// in use until released.
func (c *chunkCache) drop(ids []uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if len(c.index) == 0 {
		return
	}
	gone := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	for s := range c.slots {
		if sl := &c.slots[s]; sl.live && gone[sl.ref.id] {
			delete(c.index, sl.ref)
			sl.live, sl.used = false, false
		}
	}
}

// close empties the cache; its arena is freed once no slot is pinned.
func (c *chunkCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	clear(c.index)
	for s := range c.slots {
		c.slots[s].live = false
	}
	if c.pins == 0 {
		c.unmap()
	}
}

// unmap frees the arena; c.mu is held.
func (c *chunkCache) unmap() {
	if c.free != nil {
		c.free()
		c.free, c.arena = nil, nil
	}
}
