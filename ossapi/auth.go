package ossapi

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
)

// Errors of authentication.
var (
	errSignatureDoesNotMatch = &coldstore.Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden, Message: "The request signature we calculated does not match the signature you provided."}
	errInvalidAccessKeyID    = &coldstore.Error{Code: "InvalidAccessKeyId", Status: http.StatusForbidden, Message: "The OSS Access Key Id you provided does not exist in our records."}
	errAccessDenied          = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Anonymous access is forbidden for this operation."}
	errExpired               = &coldstore.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Request has expired."}
)

// signedV1 are the query parameters a V1 signature covers, beside every
// x-oss-* one: the list of the OSS SDKs, with the sub-resources of the
// operations served here.
var signedV1 = map[string]bool{
	"acl": true, "bucketInfo": true, "location": true, "stat": true, "delete": true, "append": true,
	"tagging": true, "objectMeta": true, "uploads": true, "uploadId": true, "partNumber": true,
	"security-token": true, "position": true, "response-content-type": true, "response-content-language": true,
	"response-expires": true, "response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "restore": true, "callback": true, "callback-var": true,
	"versions": true, "versioning": true, "versionId": true, "sequential": true, "continuation-token": true,
	"regionList": true, "cloudboxes": true, "symlink": true, "lifecycle": true, "cleanRestoredObject": true,
}

// authenticate checks the request's signature when keys are configured:
// OSS V4 (Authorization: OSS4-HMAC-SHA256 ...) and V1, in the header
// (Authorization: OSS id:signature) or the query string (OSSAccessKeyId,
// Expires, Signature). Without keys every request is accepted.
func (h *Handler) authenticate(q *request) error {
	if len(h.opts.Keys) == 0 {
		return nil
	}
	auth := q.r.Header.Get("Authorization")
	query := q.r.URL.Query()
	switch {
	case strings.HasPrefix(auth, "OSS4-HMAC-SHA256 "):
		return h.checkV4(q, strings.TrimPrefix(auth, "OSS4-HMAC-SHA256 "))
	case strings.HasPrefix(auth, "OSS "):
		id, sig, _ := strings.Cut(strings.TrimPrefix(auth, "OSS "), ":")
		return h.checkV1(q, id, sig, q.r.Header.Get("Date"))
	case query.Get("OSSAccessKeyId") != "":
		exp, err := strconv.ParseInt(query.Get("Expires"), 10, 64)
		if err != nil {
			return errAccessDenied
		}
		if h.now().Unix() > exp {
			return errExpired
		}
		return h.checkV1(q, query.Get("OSSAccessKeyId"), query.Get("Signature"), query.Get("Expires"))
	}
	return errAccessDenied
}

func (h *Handler) secret(id string) (string, error) {
	s, ok := h.opts.Keys[id]
	if !ok {
		return "", errInvalidAccessKeyID
	}
	return s, nil
}

// checkV1 verifies base64(HMAC-SHA1(secret, VERB \n Content-MD5 \n
// Content-Type \n Date \n CanonicalizedOSSHeaders CanonicalizedResource)).
func (h *Handler) checkV1(q *request, id, sig, date string) error {
	secret, err := h.secret(id)
	if err != nil {
		return err
	}
	r := q.r
	var b strings.Builder
	b.WriteString(r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + date + "\n")
	b.WriteString(canonicalOSSHeaders(r.Header))
	b.WriteString(h.resource(q))
	query := r.URL.Query()
	var params []string
	for k := range query {
		if signedV1[k] || strings.HasPrefix(k, "x-oss-") {
			params = append(params, k)
		}
	}
	sort.Strings(params)
	for i, k := range params {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if v := query.Get(k); v != "" {
			b.WriteString("=" + v)
		}
	}
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(b.String()))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errSignatureDoesNotMatch
	}
	return nil
}

// resource is /bucket/key, /bucket/ or /.
func (h *Handler) resource(q *request) string {
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
		b.WriteString(k + ":" + joinTrimmed(hdr.Values(k)) + "\n")
	}
	return b.String()
}

func joinTrimmed(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.TrimSpace(v)
	}
	return strings.Join(out, ",")
}

// checkV4 verifies an OSS V4 signature: Credential=id/date/region/product/
// aliyun_v4_request, optional AdditionalHeaders, Signature.
func (h *Handler) checkV4(q *request, auth string) error {
	fields := map[string]string{}
	for _, part := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 || cred[4] != "aliyun_v4_request" {
		return errAccessDenied
	}
	secret, err := h.secret(cred[0])
	if err != nil {
		return err
	}
	date, region, product := cred[1], cred[2], cred[3]
	r := q.r
	var additional []string
	if a := fields["AdditionalHeaders"]; a != "" {
		additional = strings.Split(a, ";")
	}
	extra := map[string]bool{}
	for _, k := range additional {
		extra[strings.ToLower(k)] = true
	}
	headers := map[string]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-oss-") || lk == "content-type" || lk == "content-md5" || extra[lk] {
			headers[lk] = joinTrimmed(vs)
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
	canon.WriteString(escapeV4(uri) + "\n")
	canon.WriteString(canonicalQueryV4(r.URL.RawQuery) + "\n")
	for _, k := range keys {
		canon.WriteString(k + ":" + headers[k] + "\n")
	}
	canon.WriteString("\n" + strings.Join(additional, ";") + "\n")
	payload := r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = "UNSIGNED-PAYLOAD"
	}
	canon.WriteString(payload)
	sum := sha256.Sum256([]byte(canon.String()))
	scope := date + "/" + region + "/" + product + "/aliyun_v4_request"
	toSign := "OSS4-HMAC-SHA256\n" + r.Header.Get("x-oss-date") + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := []byte("aliyun_v4" + secret)
	for _, s := range []string{date, region, product, "aliyun_v4_request"} {
		key = hmacSHA256(key, s)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return errSignatureDoesNotMatch
	}
	return nil
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// escapeV4 percent-encodes all but unreserved characters and '/'.
func escapeV4(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

// canonicalQueryV4 sorts the raw query's parameters, values as sent.
func canonicalQueryV4(raw string) string {
	raw = strings.ReplaceAll(raw, "+", "%20")
	values := map[string]string{}
	var keys []string
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		values[k] = v
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if values[k] != "" {
			b.WriteString("=" + values[k])
		}
	}
	return b.String()
}
