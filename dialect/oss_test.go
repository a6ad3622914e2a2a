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

var now = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

// ecOf returns the EC a refusal carries.
func ecOf(err error) string {
	var oe *coldstore.OpError
	if errors.As(err, &oe) {
		return oe.EC
	}
	return ""
}

func request(t *testing.T, class storageclass.Class, state dialect.RestoreState, c dialect.Copy, days int, tier storageclass.Tier) dialect.RestoreRequest {
	t.Helper()
	r, err := dialect.OSS().Catalog().Rules(class)
	require.NoError(t, err)
	return dialect.RestoreRequest{Class: class, Rules: &r, State: state, Copy: c, Days: days, Tier: tier, Now: now,
		Latency: func(tier storageclass.Tier) time.Duration {
			l, _ := r.Latency(tier)
			return l.Max
		}}
}

// OSS's restore arithmetic, decided without an engine: no midnight
// rounding, a repeated restore adds its Days to the expiry within the
// class's maximum, a faster tier keeps the copy's lifetime.
func TestOSS_Restore(t *testing.T) {
	oss := dialect.OSS()
	d, err := oss.Restore(request(t, storageclass.Archive, dialect.Archived, dialect.Copy{}, 2, ""))
	require.NoError(t, err)
	require.Equal(t, dialect.RestoreDecision{Accepted: true, Retrieval: true, Copy: dialect.Copy{
		RequestedAt: now, ReadyAt: now.Add(4 * time.Hour), ExpiresAt: now.Add(4*time.Hour + 48*time.Hour)}}, d)

	restored := dialect.Copy{RequestedAt: now.Add(-5 * time.Hour), ReadyAt: now.Add(-time.Hour), ExpiresAt: now.Add(47 * time.Hour)}
	d, err = oss.Restore(request(t, storageclass.Archive, dialect.Restored, restored, 3, ""))
	require.NoError(t, err)
	require.False(t, d.Accepted || d.Retrieval)
	require.Equal(t, restored.ExpiresAt.Add(72*time.Hour), d.Copy.ExpiresAt, "Days added to the expiry")
	d, err = oss.Restore(request(t, storageclass.Archive, dialect.Restored, restored, 7, ""))
	require.NoError(t, err)
	require.Equal(t, restored.ReadyAt.Add(7*24*time.Hour), d.Copy.ExpiresAt, "never past ReadyAt + MaxRestoreDays")

	running := dialect.Copy{Tier: storageclass.TierBulk, RequestedAt: now, ReadyAt: now.Add(12 * time.Hour), ExpiresAt: now.Add(36 * time.Hour)}
	d, err = oss.Restore(request(t, storageclass.ColdArchive, dialect.Restoring, running, 0, storageclass.TierExpedited))
	require.NoError(t, err)
	require.Equal(t, dialect.RestoreDecision{Accepted: true, Copy: dialect.Copy{Tier: storageclass.TierExpedited,
		RequestedAt: now, ReadyAt: now.Add(time.Hour), ExpiresAt: now.Add(25 * time.Hour)}}, d, "faster: ready sooner, same lifetime, no second retrieval")
	for tier, ec := range map[storageclass.Tier]string{"": "0016-00000701", storageclass.TierBulk: "0016-00000701"} {
		_, err = oss.Restore(request(t, storageclass.ColdArchive, dialect.Restoring, running, 0, tier))
		require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress, "tier %q", tier)
		require.Equal(t, ec, ecOf(err), "tier %q", tier)
	}
	faster := running
	faster.Tier = storageclass.TierExpedited
	_, err = oss.Restore(request(t, storageclass.ColdArchive, dialect.Restoring, faster, 0, storageclass.TierBulk))
	require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress)
	require.Equal(t, "0016-00000715", ecOf(err), "a downgrade")
}

// Each refusal gets OSS's error.
func TestOSS_Refusals(t *testing.T) {
	oss := dialect.OSS()
	for _, tc := range []struct {
		class storageclass.Class
		days  int
		tier  storageclass.Tier
		want  error
		ec    string
	}{
		{storageclass.Standard, 1, "", coldstore.ErrOperationNotSupported, "0016-00000702"},
		{storageclass.IA, 1, "", coldstore.ErrOperationNotSupported, "0016-00000702"},
		{storageclass.Archive, 8, "", coldstore.ErrInvalidArgument, "0016-00000708"},
		{storageclass.Archive, 1, storageclass.TierBulk, coldstore.ErrMalformedXML, ""},
		{storageclass.ColdArchive, 366, "", coldstore.ErrInvalidArgument, "0016-00000704"},
		{storageclass.DeepColdArchive, 1, storageclass.TierBulk, coldstore.ErrInvalidArgument, "0016-00000703"},
	} {
		_, err := oss.Restore(request(t, tc.class, dialect.Archived, dialect.Copy{}, tc.days, tc.tier))
		require.ErrorIs(t, err, tc.want, "%s days %d tier %q", tc.class, tc.days, tc.tier)
		require.Equal(t, tc.ec, ecOf(err), "%s days %d tier %q", tc.class, tc.days, tc.tier)
	}
	require.ErrorIs(t, oss.CheckRestore(-1, ""), coldstore.ErrInvalidArgument)
	require.ErrorIs(t, oss.CheckRestore(1, "Turbo"), coldstore.ErrInvalidArgument)
	require.Equal(t, "0016-00000703", ecOf(oss.CheckRestore(1, "Turbo")))
	require.NoError(t, oss.CheckRestore(0, storageclass.TierBulk))

	require.ErrorIs(t, oss.CleanRestored(storageclass.Standard, dialect.NotArchived, dialect.Copy{}), coldstore.ErrOperationNotSupported)
	require.ErrorIs(t, oss.CleanRestored(storageclass.Archive, dialect.Archived, dialect.Copy{}), coldstore.ErrArchiveRestoreFileStale)
	require.Equal(t, "0016-00000718", ecOf(oss.CleanRestored(storageclass.Archive, dialect.Archived, dialect.Copy{})))
	require.ErrorIs(t, oss.CleanRestored(storageclass.Archive, dialect.Restoring, dialect.Copy{}), coldstore.ErrArchiveRestoreNotFinished)
	require.Equal(t, "0016-00000719", ecOf(oss.CleanRestored(storageclass.Archive, dialect.Restoring, dialect.Copy{})))
	for _, st := range []dialect.RestoreState{dialect.Archived, dialect.Restoring} {
		err := oss.Unreadable(storageclass.Archive, st, dialect.Copy{})
		require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
		require.Equal(t, "0016-00000404", ecOf(err))
	}
	require.NoError(t, oss.CleanRestored(storageclass.Archive, dialect.Restored, dialect.Copy{}))

	require.ErrorIs(t, oss.CheckBucketName("Bad_Name"), coldstore.ErrInvalidBucketName)
	require.ErrorIs(t, oss.CheckKey("/abs"), coldstore.ErrInvalidObjectName)
	require.NoError(t, oss.CheckKey("a/b"))
	require.Equal(t, "oss", oss.Name())
}
