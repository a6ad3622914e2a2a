package wire

import (
	"crypto/hmac"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
)

// Errors of authentication that OSS and S3 answer alike.
var (
	// ErrRequestTimeTooSkewed is wrapped by Verifier.CheckDate and
	// Verifier.CheckPresigned for a request signed too far from the wall
	// clock.
	ErrRequestTimeTooSkewed = &coldstore.Error{Code: "RequestTimeTooSkewed", Status: http.StatusForbidden, Message: "The difference between the request time and the current time is too large."}
	// ErrRequestExpired is returned by Verifier.CheckPresigned for a
	// presigned URL whose validity has passed.
	ErrRequestExpired = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Request has expired."}
)

// Scheme is one form of signature a protocol accepts (OSS V4 in the
// Authorization header, OSS V1 presigned, S3 SigV4...): how a request
// shows that it carries it, and the check of its algorithm. R is the
// front's own request type.
type Scheme[R any] struct {
	// Authorization is how the Authorization header of a request signed
	// with the scheme starts, space included ("OSS4-HMAC-SHA256 ",
	// "OSS "); "" for a scheme signed in the query string.
	Authorization string
	// Params are the query parameters that select a scheme signed in the
	// query string: any of them, not empty.
	Params []string
	// Check verifies q's signature, calling the Verifier's Secret, Match,
	// CheckDate and CheckPresigned in the order its algorithm needs; auth
	// is the Authorization header after the prefix ("" for a query
	// scheme). It returns nil when the request is admitted.
	Check func(q R, auth string) error
}

// Verifier holds what a protocol checks signatures against, beside each
// scheme's algorithm: the keys, the wall clock, the allowed skew, and the
// protocol's answers to the requests its keys do not admit.
type Verifier[R any] struct {
	// Keys maps access key ids to secrets. Empty: every request is
	// admitted, signed or not.
	Keys map[string]string
	// WallClock judges request dates and presigned URLs' expiry: the
	// clients' clock, the real one even when the database runs on a mock.
	WallClock clock.Clock
	// MaxSkew is how far a signed request's date may lie from WallClock,
	// before or after.
	MaxSkew time.Duration
	// Schemes are tried in their order: first those of the Authorization
	// header, then those of the query string.
	Schemes []Scheme[R]

	// UnknownKey is returned by Secret for an id that is not in Keys
	// (InvalidAccessKeyId).
	UnknownKey error
	// Mismatch is returned by Match when no signature matches
	// (SignatureDoesNotMatch).
	Mismatch error
	// Anonymous is returned by Authenticate for a request that carries no
	// signature (AccessDenied).
	Anonymous error
	// Malformed is returned by Authenticate for an Authorization header
	// that no scheme reads.
	Malformed error
}

// Authenticate checks the signature of q, which is the request r with the
// query string query, and returns nil when it is admitted. With no Keys
// every request is. Otherwise the first scheme whose Authorization prefix
// r's Authorization header has checks it; a request with another
// Authorization header is Malformed; one without is checked by the first
// scheme whose Params its query has, and is Anonymous when there is none.
// Whatever the chosen scheme's Check returns is returned.
func (v *Verifier[R]) Authenticate(q R, r *http.Request, query url.Values) error {
	if len(v.Keys) == 0 {
		return nil
	}
	auth := r.Header.Get("Authorization")
	for _, s := range v.Schemes {
		if s.Authorization != "" && strings.HasPrefix(auth, s.Authorization) {
			return s.Check(q, strings.TrimPrefix(auth, s.Authorization))
		}
	}
	if auth != "" {
		return v.Malformed
	}
	for _, s := range v.Schemes {
		for _, p := range s.Params {
			if query.Get(p) != "" {
				return s.Check(q, "")
			}
		}
	}
	return v.Anonymous
}

// Secret returns the secret of the access key id, or UnknownKey when Keys
// has no such id.
func (v *Verifier[R]) Secret(id string) (string, error) {
	s, ok := v.Keys[id]
	if !ok {
		return "", v.UnknownKey
	}
	return s, nil
}

// Match returns nil when got is one of the signatures want yields (clients
// differ in what they sign, so a request may have more than one right
// signature), and Mismatch when it is none of them. Each comparison takes
// the same time whichever byte differs; want is not asked for more
// signatures once one matches.
func (v *Verifier[R]) Match(got string, want iter.Seq[string]) error {
	for w := range want {
		if hmac.Equal([]byte(w), []byte(got)) {
			return nil
		}
	}
	return v.Mismatch
}

// CheckDate returns nil when t, the date a request was signed at, lies
// within MaxSkew of the wall clock, before or after; else an error
// wrapping ErrRequestTimeTooSkewed that names both times.
func (v *Verifier[R]) CheckDate(t time.Time) error {
	return v.checkDate(t, v.WallClock.Now())
}

func (v *Verifier[R]) checkDate(t, now time.Time) error {
	if d := now.Sub(t); d > v.MaxSkew || d < -v.MaxSkew {
		return &coldstore.OpError{Op: "authenticate",
			Detail: "request time " + t.UTC().Format(time.RFC3339) + ", server time " + now.UTC().Format(time.RFC3339), Err: ErrRequestTimeTooSkewed}
	}
	return nil
}

// CheckPresigned returns nil while a presigned URL signed at signed (zero
// when its scheme has no date) is valid until last, its last valid
// instant, on the wall clock. It returns an error wrapping
// ErrRequestTimeTooSkewed when signed lies more than MaxSkew ahead of the
// wall clock, and ErrRequestExpired once last has passed.
func (v *Verifier[R]) CheckPresigned(signed, last time.Time) error {
	now := v.WallClock.Now()
	if !signed.IsZero() && signed.Sub(now) > v.MaxSkew {
		return v.checkDate(signed, now)
	}
	if now.After(last) {
		return ErrRequestExpired
	}
	return nil
}
