package wire

import (
	"net/http"

	"github.com/coldstore-dev/coldstore/engine"
)

// RestoreHeader is the value of the restore header (x-oss-restore,
// x-amz-restore: the same grammar) and of OSS's RestoreInfo in listings:
// `ongoing-request="true"` while Restoring, `ongoing-request="false",
// expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"` once Restored, and "" when
// NotArchived or Archived (no header).
func RestoreHeader(s engine.RestoreStatus) string {
	switch s.State {
	case engine.Restoring:
		return `ongoing-request="true"`
	case engine.Restored:
		return `ongoing-request="false", expiry-date="` + s.ExpiresAt.UTC().Format(http.TimeFormat) + `"`
	}
	return ""
}
