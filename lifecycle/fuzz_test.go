package lifecycle_test

import (
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// documented is the instant a rule of Days days documents for an object
// whose base is base, in Unix seconds, computed without any bound.
func documented(base time.Time, days int64) *big.Int {
	d := new(big.Int).Mul(big.NewInt(days), big.NewInt(86400))
	return d.Add(d, big.NewInt(base.Unix()))
}

// FuzzNeverEarly builds lifecycle documents from fuzzed Days, dates and
// clocks, and checks that no rule acts before its documented instant
// (LastModified, or LastAccess for IsAccessTime, plus Days of 24 hours; or
// a CreatedBeforeDate after LastModified); that NextDue is when Evaluate
// first acts; and that documents out of range are refused with a typed
// error, never wrapped into a wrong instant.
func FuzzNeverEarly(f *testing.F) {
	f.Add(int64(30), int64(10), int64(1704067200), int64(0), int64(40*86400), false, int64(0))
	f.Add(int64(999999), int64(999998), int64(1704067200), int64(0), int64(86400), false, int64(0))
	f.Add(int64(106752), int64(106751), int64(1704067200), int64(0), int64(9_000_000_000), false, int64(0))
	f.Add(int64(87000), int64(0), int64(1704067200), int64(0), int64(7_516_800_000), false, int64(0))
	f.Add(int64(3650000), int64(5), int64(253402214400), int64(3600), int64(1), true, int64(0))
	f.Add(int64(0), int64(0), int64(1704067200), int64(0), int64(0), false, int64(19724))
	f.Add(int64(9223372036854775807), int64(-1), int64(0), int64(0), int64(0), false, int64(2932896))
	f.Fuzz(func(t *testing.T, expDays, trDays, lastMod, accessAfter, nowAfter int64, accessTime bool, beforeDay int64) {
		if lastMod < coldstore.MinTime.Unix() || lastMod > coldstore.MaxTime.Unix() || accessAfter < 0 || nowAfter < 0 {
			return
		}
		lm := time.Unix(lastMod, 0).UTC()
		la, ok := addSeconds(lm, accessAfter)
		if !ok {
			return
		}
		now, ok := addSeconds(la, nowAfter)
		if !ok {
			return
		}
		var rule string
		switch {
		case beforeDay != 0:
			date := time.Unix(0, 0).UTC().AddDate(0, 0, int(min(max(beforeDay, -1e7), 1e7)))
			rule = fmt.Sprintf(`<Expiration><CreatedBeforeDate>%s</CreatedBeforeDate></Expiration>`, date.Format("2006-01-02T15:04:05.000Z"))
		default:
			if trDays != 0 {
				access := ""
				if accessTime {
					access = "<IsAccessTime>true</IsAccessTime>"
				}
				rule += fmt.Sprintf(`<Transition><Days>%d</Days><StorageClass>IA</StorageClass>%s</Transition>`, trDays, access)
			}
			if expDays != 0 {
				rule += fmt.Sprintf(`<Expiration><Days>%d</Days></Expiration>`, expDays)
			}
		}
		doc := `<LifecycleConfiguration><Rule><ID>r</ID><Prefix></Prefix><Status>Enabled</Status>` + rule + `</Rule></LifecycleConfiguration>`
		cfg, err := lifecycle.ParseXML([]byte(doc))
		if err == nil {
			err = cfg.Validate(storageclass.OSS())
		}
		if err != nil {
			if !errors.Is(err, coldstore.ErrInvalidArgument) && !errors.Is(err, coldstore.ErrMalformedXML) {
				t.Fatalf("%s: untyped error %v", doc, err)
			}
			return
		}
		o := lifecycle.Object{Key: "k", Size: 1 << 20, Class: storageclass.Standard, LastModified: lm, ClassSince: lm, LastAccess: la}
		r := cfg.Rules[0]
		act := cfg.Evaluate(o, now)
		switch act.Kind {
		case lifecycle.ActionExpire:
			e := r.Expiration
			if e.Days > 0 && documented(lm, int64(e.Days)).Cmp(big.NewInt(now.Unix())) > 0 {
				t.Fatalf("%s: expired at %v, before LastModified %v + %d days", doc, now, lm, e.Days)
			}
			if !e.CreatedBefore.IsZero() && !lm.Before(e.CreatedBefore) {
				t.Fatalf("%s: expired an object modified %v, not before %v", doc, lm, e.CreatedBefore)
			}
		case lifecycle.ActionTransition:
			tr := r.Transitions[0]
			base := lm
			if tr.IsAccessTime {
				base = la
			}
			if documented(base, int64(tr.Days)).Cmp(big.NewInt(now.Unix())) > 0 {
				t.Fatalf("%s: transitioned at %v, before %v + %d days", doc, now, base, tr.Days)
			}
		}
		next := cfg.NextDue(o)
		if next.IsZero() {
			if act.Kind != lifecycle.ActionNone {
				t.Fatalf("%s: acts at %v but NextDue says never", doc, now)
			}
			return
		}
		if !coldstore.InTimeRange(next) {
			t.Fatalf("%s: NextDue %v outside the range", doc, next)
		}
		if cfg.Evaluate(o, next).Kind == lifecycle.ActionNone {
			t.Fatalf("%s: nothing due at NextDue %v", doc, next)
		}
		if next.After(lm) && cfg.Evaluate(o, next.Add(-time.Nanosecond)).Kind != lifecycle.ActionNone {
			t.Fatalf("%s: acts before NextDue %v", doc, next)
		}
	})
}

// addSeconds adds s seconds to t, false when it leaves the range.
func addSeconds(t time.Time, s int64) (time.Time, bool) {
	if s > coldstore.MaxTime.Unix()-t.Unix() {
		return time.Time{}, false
	}
	return time.Unix(t.Unix()+s, 0).UTC(), true
}
