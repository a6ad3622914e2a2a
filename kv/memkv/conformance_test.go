package memkv_test

import (
	"testing"

	"github.com/coldstore-dev/coldstore/engine/storetest"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/memkv"
)

var store = storetest.Store{
	Name: "memkv",
	Open: func(string, bool) (kv.Store, error) { return memkv.New(), nil },
}

func TestMain(m *testing.M) { storetest.Main(m, store) }

func TestConformance(t *testing.T) { storetest.Run(t, store) }
