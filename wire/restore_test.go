package wire_test

import (
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestRestoreHeader: the header while restoring and once restored (the
// expiry in GMT whatever the zone), none otherwise.
func TestRestoreHeader(t *testing.T) {
	exp := time.Date(2017, 4, 16, 16, 12, 33, 0, time.FixedZone("UTC+8", 8*3600))
	for st, want := range map[engine.RestoreState]string{
		engine.NotArchived: "",
		engine.Archived:    "",
		engine.Restoring:   `ongoing-request="true"`,
		engine.Restored:    `ongoing-request="false", expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"`,
	} {
		require.Equal(t, want, wire.RestoreHeader(engine.RestoreStatus{State: st, ExpiresAt: exp}), st.String())
	}
}
