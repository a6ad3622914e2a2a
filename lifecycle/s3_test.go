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

var s3cat = storageclass.S3()

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// requireS3RoundTrips checks that c survives S3XML then ParseS3XML, and
// MarshalBinary then UnmarshalBinary.
func requireS3RoundTrips(t *testing.T, c *lifecycle.Configuration) {
	t.Helper()
	out, err := c.S3XML()
	require.NoError(t, err)
	back, err := lifecycle.ParseS3XML(s3cat, out)
	require.NoError(t, err)
	back.TransitionDefaultMinimumObjectSize = c.TransitionDefaultMinimumObjectSize // a header, not in the document
	require.Equal(t, c, back, "S3XML then ParseS3XML:\n%s", out)
	bin, err := c.MarshalBinary()
	require.NoError(t, err)
	var dec lifecycle.Configuration
	require.NoError(t, dec.UnmarshalBinary(bin))
	require.Equal(t, *c, dec, "MarshalBinary then UnmarshalBinary")
}

// testdata/s3-boto3.xml is the body boto3 1.43.11 sent for
// put_bucket_lifecycle_configuration (captured with a before-send hook),
// with the header x-amz-transition-default-minimum-object-size:
// varies_by_storage_class.
func TestParseS3XML_Boto3(t *testing.T) {
	b, err := os.ReadFile("testdata/s3-boto3.xml")
	require.NoError(t, err)
	c, err := lifecycle.ParseS3XML(s3cat, b)
	require.NoError(t, err)
	require.Equal(t, lifecycle.DialectS3, c.Dialect)
	require.Equal(t, lifecycle.AllStorageClasses128K, c.TransitionDefaultMinimumObjectSize, "S3's default until the header says otherwise")
	c.TransitionDefaultMinimumObjectSize, err = lifecycle.ParseMinimumObjectSize("varies_by_storage_class")
	require.NoError(t, err)

	want := &lifecycle.Configuration{Dialect: lifecycle.DialectS3, TransitionDefaultMinimumObjectSize: lifecycle.VariesByStorageClass, Rules: []lifecycle.Rule{
		{ID: "archive-logs", Prefix: "logs/", Tags: map[string]string{"k": "v", "a": "b"}, Enabled: true,
			Filter: &lifecycle.Filter{ObjectSizeGreaterThan: i64(1024), ObjectSizeLessThan: i64(1 << 40)},
			Transitions: []lifecycle.Transition{
				{Days: 30, StorageClass: storageclass.S3StandardIA},
				{Days: 90, StorageClass: storageclass.S3Glacier},
				{Days: 180, StorageClass: storageclass.S3DeepArchive}},
			Expiration:                   &lifecycle.Expiration{Days: 3650},
			NoncurrentVersionTransitions: []lifecycle.NoncurrentVersionTransition{{NoncurrentDays: 30, NewerNoncurrentVersions: 3, StorageClass: storageclass.S3Glacier}},
			NoncurrentVersionExpiration:  &lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 365}},
		{ID: "dated", Prefix: "old/",
			Transitions: []lifecycle.Transition{{Date: date(2026, 1, 1), StorageClass: storageclass.S3Glacier}},
			Expiration:  &lifecycle.Expiration{Date: date(2027, 1, 1)}},
		{ID: "uploads", Enabled: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 7}},
		{ID: "tagged", Tags: map[string]string{"tier": "cold"}, Enabled: true,
			Transitions: []lifecycle.Transition{{Days: 0, StorageClass: storageclass.S3GlacierIR}}},
		{ID: "markers", Prefix: "tmp/", Enabled: true, Expiration: &lifecycle.Expiration{ExpiredObjectDeleteMarker: true}},
		{ID: "empty", Enabled: true, Filter: &lifecycle.Filter{ObjectSizeLessThan: i64(1)},
			NoncurrentVersionExpiration: &lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 1}},
	}}
	require.Equal(t, want, c)
	require.NoError(t, c.Validate(s3cat))
	requireS3RoundTrips(t, c)

	out, err := c.S3XML()
	require.NoError(t, err)
	for _, s := range []string{
		`<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`,
		"<Filter></Filter>", // the whole bucket
		"<Filter><Tag><Key>tier</Key><Value>cold</Value></Tag></Filter>",
		"<Days>0</Days>", // Days 0 is written, not dropped
		"<Date>2026-01-01T00:00:00.000Z</Date>",
		"<And><Prefix>logs/</Prefix><Tag><Key>a</Key><Value>b</Value></Tag><Tag><Key>k</Key>",
		"<NewerNoncurrentVersions>3</NewerNoncurrentVersions>",
	} {
		require.Contains(t, strings.ReplaceAll(strings.ReplaceAll(string(out), "\n", ""), "  ", ""), s)
	}
}

// testdata/s3-aws-sdk-go-v2.xml is the body aws-sdk-go-v2 service/s3
// v1.114.10 sent for PutBucketLifecycleConfiguration (to an httptest
// server): members in its alphabetical order, a rule-level Prefix in the
// third rule.
func TestParseS3XML_AWSSDKGoV2(t *testing.T) {
	b, err := os.ReadFile("testdata/s3-aws-sdk-go-v2.xml")
	require.NoError(t, err)
	c, err := lifecycle.ParseS3XML(s3cat, b)
	require.NoError(t, err)
	want := &lifecycle.Configuration{Dialect: lifecycle.DialectS3, TransitionDefaultMinimumObjectSize: lifecycle.AllStorageClasses128K, Rules: []lifecycle.Rule{
		{ID: "archive", Prefix: "logs/", Enabled: true,
			Transitions: []lifecycle.Transition{{Days: 30, StorageClass: storageclass.S3StandardIA}, {Days: 60, StorageClass: storageclass.S3Glacier}},
			Expiration:  &lifecycle.Expiration{Days: 365}},
		{ID: "dated", Prefix: "old/", Enabled: true, Filter: &lifecycle.Filter{ObjectSizeGreaterThan: i64(100)},
			Transitions: []lifecycle.Transition{{Date: date(2026, 1, 1), StorageClass: storageclass.S3DeepArchive}}},
		{ID: "legacy", Prefix: "tmp/", LegacyPrefix: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 3}},
	}}
	require.Equal(t, want, c)
	requireS3RoundTrips(t, c)
	out, err := c.S3XML()
	require.NoError(t, err)
	require.Contains(t, string(out), "<Prefix>tmp/</Prefix>\n    <Status>Disabled</Status>", "a rule-level prefix stays one")

	// S3 refuses a rule-level prefix beside filters (Lifecycle V1 and V2).
	err = c.Validate(s3cat)
	require.ErrorIs(t, err, coldstore.ErrInvalidRequest)
	var oe *coldstore.OpError
	require.True(t, errors.As(err, &oe))
	require.Equal(t, "Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.", oe.Message)
	c.Rules = c.Rules[:2]
	require.NoError(t, c.Validate(s3cat))
}

func TestParseS3XML_Forms(t *testing.T) {
	ns := `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`
	for _, tc := range []struct {
		name, doc string
		want      lifecycle.Rule
	}{
		{"no namespace", `<LifecycleConfiguration><Rule><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`,
			lifecycle.Rule{Prefix: "a/", Enabled: true, Expiration: &lifecycle.Expiration{Days: 1}}},
		{"self-closing empty filter", `<LifecycleConfiguration ` + ns + `><Rule><ID>x</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`,
			lifecycle.Rule{ID: "x", Enabled: true, Expiration: &lifecycle.Expiration{Days: 1}}},
		{"size alone", `<LifecycleConfiguration><Rule><Filter><ObjectSizeGreaterThan>131072</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Transition><Days>0</Days><StorageClass>glacier</StorageClass></Transition></Rule></LifecycleConfiguration>`,
			lifecycle.Rule{Enabled: true, Filter: &lifecycle.Filter{ObjectSizeGreaterThan: i64(131072)}, Transitions: []lifecycle.Transition{{StorageClass: storageclass.S3Glacier}}}},
		{"And of an empty prefix and a tag", `<LifecycleConfiguration><Rule><Filter><And><Prefix></Prefix><Tag><Key>k</Key><Value></Value></Tag></And></Filter><Status>Disabled</Status><Expiration><Date>2030-05-01T00:00:00+00:00</Date></Expiration></Rule></LifecycleConfiguration>`,
			lifecycle.Rule{Tags: map[string]string{"k": ""}, Expiration: &lifecycle.Expiration{Date: date(2030, 5, 1)}}},
		{"legacy empty prefix", `<LifecycleConfiguration><Rule><Prefix></Prefix><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`,
			lifecycle.Rule{LegacyPrefix: true, Enabled: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := lifecycle.ParseS3XML(s3cat, []byte(tc.doc))
			require.NoError(t, err)
			require.Equal(t, []lifecycle.Rule{tc.want}, c.Rules)
			require.NoError(t, c.Validate(s3cat))
			requireS3RoundTrips(t, c)
		})
	}
}

func TestParseS3XML_Malformed(t *testing.T) {
	rule := func(inner string) string {
		return `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>` + inner + `</Rule></LifecycleConfiguration>`
	}
	exp := `<Expiration><Days>1</Days></Expiration>`
	for name, doc := range map[string]string{
		"not XML":                     `<LifecycleConfiguration><Rule>`,
		"other root":                  `<BucketLifecycleConfiguration/>`,
		"other namespace":             `<LifecycleConfiguration xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com"/>`,
		"status lower case":           rule(`<Filter/><Status>enabled</Status>` + exp),
		"no status":                   rule(`<Filter/>` + exp),
		"two statuses":                rule(`<Filter/><Status>Enabled</Status><Status>Enabled</Status>` + exp),
		"neither filter nor prefix":   rule(`<Status>Enabled</Status>` + exp),
		"filter and prefix":           rule(`<Prefix>a</Prefix><Filter/><Status>Enabled</Status>` + exp),
		"two predicates in a filter":  rule(`<Filter><Prefix>a</Prefix><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan></Filter><Status>Enabled</Status>` + exp),
		"two tags in a filter":        rule(`<Filter><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></Filter><Status>Enabled</Status>` + exp),
		"And beside a prefix":         rule(`<Filter><Prefix>a</Prefix><And><Prefix>a</Prefix><Tag><Key>b</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>` + exp),
		"And of one prefix":           rule(`<Filter><And><Prefix>a</Prefix></And></Filter><Status>Enabled</Status>` + exp),
		"And of two prefixes":         rule(`<Filter><And><Prefix>a</Prefix><Prefix>b</Prefix></And></Filter><Status>Enabled</Status>` + exp),
		"size not a number":           rule(`<Filter><ObjectSizeLessThan>big</ObjectSizeLessThan></Filter><Status>Enabled</Status>` + exp),
		"transition without when":     rule(`<Filter/><Status>Enabled</Status><Transition><StorageClass>GLACIER</StorageClass></Transition>`),
		"marker with days":            rule(`<Filter/><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`),
		"two expirations":             rule(`<Filter/><Status>Enabled</Status>` + exp + exp),
		"abort without days":          rule(`<Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload></AbortIncompleteMultipartUpload>`),
		"noncurrent expiration empty": rule(`<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration></NoncurrentVersionExpiration>`),
		"date not ISO 8601":           rule(`<Filter/><Status>Enabled</Status><Expiration><Date>Fri, 01 Jan 2016 00:00:00 GMT</Date></Expiration>`),
		"days not a number":           rule(`<Filter/><Status>Enabled</Status><Expiration><Days>ten</Days></Expiration>`),
		"too large":                   rule(`<ID>` + strings.Repeat("x", lifecycle.MaxXMLSize) + `</ID>`),
	} {
		_, err := lifecycle.ParseS3XML(s3cat, []byte(doc))
		require.ErrorIs(t, err, coldstore.ErrMalformedXML, name)
	}

	_, err := lifecycle.ParseS3XML(s3cat, []byte(rule(`<Filter><And><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>`+exp)))
	require.ErrorIs(t, err, coldstore.ErrInvalidRequest)
	var oe *coldstore.OpError
	require.True(t, errors.As(err, &oe))
	require.Equal(t, "Duplicate Tag Keys are not allowed.", oe.Message)
	require.Contains(t, oe.Detail, "rule 1")
}

func TestParseMinimumObjectSize(t *testing.T) {
	for in, want := range map[string]lifecycle.MinimumObjectSize{
		"":                         lifecycle.AllStorageClasses128K,
		"all_storage_classes_128K": lifecycle.AllStorageClasses128K,
		"varies_by_storage_class":  lifecycle.VariesByStorageClass,
	} {
		got, err := lifecycle.ParseMinimumObjectSize(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := lifecycle.ParseMinimumObjectSize("all_storage_classes_64K")
	require.ErrorIs(t, err, coldstore.ErrInvalidRequest)
	var oe *coldstore.OpError
	require.True(t, errors.As(err, &oe))
	require.Equal(t, "Invalid TransitionDefaultMinimumObjectSize found: all_storage_classes_64K", oe.Message)
}

// s3Valid is a configuration S3 accepts; the refusal cases change one
// thing in it.
func s3Valid() *lifecycle.Configuration {
	return &lifecycle.Configuration{Dialect: lifecycle.DialectS3, Rules: []lifecycle.Rule{
		{ID: "tier", Prefix: "logs/", Enabled: true,
			Transitions: []lifecycle.Transition{
				{Days: 30, StorageClass: storageclass.S3StandardIA},
				{Days: 60, StorageClass: storageclass.S3Glacier},
				{Days: 240, StorageClass: storageclass.S3DeepArchive}},
			Expiration: &lifecycle.Expiration{Days: 365}},
		{ID: "uploads", Enabled: true, AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 7}},
	}}
}

func TestValidateS3_Accepts(t *testing.T) {
	require.NoError(t, s3Valid().Validate(s3cat))
	for name, change := range map[string]func(c *lifecycle.Configuration){
		"overlapping filters with the same action": func(c *lifecycle.Configuration) {
			c.Rules = append(c.Rules, lifecycle.Rule{ID: "all", Enabled: true, Expiration: &lifecycle.Expiration{Days: 10}})
		},
		"Days 0 to GLACIER_IR": func(c *lifecycle.Configuration) {
			c.Rules[0].Transitions = []lifecycle.Transition{{Days: 0, StorageClass: storageclass.S3GlacierIR}}
		},
		"a Date in the past": func(c *lifecycle.Configuration) {
			c.Rules[0].Transitions = []lifecycle.Transition{{Date: date(2001, 1, 1), StorageClass: storageclass.S3Glacier}}
			c.Rules[0].Expiration = &lifecycle.Expiration{Date: date(2002, 1, 1)}
		},
		"1000 rules": func(c *lifecycle.Configuration) {
			for i := len(c.Rules); i < lifecycle.MaxRules; i++ {
				c.Rules = append(c.Rules, lifecycle.Rule{ID: fmt.Sprint(i), Expiration: &lifecycle.Expiration{Days: 1}})
			}
		},
		"varies_by_storage_class": func(c *lifecycle.Configuration) {
			c.TransitionDefaultMinimumObjectSize = lifecycle.VariesByStorageClass
		},
		"legacy prefixes that do not overlap": func(c *lifecycle.Configuration) {
			c.Rules[0].LegacyPrefix, c.Rules[1].LegacyPrefix, c.Rules[1].Prefix = true, true, "tmp/"
		},
	} {
		c := s3Valid()
		change(c)
		require.NoError(t, c.Validate(s3cat), name)
	}
}

func TestValidateS3_Refuses(t *testing.T) {
	tier := func(c *lifecycle.Configuration) *lifecycle.Rule { return &c.Rules[0] }
	for _, tc := range []struct {
		name     string
		change   func(c *lifecycle.Configuration)
		sentinel error
		message  string // S3's message; "" when none was recorded
	}{
		{"no rules", func(c *lifecycle.Configuration) { c.Rules = nil }, coldstore.ErrInvalidRequest, "At least one lifecycle rule must be specified."},
		{"1001 rules", func(c *lifecycle.Configuration) {
			for i := len(c.Rules); i <= lifecycle.MaxRules; i++ {
				c.Rules = append(c.Rules, lifecycle.Rule{ID: fmt.Sprint(i), Expiration: &lifecycle.Expiration{Days: 1}})
			}
		}, coldstore.ErrInvalidRequest, "The number of lifecycle rules must not exceed the allowed limit of 1000 rules."},
		{"unknown minimum size", func(c *lifecycle.Configuration) { c.TransitionDefaultMinimumObjectSize = "tiny" }, coldstore.ErrInvalidRequest, "Invalid TransitionDefaultMinimumObjectSize found: tiny"},
		{"long ID", func(c *lifecycle.Configuration) { tier(c).ID = strings.Repeat("i", 256) }, coldstore.ErrInvalidArgument, "ID length should not exceed allowed limit of 255"},
		{"duplicate ID", func(c *lifecycle.Configuration) { c.Rules[1].ID = "tier" }, coldstore.ErrInvalidArgument, "Rule ID must be unique. Found same ID for more than one rule"},
		{"no action", func(c *lifecycle.Configuration) { c.Rules[1].AbortMultipartUpload = nil }, coldstore.ErrInvalidRequest, "At least one action needs to be specified in a rule"},
		{"filter after a rule-level prefix", func(c *lifecycle.Configuration) { tier(c).LegacyPrefix = true }, coldstore.ErrInvalidRequest, "Filter element can only be used in Lifecycle V2."},
		{"overlapping rule-level prefixes", func(c *lifecycle.Configuration) {
			c.Rules[1] = lifecycle.Rule{ID: "more", Prefix: "logs/x", LegacyPrefix: true, Expiration: &lifecycle.Expiration{Days: 400}}
			tier(c).LegacyPrefix = true
		}, coldstore.ErrInvalidRequest, "Found overlapping prefixes 'logs/' and 'logs/x' for same action type 'Expiration'"},
		{"NewerNoncurrentVersions with rule-level prefixes", func(c *lifecycle.Configuration) {
			c.Rules = c.Rules[:1]
			tier(c).LegacyPrefix = true
			tier(c).NoncurrentVersionExpiration = &lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 5, NewerNoncurrentVersions: 2}
		}, coldstore.ErrInvalidRequest, "NewerNoncurrentVersions element can only be used in Lifecycle V2."},
		{"ObjectSizeLessThan 0", func(c *lifecycle.Configuration) { tier(c).Filter = &lifecycle.Filter{ObjectSizeLessThan: i64(0)} }, coldstore.ErrInvalidRequest, "'ObjectSizeLessThan' should be between 1 and 1099511627776000."},
		{"ObjectSizeGreaterThan negative", func(c *lifecycle.Configuration) { tier(c).Filter = &lifecycle.Filter{ObjectSizeGreaterThan: i64(-1)} }, coldstore.ErrInvalidRequest, "'ObjectSizeGreaterThan' should be between 0 and 1099511627776000."},
		{"sizes out of order", func(c *lifecycle.Configuration) {
			tier(c).Filter = &lifecycle.Filter{ObjectSizeGreaterThan: i64(10), ObjectSizeLessThan: i64(10)}
		}, coldstore.ErrInvalidRequest, "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."},
		{"abort with tags", func(c *lifecycle.Configuration) { c.Rules[1].Tags = map[string]string{"k": "v"} }, coldstore.ErrInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Tags."},
		{"abort with sizes", func(c *lifecycle.Configuration) { c.Rules[1].Filter = &lifecycle.Filter{ObjectSizeLessThan: i64(5)} }, coldstore.ErrInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Object Size."},
		{"abort after 0 days", func(c *lifecycle.Configuration) { c.Rules[1].AbortMultipartUpload.Days = 0 }, coldstore.ErrInvalidArgument, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer"},
		{"delete marker with sizes", func(c *lifecycle.Configuration) {
			c.Rules[1] = lifecycle.Rule{ID: "m", Filter: &lifecycle.Filter{ObjectSizeLessThan: i64(1)}, Expiration: &lifecycle.Expiration{ExpiredObjectDeleteMarker: true}}
		}, coldstore.ErrInvalidRequest, "ExpiredObjectDeleteMarker cannot be specified with Object Size."},
		{"expiration after 0 days", func(c *lifecycle.Configuration) { tier(c).Expiration.Days = 0 }, coldstore.ErrInvalidArgument, "'Days' for Expiration action must be a positive integer"},
		{"expiration with Days and Date", func(c *lifecycle.Configuration) {
			tier(c).Transitions = nil
			tier(c).Expiration.Date = date(2030, 1, 1)
		}, coldstore.ErrInvalidArgument, ""},
		{"expiration Date not at midnight", func(c *lifecycle.Configuration) {
			tier(c).Transitions = nil
			tier(c).Expiration = &lifecycle.Expiration{Date: time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)}
		}, coldstore.ErrInvalidArgument, "'Date' must be at midnight GMT"},
		{"transition Date at midnight of another zone", func(c *lifecycle.Configuration) {
			tier(c).Expiration = nil
			tier(c).Transitions = []lifecycle.Transition{{Date: time.Date(2030, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)), StorageClass: storageclass.S3Glacier}}
		}, coldstore.ErrInvalidArgument, "'Date' must be at midnight GMT"},
		{"expiration not after the transitions", func(c *lifecycle.Configuration) { tier(c).Expiration.Days = 240 }, coldstore.ErrInvalidArgument,
			"'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action for StorageClass 'DEEP_ARCHIVE' for filter '(prefix=logs/)'"},
		{"transition to STANDARD", func(c *lifecycle.Configuration) { tier(c).Transitions[0].StorageClass = storageclass.S3Standard }, coldstore.ErrInvalidArgument, ""},
		{"transition to an unknown class", func(c *lifecycle.Configuration) { tier(c).Transitions[0].StorageClass = "REDUCED_REDUNDANCY" }, coldstore.ErrInvalidArgument, ""},
		{"transition to an OSS class", func(c *lifecycle.Configuration) { tier(c).Transitions[0].StorageClass = storageclass.Archive }, coldstore.ErrInvalidArgument, ""},
		{"negative Days", func(c *lifecycle.Configuration) {
			tier(c).Transitions = []lifecycle.Transition{{Days: -1, StorageClass: storageclass.S3Glacier}}
		}, coldstore.ErrInvalidArgument, "'Days' in Transition action must be nonnegative"},
		{"STANDARD_IA before 30 days", func(c *lifecycle.Configuration) { tier(c).Transitions[0].Days = 29 }, coldstore.ErrInvalidArgument, "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"},
		{"ONEZONE_IA at 0 days", func(c *lifecycle.Configuration) {
			tier(c).Transitions = []lifecycle.Transition{{Days: 0, StorageClass: storageclass.S3OneZoneIA}}
		}, coldstore.ErrInvalidArgument, "'Days' in Transition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'"},
		{"GLACIER under 30 days after STANDARD_IA", func(c *lifecycle.Configuration) { tier(c).Transitions[1].Days = 59 }, coldstore.ErrInvalidArgument,
			"'Days' in the Transition action for StorageClass 'GLACIER' for filter '(prefix=logs/)' must be 30 days more than 'filter '(prefix=logs/)'' in the Transition action for StorageClass 'STANDARD_IA'"},
		{"colder class first", func(c *lifecycle.Configuration) { tier(c).Transitions[2].Days = 45 }, coldstore.ErrInvalidArgument, ""},
		{"two transitions to one class", func(c *lifecycle.Configuration) { tier(c).Transitions[2].StorageClass = storageclass.S3Glacier }, coldstore.ErrInvalidArgument,
			"'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=logs/)'"},
		{"ONEZONE_IA then GLACIER_IR", func(c *lifecycle.Configuration) {
			tier(c).Transitions = []lifecycle.Transition{{Days: 30, StorageClass: storageclass.S3OneZoneIA}, {Days: 90, StorageClass: storageclass.S3GlacierIR}}
		}, coldstore.ErrInvalidArgument, ""},
		{"Days and Date mixed", func(c *lifecycle.Configuration) { tier(c).Expiration = &lifecycle.Expiration{Date: date(2040, 1, 1)} }, coldstore.ErrInvalidRequest,
			"Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '(prefix=logs/)'"},
		{"OSS CreatedBefore", func(c *lifecycle.Configuration) {
			c.Rules[1].AbortMultipartUpload = &lifecycle.AbortMultipartUpload{CreatedBefore: date(2030, 1, 1)}
		}, coldstore.ErrInvalidArgument, ""},
		{"OSS access time", func(c *lifecycle.Configuration) { tier(c).Transitions[1].IsAccessTime = true }, coldstore.ErrInvalidArgument, ""},
		{"OSS AllowSmallFile", func(c *lifecycle.Configuration) { tier(c).Transitions[1].AllowSmallFile = true }, coldstore.ErrInvalidArgument, ""},
		{"OSS Not filter", func(c *lifecycle.Configuration) {
			tier(c).Filter = &lifecycle.Filter{Not: []lifecycle.Not{{Prefix: "logs/x"}}}
		}, coldstore.ErrInvalidArgument, ""},
		{"noncurrent expiration after 0 days", func(c *lifecycle.Configuration) {
			tier(c).NoncurrentVersionExpiration = &lifecycle.NoncurrentVersionExpiration{}
		}, coldstore.ErrInvalidArgument, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"},
		{"unknown dialect", func(c *lifecycle.Configuration) { c.Dialect = "gcs" }, coldstore.ErrInvalidArgument, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s3Valid()
			tc.change(c)
			err := c.Validate(s3cat)
			require.ErrorIs(t, err, tc.sentinel)
			if tc.message != "" {
				var found bool
				for _, e := range unjoin(err) {
					var oe *coldstore.OpError
					found = found || errors.As(e, &oe) && oe.Message == tc.message
				}
				require.True(t, found, "no refusal with S3's message %q in %v", tc.message, err)
			}
		})
	}
}

// unjoin returns the errors errors.Join joined, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// OSS configurations refuse S3's elements; their validation is otherwise
// unchanged.
func TestValidateOSS_RefusesS3Elements(t *testing.T) {
	for name, c := range map[string]*lifecycle.Configuration{
		"Date":            {Rules: []lifecycle.Rule{{ID: "a", Enabled: true, Transitions: []lifecycle.Transition{{Date: date(2030, 1, 1), StorageClass: storageclass.Archive}}}}},
		"expiration Date": {Rules: []lifecycle.Rule{{ID: "a", Enabled: true, Expiration: &lifecycle.Expiration{Days: 3, Date: date(2030, 1, 1)}}}},
		"minimum size": {TransitionDefaultMinimumObjectSize: lifecycle.AllStorageClasses128K,
			Rules: []lifecycle.Rule{{ID: "a", Enabled: true, Expiration: &lifecycle.Expiration{Days: 3}}}},
		"NewerNoncurrentVersions": {Rules: []lifecycle.Rule{{ID: "a", Enabled: true, Expiration: &lifecycle.Expiration{Days: 3},
			NoncurrentVersionExpiration: &lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 3, NewerNoncurrentVersions: 1}}}},
	} {
		require.ErrorIs(t, c.Validate(storageclass.OSS()), coldstore.ErrInvalidArgument, name)
	}
}

func TestS3XML_RefusesOSSElements(t *testing.T) {
	for name, r := range map[string]lifecycle.Rule{
		"Not":           {Filter: &lifecycle.Filter{Not: []lifecycle.Not{{Prefix: "a"}}}, Expiration: &lifecycle.Expiration{Days: 1}},
		"CreatedBefore": {Expiration: &lifecycle.Expiration{CreatedBefore: date(2030, 1, 1)}},
		"access time":   {Transitions: []lifecycle.Transition{{Days: 30, StorageClass: storageclass.S3Glacier, IsAccessTime: true}}},
		"legacy tags":   {LegacyPrefix: true, Tags: map[string]string{"a": "b"}, Expiration: &lifecycle.Expiration{Days: 1}},
	} {
		_, err := (&lifecycle.Configuration{Dialect: lifecycle.DialectS3, Rules: []lifecycle.Rule{r}}).S3XML()
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, name)
	}
}

// A configuration the engine stored before dialects existed (captured from
// MarshalBinary then) decodes as an OSS one: nothing rounds to midnight.
func TestUnmarshalBinary_BeforeDialects(t *testing.T) {
	old := "\x01{\"Rules\":[{\"ID\":\"r\",\"Prefix\":\"logs/\",\"Tags\":null,\"Enabled\":true,\"Filter\":null,\"Transitions\":[{\"Days\":30,\"CreatedBefore\":\"0001-01-01T00:00:00Z\",\"StorageClass\":\"IA\",\"IsAccessTime\":false,\"ReturnToStdWhenVisit\":false,\"AllowSmallFile\":false}],\"Expiration\":{\"Days\":90,\"CreatedBefore\":\"0001-01-01T00:00:00Z\",\"ExpiredObjectDeleteMarker\":false},\"AbortMultipartUpload\":null,\"NoncurrentVersionTransitions\":null,\"NoncurrentVersionExpiration\":null}]}"
	var c lifecycle.Configuration
	require.NoError(t, c.UnmarshalBinary([]byte(old)))
	require.Equal(t, lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Prefix: "logs/", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 30, StorageClass: storageclass.IA}},
		Expiration:  &lifecycle.Expiration{Days: 90}}}}, c)
	require.Equal(t, lifecycle.DialectOSS, c.Dialect)
	lm := time.Date(2024, 1, 1, 10, 30, 0, 0, time.UTC)
	require.Equal(t, lm.Add(30*day), c.NextDue(lifecycle.Object{Key: "logs/a", Size: 1 << 20, Class: storageclass.Standard, LastModified: lm}))
}
