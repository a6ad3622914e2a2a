package ossapi

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"iter"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
)

// Errors of authentication in OSS's words. RequestTimeTooSkewed and the
// expiry of presigned URLs are answered alike by every protocol
// (wire.ErrRequestTimeTooSkewed, wire.ErrRequestExpired).
var (
	errSignatureDoesNotMatch = &coldstore.Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden, Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	errInvalidAccessKeyID    = &coldstore.Error{Code: "InvalidAccessKeyId", Status: http.StatusForbidden, Message: "The OSS Access Key Id you provided does not exist in our records."}
	errAccessDenied          = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Anonymous access is forbidden for this operation."}
	errNoDate                = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Authentication requires a valid Date or x-oss-date header."}
	errBadAuth               = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "The authorization you provided is malformed."}
)

// MaxSkew is how far a signed request's date may lie from the wall clock,
// before or after, as OSS allows: 15 minutes.
const MaxSkew = 15 * time.Minute

// maxPresignV4 is the longest validity of a V4 presigned URL: 7 days.
const maxPresignV4 = 7 * 24 * 60 * 60

const (
	algorithmV4 = "OSS4-HMAC-SHA256"
	isoBasic    = "20060102T150405Z" // x-oss-date of V4
)

// verifier checks the request's signature when keys are configured: OSS
// V4 (Authorization: OSS4-HMAC-SHA256 ..., or presigned with
// x-oss-signature-version and x-oss-signature in the query) and V1 (in
// the header, Authorization: OSS id:signature, or presigned with
// OSSAccessKeyId, Expires and Signature in the query). A signed request's
// date must lie within MaxSkew of the wall clock; a presigned URL is
// refused once expired. Without keys every request is accepted. Any
// other Authorization header is malformed (AccessDenied), and a request
// without one nor a presigned query is anonymous: AccessDenied unless
// the ACLs let anyone make it (acl.go, admitAnonymous).
func (h *Handler) verifier() wire.Verifier[*request] {
	return wire.Verifier[*request]{
		Keys:      h.opts.Keys,
		WallClock: h.opts.WallClock,
		MaxSkew:   MaxSkew,
		Schemes: []wire.Scheme[*request]{
			{Authorization: algorithmV4 + " ", Check: h.checkV4Header},
			{Authorization: "OSS ", Check: h.checkV1Header},
			{Params: []string{"x-oss-signature", "x-oss-signature-version"}, Check: h.checkV4Query},
			{Params: []string{"OSSAccessKeyId", "Signature"}, Check: h.checkV1Query},
		},
		UnknownKey: errInvalidAccessKeyID,
		Mismatch:   errSignatureDoesNotMatch,
		Anonymous:  errAccessDenied,
		Malformed:  errBadAuth,
	}
}

// checkV1Header verifies a V1 header signature, auth being "id:signature".
// The date signed is the x-oss-date header when present (ali-oss, which
// cannot set Date in a browser, signs it) or else Date (the Go SDKs); that
// date must be a valid HTTP date within MaxSkew.
func (h *Handler) checkV1Header(q *request, auth string) error {
	id, sig, ok := strings.Cut(auth, ":")
	if !ok {
		return errBadAuth
	}
	secret, err := h.auth.Secret(id)
	if err != nil {
		return err
	}
	var dates []string
	for _, k := range []string{"x-oss-date", "Date"} {
		if d := q.r.Header.Get(k); d != "" {
			dates = append(dates, d)
		}
	}
	if len(dates) == 0 {
		return errNoDate
	}
	for _, date := range dates {
		if h.auth.Match(sig, v1Signatures(q, secret, date)) != nil {
			continue
		}
		t, err := http.ParseTime(date)
		if err != nil {
			return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: "unparseable date " + strconv.Quote(date), Err: errNoDate}
		}
		return h.auth.CheckDate(t)
	}
	return errSignatureDoesNotMatch
}

// checkV1Query verifies a V1 presigned URL: Expires, in Unix seconds,
// takes the place of the date; the URL is valid through that second of
// the wall clock (an Expires past coldstore.MaxTime never passes).
func (h *Handler) checkV1Query(q *request, _ string) error {
	secret, err := h.auth.Secret(q.query.Get("OSSAccessKeyId"))
	if err != nil {
		return err
	}
	expires := q.query.Get("Expires")
	exp, ok := wire.ParseDigits(expires)
	if !ok {
		return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: "Expires " + strconv.Quote(expires), Err: errBadAuth}
	}
	if err := h.auth.Match(q.query.Get("Signature"), v1Signatures(q, secret, expires)); err != nil {
		return err
	}
	return h.auth.CheckPresigned(time.Time{}, time.Unix(min(exp, coldstore.MaxTime.Unix()), 999_999_999))
}

// v1Signatures yields the V1 signatures of the request with date in the
// date's place: base64(HMAC-SHA1(secret, VERB \n Content-MD5 \n
// Content-Type \n date \n CanonicalizedOSSHeaders
// CanonicalizedResource)). The resource signs the sub-resources and
// x-oss-* parameters; a second signature leaves continuation-token and the
// response-* overrides out of it, as some clients do.
func v1Signatures(q *request, secret, date string) iter.Seq[string] {
	return func(yield func(string) bool) {
		r := q.r
		prefix := r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + date + "\n" +
			canonicalOSSHeaders(r.Header) + resource(q)
		for _, all := range []bool{true, false} {
			var params []string
			for k := range q.query {
				if strings.HasPrefix(k, "x-oss-") || subResources[k] || all && v1Signed[k] {
					params = append(params, k)
				}
			}
			sort.Strings(params)
			var b strings.Builder
			b.WriteString(prefix)
			for i, k := range params {
				if i == 0 {
					b.WriteByte('?')
				} else {
					b.WriteByte('&')
				}
				b.WriteString(k)
				if v := q.query.Get(k); v != "" {
					b.WriteString("=" + v)
				}
			}
			mac := hmac.New(sha1.New, []byte(secret))
			mac.Write([]byte(b.String()))
			if !yield(base64.StdEncoding.EncodeToString(mac.Sum(nil))) {
				return
			}
		}
	}
}

// resource is /bucket/key, /bucket/ or /.
func resource(q *request) string {
	if q.bucket == "" {
		return "/"
	}
	return "/" + q.bucket + "/" + q.key
}

func canonicalOSSHeaders(hdr http.Header) string {
	var keys []string
	for k := range hdr {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-oss-") {
			keys = append(keys, lk)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + ":" + wire.JoinTrimmed(hdr.Values(k)) + "\n")
	}
	return b.String()
}

// v4Request is what a V4 signature covers besides the request itself.
type v4Request struct {
	id, date, region, product string // the credential scope
	timestamp                 string // as signed: x-oss-date, or Date (SDK v1)
	additional                []string
	signature                 string
	presigned                 bool
}

// parseCredential splits id/date/region/product/aliyun_v4_request.
func parseCredential(s string) (v4Request, bool) {
	cred := strings.Split(s, "/")
	if len(cred) != 5 || cred[4] != "aliyun_v4_request" || cred[0] == "" {
		return v4Request{}, false
	}
	return v4Request{id: cred[0], date: cred[1], region: cred[2], product: cred[3]}, true
}

// checkV4Header verifies Authorization: OSS4-HMAC-SHA256 Credential=...,
// AdditionalHeaders=..., Signature=.... The time signed is x-oss-date
// (20060102T150405Z) or, when absent, Date (as SDK v1 signs V4); it must
// lie within MaxSkew of the wall clock and fall on the credential's date.
func (h *Handler) checkV4Header(q *request, auth string) error {
	fields := map[string]string{}
	for _, part := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	v, ok := parseCredential(fields["Credential"])
	if !ok || fields["Signature"] == "" {
		return errBadAuth
	}
	if a := fields["AdditionalHeaders"]; a != "" {
		v.additional = strings.Split(a, ";")
	}
	v.signature = fields["Signature"]
	var t time.Time
	var err error
	if d := q.r.Header.Get("x-oss-date"); d != "" {
		v.timestamp = d
		t, err = time.Parse(isoBasic, d)
	} else if d := q.r.Header.Get("Date"); d != "" {
		v.timestamp = d
		t, err = http.ParseTime(d)
	} else {
		return errNoDate
	}
	if err != nil {
		return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: "unparseable date " + strconv.Quote(v.timestamp), Err: errNoDate}
	}
	if err := h.verifyV4(q, v, t); err != nil {
		return err
	}
	return h.auth.CheckDate(t)
}

// checkV4Query verifies a V4 presigned URL: x-oss-signature-version,
// x-oss-credential, x-oss-date, x-oss-expires (1 s to 7 days),
// x-oss-additional-headers and x-oss-signature. It is refused once
// x-oss-date + x-oss-expires has passed on the wall clock, and when
// x-oss-date lies more than MaxSkew ahead of it.
func (h *Handler) checkV4Query(q *request, _ string) error {
	query := q.query
	if query.Get("x-oss-signature-version") != algorithmV4 || query.Get("x-oss-signature") == "" {
		return errBadAuth
	}
	v, ok := parseCredential(query.Get("x-oss-credential"))
	if !ok {
		return errBadAuth
	}
	v.presigned = true
	v.signature = query.Get("x-oss-signature")
	if a := query.Get("x-oss-additional-headers"); a != "" {
		v.additional = strings.Split(a, ";")
	}
	v.timestamp = query.Get("x-oss-date")
	t, err := time.Parse(isoBasic, v.timestamp)
	if err != nil {
		return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: "unparseable x-oss-date " + strconv.Quote(v.timestamp), Err: errNoDate}
	}
	es := query.Get("x-oss-expires")
	expires, ok := wire.ParseDigits(es)
	if !ok || expires < 1 || expires > maxPresignV4 {
		return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: "x-oss-expires " + strconv.Quote(es) + " outside 1-604800", Err: errBadAuth}
	}
	if err := h.verifyV4(q, v, t); err != nil {
		return err
	}
	return h.auth.CheckPresigned(t, t.Add(time.Duration(expires)*time.Second))
}

// verifyV4 checks the credential scope's date against t and the
// signature: HMAC-SHA256 with the key derived from "aliyun_v4"+secret,
// the scope's date, region, product and "aliyun_v4_request", of
// "OSS4-HMAC-SHA256\n" timestamp "\n" scope "\n" hex(SHA256(canonical
// request)).
func (h *Handler) verifyV4(q *request, v v4Request, t time.Time) error {
	secret, err := h.auth.Secret(v.id)
	if err != nil {
		return err
	}
	if err := wire.CheckScopeDate(v.date, t, errBadAuth); err != nil {
		return err
	}
	scope := wire.Scope4{Date: v.date, Region: v.region, Service: v.product, Terminator: "aliyun_v4_request"}
	canon := func(yield func(string) bool) {
		for _, query := range wire.CanonicalQueries(q.r.URL.RawQuery, presignedParam(v.presigned), false) {
			if !yield(canonicalRequestV4(q, v, query)) {
				return
			}
		}
	}
	return h.auth.Match(v.signature, wire.Signatures4(h.signingKeys.Key(scope, "aliyun_v4", secret), algorithmV4, v.timestamp, scope, canon))
}

// canonicalRequestV4 is VERB \n URI \n query \n headers \n additional
// headers \n payload hash.
func canonicalRequestV4(q *request, v v4Request, query string) string {
	r := q.r
	extra := map[string]bool{}
	for _, k := range v.additional {
		extra[strings.ToLower(k)] = true
	}
	headers := map[string]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-oss-") || lk == "content-type" || lk == "content-md5" || extra[lk] {
			headers[lk] = wire.JoinTrimmed(vs)
		}
	}
	if extra["host"] {
		headers["host"] = r.Host
	}
	keys := make([]string, 0, len(headers))
	for k := range headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var canon strings.Builder
	canon.WriteString(r.Method + "\n")
	uri := "/"
	if q.bucket != "" {
		uri += q.bucket + "/" + q.key
	}
	canon.WriteString(wire.EscapePath(uri) + "\n")
	canon.WriteString(query + "\n")
	for _, k := range keys {
		canon.WriteString(k + ":" + headers[k] + "\n")
	}
	canon.WriteString("\n" + strings.Join(v.additional, ";") + "\n")
	payload := r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = "UNSIGNED-PAYLOAD"
	}
	canon.WriteString(payload)
	return canon.String()
}

// presignedParam is the parameter a V4 signature leaves out of the
// canonical query: the signature itself, in a presigned URL.
func presignedParam(presigned bool) string {
	if presigned {
		return "x-oss-signature"
	}
	return ""
}
