package wire

import (
	"net/http"
	"net/url"

	"github.com/coldstore-dev/coldstore/engine"
)

// ExpirationHeader is the value of the lifecycle expiration header
// (x-amz-expiration, x-oss-expiration: the same grammar) of an object
// that a lifecycle rule expires: `expiry-date="Fri, 23 Dec 2012 00:00:00
// GMT", rule-id="picture-deletion-rule"`, the rule's ID URL-encoded as S3
// documents it; "" when no rule does (no header).
func ExpirationHeader(e engine.LifecycleExpiration) string {
	if e.Date.IsZero() {
		return ""
	}
	return `expiry-date="` + e.Date.UTC().Format(http.TimeFormat) + `", rule-id="` + url.PathEscape(e.RuleID) + `"`
}
