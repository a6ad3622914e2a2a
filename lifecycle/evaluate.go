package lifecycle

import (
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore/internal/instant"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// smallFile is the size under which transitions skip an object unless the
// transition sets AllowSmallFile (OSS's 64 KB minimum billable size).
const smallFile = 64 << 10

// ranks orders the OSS classes; transitions go only to a higher rank. The
// order is fixed by OSS, so evaluation needs no catalog.
var ranks = map[storageclass.Class]int{
	storageclass.Standard: 0, storageclass.IA: 1, storageclass.Archive: 2,
	storageclass.ColdArchive: 3, storageclass.DeepColdArchive: 4,
}

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

// dueAt is when the rule's expiration of o comes due; ok is false when it
// never will.
func (e *Expiration) dueAt(o Object) (time.Time, bool) {
	switch {
	case e.Days > 0:
		return instant.AddDays(o.LastModified, int64(e.Days)) // past MaxTime: never
	case !e.CreatedBefore.IsZero() && o.LastModified.Before(e.CreatedBefore):
		return o.LastModified, true
	}
	return time.Time{}, false
}

// dueAt is when the transition of o comes due; ok is false when it never
// will (its target is not colder, the object is too small, or it was not
// modified before the date).
func (t *Transition) dueAt(o Object) (time.Time, bool) {
	if ranks[t.StorageClass] <= ranks[o.Class] {
		return time.Time{}, false
	}
	if o.Size < smallFile && !t.AllowSmallFile {
		return time.Time{}, false
	}
	base := o.LastModified
	if t.IsAccessTime && o.LastAccess.After(base) {
		base = o.LastAccess
	}
	switch {
	case t.Days > 0:
		return instant.AddDays(base, int64(t.Days)) // past MaxTime: never
	case !t.CreatedBefore.IsZero() && o.LastModified.Before(t.CreatedBefore):
		return o.LastModified, true
	}
	return time.Time{}, false
}

// Evaluate returns what the configuration says to do with o at now:
// ActionExpire when any enabled matching rule's expiration is due (deletion
// beats transition), else ActionTransition to the coldest class whose
// transition is due, else ActionNone. Ties go to the first rule.
func (c *Configuration) Evaluate(o Object, now time.Time) Action {
	var best Action
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.Enabled || !r.Matches(o) {
			continue
		}
		if r.Expiration != nil {
			if t, ok := r.Expiration.dueAt(o); ok && !t.After(now) {
				return Action{Kind: ActionExpire, RuleID: r.ID}
			}
		}
		for j := range r.Transitions {
			tr := &r.Transitions[j]
			if t, ok := tr.dueAt(o); ok && !t.After(now) {
				if best.Kind == ActionNone || ranks[tr.StorageClass] > ranks[best.StorageClass] {
					best = Action{Kind: ActionTransition, StorageClass: tr.StorageClass, RuleID: r.ID}
				}
			}
		}
	}
	return best
}

// NextDue returns the earliest instant at which Evaluate(o, t) is not
// ActionNone, if o does not change meanwhile; an instant in the past when
// an action is already due; the zero time when no action will ever be due.
func (c *Configuration) NextDue(o Object) time.Time {
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
			consider(r.Expiration.dueAt(o))
		}
		for j := range r.Transitions {
			consider(r.Transitions[j].dueAt(o))
		}
	}
	return next
}

// NextExpiration returns when an expiration of o comes due, as NextDue
// does but for expirations alone; zero for never.
func (c *Configuration) NextExpiration(o Object) time.Time {
	var next time.Time
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.Enabled || r.Expiration == nil || !r.Matches(o) {
			continue
		}
		if t, ok := r.Expiration.dueAt(o); ok && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
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
