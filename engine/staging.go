package engine

import (
	"bytes"
	"context"
	"errors"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
)

// A staging entry names the chunks a Put, a part or an Append committed
// before the record that will own them: its key is the data id (and, for
// an Append, the first chunk it staged), its value the bucket and key,
// and on a store several processes share, 0xFF and the id of the process
// that staged them (kv.Cluster.Node; 0xFF is never in a UTF-8 key).
//
// A store of one process collects every entry at Open: whoever staged it
// is gone. On a shared store the others run on: the leader collects the
// entries of processes the store reports dead (collectOrphans), and a
// publish checks that its entry is still there (unstage), so that a
// process wrongly taken for dead fails its write instead of publishing
// chunks that were collected.

const ownerMark = 0xff

// stagingValue is the value of a staging entry for bucket/key.
func (db *DB) stagingValue(bucket, key string) []byte {
	v := []byte(bucket + "\x00" + key)
	if db.cluster != nil {
		v = append(append(v, ownerMark), db.cluster.Node()...)
	}
	return v
}

// stagingOwner returns the process id a staging entry's value names, nil
// when it names none.
func stagingOwner(v []byte) []byte {
	if i := bytes.LastIndexByte(v, ownerMark); i >= 0 && len(v)-i-1 == 8 {
		return v[i+1:]
	}
	return nil
}

// unstage deletes the staging entry k as its write publishes. On a shared
// store, an entry gone means its chunks were collected: the write fails,
// retryable, with nothing changed.
func (w *writeTx) unstage(op, bucket, key string, k []byte) error {
	if err := w.db.staged(w.tx, op, bucket, key, 1, k); err != nil {
		return err
	}
	return w.tx.Bucket(bktStaging).Delete(k)
}

// staged checks, before a write stages more chunks under the data id id
// (0: none staged yet) and staging entry k, that the entry is still there
// (on a shared store; see unstage).
func (db *DB) staged(tx kv.Tx, op, bucket, key string, id uint64, k []byte) error {
	if id == 0 || db.cluster == nil || tx.Bucket(bktStaging).Get(k) != nil {
		return nil
	}
	return fail(op, bucket, key, coldstore.ErrUnavailable, "the chunks it staged were collected: this process was taken for dead")
}

// collectOrphans deletes the chunks staged by processes that the shared
// store reports dead, with their entries. The leader runs it after each
// sweep.
func (db *DB) collectOrphans(ctx context.Context) error {
	owners := map[string][][]byte{}
	err := db.view(ctx, "collectOrphans", "", "", func(tx kv.Tx) error {
		clear(owners)
		self := db.cluster.Node()
		return tx.Bucket(bktStaging).ForEach(func(k, v []byte) error {
			o := stagingOwner(v)
			if !bytes.Equal(o, self) {
				owners[string(o)] = append(owners[string(o)], bytes.Clone(k))
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	var dead [][]byte
	for o, keys := range owners {
		if o != "" {
			alive, err := db.cluster.Alive(ctx, []byte(o))
			if err != nil {
				return wrap("collectOrphans", "", "", err)
			}
			if alive {
				continue
			}
		}
		dead = append(dead, keys...)
	}
	if len(dead) == 0 {
		return nil
	}
	return db.update(ctx, "collectOrphans", "", "", func(tx kv.Tx) error {
		st := tx.Bucket(bktStaging)
		var gone [][]byte
		for _, k := range dead {
			if st.Get(k) != nil { // not published meanwhile
				gone = append(gone, k)
			}
		}
		return collectEntries(tx, gone)
	})
}

var errStagingKey = errors.New("staging entry of a length no writer makes")
