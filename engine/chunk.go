package engine

import (
	"encoding/binary"
	"errors"

	"github.com/zeebo/xxh3"
)

// A stored chunk is its bytes followed by their sum, the 64-bit XXH3 seeded
// with the XXH3 of the chunk's key (as recordSum): every read checks it, so a damaged chunk, or a chunk found under
// another key, fails the read instead of returning other bytes than were
// written.

// chunkTrailer is the size of a chunk's checksum.
const chunkTrailer = sumSize

var errChunkChecksum = errors.New("chunk fails its checksum")

// sealChunk writes the checksum of the chunk c stored under key into the
// sumSize bytes after it, and returns the value to store: c with them, in
// c's array when it has the room (Put's buffers do), else in a new one.
func sealChunk(key, c []byte) []byte {
	if cap(c)-len(c) < chunkTrailer {
		c = append(make([]byte, 0, len(c)+chunkTrailer), c...)
	}
	v := c[:len(c)+chunkTrailer]
	binary.BigEndian.PutUint64(v[len(c):], chunkSum(key, c))
	return v
}

// openChunk returns the bytes of the stored value v of key, aliasing v, or
// errChunkChecksum.
func openChunk(key, v []byte) ([]byte, error) {
	if len(v) < chunkTrailer {
		return nil, errChunkChecksum
	}
	c := v[:len(v)-chunkTrailer]
	if binary.BigEndian.Uint64(v[len(c):]) != chunkSum(key, c) {
		return nil, errChunkChecksum
	}
	return c, nil
}

// copyChunk copies the bytes of the stored value v of key into dst, which
// has room for them, and checks them there: the copy reads v from the
// file's mapping once and leaves the bytes in the cache for the check. It
// returns their count, or 0 and errChunkChecksum (dst then holds nothing
// to use).
func copyChunk(dst, key, v []byte) (int, error) {
	if len(v) < chunkTrailer || len(dst) < len(v)-chunkTrailer {
		return 0, errChunkChecksum
	}
	n := copy(dst, v[:len(v)-chunkTrailer])
	if binary.BigEndian.Uint64(v[n:]) != chunkSum(key, dst[:n]) {
		return 0, errChunkChecksum
	}
	return n, nil
}

func chunkSum(key, c []byte) uint64 {
	return xxh3.HashSeed(c, xxh3.Hash(key))
}
