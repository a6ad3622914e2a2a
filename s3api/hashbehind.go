package s3api

import (
	"hash"
	"sync"
)

// hashBehindMin is the smallest declared body whose sums hashBehind moves
// to a goroutine of their own: below it, handing the bytes over costs
// more than it saves.
const hashBehindMin = 512 << 10

// hashBehindPiece is the size of the pieces handed over, and
// hashBehindPieces how many a body has at most: the memory a request
// holds for it, and how far the reading may run ahead of the hashing.
const (
	hashBehindPiece  = 128 << 10
	hashBehindPieces = 4
)

var hashBehindPool = sync.Pool{New: func() any { b := make([]byte, 0, hashBehindPiece); return &b }}

// bodyHashes are the sums a request body is checked against (Content-MD5,
// x-amz-content-sha256, x-amz-checksum-*), fed as the body is read: in
// the reader's goroutine, or, after start, in one of their own, copied
// there in pieces, so that a large PUT's SHA-256 runs beside the engine's
// MD5 and its disk writes instead of before them. wait returns once every
// byte written is hashed; Sum may be read then.
type bodyHashes struct {
	hs   []hash.Hash
	cur  *[]byte       // the piece being filled; nil when none
	work chan *[]byte  // full pieces, to the goroutine; nil before start
	free chan *[]byte  // hashed pieces, back
	done chan struct{} // closed when the goroutine has ended
	made int           // pieces taken from the pool
}

// add registers a hash.
func (b *bodyHashes) add(h hash.Hash) { b.hs = append(b.hs, h) }

// start moves the hashing to a goroutine of its own; stop must follow.
func (b *bodyHashes) start() {
	if len(b.hs) == 0 || b.work != nil {
		return
	}
	b.work = make(chan *[]byte, hashBehindPieces)
	b.free = make(chan *[]byte, hashBehindPieces)
	b.done = make(chan struct{})
	go func() {
		defer close(b.done)
		for p := range b.work {
			for _, h := range b.hs {
				h.Write(*p)
			}
			b.free <- p
		}
	}()
}

// write hashes p, or copies it into pieces for the goroutine.
func (b *bodyHashes) write(p []byte) {
	if b.work == nil {
		for _, h := range b.hs {
			h.Write(p)
		}
		return
	}
	for len(p) > 0 {
		if b.cur == nil {
			b.cur = b.piece()
		}
		c := *b.cur
		k := copy(c[len(c):cap(c)], p)
		*b.cur, p = c[:len(c)+k], p[k:]
		if len(*b.cur) == cap(c) {
			b.work <- b.cur
			b.cur = nil
		}
	}
}

// piece returns an empty piece: a new one while fewer than
// hashBehindPieces exist, else the next the goroutine has hashed.
func (b *bodyHashes) piece() *[]byte {
	var p *[]byte
	select {
	case p = <-b.free:
	default:
		if b.made < hashBehindPieces {
			b.made++
			p = hashBehindPool.Get().(*[]byte)
		} else {
			p = <-b.free
		}
	}
	*p = (*p)[:0]
	return p
}

// wait returns when every byte written is hashed.
func (b *bodyHashes) wait() {
	if b.work == nil || b.done == nil {
		return
	}
	if b.cur != nil {
		b.work <- b.cur
		b.cur = nil
	}
	close(b.work)
	<-b.done
	b.done = nil
}

// stop ends the goroutine, if start began one, and returns its pieces to
// the pool. The hashes are complete only if the body was read to its end.
func (b *bodyHashes) stop() {
	if b.work == nil {
		return
	}
	b.wait()
	if b.cur != nil {
		hashBehindPool.Put(b.cur)
		b.cur = nil
	}
	for range b.made {
		hashBehindPool.Put(<-b.free)
	}
	b.made = 0
}
