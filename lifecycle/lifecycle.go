// Package lifecycle holds lifecycle rules: their XML forms (OSS's
// PutBucketLifecycle and S3's PutBucketLifecycleConfiguration
// <LifecycleConfiguration>), their validation, and their evaluation
// against an object at an instant. It is pure: no I/O, no clock; the
// engine stores configurations, indexes each object's next due time and
// applies the actions.
//
// A configuration follows the rules of one service, its Dialect: OSS's
// (the zero value; ParseXMLIn) or S3's (ParseS3XML). Rules follow
// research/semantics.md §7 and research/s3.md §7: transitions only to
// colder classes, with days rising with the class; expiration after every
// transition; deletion beats transition; of several due transitions the
// coldest wins. Which class is colder, and the size under which a
// transition skips an object, come from a storageclass.Catalog: Validate,
// EvaluateIn and NextDueIn take one; Evaluate and NextDue use OSS().
//
// In OSS an object is due when now >= base + Days*24h, where base is its
// LastModified (or its LastAccess for IsAccessTime transitions), or, for a
// CreatedBefore rule, when it was last modified before that date. OSS runs
// lifecycle once a day; this package has no daily batching: an action is
// due at the exact instant. In S3 base + Days is rounded up to the next
// 00:00 UTC, and a Date rule is due on its date for every object it
// matches, whenever the object was written.
//
// Noncurrent-version elements are parsed and written back so that real
// documents round-trip, but coldstore has no versions, so they never
// produce an action. Multipart elements abort uploads (AbortDue).
package lifecycle

import (
	"time"

	"github.com/coldstore-dev/coldstore/storageclass"
)

// Configuration is a bucket's lifecycle configuration.
type Configuration struct {
	Rules []Rule
	// Dialect is the service whose rules the configuration follows:
	// DialectOSS (the zero value) or DialectS3, which ParseS3XML sets. It
	// decides what Validate checks and how evaluation counts days (S3
	// rounds up to midnight UTC) and treats small objects.
	Dialect string
	// TransitionDefaultMinimumObjectSize is S3's rule for transitions of
	// objects under MinTransitionSize (the request and response header
	// x-amz-transition-default-minimum-object-size). It applies to S3
	// configurations only, where "" means AllStorageClasses128K, S3's
	// default; ParseS3XML sets it to that default.
	TransitionDefaultMinimumObjectSize MinimumObjectSize
}

// The dialects of a configuration.
const (
	// DialectOSS: Alibaba Cloud OSS's rules, the zero value.
	DialectOSS = ""
	// DialectS3: Amazon S3's rules (research/s3.md §7).
	DialectS3 = "s3"
)

// MinimumObjectSize is a value of S3's TransitionDefaultMinimumObjectSize.
type MinimumObjectSize string

// The values of TransitionDefaultMinimumObjectSize.
const (
	// AllStorageClasses128K: objects under MinTransitionSize transition to
	// no class, unless the rule filters by size.
	AllStorageClasses128K MinimumObjectSize = "all_storage_classes_128K"
	// VariesByStorageClass: objects under MinTransitionSize transition
	// only to classes that need a restore (in S3, GLACIER and
	// DEEP_ARCHIVE), unless the rule filters by size.
	VariesByStorageClass MinimumObjectSize = "varies_by_storage_class"
)

// MinTransitionSize is the size under which S3's default keeps objects
// from transitioning: 128 KiB. An object of exactly this size transitions.
const MinTransitionSize = 128 << 10

// Rule selects objects (Prefix, Tags, Filter) and says what happens to them
// as they age.
type Rule struct {
	ID     string // up to 255 bytes; the engine generates one when empty
	Prefix string // objects whose key starts with it; "" for all
	// LegacyPrefix says that, in S3, Prefix is the rule's own <Prefix>
	// element (deprecated, "Lifecycle V1"), not its Filter's; S3XML writes
	// it back where it came from. OSS has only rule-level prefixes and
	// ignores it.
	LegacyPrefix bool
	Tags         map[string]string // objects carrying every one of these tags
	Enabled      bool              // Status Enabled; a disabled rule does nothing
	Filter       *Filter           // further conditions; nil for none
	Transitions  []Transition
	Expiration   *Expiration

	// AbortMultipartUpload aborts the multipart uploads of keys under
	// Prefix (AbortDue; S3's AbortIncompleteMultipartUpload); a rule with
	// Tags cannot have it, as in OSS and S3.
	AbortMultipartUpload *AbortMultipartUpload
	// Kept for round trips; never applied (no versions).
	NoncurrentVersionTransitions []NoncurrentVersionTransition
	NoncurrentVersionExpiration  *NoncurrentVersionExpiration
}

// Filter narrows a rule: objects matching any Not are excluded (OSS only),
// and sizes are bounded (exclusive) when set.
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
	// Days after LastModified (or after LastAccess with IsAccessTime). In
	// OSS set either Days or CreatedBefore. In S3 set Days (0 included:
	// S3 allows it) or Date; a transition without Date counts Days.
	Days int
	// CreatedBefore (OSS): objects last modified before this date
	// (midnight UTC).
	CreatedBefore time.Time
	// Date (S3): every matching object is due on this date (midnight UTC),
	// and from then on, whenever it was written.
	Date time.Time
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
	CreatedBefore             time.Time // (OSS) objects last modified before this date; or
	Date                      time.Time // (S3) every matching object, on this date and after; or
	ExpiredObjectDeleteMarker bool      // kept for round trips (no versions here)
}

// AbortMultipartUpload aborts uploads Days after their initiation (S3's
// DaysAfterInitiation), or those initiated before CreatedBefore (at once;
// OSS only).
type AbortMultipartUpload struct {
	Days          int
	CreatedBefore time.Time
}

// NoncurrentVersionTransition is kept for round trips only.
type NoncurrentVersionTransition struct {
	NoncurrentDays                                     int
	NewerNoncurrentVersions                            int // S3; 0 for none
	StorageClass                                       storageclass.Class
	IsAccessTime, ReturnToStdWhenVisit, AllowSmallFile bool
}

// NoncurrentVersionExpiration is kept for round trips only.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          int
	NewerNoncurrentVersions int // S3; 0 for none
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
	// Appendable: an object of OSS's AppendObject, which OSS never makes
	// ColdArchive or DeepColdArchive (SealAppendObject's page; EC
	// 0016-00000503): a transition there does not apply to it.
	Appendable bool
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
