package wire

import "sync"

// SigningKeys remembers the V4 signing keys it derived. A client signs
// every request of a day, in one region, for one service, with the same
// key, and deriving it takes four chained HMACs: about a fifth of
// verifying a signature, which a server does on every request. The zero
// value is ready; it is safe for concurrent use. It holds at most
// maxSigningKeys keys and forgets them all when full.
type SigningKeys struct {
	mu   sync.Mutex
	keys map[signingKeyOf][]byte
}

// maxSigningKeys bounds a SigningKeys: keys × days × regions × services
// in use at once.
const maxSigningKeys = 256

// signingKeyOf is what a signing key is derived from.
type signingKeyOf struct {
	prefix, secret string
	scope          Scope4
}

// Key returns scope.SigningKey(prefix, secret), derived once. The slice
// is shared: callers must not modify it.
func (c *SigningKeys) Key(scope Scope4, prefix, secret string) []byte {
	of := signingKeyOf{prefix, secret, scope}
	c.mu.Lock()
	key, ok := c.keys[of]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = scope.SigningKey(prefix, secret)
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxSigningKeys {
		c.keys = make(map[signingKeyOf][]byte)
	}
	c.keys[of] = key
	c.mu.Unlock()
	return key
}
