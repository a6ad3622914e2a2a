package engine

import (
	"time"

	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// RestoreState is where an object stands in the archive's state machine:
// NotArchived, Archived, Restoring or Restored (package dialect names
// them).
type RestoreState = dialect.RestoreState

// The restore states.
const (
	NotArchived = dialect.NotArchived
	Archived    = dialect.Archived
	Restoring   = dialect.Restoring
	Restored    = dialect.Restored
)

// RestoreStatus is the restore state of an object at one instant.
type RestoreStatus struct {
	State       RestoreState
	Tier        storageclass.Tier // "" for a class without tiers, and unless Restoring or Restored
	RequestedAt time.Time         // zero unless Restoring or Restored
	ReadyAt     time.Time         // zero unless Restoring or Restored
	ExpiresAt   time.Time         // zero unless Restoring or Restored
}

// httpTime is RFC 1123 with GMT, as HTTP dates and x-oss-restore use.
const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

// Header returns the value of the x-oss-restore header (and of RestoreInfo in
// listings): `ongoing-request="true"` while Restoring,
// `ongoing-request="false", expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"`
// once Restored, and "" when NotArchived or Archived (OSS omits the header).
//
// Deprecated: headers are the wire's: ossapi writes x-oss-restore from the
// status (ossapi.RestoreHeader), and each wire package writes its own.
func (s RestoreStatus) Header() string {
	switch s.State {
	case Restoring:
		return `ongoing-request="true"`
	case Restored:
		return `ongoing-request="false", expiry-date="` + s.ExpiresAt.UTC().Format(httpTime) + `"`
	}
	return ""
}

// status derives the restore status of rec at now. This one function is
// what every read, write and the sweeper agree on:
//
//	class needs no restore        NotArchived
//	no restore, or now >= expiry  Archived
//	now < ReadyAt                 Restoring
//	ReadyAt <= now < ExpiresAt    Restored
func status(rec *objectRecord, rules *storageclass.Rules, now time.Time) RestoreStatus {
	switch {
	case !rules.NeedsRestore:
		return RestoreStatus{State: NotArchived}
	case !rec.hasRestore() || !now.Before(rec.ExpiresAt):
		return RestoreStatus{State: Archived}
	}
	s := RestoreStatus{State: Restored, Tier: rec.Tier, RequestedAt: rec.RequestedAt, ReadyAt: rec.ReadyAt, ExpiresAt: rec.ExpiresAt}
	if now.Before(rec.ReadyAt) {
		s.State = Restoring
	}
	return s
}

// RestoreStatusCode is how a Restore call succeeded.
type RestoreStatusCode int

const (
	// Accepted: a restore started (or a running one moved to a faster
	// tier). HTTP 202.
	Accepted RestoreStatusCode = iota + 1
	// AlreadyRestored: the object was restored; its expiry was prolonged.
	// HTTP 200.
	AlreadyRestored
)

// HTTPStatus returns 202 for Accepted and 200 for AlreadyRestored.
//
// Deprecated: status codes are the wire's: each wire package answers a
// RestoreResult with its own.
func (c RestoreStatusCode) HTTPStatus() int {
	if c == Accepted {
		return 202
	}
	return 200
}

// String returns the code's name.
func (c RestoreStatusCode) String() string {
	switch c {
	case Accepted:
		return "Accepted"
	case AlreadyRestored:
		return "AlreadyRestored"
	}
	return "RestoreStatusCode(?)"
}

// RestoreResult is the answer of a successful Restore.
type RestoreResult struct {
	Status  RestoreStatusCode
	Restore RestoreStatus // the object's status right after the call
}

// SweepResult is what a Sweep did.
type SweepResult struct {
	Expired int       // restored copies that expired and were removed
	Next    time.Time // earliest pending expiry after the sweep; zero if none
}
