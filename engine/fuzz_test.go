package engine_test

import (
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore/engine/storetest"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/boltkv"
)

// FuzzOps drives the model test's operations from the fuzzer's bytes, on
// the default store.
func FuzzOps(f *testing.F) {
	for _, seed := range storetest.FuzzSeeds() {
		f.Add(seed)
	}
	bolt := storetest.Store{Name: "boltkv", Durable: true, Open: func(dir string, noSync bool) (kv.Store, error) {
		return boltkv.Open(filepath.Join(dir, "coldstore.db"), &boltkv.Options{NoSync: noSync})
	}}
	f.Fuzz(func(t *testing.T, b []byte) { storetest.Fuzz(t, bolt, b) })
}
