package dialect_test

import (
	"errors"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func s3Request(t *testing.T, class storageclass.Class, state dialect.RestoreState, c dialect.Copy, days int, tier storageclass.Tier) dialect.RestoreRequest {
	t.Helper()
	r, err := dialect.S3().Catalog().Rules(class)
	require.NoError(t, err)
	return dialect.RestoreRequest{Class: class, Rules: &r, State: state, Copy: c, Days: days, Tier: tier, Now: now,
		Latency: func(tier storageclass.Tier) time.Duration {
			l, _ := r.Latency(tier)
			return l.Max
		}}
}

// messageOf returns a refusal's own message.
func messageOf(err error) string {
	var oe *coldstore.OpError
	if errors.As(err, &oe) {
		return oe.Message
	}
	return ""
}

func midnight(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// S3's restore arithmetic: the expiry rounded up to the next midnight UTC,
// counted from completion for a first restore and from now for a repeated
// one, a speed upgrade only with the same Days.
func TestS3_Restore(t *testing.T) {
	s3 := dialect.S3()
	// now is 2024-03-01 10:00 UTC. GLACIER Standard takes 5 hours (the
	// maximum): ready 15:00, + 2 days = 03-03 15:00, rounded up to 03-04.
	dec, err := s3.Restore(s3Request(t, storageclass.S3Glacier, dialect.Archived, dialect.Copy{}, 2, ""))
	require.NoError(t, err)
	require.True(t, dec.Accepted)
	require.True(t, dec.Retrieval)
	require.Equal(t, dialect.Copy{Tier: storageclass.TierStandard, RequestedAt: now, ReadyAt: now.Add(5 * time.Hour), ExpiresAt: midnight(2024, 3, 4)}, dec.Copy)

	// DEEP_ARCHIVE Bulk: 48 hours, then one day: 03-04 10:00 → 03-05.
	dec, err = s3.Restore(s3Request(t, storageclass.S3DeepArchive, dialect.Archived, dialect.Copy{}, 1, storageclass.TierBulk))
	require.NoError(t, err)
	require.Equal(t, midnight(2024, 3, 5), dec.Copy.ExpiresAt)
	require.True(t, dec.Copy.ExpiresAt.After(dec.Copy.ReadyAt), "a one-day restore leaves a readable copy")

	// Restoring: the same request, a slower tier, or other Days: 409.
	restoring := dialect.Copy{Tier: storageclass.TierStandard, RequestedAt: now.Add(-time.Hour), ReadyAt: now.Add(4 * time.Hour), ExpiresAt: midnight(2024, 3, 4)}
	for _, c := range []struct {
		days int
		tier storageclass.Tier
	}{{2, storageclass.TierStandard}, {2, ""}, {2, storageclass.TierBulk}, {3, storageclass.TierExpedited}} {
		_, err := s3.Restore(s3Request(t, storageclass.S3Glacier, dialect.Restoring, restoring, c.days, c.tier))
		require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress, "%+v", c)
		require.Equal(t, "Object restore is already in progress", messageOf(err))
	}
	// A faster tier with the same Days speeds it up: ready in 5 minutes,
	// the expiry follows (03-01 10:05 + 2 days → 03-04).
	dec, err = s3.Restore(s3Request(t, storageclass.S3Glacier, dialect.Restoring, restoring, 2, storageclass.TierExpedited))
	require.NoError(t, err)
	require.True(t, dec.Accepted)
	require.False(t, dec.Retrieval, "no second retrieval")
	require.Equal(t, now.Add(5*time.Minute), dec.Copy.ReadyAt)
	require.Equal(t, storageclass.TierExpedited, dec.Copy.Tier)
	require.Equal(t, midnight(2024, 3, 4), dec.Copy.ExpiresAt)

	// Restored: 200, the expiry from now, which may shorten it.
	restored := dialect.Copy{Tier: storageclass.TierStandard, RequestedAt: now.Add(-48 * time.Hour), ReadyAt: now.Add(-43 * time.Hour), ExpiresAt: midnight(2024, 3, 20)}
	dec, err = s3.Restore(s3Request(t, storageclass.S3Glacier, dialect.Restored, restored, 1, ""))
	require.NoError(t, err)
	require.False(t, dec.Accepted)
	require.False(t, dec.Retrieval)
	require.Equal(t, midnight(2024, 3, 3), dec.Copy.ExpiresAt, "03-01 10:00 + 1 day, rounded up")
	require.Equal(t, restored.ReadyAt, dec.Copy.ReadyAt)

	// Refusals.
	_, err = s3.Restore(s3Request(t, storageclass.S3IntelligentTiering, dialect.NotArchived, dialect.Copy{}, 1, ""))
	require.ErrorIs(t, err, coldstore.ErrObjectAlreadyInActiveTier)
	require.Equal(t, 403, coldstore.HTTPStatus(err))
	for _, class := range []storageclass.Class{storageclass.S3Standard, storageclass.S3StandardIA, storageclass.S3OneZoneIA, storageclass.S3GlacierIR} {
		_, err := s3.Restore(s3Request(t, class, dialect.NotArchived, dialect.Copy{}, 1, ""))
		require.ErrorIs(t, err, coldstore.ErrInvalidObjectState, class)
		require.Equal(t, 403, coldstore.HTTPStatus(err))
		require.Equal(t, "Restore is not allowed for the object's current storage class", messageOf(err))
	}
	_, err = s3.Restore(s3Request(t, storageclass.S3Glacier, dialect.Archived, dialect.Copy{}, 0, ""))
	require.ErrorIs(t, err, coldstore.ErrMalformedXML, "Days is required")
	_, err = s3.Restore(s3Request(t, storageclass.S3DeepArchive, dialect.Archived, dialect.Copy{}, 1, storageclass.TierExpedited))
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "DEEP_ARCHIVE has no Expedited tier")
	_, err = s3.Restore(s3Request(t, storageclass.S3Glacier, dialect.Archived, dialect.Copy{}, 36501, ""))
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	require.ErrorIs(t, s3.CheckRestore(1, "Slow"), coldstore.ErrMalformedXML)
	require.ErrorIs(t, s3.CheckRestore(-1, ""), coldstore.ErrInvalidArgument)
	require.NoError(t, s3.CheckRestore(1, storageclass.TierBulk))

	// Near the end of time: refused, never wrapped.
	late := s3Request(t, storageclass.S3Glacier, dialect.Archived, dialect.Copy{}, 36500, "")
	late.Now = coldstore.MaxTime.Add(-time.Hour)
	_, err = s3.Restore(late)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
}

// An expiry that falls on midnight stays there.
func TestS3_RestoreOnMidnight(t *testing.T) {
	r := s3Request(t, storageclass.S3Glacier, dialect.Restored, dialect.Copy{Tier: storageclass.TierStandard, ReadyAt: now}, 3, "")
	r.Now = midnight(2024, 3, 1)
	dec, err := dialect.S3().Restore(r)
	require.NoError(t, err)
	require.Equal(t, midnight(2024, 3, 4), dec.Copy.ExpiresAt)
}

func TestS3_ReadsAndNames(t *testing.T) {
	s3 := dialect.S3()
	err := s3.Unreadable(storageclass.S3Glacier, dialect.Archived, dialect.Copy{})
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
	require.Equal(t, "The operation is not valid for the object's storage class", messageOf(err))
	err = s3.Unreadable(storageclass.S3DeepArchive, dialect.Restoring, dialect.Copy{ReadyAt: now})
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState, "while restoring too")
	require.ErrorIs(t, s3.CleanRestored(storageclass.S3Glacier, dialect.Restored, dialect.Copy{}), coldstore.ErrOperationNotSupported)

	for _, good := range []string{"abc", "my.bucket-1", "a23", "bucket.with.dots", "123", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4a"} {
		require.NoError(t, s3.CheckBucketName(good), good)
	}
	for _, bad := range []string{"ab", "Abc", "-abc", "abc-", "a..b", "192.168.1.1", "10.0.0.255", "xn--abc", "sthree-x", "amzn-s3-demo-x", "abc-s3alias", "abc--ol-s3", "a.mrap", "abc--x-s3", "abc--table-s3", "a_b", "abc.-d", "abc-.d", string(make([]byte, 64))} {
		require.ErrorIs(t, s3.CheckBucketName(bad), coldstore.ErrInvalidBucketName, bad)
	}
	key := make([]byte, 1024)
	for i := range key {
		key[i] = 'k'
	}
	require.NoError(t, s3.CheckKey(string(key)), "1024 bytes")
	require.NoError(t, s3.CheckKey("/leading/slash"), "S3 takes a leading slash")
	require.ErrorIs(t, s3.CheckKey(string(key)+"k"), coldstore.ErrKeyTooLong)
	require.ErrorIs(t, s3.CheckKey(""), coldstore.ErrInvalidObjectName)
	require.ErrorIs(t, s3.CheckKey("a\x00b"), coldstore.ErrInvalidObjectName)
	require.Equal(t, "s3", s3.Name())
	require.Equal(t, int64(5<<20), s3.MinPartSize())
	require.Equal(t, int64(100<<10), dialect.OSS().MinPartSize())
	require.Equal(t, storageclass.S3(), s3.Catalog())
}

// TestDefaultContentType: each service's answer for an object stored
// without a content type; a dialect that names none gets OSS's.
func TestDefaultContentType(t *testing.T) {
	require.Equal(t, "binary/octet-stream", dialect.DefaultContentType(dialect.S3()))
	require.Equal(t, "application/octet-stream", dialect.DefaultContentType(dialect.OSS()))
	type plain struct{ dialect.Dialect } // its methods are Dialect's alone
	require.Equal(t, "application/octet-stream", dialect.DefaultContentType(plain{dialect.S3()}))
}
