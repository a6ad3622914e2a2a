package ossapi_test

import (
	"testing"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// The front parses class names with the database's catalog: a class added
// with NewCatalog is named on the wire like OSS's own, any case.
func TestHandler_CatalogClass(t *testing.T) {
	rules := map[storageclass.Class]storageclass.Rules{}
	for _, c := range []storageclass.Class{storageclass.Standard, storageclass.Archive} {
		r, err := storageclass.OSS().Rules(c)
		require.NoError(t, err)
		rules[c] = r
	}
	cold := rules[storageclass.Archive]
	cold.Rank = 7
	rules["Frosty"] = cold
	cat, err := storageclass.NewCatalog(rules)
	require.NoError(t, err)
	db, m := enginetest.New(t, &engine.Options{Catalog: cat})
	h := ossapi.New(db, &ossapi.Options{Clock: m})

	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "<CreateBucketConfiguration><StorageClass>frosty</StorageClass></CreateBucketConfiguration>", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "cold", map[string]string{"x-oss-storage-class": "FROSTY"}).Code)
	w := do(t, h, "HEAD", "/bkt/k", "", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, "Frosty", w.Header().Get("x-oss-storage-class"))
	require.Equal(t, 403, do(t, h, "GET", "/bkt/k", "", nil).Code, "Frosty needs a restore")
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/plain", "x", nil).Code)
	require.Equal(t, "Frosty", do(t, h, "HEAD", "/bkt/plain", "", nil).Header().Get("x-oss-storage-class"), "the bucket's class")
	w = do(t, h, "PUT", "/bkt/k2", "x", map[string]string{"x-oss-storage-class": "ColdArchive"})
	require.Equal(t, 400, w.Code, "a class the catalog lacks")
	require.Equal(t, "InvalidArgument", errorOf(t, w).Code)
}
