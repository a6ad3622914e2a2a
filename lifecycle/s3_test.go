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

func s3Config(min lifecycle.MinimumObjectSize, rules ...lifecycle.Rule) *lifecycle.Configuration {
	for i := range rules {
		rules[i].Enabled = true
		if rules[i].ID == "" {
			rules[i].ID = fmt.Sprint("r", i+1)
		}
	}
	return &lifecycle.Configuration{Dialect: lifecycle.DialectS3, TransitionDefaultMinimumObjectSize: min, Rules: rules}
}

// S3 adds Days to LastModified and rounds up to the next 00:00 UTC; OSS
// does not round.
func TestEvaluateS3_MidnightUTC(t *testing.T) {
	lm := time.Date(2014, 1, 15, 10, 30, 0, 0, time.UTC) // S3's own example
	o := lifecycle.Object{Key: "logs/a", Size: 1 << 20, Class: storageclass.S3Standard, LastModified: lm}
	c := s3Config("", lifecycle.Rule{Prefix: "logs/",
		Transitions: []lifecycle.Transition{{Days: 3, StorageClass: storageclass.S3Glacier}},
		Expiration:  &lifecycle.Expiration{Days: 10}})
	due := date(2014, 1, 19)
	require.Equal(t, due, c.NextDueIn(s3cat, o))
	require.Equal(t, lifecycle.ActionNone, c.EvaluateIn(s3cat, o, due.Add(-time.Nanosecond)).Kind, "not at LastModified+3 days, nor just before midnight")
	require.Equal(t, lifecycle.ActionNone, c.EvaluateIn(s3cat, o, lm.Add(3*day)).Kind)
	require.Equal(t, lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: storageclass.S3Glacier, RuleID: "r1"}, c.EvaluateIn(s3cat, o, due))
	require.Equal(t, date(2014, 1, 26), c.NextExpiration(o))
	require.Equal(t, lifecycle.ActionExpire, c.EvaluateIn(s3cat, o, date(2014, 1, 26)).Kind)

	// A LastModified on a midnight stays on it; one second past goes to the next.
	o.LastModified = date(2014, 1, 15)
	require.Equal(t, date(2014, 1, 18), c.NextDueIn(s3cat, o))
	o.LastModified = date(2014, 1, 15).Add(time.Second)
	require.Equal(t, date(2014, 1, 19), c.NextDueIn(s3cat, o))

	// Days 0 (S3 allows it for transitions): the midnight after the write.
	c0 := s3Config("", lifecycle.Rule{Transitions: []lifecycle.Transition{{Days: 0, StorageClass: storageclass.S3GlacierIR}}})
	o.LastModified = lm
	require.Equal(t, date(2014, 1, 16), c0.NextDueIn(s3cat, o))

	// Uploads: DaysAfterInitiation from the initiation, rounded likewise.
	ca := s3Config("", lifecycle.Rule{Prefix: "logs/", AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 7}})
	got, ok := ca.AbortDue("logs/big", lm)
	require.True(t, ok)
	require.Equal(t, date(2014, 1, 23), got)
	_, ok = ca.AbortDue("other/big", lm)
	require.False(t, ok)

	// The same rules in OSS: exact instants.
	oss := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r1", Prefix: "logs/", Enabled: true,
		Transitions:          []lifecycle.Transition{{Days: 3, StorageClass: storageclass.Archive}},
		AbortMultipartUpload: &lifecycle.AbortMultipartUpload{Days: 7}}}}
	o.Class = storageclass.Standard
	require.Equal(t, lm.Add(3*day), oss.NextDue(o))
	got, ok = oss.AbortDue("logs/big", lm)
	require.True(t, ok)
	require.Equal(t, lm.Add(7*day), got)
}

// An S3 Date acts on that date on every matching object, and goes on
// acting on objects written after it; OSS's CreatedBefore acts only on
// objects modified before its date.
func TestEvaluateS3_Date(t *testing.T) {
	c := s3Config("", lifecycle.Rule{Transitions: []lifecycle.Transition{{Date: date(2025, 6, 1), StorageClass: storageclass.S3DeepArchive}}})
	before := lifecycle.Object{Key: "a", Size: 1 << 20, Class: storageclass.S3Standard, LastModified: date(2024, 1, 1)}
	require.Equal(t, date(2025, 6, 1), c.NextDueIn(s3cat, before))
	require.Equal(t, lifecycle.ActionNone, c.EvaluateIn(s3cat, before, date(2025, 6, 1).Add(-time.Second)).Kind)
	require.Equal(t, lifecycle.ActionTransition, c.EvaluateIn(s3cat, before, date(2025, 6, 1)).Kind)

	after := before
	after.LastModified = date(2026, 3, 4).Add(5 * time.Hour)
	require.Equal(t, lifecycle.ActionTransition, c.EvaluateIn(s3cat, after, after.LastModified).Kind, "written after the date: due at once")

	e := s3Config("", lifecycle.Rule{Expiration: &lifecycle.Expiration{Date: date(2025, 6, 1)}})
	require.Equal(t, date(2025, 6, 1), e.NextExpiration(before))
	require.Equal(t, lifecycle.ActionExpire, e.EvaluateIn(s3cat, after, after.LastModified).Kind)

	oss := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true,
		Expiration: &lifecycle.Expiration{CreatedBefore: date(2025, 6, 1)}}}}
	after.Class, before.Class = storageclass.Standard, storageclass.Standard
	require.True(t, oss.NextDue(after).IsZero(), "OSS: modified after the date, never")
	require.Equal(t, lifecycle.ActionExpire, oss.Evaluate(before, date(2024, 1, 2)).Kind)
}

// TransitionDefaultMinimumObjectSize: under 128 KiB an object transitions
// to no class (all_storage_classes_128K, the default), or only to GLACIER
// and DEEP_ARCHIVE (varies_by_storage_class); a rule's size filter
// overrides either.
func TestEvaluateS3_MinimumObjectSize(t *testing.T) {
	lm := date(2024, 1, 1)
	at := date(2025, 1, 1)
	for _, tc := range []struct {
		name   string
		mode   lifecycle.MinimumObjectSize
		size   int64
		target storageclass.Class
		filter *lifecycle.Filter
		moves  bool
	}{
		{"default, small, GLACIER", "", 1000, storageclass.S3Glacier, nil, false},
		{"128K, small, GLACIER", lifecycle.AllStorageClasses128K, lifecycle.MinTransitionSize - 1, storageclass.S3Glacier, nil, false},
		{"128K, exactly 128 KiB", lifecycle.AllStorageClasses128K, lifecycle.MinTransitionSize, storageclass.S3Glacier, nil, true},
		{"128K, small, DEEP_ARCHIVE", lifecycle.AllStorageClasses128K, 10, storageclass.S3DeepArchive, nil, false},
		{"128K, small, IA", lifecycle.AllStorageClasses128K, 10, storageclass.S3StandardIA, nil, false},
		{"128K, large, IA", lifecycle.AllStorageClasses128K, 1 << 20, storageclass.S3StandardIA, nil, true},
		{"varies, small, GLACIER", lifecycle.VariesByStorageClass, 10, storageclass.S3Glacier, nil, true},
		{"varies, small, DEEP_ARCHIVE", lifecycle.VariesByStorageClass, 10, storageclass.S3DeepArchive, nil, true},
		{"varies, small, GLACIER_IR", lifecycle.VariesByStorageClass, 10, storageclass.S3GlacierIR, nil, false},
		{"varies, small, INTELLIGENT_TIERING", lifecycle.VariesByStorageClass, 10, storageclass.S3IntelligentTiering, nil, false},
		{"varies, small, ONEZONE_IA", lifecycle.VariesByStorageClass, 10, storageclass.S3OneZoneIA, nil, false},
		{"128K, size filter over it", lifecycle.AllStorageClasses128K, 2000, storageclass.S3StandardIA, &lifecycle.Filter{ObjectSizeGreaterThan: i64(1024)}, true},
		{"128K, size filter under it", lifecycle.AllStorageClasses128K, 10, storageclass.S3GlacierIR, &lifecycle.Filter{ObjectSizeLessThan: i64(1000)}, true},
		{"128K, size filter excludes it", lifecycle.AllStorageClasses128K, 500, storageclass.S3Glacier, &lifecycle.Filter{ObjectSizeGreaterThan: i64(1024)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s3Config(tc.mode, lifecycle.Rule{Filter: tc.filter, Transitions: []lifecycle.Transition{{Days: 30, StorageClass: tc.target}}})
			o := lifecycle.Object{Key: "k", Size: tc.size, Class: storageclass.S3Standard, LastModified: lm}
			got := c.EvaluateIn(s3cat, o, at)
			if tc.moves {
				require.Equal(t, lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: tc.target, RuleID: "r1"}, got)
				require.Equal(t, date(2024, 1, 31), c.NextDueIn(s3cat, o))
			} else {
				require.Equal(t, lifecycle.ActionNone, got.Kind)
				require.True(t, c.NextDueIn(s3cat, o).IsZero())
			}
		})
	}

	// Expiration is not a transition: small objects expire.
	c := s3Config("", lifecycle.Rule{Expiration: &lifecycle.Expiration{Days: 1}})
	require.Equal(t, lifecycle.ActionExpire, c.EvaluateIn(s3cat, lifecycle.Object{Key: "k", Size: 1, Class: storageclass.S3Standard, LastModified: lm}, at).Kind)
}

// Overlapping rules in S3 (research/s3.md §7, the user guide's conflicts
// page): deletion beats transition, GLACIER beats STANDARD_IA, the shorter
// expiration is honoured; and the waterfall's missing step is not taken.
func TestEvaluateS3_Precedence(t *testing.T) {
	lm := date(2024, 1, 1).Add(time.Hour)
	o := lifecycle.Object{Key: "logs/a", Size: 1 << 20, Tags: map[string]string{"t": "1"}, Class: storageclass.S3Standard, LastModified: lm}

	c := s3Config("",
		lifecycle.Rule{Prefix: "logs/", Transitions: []lifecycle.Transition{{Days: 365, StorageClass: storageclass.S3Glacier}}},
		lifecycle.Rule{Tags: map[string]string{"t": "1"}, Expiration: &lifecycle.Expiration{Days: 365}})
	require.Equal(t, lifecycle.Action{Kind: lifecycle.ActionExpire, RuleID: "r2"}, c.EvaluateIn(s3cat, o, date(2025, 1, 1)), "both due on the same midnight: deletion")

	c = s3Config("",
		lifecycle.Rule{Transitions: []lifecycle.Transition{{Days: 30, StorageClass: storageclass.S3StandardIA}}},
		lifecycle.Rule{Prefix: "logs/", Transitions: []lifecycle.Transition{{Days: 30, StorageClass: storageclass.S3Glacier}}})
	require.Equal(t, lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: storageclass.S3Glacier, RuleID: "r2"}, c.EvaluateIn(s3cat, o, date(2024, 2, 1)))
	require.NoError(t, c.Validate(s3cat), "S3 accepts overlapping filters")

	c = s3Config("",
		lifecycle.Rule{Expiration: &lifecycle.Expiration{Days: 100}},
		lifecycle.Rule{Prefix: "logs/", Expiration: &lifecycle.Expiration{Days: 10}})
	require.Equal(t, date(2024, 1, 12), c.NextExpiration(o), "the shorter expiration")
	require.Equal(t, lifecycle.Action{Kind: lifecycle.ActionExpire, RuleID: "r2"}, c.EvaluateIn(s3cat, o, date(2024, 1, 12)))

	// ONEZONE_IA objects never go to GLACIER_IR, but do go to GLACIER.
	c = s3Config("",
		lifecycle.Rule{Transitions: []lifecycle.Transition{{Days: 90, StorageClass: storageclass.S3GlacierIR}}},
		lifecycle.Rule{Transitions: []lifecycle.Transition{{Days: 180, StorageClass: storageclass.S3Glacier}}})
	oz := o
	oz.Class = storageclass.S3OneZoneIA
	require.Equal(t, lifecycle.ActionNone, c.EvaluateIn(s3cat, oz, date(2024, 6, 1)).Kind)
	require.Equal(t, date(2024, 6, 30), c.NextDueIn(s3cat, oz))
	ia := o
	ia.Class = storageclass.S3StandardIA
	require.Equal(t, storageclass.S3GlacierIR, c.EvaluateIn(s3cat, ia, date(2024, 6, 1)).StorageClass, "STANDARD_IA does go to GLACIER_IR")
}
