package lifecycle_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

const day = 24 * time.Hour

func i64(v int64) *int64 { return &v }

func TestParseOSSDocument(t *testing.T) {
	b, err := os.ReadFile("testdata/oss-example.xml")
	require.NoError(t, err)
	c, err := lifecycle.ParseXML(b)
	require.NoError(t, err)
	require.NoError(t, c.Validate(storageclass.OSS()))
	require.Len(t, c.Rules, 3)
	want := lifecycle.Rule{
		ID: "logs-tiering", Prefix: "logs/", Enabled: true,
		Filter: &lifecycle.Filter{
			Not:                   []lifecycle.Not{{Prefix: "logs/keep/", Tag: &lifecycle.Tag{Key: "hold", Value: "legal"}}},
			ObjectSizeGreaterThan: i64(500),
		},
		Transitions: []lifecycle.Transition{
			{Days: 30, StorageClass: storageclass.IA},
			{Days: 60, StorageClass: storageclass.Archive},
			{Days: 180, StorageClass: storageclass.ColdArchive},
		},
		Expiration:                   &lifecycle.Expiration{Days: 3650},
		AbortMultipartUpload:         &lifecycle.AbortMultipartUpload{Days: 7},
		NoncurrentVersionTransitions: []lifecycle.NoncurrentVersionTransition{{NoncurrentDays: 30, StorageClass: storageclass.IA}},
		NoncurrentVersionExpiration:  &lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 90},
	}
	require.Equal(t, want, c.Rules[0])
	require.Equal(t, map[string]string{"team": "media"}, c.Rules[1].Tags)
	require.True(t, c.Rules[1].Transitions[0].IsAccessTime)
	require.True(t, c.Rules[1].Transitions[0].ReturnToStdWhenVisit)
	require.False(t, c.Rules[2].Enabled)
	require.Equal(t, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), c.Rules[2].Transitions[0].CreatedBefore)

	out, err := c.XML()
	require.NoError(t, err)
	back, err := lifecycle.ParseXML(out)
	require.NoError(t, err)
	require.Equal(t, c, back, "marshal then parse gives the same value:\n%s", out)
	require.Contains(t, string(out), "<CreatedBeforeDate>2023-01-01T00:00:00.000Z</CreatedBeforeDate>")
	require.Contains(t, string(out), "<Status>Disabled</Status>")
}

func TestParseMalformed(t *testing.T) {
	for _, doc := range []string{
		"", "<", "not xml", "<Other/>",
		"<LifecycleConfiguration><Rule><Status>On</Status></Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration><Rule><Status>Enabled</Status><Transition><Days>x</Days></Transition></Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><CreatedBeforeDate>yesterday</CreatedBeforeDate></Expiration></Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration><Rule><Status>Enabled</Status><Tag><Key>a</Key></Tag><Tag><Key>a</Key></Tag></Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration>" + strings.Repeat(" ", lifecycle.MaxXMLSize) + "</LifecycleConfiguration>",
	} {
		_, err := lifecycle.ParseXML([]byte(doc))
		require.ErrorIs(t, err, coldstore.ErrMalformedXML, "%.80q", doc)
	}
	c, err := lifecycle.ParseXML([]byte("<LifecycleConfiguration/>"))
	require.NoError(t, err)
	require.Empty(t, c.Rules)
}

// TestParseStrictShape: an element OSS's document does not have, or one
// it takes once given twice, is MalformedXML rather than read past: an
// S3 <Filter><Prefix> would otherwise leave the rule's prefix empty and
// expire the whole bucket. The deprecated Date is refused, not ignored.
func TestParseStrictShape(t *testing.T) {
	rule := func(inner string) string {
		return "<LifecycleConfiguration><Rule><ID>r</ID>" + inner + "</Rule></LifecycleConfiguration>"
	}
	exp := "<Expiration><Days>3</Days></Expiration>"
	for name, doc := range map[string]string{
		"S3's Filter/Prefix":   rule("<Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status>" + exp),
		"two Prefixes":         rule("<Prefix>tmp/</Prefix><Prefix>private/</Prefix><Status>Enabled</Status>" + exp),
		"two Expirations":      rule("<Prefix>a/</Prefix><Status>Enabled</Status>" + exp + "<Expiration><Days>5</Days></Expiration>"),
		"two Days":             rule("<Prefix>a/</Prefix><Status>Enabled</Status><Expiration><Days>3</Days><Days>5</Days></Expiration>"),
		"an unknown element":   rule("<Prefix>a/</Prefix><Status>Enabled</Status><Bogus/>" + exp),
		"a Transition's Date":  rule("<Prefix>a/</Prefix><Status>Enabled</Status><Transition><Date>2024-01-01T00:00:00.000Z</Date><StorageClass>IA</StorageClass></Transition>"),
		"an Expiration's Date": rule("<Prefix>a/</Prefix><Status>Enabled</Status><Expiration><Date>2024-01-01T00:00:00.000Z</Date></Expiration>"),
	} {
		_, err := lifecycle.ParseXML([]byte(doc))
		require.ErrorIs(t, err, coldstore.ErrMalformedXML, name)
	}
	c, err := lifecycle.ParseXML([]byte(rule("<Prefix>a/</Prefix><Status>Enabled</Status><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>l</Key><Value>w</Value></Tag>" +
		"<Filter><Not><Prefix>a/keep/</Prefix></Not><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></Filter>" +
		"<Transition><Days>30</Days><StorageClass>IA</StorageClass></Transition><Transition><Days>60</Days><StorageClass>Archive</StorageClass></Transition>" + exp)))
	require.NoError(t, err, "repeated Tag and Transition are OSS's")
	require.Len(t, c.Rules[0].Transitions, 2)
	require.Equal(t, "a/", c.Rules[0].Prefix)

	_, err = lifecycle.ParseS3XML(storageclass.S3(), []byte(`<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>3</Days></Expiration><Bogus/></Rule></LifecycleConfiguration>`))
	require.ErrorIs(t, err, coldstore.ErrMalformedXML, "S3's schema has no Bogus either")
}

func TestValidate(t *testing.T) {
	ok := func() lifecycle.Rule {
		return lifecycle.Rule{ID: "r", Prefix: "p/", Enabled: true,
			Transitions: []lifecycle.Transition{{Days: 10, StorageClass: storageclass.IA}, {Days: 30, StorageClass: storageclass.Archive}},
			Expiration:  &lifecycle.Expiration{Days: 365}}
	}
	date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		mod  func(c *lifecycle.Configuration)
		want string
	}{
		"valid":                 {func(c *lifecycle.Configuration) {}, ""},
		"no rules":              {func(c *lifecycle.Configuration) { c.Rules = nil }, "no rules"},
		"too many rules":        {func(c *lifecycle.Configuration) { c.Rules = manyRules(1001) }, "exceed 1000"},
		"1000 rules":            {func(c *lifecycle.Configuration) { c.Rules = manyRules(1000) }, ""},
		"long id":               {func(c *lifecycle.Configuration) { c.Rules[0].ID = strings.Repeat("i", 256) }, "ID of 256 bytes"},
		"duplicate id":          {func(c *lifecycle.Configuration) { r := ok(); r.Prefix = "q/"; c.Rules = append(c.Rules, r) }, "ID used twice"},
		"no action":             {func(c *lifecycle.Configuration) { c.Rules[0].Transitions, c.Rules[0].Expiration = nil, nil }, "no Transition or Expiration"},
		"to Standard":           {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[0].StorageClass = storageclass.Standard }, "warmest class"},
		"unknown class":         {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[0].StorageClass = "GLACIER" }, "unknown storage class"},
		"same class twice":      {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[1].StorageClass = storageclass.IA }, "two transitions to IA"},
		"days not rising":       {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[1].Days = 10 }, "is not before"},
		"days falling":          {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[0].Days = 40 }, "is not before"},
		"days and date":         {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[0].CreatedBefore = date }, "both Days and CreatedBeforeDate"},
		"neither days nor date": {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[0].Days = 0 }, "neither Days nor CreatedBeforeDate"},
		"negative days":         {func(c *lifecycle.Configuration) { c.Rules[0].Expiration.Days = -3 }, "not positive"},
		"date not midnight": {func(c *lifecycle.Configuration) {
			c.Rules[0].Expiration = &lifecycle.Expiration{CreatedBefore: date.Add(time.Hour)}
		}, "not midnight"},
		"expiration too early": {func(c *lifecycle.Configuration) { c.Rules[0].Expiration.Days = 30 }, "Expiration after 30 days is not after"},
		"expiration two ways":  {func(c *lifecycle.Configuration) { c.Rules[0].Expiration.ExpiredObjectDeleteMarker = true }, "exactly one"},
		"mixed days and dates": {func(c *lifecycle.Configuration) {
			c.Rules[0].Transitions[1] = lifecycle.Transition{CreatedBefore: date, StorageClass: storageclass.Archive}
		}, "mix Days"},
		"access time to CA": {func(c *lifecycle.Configuration) {
			c.Rules[0].Transitions = []lifecycle.Transition{{Days: 5, StorageClass: storageclass.ColdArchive, IsAccessTime: true}}
		}, "only IA or Archive"},
		"access time with date": {func(c *lifecycle.Configuration) {
			c.Rules[0].Transitions = []lifecycle.Transition{{CreatedBefore: date, StorageClass: storageclass.IA, IsAccessTime: true}}
		}, "IsAccessTime with CreatedBeforeDate"},
		"return without access": {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[0].ReturnToStdWhenVisit = true }, "ReturnToStdWhenVisit needs"},
		"small files and a size filter": {func(c *lifecycle.Configuration) {
			lt := int64(1024)
			c.Rules[0].Filter = &lifecycle.Filter{ObjectSizeLessThan: &lt}
			c.Rules[0].Transitions[0].AllowSmallFile = true
		}, "AllowSmallFile beside a Filter's object size"},
		"small files alone": {func(c *lifecycle.Configuration) { c.Rules[0].Transitions[0].AllowSmallFile = true }, ""},
		"overlapping prefixes": {func(c *lifecycle.Configuration) {
			r := ok()
			r.ID, r.Prefix = "s", "p/sub/"
			c.Rules = append(c.Rules, r)
		}, "overlaps"},
		"empty prefix overlaps": {func(c *lifecycle.Configuration) { r := ok(); r.ID, r.Prefix = "s", ""; c.Rules = append(c.Rules, r) }, "overlaps"},
		"overlap other action": {func(c *lifecycle.Configuration) {
			c.Rules = append(c.Rules, lifecycle.Rule{ID: "s", Enabled: true, Expiration: &lifecycle.Expiration{Days: 9}})
			c.Rules[0].Expiration = nil
		}, ""},
		"overlap disabled": {func(c *lifecycle.Configuration) {
			r := ok()
			r.ID, r.Enabled = "s", false
			c.Rules = append(c.Rules, r)
		}, ""},
		"size bounds crossed": {func(c *lifecycle.Configuration) {
			c.Rules[0].Filter = &lifecycle.Filter{ObjectSizeGreaterThan: i64(10), ObjectSizeLessThan: i64(5)}
		}, "not below"},
		"not outside prefix": {func(c *lifecycle.Configuration) {
			c.Rules[0].Filter = &lifecycle.Filter{Not: []lifecycle.Not{{Prefix: "x/"}}}
		}, "outside the rule's prefix"},
		"dates in order": {func(c *lifecycle.Configuration) {
			c.Rules[0].Transitions = datedTransitions(date, date.Add(-day))
			c.Rules[0].Expiration.Days, c.Rules[0].Expiration.CreatedBefore = 0, date.Add(day)
		}, ""},
		"dates out of order": {func(c *lifecycle.Configuration) {
			c.Rules[0].Transitions = datedTransitions(date, date.Add(day))
			c.Rules[0].Expiration = nil
		}, "needs an earlier date"},
		"expiration date before": {func(c *lifecycle.Configuration) {
			c.Rules[0].Transitions = datedTransitions(date, date.Add(-day))
			c.Rules[0].Expiration.Days, c.Rules[0].Expiration.CreatedBefore = 0, date
		}, "not after the transition date"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &lifecycle.Configuration{Rules: []lifecycle.Rule{ok()}}
			tc.mod(c)
			err := c.Validate(storageclass.OSS())
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
			require.Contains(t, err.Error(), tc.want)
			var oe *coldstore.OpError
			require.True(t, errors.As(err, &oe))
		})
	}
}

func datedTransitions(ia, archive time.Time) []lifecycle.Transition {
	return []lifecycle.Transition{{CreatedBefore: ia, StorageClass: storageclass.IA}, {CreatedBefore: archive, StorageClass: storageclass.Archive}}
}

func manyRules(n int) []lifecycle.Rule {
	rs := make([]lifecycle.Rule, n)
	for i := range rs {
		rs[i] = lifecycle.Rule{ID: fmt.Sprint(i), Prefix: fmt.Sprintf("p%04d/", i), Enabled: true, Expiration: &lifecycle.Expiration{Days: 1}}
	}
	return rs
}

func TestEvaluate(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &lifecycle.Configuration{Rules: []lifecycle.Rule{
		{ID: "tier", Prefix: "logs/", Enabled: true,
			Transitions: []lifecycle.Transition{{Days: 30, StorageClass: storageclass.IA}, {Days: 60, StorageClass: storageclass.Archive}, {Days: 180, StorageClass: storageclass.DeepColdArchive}},
			Expiration:  &lifecycle.Expiration{Days: 365}},
		{ID: "tagged", Prefix: "tmp/", Tags: map[string]string{"kind": "scratch"}, Enabled: true, Expiration: &lifecycle.Expiration{Days: 2}},
		{ID: "off", Prefix: "off/", Enabled: false, Expiration: &lifecycle.Expiration{Days: 1}},
		{ID: "small", Prefix: "small/", Enabled: true, Transitions: []lifecycle.Transition{{Days: 1, StorageClass: storageclass.IA, AllowSmallFile: true}}},
		{ID: "access", Prefix: "photos/", Enabled: true, Transitions: []lifecycle.Transition{{Days: 10, StorageClass: storageclass.IA, IsAccessTime: true}}},
		{ID: "sized", Prefix: "sized/", Enabled: true, Filter: &lifecycle.Filter{ObjectSizeGreaterThan: i64(1 << 20), Not: []lifecycle.Not{{Prefix: "sized/keep/"}}}, Expiration: &lifecycle.Expiration{Days: 1}},
	}}
	require.NoError(t, c.Validate(storageclass.OSS()))
	big := int64(1 << 20)
	obj := func(key string, class storageclass.Class, size int64) lifecycle.Object {
		return lifecycle.Object{Key: key, Size: size, Class: class, LastModified: t0, ClassSince: t0}
	}
	cases := []struct {
		name string
		o    lifecycle.Object
		at   time.Duration
		want lifecycle.Action
	}{
		{"young", obj("logs/a", storageclass.Standard, big), 29 * day, lifecycle.Action{}},
		{"IA due", obj("logs/a", storageclass.Standard, big), 30 * day, lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: storageclass.IA, RuleID: "tier"}},
		{"coldest due wins", obj("logs/a", storageclass.Standard, big), 200 * day, lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: storageclass.DeepColdArchive, RuleID: "tier"}},
		{"only colder", obj("logs/a", storageclass.Archive, big), 100 * day, lifecycle.Action{}},
		{"from IA to Archive", obj("logs/a", storageclass.IA, big), 60 * day, lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: storageclass.Archive, RuleID: "tier"}},
		{"deletion beats transition", obj("logs/a", storageclass.Standard, big), 400 * day, lifecycle.Action{Kind: lifecycle.ActionExpire, RuleID: "tier"}},
		{"other prefix", obj("other/a", storageclass.Standard, big), 400 * day, lifecycle.Action{}},
		{"small skipped", obj("logs/a", storageclass.Standard, 100), 100 * day, lifecycle.Action{}},
		{"small expires", obj("logs/a", storageclass.Standard, 100), 365 * day, lifecycle.Action{Kind: lifecycle.ActionExpire, RuleID: "tier"}},
		{"small allowed", obj("small/a", storageclass.Standard, 100), day, lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: storageclass.IA, RuleID: "small"}},
		{"tag missing", obj("tmp/a", storageclass.Standard, 1), 3 * day, lifecycle.Action{}},
		{"disabled", obj("off/a", storageclass.Standard, 1), 3 * day, lifecycle.Action{}},
		{"size filter", obj("sized/a", storageclass.Standard, big), day, lifecycle.Action{}},
		{"size filter passes", obj("sized/a", storageclass.Standard, big+1), day, lifecycle.Action{Kind: lifecycle.ActionExpire, RuleID: "sized"}},
		{"not excluded", obj("sized/keep/a", storageclass.Standard, big+1), day, lifecycle.Action{}},
	}
	tagged := obj("tmp/a", storageclass.Standard, 1)
	tagged.Tags = map[string]string{"kind": "scratch", "x": "y"}
	cases = append(cases, struct {
		name string
		o    lifecycle.Object
		at   time.Duration
		want lifecycle.Action
	}{"tag matches", tagged, 2 * day, lifecycle.Action{Kind: lifecycle.ActionExpire, RuleID: "tagged"}})
	for _, tc := range cases {
		require.Equal(t, tc.want, c.Evaluate(tc.o, t0.Add(tc.at)), tc.name)
		// NextDue agrees: nothing is due before it, something is at it.
		next := c.NextDue(tc.o)
		if tc.want.Kind != lifecycle.ActionNone {
			require.False(t, next.IsZero(), tc.name)
			require.False(t, next.After(t0.Add(tc.at)), tc.name)
		}
		if !next.IsZero() {
			require.NotEqual(t, lifecycle.ActionNone, c.Evaluate(tc.o, next).Kind, tc.name)
			require.Equal(t, lifecycle.ActionNone, c.Evaluate(tc.o, next.Add(-time.Nanosecond)).Kind, tc.name)
		}
	}

	// Access time: counted from the last access, not from LastModified.
	p := obj("photos/a", storageclass.Standard, big)
	p.LastAccess = t0.Add(20 * day)
	require.Equal(t, lifecycle.ActionNone, c.Evaluate(p, t0.Add(29*day)).Kind)
	require.Equal(t, lifecycle.ActionTransition, c.Evaluate(p, t0.Add(30*day)).Kind)
	require.Equal(t, t0.Add(30*day), c.NextDue(p))
	require.False(t, c.ReturnsToStandard(p))

	require.True(t, c.NextDue(obj("other/a", storageclass.Standard, big)).IsZero(), "never due")
	require.Equal(t, t0.Add(30*day), c.NextDue(obj("logs/a", storageclass.Standard, big)))
	require.Equal(t, t0.Add(60*day), c.NextDue(obj("logs/a", storageclass.IA, big)))
	require.Equal(t, t0.Add(365*day), c.NextDue(obj("logs/a", storageclass.DeepColdArchive, big)))
}

func TestCreatedBefore(t *testing.T) {
	cut := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	c := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "d", Enabled: true,
		Transitions: []lifecycle.Transition{{CreatedBefore: cut, StorageClass: storageclass.Archive, AllowSmallFile: true}}}}}
	old := lifecycle.Object{Key: "k", Class: storageclass.Standard, LastModified: cut.Add(-time.Second)}
	young := lifecycle.Object{Key: "k", Class: storageclass.Standard, LastModified: cut}
	require.Equal(t, lifecycle.ActionTransition, c.Evaluate(old, cut).Kind)
	require.Equal(t, old.LastModified, c.NextDue(old), "due since it was written")
	require.Equal(t, lifecycle.ActionNone, c.Evaluate(young, cut.Add(1000*day)).Kind)
	require.True(t, c.NextDue(young).IsZero())
}

func TestReturnsToStandard(t *testing.T) {
	c := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "a", Prefix: "p/", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 30, StorageClass: storageclass.IA, IsAccessTime: true, ReturnToStdWhenVisit: true}}}}}
	require.NoError(t, c.Validate(storageclass.OSS()))
	require.True(t, c.UsesAccessTime())
	require.True(t, c.ReturnsToStandard(lifecycle.Object{Key: "p/x", Class: storageclass.IA}))
	require.False(t, c.ReturnsToStandard(lifecycle.Object{Key: "p/x", Class: storageclass.Standard}))
	require.False(t, c.ReturnsToStandard(lifecycle.Object{Key: "q/x", Class: storageclass.IA}))
}

func FuzzParseXML(f *testing.F) {
	b, err := os.ReadFile("testdata/oss-example.xml")
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte("<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := lifecycle.ParseXML(b)
		if err != nil {
			require.ErrorIs(t, err, coldstore.ErrMalformedXML)
			return
		}
		_ = c.Validate(storageclass.OSS()) // never panics
		out, err := c.XML()
		require.NoError(t, err)
		back, err := lifecycle.ParseXML(out)
		require.NoError(t, err, "%s", out)
		out2, err := back.XML()
		require.NoError(t, err)
		require.Equal(t, string(out), string(out2), "marshal is stable")
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		o := lifecycle.Object{Key: "logs/x", Size: 1 << 20, Class: storageclass.Standard, LastModified: now.Add(-400 * day)}
		_ = c.Evaluate(o, now)
		_ = c.NextDue(o)
	})
}

// TestAppendableNotColdArchive: an appendable object is moved to IA or
// Archive but never to ColdArchive or DeepColdArchive, which OSS refuses
// it; another object is.
func TestAppendableNotColdArchive(t *testing.T) {
	c := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true, Transitions: []lifecycle.Transition{
		{Days: 1, StorageClass: storageclass.IA, AllowSmallFile: true},
		{Days: 2, StorageClass: storageclass.ColdArchive, AllowSmallFile: true},
		{Days: 3, StorageClass: storageclass.DeepColdArchive, AllowSmallFile: true}}}}}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, appendable := range []bool{false, true} {
		o := lifecycle.Object{Key: "a", Size: 1, Class: storageclass.IA, LastModified: t0, Appendable: appendable}
		a := c.Evaluate(o, t0.Add(5*24*time.Hour))
		if appendable {
			require.Equal(t, lifecycle.ActionNone, a.Kind, "appendable")
			require.True(t, c.NextDue(o).IsZero(), "nothing ever comes due")
		} else {
			require.Equal(t, lifecycle.ActionTransition, a.Kind)
			require.Equal(t, storageclass.DeepColdArchive, a.StorageClass)
		}
	}
	o := lifecycle.Object{Key: "a", Size: 1, Class: storageclass.Standard, LastModified: t0, Appendable: true}
	a := c.Evaluate(o, t0.Add(5*24*time.Hour))
	require.Equal(t, lifecycle.ActionTransition, a.Kind)
	require.Equal(t, storageclass.IA, a.StorageClass, "IA it may go to")
}
