package lifecycle_test

import (
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/stretchr/testify/require"
)

// ExpirationOf names the rule that expires an object first, and when:
// S3 counts days to the midnight UTC after, OSS exactly; a disabled rule,
// a rule of another prefix, a rule that only transitions: none.
func TestExpirationOf(t *testing.T) {
	modified := time.Date(2024, 1, 1, 15, 30, 0, 0, time.UTC)
	o := lifecycle.Object{Key: "logs/a", Size: 10, LastModified: modified}
	c := &lifecycle.Configuration{Dialect: lifecycle.DialectS3, Rules: []lifecycle.Rule{
		{ID: "off", Prefix: "logs/", Enabled: false, Expiration: &lifecycle.Expiration{Days: 1}},
		{ID: "other", Prefix: "img/", Enabled: true, Expiration: &lifecycle.Expiration{Days: 1}},
		{ID: "late", Prefix: "logs/", Enabled: true, Expiration: &lifecycle.Expiration{Days: 30}},
		{ID: "soon", Prefix: "", Enabled: true, Expiration: &lifecycle.Expiration{Days: 3}},
		{ID: "also soon", Prefix: "logs/", Enabled: true, Expiration: &lifecycle.Expiration{Days: 3}},
	}}
	due, id := c.ExpirationOf(o)
	require.Equal(t, time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC), due, "3 days after, then the next midnight UTC")
	require.Equal(t, "soon", id, "of rules due at once, the first")
	require.Equal(t, due, c.NextExpiration(o))

	c.Dialect = lifecycle.DialectOSS
	due, _ = c.ExpirationOf(o)
	require.Equal(t, modified.Add(72*time.Hour), due, "OSS counts exactly")

	date := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	c.Rules = []lifecycle.Rule{{ID: "by-date", Enabled: true, Expiration: &lifecycle.Expiration{Date: date}}}
	due, id = c.ExpirationOf(o)
	require.Equal(t, date, due)
	require.Equal(t, "by-date", id)

	c.Rules = []lifecycle.Rule{{ID: "moves", Enabled: true, Transitions: []lifecycle.Transition{{Days: 1, StorageClass: "Archive"}}}}
	due, id = c.ExpirationOf(o)
	require.True(t, due.IsZero())
	require.Empty(t, id)
}

// AbortOf names the rule that aborts an upload first, and when.
func TestAbortOf(t *testing.T) {
	initiated := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	c := &lifecycle.Configuration{Dialect: lifecycle.DialectS3, Rules: []lifecycle.Rule{
		{ID: "slow", Prefix: "tmp/", Enabled: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 7}},
		{ID: "fast", Prefix: "", Enabled: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 2}},
	}}
	due, id, ok := c.AbortOf("tmp/a", initiated)
	require.True(t, ok)
	require.Equal(t, "fast", id)
	require.Equal(t, time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC), due)
	d2, ok2 := c.AbortDue("tmp/a", initiated)
	require.Equal(t, due, d2)
	require.True(t, ok2)
	_, id, ok = (*lifecycle.Configuration)(nil).AbortOf("k", initiated)
	require.False(t, ok)
	require.Empty(t, id)
}
