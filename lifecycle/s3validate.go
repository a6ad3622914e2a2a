package lifecycle

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// MaxS3ObjectSize bounds S3's size filters, as S3 words the bound in its
// refusal: "'ObjectSizeLessThan' should be between 1 and 1099511627776000."
const MaxS3ObjectSize = 1099511627776000

// minIADays is S3's least Days for a transition to STANDARD_IA or
// ONEZONE_IA, and the least gap between such a transition and a later one
// in the same rule to GLACIER, DEEP_ARCHIVE or ONEZONE_IA.
const minIADays = 30

// s3Check collects the refusals of validateS3.
type s3Check struct {
	errs []error
}

// bad records a refusal wrapping sentinel: detail says which rule and why,
// message is S3's own text for it ("" where none was recorded).
func (k *s3Check) bad(sentinel error, message, detail string, args ...any) {
	k.errs = append(k.errs, &coldstore.OpError{Op: "Validate", Detail: fmt.Sprintf(detail, args...), Err: sentinel, Message: message})
}

// validateS3 checks a configuration of DialectS3 against S3's rules
// (research/s3.md §7; S3's answers as recorded). It returns nil, or an
// error joining one *coldstore.OpError per broken constraint, each naming
// the rule and carrying S3's message where one is known:
//
// coldstore.ErrInvalidRequest (400 InvalidRequest):
//   - no rules, or more than MaxRules;
//   - TransitionDefaultMinimumObjectSize other than "" and S3's two values;
//   - rule-level prefixes (LegacyPrefix) beside filters in one
//     configuration; rule-level prefixes that overlap (one starts with the
//     other) in two rules with the same action; NewerNoncurrentVersions in
//     a rule-level-prefix configuration;
//   - a rule without an action;
//   - ObjectSizeGreaterThan outside [0, MaxS3ObjectSize], ObjectSizeLessThan
//     outside [1, MaxS3ObjectSize], or not above ObjectSizeGreaterThan;
//   - an AbortMultipartUpload or ExpiredObjectDeleteMarker in a rule that
//     filters by tags or size;
//   - a rule whose transitions and expiration mix Days and Date.
//
// coldstore.ErrInvalidArgument (400 InvalidArgument):
//   - an ID over MaxIDLength bytes, or used by two rules;
//   - OSS elements S3 has no word for: Not filters, CreatedBefore dates,
//     IsAccessTime, ReturnToStdWhenVisit, AllowSmallFile;
//   - an empty tag key;
//   - a transition whose class is not in cat or is its warmest (STANDARD),
//     two transitions to one class, Days negative or over MaxDays, both
//     Days and Date, a Date not at midnight UTC or outside coldstore's
//     range; Days under 30 to STANDARD_IA or ONEZONE_IA; in one rule, a
//     colder class not after a warmer one (more Days, a later Date), a
//     GLACIER, DEEP_ARCHIVE or ONEZONE_IA transition less than 30 days
//     after one to STANDARD_IA or ONEZONE_IA, or both ONEZONE_IA and
//     GLACIER_IR (S3's waterfall has no such step);
//   - an expiration that sets not exactly one of Days, Date and
//     ExpiredObjectDeleteMarker, Days not positive, a bad Date as above, or
//     one not after every transition;
//   - an AbortMultipartUpload whose Days are not positive;
//   - a NoncurrentVersionExpiration whose NoncurrentDays are not positive,
//     a NoncurrentVersionTransition whose NoncurrentDays are negative or
//     whose class is unknown or the warmest, NewerNoncurrentVersions
//     negative.
//
// The codes of the refusals of mixed Days and Date, of a repeated class,
// of unordered transitions, of an ExpiredObjectDeleteMarker with tags and
// of the waterfall's missing step were not recorded from S3; they are
// chosen by the likeness of their messages to recorded ones.
func (c *Configuration) validateS3(cat *storageclass.Catalog) error {
	k := &s3Check{}
	switch n := len(c.Rules); {
	case n == 0:
		k.bad(coldstore.ErrInvalidRequest, "At least one lifecycle rule must be specified.", "no rules")
	case n > MaxRules:
		k.bad(coldstore.ErrInvalidRequest, "The number of lifecycle rules must not exceed the allowed limit of 1000 rules.", "%d rules exceed %d", n, MaxRules)
	}
	switch m := c.TransitionDefaultMinimumObjectSize; m {
	case "", AllStorageClasses128K, VariesByStorageClass:
	default:
		k.bad(coldstore.ErrInvalidRequest, "Invalid TransitionDefaultMinimumObjectSize found: "+string(m), "TransitionDefaultMinimumObjectSize %q", m)
	}
	warmest := 0
	if classes := cat.Classes(); len(classes) > 0 {
		warmest, _ = cat.Rank(classes[0])
	}
	ids := map[string]bool{}
	filterSeen, legacySeen := false, false
	for i := range c.Rules {
		r := &c.Rules[i]
		name := ruleName(i, r.ID)
		if len(r.ID) > MaxIDLength {
			k.bad(coldstore.ErrInvalidArgument, "ID length should not exceed allowed limit of 255", "%s: ID of %d bytes exceeds %d", name, len(r.ID), MaxIDLength)
		}
		if r.ID != "" && ids[r.ID] {
			k.bad(coldstore.ErrInvalidArgument, "Rule ID must be unique. Found same ID for more than one rule", "%s: ID used twice", name)
		}
		ids[r.ID] = true
		switch {
		case r.LegacyPrefix && filterSeen:
			k.bad(coldstore.ErrInvalidRequest, "Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.", "%s: a rule-level prefix after a rule with a filter", name)
		case !r.LegacyPrefix && legacySeen:
			k.bad(coldstore.ErrInvalidRequest, "Filter element can only be used in Lifecycle V2.", "%s: a filter after a rule with a rule-level prefix", name)
		}
		filterSeen = filterSeen || !r.LegacyPrefix
		legacySeen = legacySeen || r.LegacyPrefix
		r.validateS3(cat, warmest, name, k)
	}
	if legacySeen {
		c.validateS3Legacy(k)
	}
	return errors.Join(k.errs...)
}

func ruleName(i int, id string) string {
	if id != "" {
		return fmt.Sprintf("rule %q", id)
	}
	return fmt.Sprintf("rule %d", i+1)
}

// validateS3Legacy checks what S3 refuses of rule-level prefixes ("Lifecycle
// V1"): overlapping prefixes with the same action, NewerNoncurrentVersions.
func (c *Configuration) validateS3Legacy(k *s3Check) {
	actions := func(r *Rule) []string {
		var a []string
		if len(r.Transitions) > 0 {
			a = append(a, "Transition")
		}
		if r.Expiration != nil {
			a = append(a, "Expiration")
		}
		if r.AbortMultipartUpload != nil {
			a = append(a, "AbortIncompleteMultipartUpload")
		}
		if len(r.NoncurrentVersionTransitions) > 0 {
			a = append(a, "NoncurrentVersionTransition")
		}
		if r.NoncurrentVersionExpiration != nil {
			a = append(a, "NoncurrentVersionExpiration")
		}
		return a
	}
	for i := range c.Rules {
		a := &c.Rules[i]
		newer := a.NoncurrentVersionExpiration != nil && a.NoncurrentVersionExpiration.NewerNoncurrentVersions != 0
		for _, n := range a.NoncurrentVersionTransitions {
			newer = newer || n.NewerNoncurrentVersions != 0
		}
		if newer {
			k.bad(coldstore.ErrInvalidRequest, "NewerNoncurrentVersions element can only be used in Lifecycle V2.", "%s: NewerNoncurrentVersions with rule-level prefixes", ruleName(i, a.ID))
		}
		for j := i + 1; j < len(c.Rules); j++ {
			b := &c.Rules[j]
			if !strings.HasPrefix(a.Prefix, b.Prefix) && !strings.HasPrefix(b.Prefix, a.Prefix) {
				continue
			}
			for _, act := range actions(a) {
				for _, other := range actions(b) {
					if act == other {
						k.bad(coldstore.ErrInvalidRequest, fmt.Sprintf("Found overlapping prefixes '%s' and '%s' for same action type '%s'", a.Prefix, b.Prefix, act),
							"%s: prefix %q overlaps the prefix %q of %s for %s", ruleName(j, b.ID), b.Prefix, a.Prefix, ruleName(i, a.ID), act)
					}
				}
			}
		}
	}
}

// filterText is how S3 names a rule's filter in its messages.
func (r *Rule) filterText() string { return fmt.Sprintf("(prefix=%s)", r.Prefix) }

// validateS3 checks one rule of an S3 configuration; warmest is the lowest
// rank of cat.
func (r *Rule) validateS3(cat *storageclass.Catalog, warmest int, name string, k *s3Check) {
	bad := func(sentinel error, message, format string, args ...any) {
		k.bad(sentinel, message, name+": "+format, args...)
	}
	if len(r.Transitions) == 0 && r.Expiration == nil && r.AbortMultipartUpload == nil &&
		len(r.NoncurrentVersionTransitions) == 0 && r.NoncurrentVersionExpiration == nil {
		bad(coldstore.ErrInvalidRequest, "At least one action needs to be specified in a rule", "no action")
	}
	for key := range r.Tags {
		if key == "" {
			bad(coldstore.ErrInvalidArgument, "", "tag with an empty key")
		}
	}
	sized := false
	if f := r.Filter; f != nil {
		if len(f.Not) > 0 {
			bad(coldstore.ErrInvalidArgument, "", "S3 has no Not filter")
		}
		gt, lt := f.ObjectSizeGreaterThan, f.ObjectSizeLessThan
		sized = gt != nil || lt != nil
		if gt != nil && (*gt < 0 || *gt > MaxS3ObjectSize) {
			bad(coldstore.ErrInvalidRequest, fmt.Sprintf("'ObjectSizeGreaterThan' should be between 0 and %d.", int64(MaxS3ObjectSize)), "ObjectSizeGreaterThan %d", *gt)
		}
		if lt != nil && (*lt < 1 || *lt > MaxS3ObjectSize) {
			bad(coldstore.ErrInvalidRequest, fmt.Sprintf("'ObjectSizeLessThan' should be between 1 and %d.", int64(MaxS3ObjectSize)), "ObjectSizeLessThan %d", *lt)
		}
		if gt != nil && lt != nil && *gt >= *lt {
			bad(coldstore.ErrInvalidRequest, "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.", "ObjectSizeGreaterThan %d is not below ObjectSizeLessThan %d", *gt, *lt)
		}
	}
	if a := r.AbortMultipartUpload; a != nil {
		if len(r.Tags) > 0 {
			bad(coldstore.ErrInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Tags.", "AbortIncompleteMultipartUpload with a tag filter")
		}
		if sized {
			bad(coldstore.ErrInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Object Size.", "AbortIncompleteMultipartUpload with a size filter")
		}
		switch {
		case !a.CreatedBefore.IsZero():
			bad(coldstore.ErrInvalidArgument, "", "AbortIncompleteMultipartUpload has OSS's CreatedBeforeDate")
		case a.Days <= 0:
			bad(coldstore.ErrInvalidArgument, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer", "DaysAfterInitiation %d", a.Days)
		case a.Days > MaxDays:
			bad(coldstore.ErrInvalidArgument, "", "DaysAfterInitiation %d is more than %d", a.Days, MaxDays)
		}
	}
	r.validateS3Transitions(cat, warmest, bad)
	if e := r.Expiration; e != nil {
		set := 0
		for _, on := range []bool{e.Days != 0, !e.Date.IsZero(), e.ExpiredObjectDeleteMarker, !e.CreatedBefore.IsZero()} {
			if on {
				set++
			}
		}
		switch {
		case !e.CreatedBefore.IsZero():
			bad(coldstore.ErrInvalidArgument, "", "Expiration has OSS's CreatedBeforeDate")
		case set > 1:
			bad(coldstore.ErrInvalidArgument, "", "Expiration sets more than one of Days, Date, ExpiredObjectDeleteMarker")
		case set == 0 || e.Days < 0: // <Days>0</Days> parses as no Days
			bad(coldstore.ErrInvalidArgument, "'Days' for Expiration action must be a positive integer", "Expiration Days %d (and no Date or ExpiredObjectDeleteMarker)", e.Days)
		case e.Days > MaxDays:
			bad(coldstore.ErrInvalidArgument, "", "Expiration Days %d is more than %d", e.Days, MaxDays)
		case !e.Date.IsZero():
			checkS3Date(bad, "Expiration", e.Date)
		}
		if e.ExpiredObjectDeleteMarker && sized {
			bad(coldstore.ErrInvalidRequest, "ExpiredObjectDeleteMarker cannot be specified with Object Size.", "ExpiredObjectDeleteMarker with a size filter")
		}
		if e.ExpiredObjectDeleteMarker && len(r.Tags) > 0 {
			bad(coldstore.ErrInvalidRequest, "", "ExpiredObjectDeleteMarker with a tag filter")
		}
		for _, t := range r.Transitions {
			if e.Days != 0 && t.Date.IsZero() && e.Days <= t.Days {
				bad(coldstore.ErrInvalidArgument, fmt.Sprintf("'Days' in the Expiration action for filter '%s' must be greater than 'Days' in the Transition action for StorageClass '%s' for filter '%s'", r.filterText(), t.StorageClass, r.filterText()),
					"Expiration after %d days is not after the transition to %s after %d days", e.Days, t.StorageClass, t.Days)
			}
			if !e.Date.IsZero() && !t.Date.IsZero() && !e.Date.After(t.Date) {
				bad(coldstore.ErrInvalidArgument, "", "Expiration date %s is not after the transition date %s", e.Date.Format(time.DateOnly), t.Date.Format(time.DateOnly))
			}
		}
	}
	byDays, byDate := false, false
	for _, t := range r.Transitions {
		byDate = byDate || !t.Date.IsZero()
		byDays = byDays || t.Date.IsZero()
	}
	if e := r.Expiration; e != nil {
		byDate = byDate || !e.Date.IsZero()
		byDays = byDays || e.Days != 0
	}
	if byDays && byDate {
		bad(coldstore.ErrInvalidRequest, fmt.Sprintf("Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '%s'", r.filterText()), "actions mix Days and Date")
	}
	for _, n := range r.NoncurrentVersionTransitions {
		if n.NoncurrentDays < 0 {
			bad(coldstore.ErrInvalidArgument, "'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative", "NoncurrentDays %d", n.NoncurrentDays)
		}
		if n.NewerNoncurrentVersions < 0 {
			bad(coldstore.ErrInvalidArgument, "", "NewerNoncurrentVersions %d is negative", n.NewerNoncurrentVersions)
		}
		if n.IsAccessTime || n.ReturnToStdWhenVisit || n.AllowSmallFile {
			bad(coldstore.ErrInvalidArgument, "", "the noncurrent transition to %s has OSS elements S3 lacks", n.StorageClass)
		}
		if rules, err := cat.Rules(n.StorageClass); err != nil || rules.Rank == warmest {
			bad(coldstore.ErrInvalidArgument, "", "NoncurrentVersionTransition to %q, not a colder class", n.StorageClass)
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		if n.NoncurrentDays <= 0 {
			bad(coldstore.ErrInvalidArgument, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer", "NoncurrentDays %d", n.NoncurrentDays)
		}
		if n.NewerNoncurrentVersions < 0 {
			bad(coldstore.ErrInvalidArgument, "", "NewerNoncurrentVersions %d is negative", n.NewerNoncurrentVersions)
		}
	}
}

// validateS3Transitions checks the transitions of one rule.
func (r *Rule) validateS3Transitions(cat *storageclass.Catalog, warmest int, bad func(error, string, string, ...any)) {
	seen := map[storageclass.Class]bool{}
	for _, t := range r.Transitions {
		rules, err := cat.Rules(t.StorageClass)
		switch {
		case err != nil:
			bad(coldstore.ErrInvalidArgument, "", "unknown storage class %q", t.StorageClass)
			continue
		case rules.Rank == warmest:
			bad(coldstore.ErrInvalidArgument, "", "a transition to %s, the warmest class", t.StorageClass)
			continue
		case seen[t.StorageClass]:
			bad(coldstore.ErrInvalidArgument, fmt.Sprintf("'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '%s'", r.filterText()), "two transitions to %s", t.StorageClass)
		}
		seen[t.StorageClass] = true
		if !t.CreatedBefore.IsZero() || t.IsAccessTime || t.ReturnToStdWhenVisit || t.AllowSmallFile {
			bad(coldstore.ErrInvalidArgument, "", "the transition to %s has OSS elements S3 lacks (CreatedBeforeDate, IsAccessTime, ReturnToStdWhenVisit, AllowSmallFile)", t.StorageClass)
		}
		switch {
		case t.Days != 0 && !t.Date.IsZero():
			bad(coldstore.ErrInvalidArgument, "", "the transition to %s sets both Days and Date", t.StorageClass)
		case t.Days < 0:
			bad(coldstore.ErrInvalidArgument, "'Days' in Transition action must be nonnegative", "Transition to %s: Days %d", t.StorageClass, t.Days)
		case t.Days > MaxDays:
			bad(coldstore.ErrInvalidArgument, "", "Transition to %s: Days %d is more than %d", t.StorageClass, t.Days, MaxDays)
		case !t.Date.IsZero():
			checkS3Date(bad, "Transition to "+string(t.StorageClass), t.Date)
		case isS3IA(t.StorageClass) && t.Days < minIADays:
			bad(coldstore.ErrInvalidArgument, fmt.Sprintf("'Days' in Transition action must be greater than or equal to 30 for storageClass '%s'", t.StorageClass),
				"Transition to %s after %d days, fewer than 30", t.StorageClass, t.Days)
		}
	}
	if seen[storageclass.S3OneZoneIA] && seen[storageclass.S3GlacierIR] {
		bad(coldstore.ErrInvalidArgument, "", "transitions to ONEZONE_IA and GLACIER_IR: S3 does not move ONEZONE_IA objects to GLACIER_IR")
	}
	for i, a := range r.Transitions {
		for _, b := range r.Transitions[i+1:] {
			ra, ea := cat.Rules(a.StorageClass)
			rb, eb := cat.Rules(b.StorageClass)
			if ea != nil || eb != nil || ra.Rank == rb.Rank {
				continue
			}
			if ra.Rank > rb.Rank {
				a, b = b, a // a is the warmer
			}
			switch {
			case a.Date.IsZero() && b.Date.IsZero() && a.Days >= b.Days:
				bad(coldstore.ErrInvalidArgument, "", "%s after %d days is not before %s after %d days", a.StorageClass, a.Days, b.StorageClass, b.Days)
			case a.Date.IsZero() && b.Date.IsZero() && isS3IA(a.StorageClass) && s3IAFollower(b.StorageClass) && b.Days-a.Days < minIADays:
				bad(coldstore.ErrInvalidArgument, fmt.Sprintf("'Days' in the Transition action for StorageClass '%s' for filter '%s' must be 30 days more than 'filter '%s'' in the Transition action for StorageClass '%s'", b.StorageClass, r.filterText(), r.filterText(), a.StorageClass),
					"%s after %d days is less than 30 days after %s after %d days", b.StorageClass, b.Days, a.StorageClass, a.Days)
			case !a.Date.IsZero() && !b.Date.IsZero() && !b.Date.After(a.Date):
				bad(coldstore.ErrInvalidArgument, "", "%s on %s is not after %s on %s", b.StorageClass, b.Date.Format(time.DateOnly), a.StorageClass, a.Date.Format(time.DateOnly))
			}
		}
	}
}

// isS3IA reports whether c is one of S3's infrequent-access classes, which
// lifecycle reaches only after 30 days.
func isS3IA(c storageclass.Class) bool {
	return c == storageclass.S3StandardIA || c == storageclass.S3OneZoneIA
}

// s3IAFollower reports whether a transition to c must come at least 30
// days after one to an IA class in the same rule.
func s3IAFollower(c storageclass.Class) bool {
	return c == storageclass.S3Glacier || c == storageclass.S3DeepArchive || c == storageclass.S3OneZoneIA
}

// checkS3Date checks an S3 Date: midnight UTC, inside coldstore's range.
func checkS3Date(bad func(error, string, string, ...any), what string, d time.Time) {
	switch {
	case !coldstore.InTimeRange(d):
		bad(coldstore.ErrInvalidArgument, "", "%s: Date %s is outside [%s, %s]", what, d.Format(time.DateOnly), coldstore.MinTime.Format(time.DateOnly), coldstore.MaxTime.Format(time.DateOnly))
	case !d.Equal(d.Truncate(24 * time.Hour)):
		bad(coldstore.ErrInvalidArgument, "'Date' must be at midnight GMT", "%s: Date %s is not midnight UTC", what, d.Format(time.RFC3339))
	}
}
