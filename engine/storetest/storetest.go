// Package storetest is the conformance suite of the store seam: the engine
// run over a kv.Store, checked against the model of the service
// (engine/internal/model). Every store runs it from its tests:
//
//	var store = storetest.Store{Name: "memkv", Open: ...}
//	func TestMain(m *testing.M)        { storetest.Main(m, store) }
//	func TestConformance(t *testing.T) { storetest.Run(t, store) }
//
// Run runs the contract of package kv (kvtest), the model test (20,000 random operations per run, against the
// model; 2,000,000 with -long), the seed's story of an archived object,
// and, for a durable store, the crash test (a child process writing —
// objects, restores, appends, links, multipart uploads — killed
// with SIGKILL at random, 20 rounds; 200 with -long). Every database it
// opens passes Check when its test ends. A store that passes it can carry
// the engine.
package storetest

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/kvtest"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Store describes the store under test.
type Store struct {
	// Name names the store in messages.
	Name string
	// Open returns a store over dir, a directory of its own for each
	// database: empty the first time, and for a durable store holding what
	// the store last closed, or last crashed with, there. noSync asks for
	// the store's fastest mode that still survives a crash of the process
	// (the machine's is another matter).
	Open func(dir string, noSync bool) (kv.Store, error)
	// Durable is true when what a store committed is there when Open is
	// called again on its directory, after Close or after the process was
	// killed: the model test then closes and opens the database, and the
	// crash test runs.
	Durable bool
	// BodyCache is the engine's Options.BodyCache in the model test's
	// databases: reads of bodies in files go through a cache of checked
	// chunks of this many bytes. 0: none.
	BodyCache int64
}

// Main runs the tests of m, or, in the child process of the crash test,
// the child's writes on s. Call it from the TestMain of the package that
// runs Run.
func Main(m *testing.M, s Store) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		os.Exit(crashChild(s, spec))
	}
	os.Exit(m.Run())
}

// Run runs the conformance suite on s.
func Run(t *testing.T, s Store) {
	t.Run("KV", func(t *testing.T) {
		kvtest.Run(t, func(t *testing.T) kv.Store {
			st, err := s.Open(t.TempDir(), true)
			if err != nil {
				t.Fatalf("storetest: open %s: %v", s.Name, err)
			}
			return st
		})
	})
	t.Run("Model", func(t *testing.T) { testModel(t, s) })
	t.Run("Seed", func(t *testing.T) { testSeed(t, s) })
	if s.Durable {
		t.Run("Crash", func(t *testing.T) { testCrash(t, s) })
	}
}

// RunModel runs Run's comparison with the reference model alone: for a
// second configuration of a store whose other tests Run has run.
func RunModel(t *testing.T, s Store) { testModel(t, s) }

// Open opens an engine over a new store of s, on opts, with a cleanup that
// fails the test when the database's invariants are broken at its end
// (db.Check) and closes it.
func Open(t testing.TB, s Store, opts *engine.Options) *engine.DB {
	t.Helper()
	st, err := s.Open(t.TempDir(), true)
	if err != nil {
		t.Fatalf("storetest: open %s: %v", s.Name, err)
	}
	db, err := engine.OpenStore(st, opts)
	if err != nil {
		t.Fatalf("storetest: open the engine on %s: %v", s.Name, err)
	}
	t.Cleanup(func() {
		err := db.Check(context.Background())
		if errors.Is(err, coldstore.ErrClosed) {
			return // the test closed it
		}
		if err != nil {
			t.Errorf("storetest: invariants broken at the end of the test:\n%v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("storetest: close: %v", err)
		}
	})
	return db
}

var allClasses = []storageclass.Class{storageclass.Standard, storageclass.IA, storageclass.Archive, storageclass.ColdArchive, storageclass.DeepColdArchive}
