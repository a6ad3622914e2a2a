package lifecycle

import (
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore/internal/instant"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Matches reports whether the rule applies to o, enabled or not.
func (r *Rule) Matches(o Object) bool {
	if !strings.HasPrefix(o.Key, r.Prefix) {
		return false
	}
	for k, v := range r.Tags {
		if got, ok := o.Tags[k]; !ok || got != v {
			return false
		}
	}
	if f := r.Filter; f != nil {
		if f.ObjectSizeGreaterThan != nil && o.Size <= *f.ObjectSizeGreaterThan {
			return false
		}
		if f.ObjectSizeLessThan != nil && o.Size >= *f.ObjectSizeLessThan {
			return false
		}
		for _, n := range f.Not {
			if n.excludes(o) {
				return false
			}
		}
	}
	return true
}

func (n *Not) excludes(o Object) bool {
	if !strings.HasPrefix(o.Key, n.Prefix) {
		return false
	}
	if n.Tag != nil {
		v, ok := o.Tags[n.Tag.Key]
		return ok && v == n.Tag.Value
	}
	return true
}

// s3 reports whether the configuration follows S3's rules.
func (c *Configuration) s3() bool { return c.Dialect == DialectS3 }

// after is days days after base, as the configuration counts them: exactly
// in OSS, rounded up to the next 00:00 UTC in S3. ok is false when that is
// past coldstore.MaxTime (never).
func (c *Configuration) after(base time.Time, days int) (time.Time, bool) {
	if c.s3() {
		return instant.AddDaysMidnightUTC(base, int64(days))
	}
	return instant.AddDays(base, int64(days))
}

// expirationDue is when the expiration e comes due for o; ok is false when
// it never will.
func (c *Configuration) expirationDue(e *Expiration, o Object) (time.Time, bool) {
	switch {
	case e.Days > 0:
		return c.after(o.LastModified, e.Days) // past MaxTime: never
	case !e.Date.IsZero():
		return e.Date, true
	case !e.CreatedBefore.IsZero() && o.LastModified.Before(e.CreatedBefore):
		return o.LastModified, true
	}
	return time.Time{}, false
}

// transitionDue is when the transition t of rule r comes due for o in
// cat; ok is false when it never will: its target or o's class is not in
// cat, its target is not colder, S3's waterfall has no such step, o is too
// small (sizeAllows), o is appendable and the target is ColdArchive or
// DeepColdArchive (OSS moves an appendable object to IA or Archive only),
// or o was not modified before the date (OSS).
func (c *Configuration) transitionDue(cat *storageclass.Catalog, r *Rule, t *Transition, o Object) (time.Time, bool) {
	to, ok := cat.Rank(t.StorageClass)
	from, known := cat.Rank(o.Class)
	if !ok || !known || to <= from || !c.sizeAllows(cat, r, t, o) {
		return time.Time{}, false
	}
	if o.Appendable && (t.StorageClass == storageclass.ColdArchive || t.StorageClass == storageclass.DeepColdArchive) {
		return time.Time{}, false
	}
	if c.s3() && o.Class == storageclass.S3OneZoneIA && t.StorageClass == storageclass.S3GlacierIR {
		return time.Time{}, false // the one colder step S3 refuses
	}
	base := o.LastModified
	if t.IsAccessTime && o.LastAccess.After(base) {
		base = o.LastAccess
	}
	switch {
	case !t.Date.IsZero():
		return t.Date, true
	case !t.CreatedBefore.IsZero():
		if o.LastModified.Before(t.CreatedBefore) {
			return o.LastModified, true
		}
		return time.Time{}, false
	case t.Days > 0 || c.s3(): // S3 counts Days 0 too
		return c.after(base, t.Days) // past MaxTime: never
	}
	return time.Time{}, false
}

// sizeAllows reports whether o is large enough for transition t of rule r.
// In OSS: o is at least the target's MinBillableSize in cat, or t has
// AllowSmallFile. In S3: o is at least MinTransitionSize, or r filters by
// size (its filter then decides alone), or, with VariesByStorageClass, the
// target needs a restore (GLACIER, DEEP_ARCHIVE).
func (c *Configuration) sizeAllows(cat *storageclass.Catalog, r *Rule, t *Transition, o Object) bool {
	if !c.s3() {
		small, _ := cat.MinBillableSize(t.StorageClass)
		return o.Size >= small || t.AllowSmallFile
	}
	if o.Size >= MinTransitionSize {
		return true
	}
	if f := r.Filter; f != nil && (f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil) {
		return true
	}
	if c.TransitionDefaultMinimumObjectSize == VariesByStorageClass {
		rules, err := cat.Rules(t.StorageClass)
		return err == nil && rules.NeedsRestore
	}
	return false
}

// Evaluate is EvaluateIn with the OSS catalog.
func (c *Configuration) Evaluate(o Object, now time.Time) Action {
	return c.EvaluateIn(storageclass.OSS(), o, now)
}

// EvaluateIn returns what the configuration says to do with o at now, with
// the classes of cat: ActionExpire when any enabled matching rule's
// expiration is due (deletion beats transition), else ActionTransition to
// the coldest class by cat's rank whose transition is due, else ActionNone.
// Ties go to the first rule. OSS and S3 order overlapping rules alike: S3
// documents that permanent deletion takes precedence over transition, and
// that of GLACIER and STANDARD_IA both due, GLACIER wins (the colder); an
// earlier expiration of two is the one due first. A transition acts only on
// an object whose class and target are both in cat, the target of higher
// rank (in S3, not ONEZONE_IA to GLACIER_IR either), and large enough: in
// OSS at least the target's MinBillableSize unless AllowSmallFile; in S3 as
// TransitionDefaultMinimumObjectSize says.
func (c *Configuration) EvaluateIn(cat *storageclass.Catalog, o Object, now time.Time) Action {
	var best Action
	var bestRank int
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.Enabled || !r.Matches(o) {
			continue
		}
		if r.Expiration != nil {
			if t, ok := c.expirationDue(r.Expiration, o); ok && !t.After(now) {
				return Action{Kind: ActionExpire, RuleID: r.ID}
			}
		}
		for j := range r.Transitions {
			tr := &r.Transitions[j]
			if t, ok := c.transitionDue(cat, r, tr, o); ok && !t.After(now) {
				if rank, _ := cat.Rank(tr.StorageClass); best.Kind == ActionNone || rank > bestRank {
					best, bestRank = Action{Kind: ActionTransition, StorageClass: tr.StorageClass, RuleID: r.ID}, rank
				}
			}
		}
	}
	return best
}

// NextDue is NextDueIn with the OSS catalog.
func (c *Configuration) NextDue(o Object) time.Time {
	return c.NextDueIn(storageclass.OSS(), o)
}

// NextDueIn returns the earliest instant t at which EvaluateIn(cat, o, t)
// is not ActionNone, if o does not change meanwhile; an instant in the past
// when an action is already due; the zero time when no action will ever be
// due.
func (c *Configuration) NextDueIn(cat *storageclass.Catalog, o Object) time.Time {
	var next time.Time
	consider := func(t time.Time, ok bool) {
		if ok && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.Enabled || !r.Matches(o) {
			continue
		}
		if r.Expiration != nil {
			consider(c.expirationDue(r.Expiration, o))
		}
		for j := range r.Transitions {
			consider(c.transitionDue(cat, r, &r.Transitions[j], o))
		}
	}
	return next
}

// NextExpiration returns when an expiration of o comes due, as NextDue
// does but for expirations alone; zero for never.
func (c *Configuration) NextExpiration(o Object) time.Time {
	due, _ := c.ExpirationOf(o)
	return due
}

// ExpirationOf returns when an expiration of o comes due and the ID of
// the rule whose it is (of several, the first due; of rules due at once,
// the first in the configuration), as S3's x-amz-expiration and OSS's
// x-oss-expiration headers tell them; zero and "" for never. A due time
// in the past is an expiration not yet carried out.
func (c *Configuration) ExpirationOf(o Object) (due time.Time, ruleID string) {
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.Enabled || r.Expiration == nil || !r.Matches(o) {
			continue
		}
		if t, ok := c.expirationDue(r.Expiration, o); ok && (due.IsZero() || t.Before(due)) {
			due, ruleID = t, r.ID
		}
	}
	return due, ruleID
}

// ReturnsToStandard reports whether reading o moves it back to Standard: it
// is IA and an enabled matching rule has an IsAccessTime transition to IA
// with ReturnToStdWhenVisit.
func (c *Configuration) ReturnsToStandard(o Object) bool {
	if o.Class != storageclass.IA {
		return false
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.Enabled || !r.Matches(o) {
			continue
		}
		for _, t := range r.Transitions {
			if t.StorageClass == storageclass.IA && t.IsAccessTime && t.ReturnToStdWhenVisit {
				return true
			}
		}
	}
	return false
}

// UsesAccessTime reports whether any rule counts from the last access.
func (c *Configuration) UsesAccessTime() bool {
	for _, r := range c.Rules {
		for _, t := range r.Transitions {
			if t.IsAccessTime {
				return true
			}
		}
	}
	return false
}

// AbortDue returns when the configuration aborts a multipart upload of key
// initiated at initiated: the earliest time an enabled rule whose Prefix
// the key starts with says so (Days after the initiation, counted as
// Expiration counts them, so rounded up to midnight UTC in S3; at the
// initiation itself when it precedes CreatedBefore). ok is false when no
// rule ever aborts it. Rules with Tags never apply to uploads, nor do a
// Filter's exclusions, which name tags or sizes an upload does not have
// yet.
func (c *Configuration) AbortDue(key string, initiated time.Time) (due time.Time, ok bool) {
	due, _, ok = c.AbortOf(key, initiated)
	return due, ok
}

// AbortOf is AbortDue with the ID of the rule whose abort it is (of
// rules due at once, the first in the configuration), as S3's
// x-amz-abort-date and x-amz-abort-rule-id tell them.
func (c *Configuration) AbortOf(key string, initiated time.Time) (due time.Time, ruleID string, ok bool) {
	if c == nil {
		return time.Time{}, "", false
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		a := r.AbortMultipartUpload
		if a == nil || !r.Enabled || len(r.Tags) > 0 || !strings.HasPrefix(key, r.Prefix) {
			continue
		}
		var t time.Time
		var yes bool
		switch {
		case a.Days > 0:
			t, yes = c.after(initiated, a.Days)
		case !a.CreatedBefore.IsZero() && initiated.Before(a.CreatedBefore):
			t, yes = initiated, true
		}
		if yes && (!ok || t.Before(due)) {
			due, ruleID, ok = t, r.ID, true
		}
	}
	return due, ruleID, ok
}

// AbortsUploads reports whether an enabled rule aborts multipart uploads.
func (c *Configuration) AbortsUploads() bool {
	if c == nil {
		return false
	}
	for i := range c.Rules {
		if r := &c.Rules[i]; r.Enabled && r.AbortMultipartUpload != nil && len(r.Tags) == 0 {
			return true
		}
	}
	return false
}
