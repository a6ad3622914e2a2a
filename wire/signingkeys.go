package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// SigningKeys remembers the V4 signing keys it derived. A client signs
// every request of a day, in one region, for one service, with the same
// key, and deriving it takes four chained HMACs: about a fifth of
// verifying a signature, which a server does on every request. The zero
// value is ready; it is safe for concurrent use. It holds at most
// maxSigningKeys keys and forgets them all when full.
type SigningKeys struct {
	mu   sync.Mutex
	keys map[signingKeyOf]*SigningKey
}

// maxSigningKeys bounds a SigningKeys: keys × days × regions × services
// in use at once.
const maxSigningKeys = 256

// signingKeyOf is what a signing key is derived from.
type signingKeyOf struct {
	prefix, secret string
	scope          Scope4
}

// Key returns the key scope.SigningKey(prefix, secret), derived once.
func (c *SigningKeys) Key(scope Scope4, prefix, secret string) *SigningKey {
	of := signingKeyOf{prefix, secret, scope}
	c.mu.Lock()
	key, ok := c.keys[of]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = NewSigningKey(scope.SigningKey(prefix, secret))
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxSigningKeys {
		c.keys = make(map[signingKeyOf]*SigningKey)
	}
	c.keys[of] = key
	c.mu.Unlock()
	return key
}

// SigningKey is a V4 signing key and the HMAC-SHA256s keyed with it that
// its signatures were computed with, kept for the next: keying an HMAC
// hashes the key's two pads, and a server computes a signature with the
// same key on every request of a client. It is safe for concurrent use.
type SigningKey struct {
	key  []byte
	macs sync.Pool // of hash.Hash keyed with key
}

// NewSigningKey returns the SigningKey of key, a derived signing key
// (Scope4.SigningKey). The key is not copied: it must not be modified.
func NewSigningKey(key []byte) *SigningKey {
	k := &SigningKey{key: key}
	k.macs.New = func() any { return hmac.New(sha256.New, key) }
	return k
}

// Bytes returns the key; it must not be modified.
func (k *SigningKey) Bytes() []byte { return k.key }

// AppendHMAC appends HMAC-SHA256(key, msg) to dst.
func (k *SigningKey) AppendHMAC(dst, msg []byte) []byte {
	mac := k.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(msg)
	dst = mac.Sum(dst)
	k.macs.Put(mac)
	return dst
}
