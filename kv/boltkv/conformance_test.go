package boltkv_test

import (
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore/engine/storetest"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/boltkv"
)

var store = storetest.Store{
	Name:    "boltkv",
	Durable: true,
	Open: func(dir string, noSync bool) (kv.Store, error) {
		return boltkv.Open(filepath.Join(dir, "coldstore.db"), &boltkv.Options{NoSync: noSync})
	},
}

func TestMain(m *testing.M) { storetest.Main(m, store) }

func TestConformance(t *testing.T) { storetest.Run(t, store) }

// TestConformance_BodyCache: the model's operations, over a database that
// reads its bodies in files through a cache of checked chunks with room
// for two groups of four, taken again and again.
func TestConformance_BodyCache(t *testing.T) {
	cached := store
	cached.Name += " with a body cache"
	cached.BodyCache = 3 << 20
	storetest.RunModel(t, cached)
}
