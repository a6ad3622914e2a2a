package pgkv_test

import (
	"context"
	"testing"

	"github.com/coldstore-dev/coldstore/engine/storetest"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/pgkv"
	"github.com/coldstore-dev/coldstore/kv/pgkv/pgtest"
)

var store = storetest.Store{
	Name:    "pgkv",
	Durable: true,
	Open: func(dir string, _ bool) (kv.Store, error) {
		u, err := pgtest.SchemaURL(dir)
		if err != nil {
			return nil, err
		}
		return pgkv.Open(context.Background(), u, nil)
	},
}

func TestMain(m *testing.M) { storetest.Main(m, store) }

func TestConformance(t *testing.T) {
	pgtest.Server(t)
	storetest.Run(t, store)
}
