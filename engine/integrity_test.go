package engine

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/stretchr/testify/require"
)

// TestIntegrity_DamagedRecordsAndChunks: a damaged record fails Get, Head
// and List with ErrDataCorrupt, whether the damage still parses or not; a
// damaged chunk fails the read of that chunk; Check reports each; nothing
// returns other bytes than were stored.
func TestIntegrity_DamagedRecordsAndChunks(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		size int
		at   func(rec []byte) int // the byte of the record to damage; -1: a chunk's
	}{
		"inline body":          {100, func(rec []byte) int { return len(rec) - sumSize - 40 }},
		"size field":           {100, func([]byte) int { return 3 }},
		"content type length":  {100, func([]byte) int { return 1 + 8 + 16 + 8 }},
		"the sum itself":       {100, func(rec []byte) int { return len(rec) - 1 }},
		"record of a chunked":  {3*chunkSize + 5, func(rec []byte) int { return 10 }},
		"second chunk's bytes": {3*chunkSize + 5, func([]byte) int { return -1 }},
		"one chunk's bytes":    {64 << 10, func([]byte) int { return -1 }}, // a nested bucket's (chunkstore.go)
	} {
		t.Run(name, func(t *testing.T) {
			db := openTemp(t)
			body := bytes.Repeat([]byte("0123456789"), tc.size/10+1)[:tc.size]
			_, err := db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
			require.NoError(t, err)
			inRecord := false
			require.NoError(t, db.store.Update(context.Background(), func(tx kv.Tx) error {
				ob := objectsBucket(tx, "bkt")
				rec := bytes.Clone(ob.Get([]byte("k")))
				i := tc.at(rec)
				if inRecord = i >= 0; inRecord {
					rec[i] ^= 0x40
					return ob.Put([]byte("k"), rec)
				}
				var r objectRecord
				require.NoError(t, r.decode("k", ob.Get([]byte("k"))))
				if isFileID(r.DataID) { // a body in a file (bodyfiles.go)
					flipFileByte(t, db, r.DataID, fileOffset(1)+1000)
					return nil
				}
				ck := chunkKey(r.DataID, min(1, r.Chunks-1))
				c := bytes.Clone(getChunk(tx.Bucket(bktData), ck))
				c[1000] ^= 1
				return putChunk(tx.Bucket(bktData), ck, c, db.nestChunks())
			}))
			obj, err := db.Get(ctx, "bkt", "k")
			if err == nil {
				var got bytes.Buffer
				_, err = io.Copy(&got, obj)
				require.True(t, bytes.HasPrefix(body, got.Bytes()), "the bytes before the damage are the stored ones")
				require.Less(t, got.Len(), len(body))
				require.NoError(t, obj.Close())
			} else if inRecord {
				_, herr := db.Head(ctx, "bkt", "k")
				require.ErrorIs(t, herr, coldstore.ErrDataCorrupt)
				_, lerr := db.List(ctx, "bkt", nil)
				require.ErrorIs(t, lerr, coldstore.ErrDataCorrupt)
			}
			require.ErrorIs(t, err, coldstore.ErrDataCorrupt)
			require.Equal(t, 500, coldstore.HTTPStatus(err))
			cerr := db.Check(ctx)
			require.ErrorIs(t, cerr, ErrCorrupt, "Check reports it")
		})
	}
}
