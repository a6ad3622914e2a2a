package dialect

import (
	"net/netip"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/internal/instant"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// S3MaxKeyLen is the longest S3 object key, in bytes.
const S3MaxKeyLen = 1024

// The messages S3 words otherwise than the sentinels (research/s3.md §3.2,
// §4.2; each quoted from a live AWS answer there).
const (
	msgS3RestoreNotAllowed = "Restore is not allowed for the object's current storage class"
	msgS3Unreadable        = "The operation is not valid for the object's storage class"
	msgS3RestoreInProgress = "Object restore is already in progress"
)

// S3 returns the dialect of Amazon S3 with the S3 catalog
// (storageclass.S3): Glacier semantics as research/s3.md sources them, and
// where AWS documents nothing, coldstore's choices, each written below.
func S3() Dialect { return s3Dialect{} }

type s3Dialect struct{}

func (s3Dialect) Name() string { return "s3" }

// DefaultContentType is binary/octet-stream: S3's answer for an object put
// without a Content-Type.
func (s3Dialect) DefaultContentType() string { return "binary/octet-stream" }

// MinPartSize is S3's 5 MiB.
func (s3Dialect) MinPartSize() int64             { return 5 << 20 }
func (s3Dialect) Catalog() *storageclass.Catalog { return storageclass.S3() }

// CheckBucketName accepts S3's general purpose bucket names: 3-63
// characters of a-z, 0-9, '.' and '-', starting and ending with a letter
// or digit, no two periods in a row nor a period beside a hyphen (each
// label a DNS label), not an IPv4 address, and none of the
// prefixes and suffixes AWS reserves (xn--, sthree-, amzn-s3-demo-;
// -s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
func (s3Dialect) CheckBucketName(name string) error {
	ok := len(name) >= MinBucketNameLen && len(name) <= MaxBucketNameLen &&
		isLowerAlnum(name[0]) && isLowerAlnum(name[len(name)-1]) &&
		!strings.Contains(name, "..") && !strings.Contains(name, ".-") && !strings.Contains(name, "-.")
	for i := 0; ok && i < len(name); i++ {
		ok = isLowerAlnum(name[i]) || name[i] == '.' || name[i] == '-'
	}
	// Only digits and dots can spell an IPv4 address (the characters above
	// leave no IPv6 one): other names skip the parse, and its error.
	if ok && strings.Trim(name, "0123456789.") == "" {
		if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
			ok = false
		}
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		ok = ok && !strings.HasPrefix(name, p)
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		ok = ok && !strings.HasSuffix(name, s)
	}
	if !ok {
		return refuse(coldstore.ErrInvalidBucketName, "bucket name %q: 3-63 of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, not an IP address", name)
	}
	return nil
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// CheckKey accepts 1-1024 bytes of UTF-8 that XML 1.0 can carry; a longer
// key is ErrKeyTooLong, as S3 names it. S3 takes any UTF-8, but a listing
// could not name a key XML cannot carry: such a key is refused with
// InvalidObjectName (our choice).
func (s3Dialect) CheckKey(key string) error {
	if len(key) > S3MaxKeyLen {
		return refuse(coldstore.ErrKeyTooLong, "key of %d bytes: at most %d", len(key), S3MaxKeyLen)
	}
	if len(key) == 0 || !validUTF8Key(key) {
		return refuse(coldstore.ErrInvalidObjectName, "key %q: 1-1024 bytes of UTF-8 that XML 1.0 can carry", truncate(key))
	}
	return nil
}

// CheckRestore refuses negative Days with ErrInvalidArgument and a tier S3
// does not have (Expedited, Standard, Bulk) with ErrMalformedXML: Tier is
// an enumeration of the request's schema.
func (s3Dialect) CheckRestore(days int, tier storageclass.Tier) error {
	if days < 0 {
		return refuse(coldstore.ErrInvalidArgument, "days %d is negative", days)
	}
	if tier != "" && tier.Speed() < 0 {
		return refuse(coldstore.ErrMalformedXML, "unknown restore tier %q", tier)
	}
	return nil
}

// Restore decides as S3 RestoreObject does (research/s3.md §3):
//
//	class needs no restore  ErrInvalidObjectState (403) "Restore is not
//	                        allowed for the object's current storage class"
//	                        (STANDARD, STANDARD_IA, ONEZONE_IA, GLACIER_IR);
//	                        INTELLIGENT_TIERING, modelled in its active
//	                        tier, ErrObjectAlreadyInActiveTier (403).
//	no Days                 ErrMalformedXML (400): Days is required.
//	Archived (or expired)   accepted (202): RequestedAt = now, ReadyAt =
//	                        now + latency(tier), ExpiresAt = ReadyAt + Days
//	                        rounded up to the next 00:00 UTC; a retrieval is
//	                        billed.
//	Restoring               ErrRestoreAlreadyInProgress (409); except a
//	                        faster tier with the same Days (a speed
//	                        upgrade): accepted (202), ReadyAt moves earlier
//	                        if the faster tier finishes sooner and the
//	                        expiry follows it; no second retrieval billed.
//	Restored                200: ExpiresAt = now + Days rounded up to the
//	                        next 00:00 UTC, from now, so it may shorten.
//
// Where the sources are silent or disagree, these are our choices: the
// first restore's expiry counts from its completion (ReadyAt), not its
// request, as the only reading under which a one-day restore of 48 hours
// leaves a readable copy; a speed upgrade answers 202; Expedited on a class
// without it (DEEP_ARCHIVE) is ErrInvalidArgument; Days beyond the class's
// MaxRestoreDays are ErrInvalidArgument. A restore that would end past
// coldstore.MaxTime is ErrInvalidArgument.
func (s3Dialect) Restore(r RestoreRequest) (RestoreDecision, error) {
	rules := r.Rules
	if r.Class == storageclass.S3IntelligentTiering {
		return RestoreDecision{}, refuse(coldstore.ErrObjectAlreadyInActiveTier, "INTELLIGENT_TIERING objects are in their frequent access tier")
	}
	if !rules.NeedsRestore {
		return RestoreDecision{}, s3Refuse(coldstore.ErrInvalidObjectState, msgS3RestoreNotAllowed, "%s objects need no restore", r.Class)
	}
	if r.Days == 0 {
		return RestoreDecision{}, refuse(coldstore.ErrMalformedXML, "Days is required to restore a %s object", r.Class)
	}
	if r.Days < rules.MinRestoreDays || r.Days > rules.MaxRestoreDays {
		return RestoreDecision{}, refuse(coldstore.ErrInvalidArgument, "days %d outside [%d, %d] for %s", r.Days, rules.MinRestoreDays, rules.MaxRestoreDays, r.Class)
	}
	tier := r.Tier
	if tier == "" {
		tier = rules.DefaultTier
	}
	if _, ok := rules.Tiers[tier]; !ok {
		return RestoreDecision{}, refuse(coldstore.ErrInvalidArgument, "%s has no %s tier", r.Class, tier)
	}
	c := r.Copy
	switch r.State {
	case Restoring:
		if r.Tier == "" || !r.Tier.FasterThan(c.Tier) || r.Days != daysOf(c) {
			return RestoreDecision{}, s3Refuse(coldstore.ErrRestoreAlreadyInProgress, msgS3RestoreInProgress, "restore with tier %q ready at %s", c.Tier, c.ReadyAt.Format(httpTime))
		}
		if ready, _ := instant.Add(r.Now, r.Latency(r.Tier)); ready.Before(c.ReadyAt) {
			c.ReadyAt = ready
		}
		c.Tier = r.Tier
		exp, ok := expiryAfter(c.ReadyAt, r.Days)
		if !ok {
			return RestoreDecision{}, pastMaxTime()
		}
		c.ExpiresAt = exp
		return RestoreDecision{Accepted: true, Copy: c}, nil
	case Restored:
		exp, ok := expiryAfter(r.Now, r.Days)
		if !ok {
			return RestoreDecision{}, pastMaxTime()
		}
		c.ExpiresAt = exp
		return RestoreDecision{Copy: c}, nil
	}
	ready, ok1 := instant.Add(r.Now, r.Latency(tier))
	exp, ok2 := expiryAfter(ready, r.Days)
	if !ok1 || !ok2 {
		return RestoreDecision{}, pastMaxTime()
	}
	return RestoreDecision{Accepted: true, Retrieval: true, Copy: Copy{Tier: tier, RequestedAt: r.Now, ReadyAt: ready, ExpiresAt: exp}}, nil
}

// expiryAfter is t plus days, rounded up to the next 00:00 UTC (t itself
// when it falls on one), and false past coldstore.MaxTime.
func expiryAfter(t time.Time, days int) (time.Time, bool) {
	e, ok := instant.AddDays(t, int64(days))
	if !ok {
		return e, false
	}
	e = e.UTC()
	if mid := e.Truncate(storageclass.Day); !mid.Equal(e) {
		e, ok = instant.Add(mid, storageclass.Day)
	}
	return e, ok
}

// daysOf recovers the Days of a restore in progress from its copy: its
// expiry is ReadyAt + Days rounded up to midnight, so Days is the whole
// days between them.
func daysOf(c Copy) int {
	return int(c.ExpiresAt.Sub(c.ReadyAt) / storageclass.Day)
}

// CleanRestored refuses: S3 has no operation that ends a restored copy
// early (ErrOperationNotSupported).
func (s3Dialect) CleanRestored(class storageclass.Class, state RestoreState, c Copy) error {
	return refuse(coldstore.ErrOperationNotSupported, "S3 has no operation that ends a restored copy early")
}

// Unreadable refuses the read of an Archived or Restoring object with 403
// InvalidObjectState, "The operation is not valid for the object's storage
// class", as S3 answers a GET both before and during the restore.
func (s3Dialect) Unreadable(class storageclass.Class, state RestoreState, c Copy) error {
	if state == Restoring {
		return s3Refuse(coldstore.ErrInvalidObjectState, msgS3Unreadable, "%s object is restoring until %s", class, c.ReadyAt.Format(httpTime))
	}
	return s3Refuse(coldstore.ErrInvalidObjectState, msgS3Unreadable, "%s object is archived: restore it first", class)
}

// s3Refuse returns a refusal with S3's own message for it.
func s3Refuse(sentinel error, message, format string, args ...any) error {
	e := refuse(sentinel, format, args...).(*coldstore.OpError)
	e.Message = message
	return e
}
