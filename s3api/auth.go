package s3api

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
)

// Errors of authentication in S3's words. RequestTimeTooSkewed and the
// expiry of presigned URLs are answered alike by every protocol.
var (
	errSignatureDoesNotMatch = &coldstore.Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden, Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	errInvalidAccessKeyID    = &coldstore.Error{Code: "InvalidAccessKeyId", Status: http.StatusForbidden, Message: "The AWS Access Key Id you provided does not exist in our records."}
	errAccessDenied          = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Access Denied"}
	errBadAuth               = &coldstore.Error{Code: "AuthorizationHeaderMalformed", Status: http.StatusBadRequest, Message: "The authorization header is malformed."}
	errBadQueryAuth          = &coldstore.Error{Code: "AuthorizationQueryParametersError", Status: http.StatusBadRequest, Message: "Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."}
	errNoDate                = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "AWS authentication requires a valid Date or x-amz-date header"}
	errHeadersNotSigned      = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "There were headers present in the request which were not signed"}
)

// MaxSkew is how far a signed request's date may lie from the wall clock,
// before or after, as S3 allows: 15 minutes.
const MaxSkew = 15 * time.Minute

// maxPresign is the longest validity of a presigned URL: 7 days.
const maxPresign = 7 * 24 * 60 * 60

const (
	algorithm = "AWS4-HMAC-SHA256"
	isoBasic  = "20060102T150405Z"
)

// verifier checks Signature Version 4 when keys are configured: in the
// Authorization header (AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...) or presigned (X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature). The
// payload hash signed is x-amz-content-sha256 as sent (presigned:
// UNSIGNED-PAYLOAD); the body is checked against a hex one as it is read
// (objects.go). Any other Authorization header is malformed, and a request
// with neither is anonymous: AccessDenied.
func (h *Handler) verifier() wire.Verifier[*request] {
	return wire.Verifier[*request]{
		Keys:      h.opts.Keys,
		WallClock: h.opts.WallClock,
		MaxSkew:   MaxSkew,
		Schemes: []wire.Scheme[*request]{
			{Authorization: algorithm + " ", Check: h.checkHeader},
			{Authorization: "AWS ", Check: sigV2},
			{Params: []string{"X-Amz-Signature", "X-Amz-Algorithm"}, Check: h.checkQuery},
			{Params: []string{"AWSAccessKeyId", "Signature"}, Check: sigV2},
		},
		UnknownKey: errInvalidAccessKeyID,
		Mismatch:   errSignatureDoesNotMatch,
		Anonymous:  errAccessDenied,
		Malformed:  errBadAuth,
	}
}

// errSigV2 is S3's answer to Signature Version 2 in a region that takes
// only Version 4, as every region opened since 2014 and every bucket
// created since June 2020 do.
var errSigV2 = &coldstore.Error{Code: "InvalidRequest", Status: http.StatusBadRequest, Message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."}

// sigV2 refuses Signature Version 2, in the header (AWS id:signature) or
// presigned (AWSAccessKeyId, Signature, Expires).
func sigV2(*request, string) error { return errSigV2 }

// sigV4 is what a signature covers besides the request itself.
type sigV4 struct {
	id, date, region, service string // the credential scope
	timestamp                 string // as signed: x-amz-date or Date
	signed                    []string
	signature                 string
	payload                   string // the payload hash signed
	presigned                 bool
}

// parseCredential splits id/date/region/service/aws4_request.
func parseCredential(s string) (sigV4, bool) {
	var v sigV4
	var ok1, ok2, ok3, ok4 bool
	v.id, s, ok1 = strings.Cut(s, "/")
	v.date, s, ok2 = strings.Cut(s, "/")
	v.region, s, ok3 = strings.Cut(s, "/")
	v.service, s, ok4 = strings.Cut(s, "/")
	if !ok1 || !ok2 || !ok3 || !ok4 || s != "aws4_request" || v.id == "" {
		return sigV4{}, false
	}
	return v, true
}

// authFields returns the Credential, SignedHeaders and Signature of the
// comma-separated name=value list after AWS4-HMAC-SHA256 (spaces around
// each allowed; the last of a name counts).
func authFields(auth string) (credential, signedHeaders, signature string) {
	for auth != "" {
		var part string
		part, auth, _ = strings.Cut(auth, ",")
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			signedHeaders = v
		case "Signature":
			signature = v
		}
	}
	return credential, signedHeaders, signature
}

// headerValue returns the first value of the header named by canonical, which
// must be in canonical form (as net/http keys headers): Header.Get without
// canonicalizing the name again.
func headerValue(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// checkHeader verifies Authorization: AWS4-HMAC-SHA256 .... The time
// signed is x-amz-date (20060102T150405Z) or, when absent, Date; it must
// lie within MaxSkew of the wall clock and fall on the credential's date.
func (h *Handler) checkHeader(q *request, auth string) error {
	credential, signedHeaders, signature := authFields(auth)
	v, ok := parseCredential(credential)
	if !ok || signature == "" || signedHeaders == "" {
		return errBadAuth
	}
	v.signed = strings.Split(signedHeaders, ";")
	v.signature = signature
	v.payload = headerValue(q.r.Header, "X-Amz-Content-Sha256")
	if v.payload == "" {
		// S3 requires the header; without it the request signs the hash
		// of an empty payload, as the oldest clients do.
		v.payload = emptySHA256
	}
	var t time.Time
	var err error
	if d := headerValue(q.r.Header, "X-Amz-Date"); d != "" {
		v.timestamp = d
		t, err = time.Parse(isoBasic, d)
	} else if d := headerValue(q.r.Header, "Date"); d != "" {
		v.timestamp = d
		t, err = http.ParseTime(d)
	} else {
		return errNoDate
	}
	if err != nil {
		return &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Key: q.key, Detail: "unparseable date " + strconv.Quote(v.timestamp), Err: errNoDate}
	}
	if err := h.verify(q, v, t); err != nil {
		return err
	}
	return h.auth.CheckDate(t)
}

// checkQuery verifies a presigned URL; it is refused once X-Amz-Date +
// X-Amz-Expires (1 s to 7 days) has passed on the wall clock, and when
// X-Amz-Date lies more than MaxSkew ahead of it.
func (h *Handler) checkQuery(q *request, _ string) error {
	query := q.query
	if query.Get("X-Amz-Algorithm") != algorithm || query.Get("X-Amz-Signature") == "" || query.Get("X-Amz-SignedHeaders") == "" {
		return errBadQueryAuth
	}
	v, ok := parseCredential(query.Get("X-Amz-Credential"))
	if !ok {
		return errBadQueryAuth
	}
	v.presigned = true
	v.signature = query.Get("X-Amz-Signature")
	v.signed = strings.Split(query.Get("X-Amz-SignedHeaders"), ";")
	v.payload = query.Get("X-Amz-Content-Sha256")
	if v.payload == "" {
		v.payload = "UNSIGNED-PAYLOAD"
	}
	v.timestamp = query.Get("X-Amz-Date")
	t, err := time.Parse(isoBasic, v.timestamp)
	if err != nil {
		return &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Key: q.key, Detail: "unparseable X-Amz-Date " + strconv.Quote(v.timestamp), Err: errBadQueryAuth}
	}
	es := query.Get("X-Amz-Expires")
	expires, ok := wire.ParseDigits(es)
	if !ok || expires < 1 || expires > maxPresign {
		e := &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Key: q.key, Detail: "X-Amz-Expires " + strconv.Quote(es) + " outside 1-604800", Err: errBadQueryAuth}
		if ok && expires > maxPresign {
			e.Message = "X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is 604800 seconds"
		}
		return e
	}
	if err := h.verify(q, v, t); err != nil {
		return err
	}
	return h.auth.CheckPresigned(t, t.Add(time.Duration(expires)*time.Second))
}

// verify checks the credential scope's date against t and the signature:
// HMAC-SHA256 with the key derived from "AWS4"+secret, the scope's date,
// region, service and "aws4_request", of "AWS4-HMAC-SHA256\n" timestamp
// "\n" scope "\n" hex(SHA256(canonical request)). The region and service
// are the client's: a test double takes any.
func (h *Handler) verify(q *request, v sigV4, t time.Time) error {
	secret, err := h.auth.Secret(v.id)
	if err != nil {
		return err
	}
	if names := unsignedAmzHeaders(q.r.Header, v.signed); names != "" {
		return &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Key: q.key, Detail: "not signed: " + names, Err: errHeadersNotSigned}
	}
	if err := wire.CheckScopeDate(v.date, t, errSignatureDoesNotMatch); err != nil {
		return err
	}
	scope := wire.Scope4{Date: v.date, Region: v.region, Service: v.service, Terminator: "aws4_request"}
	key := h.signingKeys.Key(scope, "AWS4", secret)
	skip := ""
	if v.presigned {
		skip = "X-Amz-Signature"
	}
	canon := func(yield func(string) bool) {
		for _, uri := range canonicalURIs(q.r) {
			for _, query := range wire.CanonicalQueries(q.r.URL.RawQuery, skip, true) {
				if !yield(canonicalRequest(q.r, v, uri, query)) {
					return
				}
			}
		}
	}
	err = h.auth.Match(v.signature, wire.Signatures4(key, algorithm, v.timestamp, scope, canon))
	if err == nil && !v.presigned {
		q.sig = &signer{key: key, scope: scope.String(), timestamp: v.timestamp, seed: v.signature}
	}
	return err
}

// unsignedAmzHeaders names, comma-separated, the x-amz-* headers of h that
// signed (the signature's SignedHeaders) leaves out; "" when it names them
// all. S3 refuses such a request, header-signed or presigned, with 403
// AccessDenied: an x-amz-* header changes what a request does (its class,
// tags, metadata, a copy's source), and one added on the way must not
// ride on another's signature.
func unsignedAmzHeaders(h http.Header, signed []string) string {
	var out []string
	for k := range h {
		if len(k) > 6 && strings.EqualFold(k[:6], "x-amz-") && !slices.ContainsFunc(signed, func(s string) bool { return strings.EqualFold(s, k) }) {
			out = append(out, strings.ToLower(k))
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// canonicalURIs are the canonical URIs a client may have signed: the path
// as sent, and the decoded path encoded again (S3 signs each segment
// encoded once).
func canonicalURIs(r *http.Request) []string {
	sent := r.URL.EscapedPath()
	if again := wire.EscapePath(r.URL.Path); again != sent {
		return []string{sent, again}
	}
	return []string{sent}
}

// canonicalRequest is VERB \n URI \n query \n signed headers with their
// values \n signed header names \n payload hash.
func canonicalRequest(r *http.Request, v sigV4, uri, query string) string {
	names := v.signed // as clients send them: lower case, sorted
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(a, b) }) || slices.ContainsFunc(names, hasUpper) {
		names = make([]string, len(v.signed))
		for i, k := range v.signed {
			names[i] = strings.ToLower(k)
		}
		sort.Strings(names)
	}
	var canon strings.Builder
	canon.Grow(len(r.Method) + len(uri) + len(query) + 64*len(names) + len(v.payload) + 8)
	for _, s := range []string{r.Method, "\n", uri, "\n", query, "\n"} {
		canon.WriteString(s)
	}
	for _, k := range names {
		var value string
		switch k {
		case "host":
			value = r.Host
		case "content-length":
			value = strconv.FormatInt(r.ContentLength, 10)
			if vs := r.Header["Content-Length"]; len(vs) > 0 {
				value = wire.JoinTrimmed(vs)
			}
		case "transfer-encoding": // net/http moves it out of the header
			value = strings.Join(r.TransferEncoding, ",")
		default:
			value = collapseSpaces(wire.JoinTrimmed(r.Header[wire.CanonicalHeaderKey(k)]))
		}
		canon.WriteString(k)
		canon.WriteByte(':')
		canon.WriteString(value)
		canon.WriteByte('\n')
	}
	canon.WriteByte('\n')
	for i, k := range names {
		if i > 0 {
			canon.WriteByte(';')
		}
		canon.WriteString(k)
	}
	canon.WriteByte('\n')
	canon.WriteString(v.payload)
	return canon.String()
}

// hasUpper reports whether s has an upper-case ASCII letter.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// collapseSpaces turns each run of spaces into one, as SigV4 canonical
// header values are.
func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
