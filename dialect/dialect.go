// Package dialect holds what differs between archive services: the names
// of their storage classes and the classes' rules (a catalog), the limits
// on names, and the rules of a restore — the arithmetic of its expiry, what
// a repeated restore does to it, which tier upgrades are taken, what a
// request may hold, and which error each refusal gets. A database is
// opened with one dialect (engine.Options.Dialect), records its name, and
// refuses to be opened with another.
//
// A dialect is pure: no I/O, no clock (the engine gives it the instant),
// no wire (headers, XML and status codes are the wire packages'). OSS is
// the default. A new dialect implements Dialect and passes the engine's
// tests of its rules.
package dialect

import (
	"time"

	"github.com/coldstore-dev/coldstore/storageclass"
)

// Dialect is one archive service's rules.
type Dialect interface {
	// Name identifies the dialect in a database: short, lower case, and
	// never changed once databases record it ("oss").
	Name() string
	// Catalog returns the storage classes and their rules.
	Catalog() *storageclass.Catalog
	// CheckBucketName returns nil for a valid bucket name, else an error
	// wrapping coldstore.ErrInvalidBucketName.
	CheckBucketName(name string) error
	// CheckKey returns nil for a valid object key, else an error wrapping
	// coldstore.ErrInvalidObjectName.
	CheckKey(key string) error
	// CheckRestore judges what a restore request holds, before the object
	// is looked at: it returns nil, or an error wrapping a sentinel of
	// package coldstore, the same for every object.
	CheckRestore(days int, tier storageclass.Tier) error
	// Restore decides a restore request of an object in its current state.
	// It returns an error wrapping a sentinel of package coldstore when the
	// request is refused; nothing is then changed.
	Restore(r RestoreRequest) (RestoreDecision, error)
	// CleanRestored judges a request to end a restored copy early, of an
	// object of class in state: nil when it may end, else an error
	// wrapping a sentinel of package coldstore.
	CleanRestored(class storageclass.Class, state RestoreState, c Copy) error
	// Unreadable is the refusal of a read of an object of class that is
	// Archived or Restoring (state; c its restore when Restoring): an
	// error wrapping coldstore.ErrInvalidObjectState.
	Unreadable(class storageclass.Class, state RestoreState, c Copy) error
	// MinPartSize is the least size, in bytes, of every part of a
	// completed multipart upload but the last.
	MinPartSize() int64
}

// ContentTyper is implemented by a dialect that names the content type its
// service answers for an object stored without one; DefaultContentType
// reads it.
type ContentTyper interface {
	DefaultContentType() string
}

// DefaultContentType is the content type d's service answers for an object
// stored without one: d's own when it implements ContentTyper, else
// application/octet-stream (OSS's).
func DefaultContentType(d Dialect) string {
	if c, ok := d.(ContentTyper); ok {
		return c.DefaultContentType()
	}
	return "application/octet-stream"
}

// RestoreState is where an object stands in the archive's state machine at
// one instant. It is derived from the stored times and the clock.
type RestoreState int

const (
	// NotArchived: the object's class needs no restore; it is readable.
	NotArchived RestoreState = iota
	// Archived: not readable; no restored copy exists (or it expired).
	Archived
	// Restoring: a restore is in progress; not readable yet.
	Restoring
	// Restored: a temporary readable copy exists until ExpiresAt.
	Restored
)

// String returns the state's name.
func (s RestoreState) String() string {
	switch s {
	case NotArchived:
		return "NotArchived"
	case Archived:
		return "Archived"
	case Restoring:
		return "Restoring"
	case Restored:
		return "Restored"
	}
	return "RestoreState(?)"
}

// Copy is an object's restore as stored: its tier, and when it was asked
// for, is ready and expires. It is zero when there is none.
type Copy struct {
	Tier                            storageclass.Tier
	RequestedAt, ReadyAt, ExpiresAt time.Time
}

// RestoreRequest is a restore request with what the dialect needs to judge
// it.
type RestoreRequest struct {
	Class storageclass.Class
	Rules *storageclass.Rules // the class's, from the dialect's catalog
	State RestoreState        // at Now
	Copy  Copy                // the object's restore, when Restoring or Restored
	Days  int                 // as asked; 0 asks for the class's default
	Tier  storageclass.Tier   // as asked; "" asks for the class's default
	Now   time.Time
	// Latency returns how long a restore of the class with tier takes
	// (the engine's LatencyPolicy).
	Latency func(tier storageclass.Tier) time.Duration
}

// RestoreDecision is a restore request's outcome.
type RestoreDecision struct {
	// Accepted is true when a restore starts or speeds up (202), false
	// when the object was restored already and its copy changed (200).
	Accepted bool
	// Copy is the object's restore after the request.
	Copy Copy
	// Retrieval is true when the request is billed as a retrieval of the
	// object with Copy.Tier.
	Retrieval bool
}
