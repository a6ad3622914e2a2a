package engine

import (
	"testing"

	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// A bucket record with an ACL other than private is version 3, with or
// without tags; a private one is written as before ACLs existed (version
// 1 or 2), byte for byte.
func TestBucketRecord_ACL(t *testing.T) {
	for _, r := range []bucketRecord{
		{Class: storageclass.IA, Created: epoch, ACL: ACLPublicRead},
		{Class: storageclass.IA, Created: epoch, ACL: ACLPublicReadWrite, Tags: map[string]string{"a": "1"}},
	} {
		b := r.encode()
		require.Equal(t, byte(bucketVersionACL), b[0])
		got, err := decodeBucket(b)
		require.NoError(t, err)
		require.Equal(t, r, got)
		for i := range len(b) {
			_, err := decodeBucket(b[:i])
			require.Error(t, err, "cut at %d", i)
		}
		_, err = decodeBucket(append(b, 0))
		require.Error(t, err, "a byte too many")

		private := r
		private.ACL = ""
		withoutACL := private.encode()
		require.NotEqual(t, byte(bucketVersionACL), withoutACL[0], "private: as before ACLs")
		got, err = decodeBucket(withoutACL)
		require.NoError(t, err)
		require.Equal(t, private, got)
	}
	// Version 3 is written only with public-read or public-read-write.
	base := bucketRecord{Class: storageclass.IA, Created: epoch}
	for _, acl := range []string{"", ACLPrivate, ACLDefault, "public"} {
		v1 := base.encode()
		b := append([]byte{bucketVersionACL}, v1[1:]...)
		b = append(b, 0) // no tags
		b = appendString(b, acl)
		_, err := decodeBucket(b)
		require.Error(t, err, "version 3 with ACL %q", acl)
	}
}

// A private bucket record encodes exactly as it did before ACLs: version
// 1 without tags, version 2 with.
func TestBucketRecord_PrivateUnchanged(t *testing.T) {
	r := bucketRecord{Class: storageclass.Archive, Created: epoch, AccessMonitor: true, AccessSince: epoch}
	want := []byte{1}
	want = appendString(want, string(r.Class))
	want = appendTime(want, r.Created)
	want = append(want, 1)
	want = appendTime(want, r.AccessSince)
	require.Equal(t, want, r.encode())
	r.Tags = map[string]string{"k": "v"}
	want[0] = 2
	want = appendMap(want, r.Tags)
	require.Equal(t, want, r.encode())
}

// An object's ACL is encoded in version 4 and read back; "" (default)
// needs no version 4.
func TestObjectRecord_ACL(t *testing.T) {
	rec := objectRecord{Size: 1, ContentType: "text/plain", LastModified: epoch, Class: storageclass.Standard, ClassSince: epoch, LastAccess: epoch, Body: []byte("x")}
	require.Equal(t, byte(objectVersion), rec.encode("k")[0])
	for _, acl := range []string{ACLPrivate, ACLPublicRead, ACLPublicReadWrite} {
		rec.ACL = acl
		b := rec.encode("k")
		require.Equal(t, byte(objectVersionExt), b[0])
		got, err := decodeRecord("k", b)
		require.NoError(t, err)
		require.Equal(t, rec, got)
	}
}
