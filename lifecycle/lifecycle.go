// Package lifecycle holds OSS lifecycle rules: their XML form
// (PutBucketLifecycle's <LifecycleConfiguration>), their validation, and
// their evaluation against an object at an instant. It is pure: no I/O, no
// clock; the engine stores configurations, indexes each object's next due
// time and applies the actions.
//
// Rules follow research/semantics.md §7: transitions only to colder
// classes, with days rising with the class; expiration after every
// transition; deletion beats transition; of several due transitions the
// coldest wins. Which class is colder, and the size under which a
// transition skips an object, come from a storageclass.Catalog: Validate,
// EvaluateIn and NextDueIn take one; Evaluate and NextDue use OSS(). An object is due when now >= base + Days*24h, where base is
// its LastModified (or its LastAccess for IsAccessTime transitions), or,
// for a CreatedBefore rule, when it was last modified before that date.
// OSS runs lifecycle once a day; this package has no daily batching: an
// action is due at the exact instant.
//
// Noncurrent-version and multipart elements are parsed and written back so
// that real documents round-trip, but coldstore has neither versions nor
// multipart uploads, so they never produce an action.
package lifecycle

import (
	"time"

	"github.com/coldstore-dev/coldstore/storageclass"
)

// Configuration is a bucket's lifecycle configuration.
type Configuration struct {
	Rules []Rule
}

// Rule selects objects (Prefix, Tags, Filter) and says what happens to them
// as they age.
type Rule struct {
	ID          string            // up to 255 bytes; the engine generates one when empty
	Prefix      string            // objects whose key starts with it; "" for all
	Tags        map[string]string // objects carrying every one of these tags
	Enabled     bool              // Status Enabled; a disabled rule does nothing
	Filter      *Filter           // further conditions; nil for none
	Transitions []Transition
	Expiration  *Expiration

	// AbortMultipartUpload aborts the multipart uploads of keys under
	// Prefix (AbortDue); a rule with Tags cannot have it, as in OSS.
	AbortMultipartUpload *AbortMultipartUpload
	// Kept for round trips; never applied (no versions).
	NoncurrentVersionTransitions []NoncurrentVersionTransition
	NoncurrentVersionExpiration  *NoncurrentVersionExpiration
}

// Filter narrows a rule: objects matching any Not are excluded, and sizes
// are bounded (exclusive) when set.
type Filter struct {
	Not                   []Not
	ObjectSizeGreaterThan *int64
	ObjectSizeLessThan    *int64
}

// Not excludes the objects under Prefix (when not empty) that also carry
// Tag (when set).
type Not struct {
	Prefix string
	Tag    *Tag
}

// Tag is an object tag.
type Tag struct {
	Key, Value string
}

// Transition moves matching objects to StorageClass.
type Transition struct {
	// Days after LastModified (or after LastAccess with IsAccessTime); set
	// either Days or CreatedBefore.
	Days int
	// CreatedBefore: objects last modified before this date (midnight UTC).
	CreatedBefore time.Time
	// StorageClass is the target: a class of the catalog colder than its
	// warmest (in OSS: IA, Archive, ColdArchive or DeepColdArchive).
	StorageClass storageclass.Class
	// IsAccessTime counts Days from the last access (the bucket's access
	// monitor must be on).
	IsAccessTime bool
	// ReturnToStdWhenVisit moves an object this rule made IA back to
	// Standard when it is read (IsAccessTime rules to IA only).
	ReturnToStdWhenVisit bool
	// AllowSmallFile lets objects smaller than the target's MinBillableSize
	// in the catalog (64 KiB in OSS) transition; they are billed at that
	// size. Without it they stay where they are.
	AllowSmallFile bool
}

// Expiration deletes matching objects.
type Expiration struct {
	Days                      int       // after LastModified; or
	CreatedBefore             time.Time // objects last modified before this date; or
	ExpiredObjectDeleteMarker bool      // kept for round trips (no versions here)
}

// AbortMultipartUpload aborts uploads Days after their initiation, or
// those initiated before CreatedBefore (at once).
type AbortMultipartUpload struct {
	Days          int
	CreatedBefore time.Time
}

// NoncurrentVersionTransition is kept for round trips only.
type NoncurrentVersionTransition struct {
	NoncurrentDays                                     int
	StorageClass                                       storageclass.Class
	IsAccessTime, ReturnToStdWhenVisit, AllowSmallFile bool
}

// NoncurrentVersionExpiration is kept for round trips only.
type NoncurrentVersionExpiration struct {
	NoncurrentDays int
}

// Object is what evaluation needs to know of an object.
type Object struct {
	Key          string
	Size         int64
	Tags         map[string]string
	Class        storageclass.Class
	LastModified time.Time
	ClassSince   time.Time
	LastAccess   time.Time // zero: same as LastModified
}

// ActionKind is what a configuration says to do with an object now.
type ActionKind int

// The actions.
const (
	ActionNone ActionKind = iota
	ActionTransition
	ActionExpire
)

// String returns the action's name.
func (k ActionKind) String() string {
	switch k {
	case ActionTransition:
		return "Transition"
	case ActionExpire:
		return "Expire"
	}
	return "None"
}

// Action is the result of Evaluate.
type Action struct {
	Kind         ActionKind
	StorageClass storageclass.Class // the target of a transition
	RuleID       string             // the rule that decided
}
