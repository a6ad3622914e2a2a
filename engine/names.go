package engine

import (
	"unicode/utf8"

	"github.com/coldstore-dev/coldstore"
)

// Limits on names and metadata, as OSS sets them.
const (
	MinBucketNameLen = 3
	MaxBucketNameLen = 63
	MaxKeyLen        = 1023     // bytes
	MaxMetadataSize  = 8 * 1024 // bytes of user metadata keys and values together
	MaxTags          = 10       // tags per object
	MaxTagKeyLen     = 128      // bytes
	MaxTagValueLen   = 256      // bytes
)

// validBucketName reports whether name is 3-63 characters of a-z, 0-9 and
// '-', starting and ending with a letter or digit.
func validBucketName(name string) bool {
	if len(name) < MinBucketNameLen || len(name) > MaxBucketNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(name)-1:
		default:
			return false
		}
	}
	return true
}

// validKey reports whether key is 1-1023 bytes of valid UTF-8 not starting
// with '/' or '\', whose every character XML 1.0 can carry: a listing, a
// multi-delete and an error body write keys in XML, and a key that they
// cannot write (NUL, other control characters but tab, line feed and
// carriage return, U+FFFE, U+FFFF) could be stored but never named again.
func validKey(key string) bool {
	if len(key) < 1 || len(key) > MaxKeyLen || key[0] == '/' || key[0] == '\\' {
		return false
	}
	for i := 0; i < len(key); i++ { // ASCII first: most keys are, and need no decoding
		if c := key[i]; c >= utf8.RuneSelf {
			return validUTF8Key(key[i:])
		} else if !xmlChar(rune(c)) {
			return false
		}
	}
	return true
}

// validUTF8Key reports whether s is valid UTF-8 of characters XML 1.0
// can carry.
func validUTF8Key(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !xmlChar(r) {
			return false
		}
	}
	return true
}

// xmlChar reports whether r is a Char of XML 1.0 (surrogates aside: valid
// UTF-8 holds none).
func xmlChar(r rune) bool {
	switch {
	case r >= 0x20:
		return r != 0xFFFE && r != 0xFFFF
	default:
		return r == '\t' || r == '\n' || r == '\r'
	}
}

func checkBucket(op, bucket string) error {
	if !validBucketName(bucket) {
		return fail(op, bucket, "", coldstore.ErrInvalidBucketName, "bucket name %q: 3-63 of a-z, 0-9 and '-', starting and ending with a letter or digit", bucket)
	}
	return nil
}

func checkObject(op, bucket, key string) error {
	if err := checkBucket(op, bucket); err != nil {
		return err
	}
	if !validKey(key) {
		return fail(op, bucket, key, coldstore.ErrInvalidObjectName, "key %q: 1-1023 bytes of UTF-8 that XML 1.0 can carry, not starting with '/' or '\\'", truncate(key))
	}
	return nil
}

// truncate shortens a bad value for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
