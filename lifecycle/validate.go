package lifecycle

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Limits of a configuration, as OSS sets them.
const (
	MaxRules    = 1000
	MaxIDLength = 255
)

// MaxDays bounds the Days of a rule: ten thousand years. A rule whose
// instant (LastModified, or LastAccess, plus Days) falls after
// coldstore.MaxTime never acts: Days of 999999, "practically never", is
// taken at its word.
const MaxDays = 3_650_000

// Validate checks a configuration of DialectOSS against the rules of OSS
// (research/semantics.md §7.1-7.4) and the classes of cat. It returns nil,
// or an error joining one error per broken constraint, each a
// *coldstore.OpError naming the rule and the reason and wrapping
// coldstore.ErrInvalidArgument:
//
//   - at most 1000 rules; IDs at most 255 bytes and unique (empty IDs are
//     allowed: the engine names them);
//   - each rule has a transition or an expiration;
//   - a transition sets Days (1 to MaxDays) or CreatedBefore (midnight UTC,
//     inside [coldstore.MinTime, coldstore.MaxTime]), not both; its class
//     is in cat and ranks above cat's warmest class (in OSS: IA, Archive,
//     ColdArchive or DeepColdArchive); a rule's transitions go to distinct
//     classes, mixing Days and dates is refused, and Days rise (dates fall)
//     with the class's rank;
//   - an expiration sets exactly one of Days, CreatedBefore and
//     ExpiredObjectDeleteMarker, and comes after every transition (more
//     Days; or a later date);
//   - IsAccessTime: Days only, to a class whose rules in cat say
//     AccessTimeTarget (in OSS: IA or Archive); ReturnToStdWhenVisit needs
//     IsAccessTime and IA, the one class OSS returns to Standard on a read;
//   - filters: sizes not negative, greater-than below less-than, Not
//     prefixes inside the rule's prefix, tag keys not empty;
//   - two enabled rules whose prefixes overlap (one starts with the other)
//     may not both transition, nor both expire (OSS refuses overlapping
//     prefixes for the same action unless x-oss-allow-same-action-overlap);
//   - S3's elements are refused: Date, NewerNoncurrentVersions,
//     TransitionDefaultMinimumObjectSize.
//
// A configuration of DialectS3 is checked against S3's rules instead
// (research/s3.md §7 and S3's recorded answers; the list is in
// s3validate.go): each refusal wraps coldstore.ErrInvalidRequest or
// coldstore.ErrInvalidArgument as S3 answers it, and carries S3's own
// message in OpError.Message where one is known. A configuration of
// another dialect is refused with coldstore.ErrInvalidArgument.
func (c *Configuration) Validate(cat *storageclass.Catalog) error {
	switch c.Dialect {
	case DialectOSS:
	case DialectS3:
		return c.validateS3(cat)
	default:
		return &coldstore.OpError{Op: "Validate", Detail: fmt.Sprintf("unknown dialect %q", c.Dialect), Err: coldstore.ErrInvalidArgument}
	}
	var errs []error
	bad := func(rule int, id, format string, args ...any) {
		name := fmt.Sprintf("rule %d", rule+1)
		if id != "" {
			name = fmt.Sprintf("rule %q", id)
		}
		errs = append(errs, &coldstore.OpError{Op: "Validate", Detail: name + ": " + fmt.Sprintf(format, args...), Err: coldstore.ErrInvalidArgument})
	}
	if len(c.Rules) == 0 {
		errs = append(errs, &coldstore.OpError{Op: "Validate", Detail: "no rules", Err: coldstore.ErrInvalidArgument})
	}
	if c.TransitionDefaultMinimumObjectSize != "" {
		errs = append(errs, &coldstore.OpError{Op: "Validate", Detail: "TransitionDefaultMinimumObjectSize is S3's; OSS has AllowSmallFile", Err: coldstore.ErrInvalidArgument})
	}
	if len(c.Rules) > MaxRules {
		errs = append(errs, &coldstore.OpError{Op: "Validate", Detail: fmt.Sprintf("%d rules exceed %d", len(c.Rules), MaxRules), Err: coldstore.ErrInvalidArgument})
	}
	warmest := 0
	if classes := cat.Classes(); len(classes) > 0 {
		warmest, _ = cat.Rank(classes[0])
	}
	ids := map[string]bool{}
	for i := range c.Rules {
		r := &c.Rules[i]
		if len(r.ID) > MaxIDLength {
			bad(i, "", "ID of %d bytes exceeds %d", len(r.ID), MaxIDLength)
		}
		if r.ID != "" && ids[r.ID] {
			bad(i, r.ID, "ID used twice")
		}
		ids[r.ID] = true
		r.validate(cat, warmest, func(format string, args ...any) { bad(i, r.ID, format, args...) })
	}
	for i := range c.Rules {
		for j := i + 1; j < len(c.Rules); j++ {
			a, b := &c.Rules[i], &c.Rules[j]
			if !a.Enabled || !b.Enabled || !(strings.HasPrefix(a.Prefix, b.Prefix) || strings.HasPrefix(b.Prefix, a.Prefix)) {
				continue
			}
			if len(a.Transitions) > 0 && len(b.Transitions) > 0 || a.Expiration != nil && b.Expiration != nil {
				bad(j, b.ID, "prefix %q overlaps the prefix %q of rule %d for the same action", b.Prefix, a.Prefix, i+1)
			}
		}
	}
	return errors.Join(errs...)
}

// validate checks one rule; warmest is the lowest rank of cat.
func (r *Rule) validate(cat *storageclass.Catalog, warmest int, bad func(string, ...any)) {
	if len(r.Transitions) == 0 && r.Expiration == nil && r.AbortMultipartUpload == nil &&
		len(r.NoncurrentVersionTransitions) == 0 && r.NoncurrentVersionExpiration == nil {
		bad("no Transition or Expiration")
	}
	for k := range r.Tags {
		if k == "" {
			bad("tag with an empty key")
		}
	}
	if a := r.AbortMultipartUpload; a != nil {
		if len(r.Tags) > 0 {
			bad("a rule with Tag cannot abort multipart uploads")
		}
		if (a.Days > 0) == !a.CreatedBefore.IsZero() {
			bad("AbortMultipartUpload needs one of Days and CreatedBeforeDate")
		}
	}
	if f := r.Filter; f != nil {
		if gt := f.ObjectSizeGreaterThan; gt != nil && *gt < 0 {
			bad("ObjectSizeGreaterThan %d is negative", *gt)
		}
		if lt := f.ObjectSizeLessThan; lt != nil && *lt <= 0 {
			bad("ObjectSizeLessThan %d is not positive", *lt)
		}
		if gt, lt := f.ObjectSizeGreaterThan, f.ObjectSizeLessThan; gt != nil && lt != nil && *gt >= *lt {
			bad("ObjectSizeGreaterThan %d is not below ObjectSizeLessThan %d", *gt, *lt)
		}
		for _, n := range f.Not {
			if !strings.HasPrefix(n.Prefix, r.Prefix) {
				bad("Not prefix %q is outside the rule's prefix %q", n.Prefix, r.Prefix)
			}
			if n.Tag != nil && n.Tag.Key == "" {
				bad("Not tag with an empty key")
			}
		}
	}
	for _, t := range r.Transitions {
		if !t.Date.IsZero() {
			bad("Transition to %s: Date is S3's; OSS has CreatedBeforeDate", t.StorageClass)
		}
	}
	if e := r.Expiration; e != nil && !e.Date.IsZero() {
		bad("Expiration: Date is S3's; OSS has CreatedBeforeDate")
	}
	newer := r.NoncurrentVersionExpiration != nil && r.NoncurrentVersionExpiration.NewerNoncurrentVersions != 0
	for _, n := range r.NoncurrentVersionTransitions {
		newer = newer || n.NewerNoncurrentVersions != 0
	}
	if newer {
		bad("NewerNoncurrentVersions is S3's")
	}
	seen := map[storageclass.Class]bool{}
	var byDays, byDate bool
	for _, t := range r.Transitions {
		rules, err := cat.Rules(t.StorageClass)
		switch {
		case err != nil:
			bad("unknown storage class %q", t.StorageClass)
			continue
		case rules.Rank == warmest:
			bad("a transition to %s, the warmest class", t.StorageClass)
			continue
		case seen[t.StorageClass]:
			bad("two transitions to %s", t.StorageClass)
		}
		seen[t.StorageClass] = true
		byDays = byDays || t.Days != 0
		byDate = byDate || !t.CreatedBefore.IsZero()
		checkWhen(bad, "Transition to "+string(t.StorageClass), t.Days, t.CreatedBefore)
		if t.IsAccessTime {
			if !t.CreatedBefore.IsZero() {
				bad("IsAccessTime with CreatedBeforeDate")
			}
			if !rules.AccessTimeTarget {
				bad("IsAccessTime transition to %s (%s)", t.StorageClass, accessTimeTargets(cat))
			}
		}
		if t.ReturnToStdWhenVisit && (!t.IsAccessTime || t.StorageClass != storageclass.IA) {
			bad("ReturnToStdWhenVisit needs IsAccessTime and IA")
		}
		if f := r.Filter; t.AllowSmallFile && f != nil && (f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil) {
			// OSS: "AllowSmallFile ... cannot be specified together with
			// ObjectSizeGreaterThan or ObjectSizeLessThan" (doc-detail/602104).
			bad("Transition to %s: AllowSmallFile beside a Filter's object size", t.StorageClass)
		}
	}
	if byDays && byDate {
		bad("transitions mix Days and CreatedBeforeDate")
	}
	for i, a := range r.Transitions {
		for _, b := range r.Transitions[i+1:] {
			ra, ea := cat.Rules(a.StorageClass)
			rb, eb := cat.Rules(b.StorageClass)
			if ea != nil || eb != nil || ra.Rank == rb.Rank {
				continue
			}
			if ra.Rank > rb.Rank {
				a, b = b, a
			}
			if a.Days != 0 && b.Days != 0 && a.Days >= b.Days {
				bad("%s after %d days is not before %s after %d days", a.StorageClass, a.Days, b.StorageClass, b.Days)
			}
			if !a.CreatedBefore.IsZero() && !b.CreatedBefore.IsZero() && !b.CreatedBefore.Before(a.CreatedBefore) {
				bad("%s for objects before %s needs an earlier date than %s", b.StorageClass, b.CreatedBefore.Format(time.DateOnly), a.StorageClass)
			}
		}
	}
	if e := r.Expiration; e != nil {
		set := 0
		for _, on := range []bool{e.Days != 0, !e.CreatedBefore.IsZero(), e.ExpiredObjectDeleteMarker} {
			if on {
				set++
			}
		}
		if set != 1 {
			bad("Expiration needs exactly one of Days, CreatedBeforeDate, ExpiredObjectDeleteMarker")
		}
		if !e.ExpiredObjectDeleteMarker {
			checkWhen(bad, "Expiration", e.Days, e.CreatedBefore)
		}
		for _, t := range r.Transitions {
			if e.Days != 0 && t.Days != 0 && e.Days <= t.Days {
				bad("Expiration after %d days is not after the transition to %s after %d days", e.Days, t.StorageClass, t.Days)
			}
			if !e.CreatedBefore.IsZero() && !t.CreatedBefore.IsZero() && !e.CreatedBefore.After(t.CreatedBefore) {
				bad("Expiration date %s is not after the transition date %s", e.CreatedBefore.Format(time.DateOnly), t.CreatedBefore.Format(time.DateOnly))
			}
		}
	}
}

// accessTimeTargets says which classes of cat IsAccessTime transitions may
// go to: "only IA or Archive" for OSS.
func accessTimeTargets(cat *storageclass.Catalog) string {
	var names []string
	for _, c := range cat.Classes() {
		if r, err := cat.Rules(c); err == nil && r.AccessTimeTarget {
			names = append(names, string(c))
		}
	}
	switch len(names) {
	case 0:
		return "no class of the catalog takes one"
	case 1:
		return "only " + names[0]
	}
	return "only " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// checkWhen checks one Days-or-date pair.
func checkWhen(bad func(string, ...any), what string, days int, before time.Time) {
	switch {
	case days != 0 && !before.IsZero():
		bad("%s sets both Days and CreatedBeforeDate", what)
	case days == 0 && before.IsZero():
		bad("%s sets neither Days nor CreatedBeforeDate", what)
	case days < 0:
		bad("%s: Days %d is not positive", what, days)
	case days > MaxDays:
		bad("%s: Days %d is more than %d", what, days, MaxDays)
	case !before.IsZero() && !coldstore.InTimeRange(before):
		bad("%s: CreatedBeforeDate %s is outside [%s, %s]", what, before.Format(time.DateOnly), coldstore.MinTime.Format(time.DateOnly), coldstore.MaxTime.Format(time.DateOnly))
	case !before.IsZero() && !before.Equal(before.Truncate(24*time.Hour)):
		bad("%s: CreatedBeforeDate %s is not midnight UTC", what, before.Format(time.RFC3339))
	}
}
