package wire

import (
	"net/http"
	"net/textproto"
)

// HeaderSetter sets an answer's headers with their values taken from one
// array it holds, rather than a slice allocated for each (Header.Set's):
// a HEAD's answer has half a dozen. Each value is a slice of capacity
// one, so an Add to the same name appends to a copy and never writes over
// the next name's value. Past its array it sets as Header.Set does. The
// zero value is ready; it must outlive the header's use (a request's
// state, as the fronts keep it).
type HeaderSetter struct {
	vals [8]string
	n    int
}

// Set sets the header k (canonicalised as Header.Set does) of h to v.
func (s *HeaderSetter) Set(h http.Header, k, v string) {
	s.SetAsIs(h, textproto.CanonicalMIMEHeaderKey(k), v)
}

// SetAsIs sets the header k of h to v with k written as it is, not
// canonicalised: user metadata, which S3 and OSS send in lower case
// (x-amz-meta-my-key) and clients such as botocore hand to their users
// with the case they read. Header.Get does not find a key that is not
// canonical; the answer is written as set.
func (s *HeaderSetter) SetAsIs(h http.Header, k, v string) {
	if s.n == len(s.vals) {
		h[k] = []string{v}
		return
	}
	i := s.n
	s.n++
	s.vals[i] = v
	h[k] = s.vals[i : i+1 : i+1]
}
