package engine

import (
	"context"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
)

// The limits of multipart uploads, as OSS sets them.
const (
	// MaxParts is the highest part number, and the most parts an upload
	// completes with.
	MaxParts = 10000
	// MinPartSize is OSS's least size of every part of a completed upload
	// but the last (100 KB): the OSS dialect's MinPartSize. A database
	// applies its dialect's (S3's is 5 MiB).
	MinPartSize = 100 << 10
	// MaxPartSize is the largest part (5 GB).
	MaxPartSize = 5 << 30
)

// chunksOf is the number of chunks a body of size bytes is stored in.
func chunksOf(size int64) uint32 {
	return uint32((size + chunkSize - 1) / chunkSize)
}

// chunkAt returns the data id and index of the n-th chunk of an object's
// content: chunk n of id for an object stored in one piece, else the chunk
// of the part it falls in.
func chunkAt(id uint64, parts []partExtent, n uint32) (uint64, uint32) {
	if parts == nil {
		return id, n
	}
	for _, p := range parts {
		c := chunksOf(p.Size)
		if n < c {
			return p.DataID, n
		}
		n -= c
	}
	return 0, n // past the end: no such chunk
}

// extentAt is chunkAt with the count of the chunks of the data id it
// returns: the object's chunks, or its part's.
func extentAt(id uint64, parts []partExtent, chunks, n uint32) (uint64, uint32, uint32) {
	if parts == nil {
		return id, n, chunks
	}
	for _, p := range parts {
		c := chunksOf(p.Size)
		if n < c {
			return p.DataID, n, c
		}
		n -= c
	}
	return 0, n, 0 // past the end: no such chunk
}

// seekChunk returns the ordinal of the chunk holding the byte at offset abs
// (< the object's size) and the offset in that chunk.
func seekChunk(parts []partExtent, abs int64) (n, skip uint32) {
	if parts == nil {
		return uint32(abs / chunkSize), uint32(abs % chunkSize)
	}
	for _, p := range parts {
		if abs < p.Size {
			return n + uint32(abs/chunkSize), uint32(abs % chunkSize)
		}
		abs -= p.Size
		n += chunksOf(p.Size)
	}
	return n, 0
}

// dropBody drops rec's content: under its data id, or under each of its
// parts'.
func (w *writeTx) dropBody(rec *objectRecord) error {
	if err := w.dropData(rec.DataID); err != nil {
		return err
	}
	for _, p := range rec.Parts {
		if err := w.dropData(p.DataID); err != nil {
			return err
		}
	}
	return nil
}

// dropData drops the body stored under data id: its chunks, or its file's
// index entry, the file going once the transaction has committed
// (writeWith).
func (w *writeTx) dropData(id uint64) error {
	if isFileID(id) && w.db.files != nil {
		w.db.files.busy(id) // until removed, or the transaction fails: Check skips it
		w.unlink = append(w.unlink, id)
	}
	return deleteChunks(w.tx, id)
}

// PartRange returns where part number n (from 1) of bucket/key lies in its
// content, and how many parts the object has, for a GetObject or
// HeadObject that names a part (S3's ?partNumber=): an object not
// completed from a multipart upload is one part. It reads the record only,
// whatever the object's restore state: the read that follows is judged as
// any read is.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrNoSuchBucket or ErrNoSuchKey when absent;
// ErrInvalidArgument when n is not a part of the object; ErrDataCorrupt
// or ErrCorrupt for a record that fails its checksum or does not decode;
// ErrClosed after Close.
func (db *DB) PartRange(ctx context.Context, bucket, key string, n int) (offset, length int64, count int, err error) {
	const op = "PartRange"
	if err := db.checkObject(op, bucket, key); err != nil {
		return 0, 0, 0, err
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return 0, 0, 0, err
	}
	defer db.release()
	err = db.view(ctx, op, bucket, key, func(tx kv.Tx) error {
		var rec objectRecord
		if _, err := loadObject(tx, op, bucket, key, &rec); err != nil {
			return err
		}
		offset, length, count = 0, rec.Size, 1
		if len(rec.Parts) > 0 {
			count = len(rec.Parts)
			if n >= 1 && n <= count {
				for _, p := range rec.Parts[:n-1] {
					offset += p.Size
				}
				length = rec.Parts[n-1].Size
			}
		}
		if n < 1 || n > count {
			return fail(op, bucket, key, coldstore.ErrInvalidArgument, "part %d of an object of %d parts", n, count)
		}
		return nil
	})
	return offset, length, count, err
}
