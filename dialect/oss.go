package dialect

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/internal/instant"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Limits on names, as OSS sets them.
const (
	MinBucketNameLen = 3
	MaxBucketNameLen = 63
	MaxKeyLen        = 1023 // bytes
)

// OSS returns the dialect of Alibaba Cloud OSS, with the OSS catalog: the
// default. Its rules are the ones research/semantics.md sources, and where
// OSS documents nothing, coldstore's choices, each written below.
func OSS() Dialect { return ossDialect{} }

type ossDialect struct{}

func (ossDialect) Name() string { return "oss" }

// DefaultContentType is application/octet-stream: OSS's answer for an
// object put without a Content-Type.
func (ossDialect) DefaultContentType() string { return "application/octet-stream" }

// MinPartSize is OSS's 100 KB.
func (ossDialect) MinPartSize() int64             { return 100 << 10 }
func (ossDialect) Catalog() *storageclass.Catalog { return storageclass.OSS() }

// CheckBucketName accepts 3-63 characters of a-z, 0-9 and '-', starting
// and ending with a letter or digit.
func (ossDialect) CheckBucketName(name string) error {
	if !validBucketName(name) {
		return refuse(coldstore.ErrInvalidBucketName, "bucket name %q: 3-63 of a-z, 0-9 and '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// CheckKey accepts 1-1023 bytes of UTF-8 that XML 1.0 can carry, not
// starting with '/' or '\'.
func (ossDialect) CheckKey(key string) error {
	if !validKey(key) {
		return refuse(coldstore.ErrInvalidObjectName, "key %q: 1-1023 bytes of UTF-8 that XML 1.0 can carry, not starting with '/' or '\\'", truncate(key))
	}
	return nil
}

// CheckRestore refuses negative Days and unknown tiers with
// ErrInvalidArgument.
func (ossDialect) CheckRestore(days int, tier storageclass.Tier) error {
	if days < 0 {
		return refuse(coldstore.ErrInvalidArgument, "days %d is negative", days)
	}
	if tier != "" && tier.Speed() < 0 {
		return refuseEC(ecRestoreBadTier, coldstore.ErrInvalidArgument, "unknown restore tier %q", tier)
	}
	return nil
}

// Restore decides as OSS RestoreObject does:
//
//	Archived (or expired)  accepted (202): RequestedAt = now, ReadyAt = now +
//	                       latency(tier), ExpiresAt = ReadyAt + Days; a
//	                       retrieval is billed.
//	Restoring              ErrRestoreAlreadyInProgress (409); except a faster
//	                       tier (ColdArchive, DeepColdArchive): accepted, the
//	                       tier changes and ReadyAt moves earlier if the faster
//	                       tier finishes sooner, keeping the copy's lifetime
//	                       (ExpiresAt - ReadyAt); no second retrieval billed.
//	                       A slower or equal tier, or none, is the 409.
//	Restored               200: ExpiresAt += Days, never past ReadyAt +
//	                       MaxRestoreDays (no rounding). The tier is checked
//	                       but not used.
//
// Days and tier are judged against the class before the state: a class
// that needs no restore is ErrOperationNotSupported (400); Days outside the
// class's [MinRestoreDays, MaxRestoreDays] or a tier the class lacks is
// ErrInvalidArgument; any tier on a class without tiers (Archive) is
// ErrMalformedXML, as OSS answers JobParameters there. A restore that would
// end past coldstore.MaxTime is ErrInvalidArgument.
func (ossDialect) Restore(r RestoreRequest) (RestoreDecision, error) {
	days, tier, err := ossRestoreArgs(r)
	if err != nil {
		return RestoreDecision{}, err
	}
	c := r.Copy
	switch r.State {
	case Restoring:
		if r.Tier == "" || !r.Tier.FasterThan(c.Tier) {
			ec := ecRestoreInProgress
			if r.Tier != "" && c.Tier.FasterThan(r.Tier) {
				ec = ecRestoreTierDowngrade
			}
			return RestoreDecision{}, refuseEC(ec, coldstore.ErrRestoreAlreadyInProgress, "restore with tier %q ready at %s", c.Tier, c.ReadyAt.Format(httpTime))
		}
		life := c.ExpiresAt.Sub(c.ReadyAt)
		if ready, _ := instant.Add(r.Now, r.Latency(r.Tier)); ready.Before(c.ReadyAt) {
			c.ReadyAt = ready
		}
		c.Tier = r.Tier
		c.ExpiresAt = c.ReadyAt.Add(life) // no later than before: ReadyAt moved earlier
		return RestoreDecision{Accepted: true, Copy: c}, nil
	case Restored:
		limit, limitOK := instant.AddDays(c.ReadyAt, int64(r.Rules.MaxRestoreDays))
		exp, ok := instant.AddDays(c.ExpiresAt, int64(days))
		if !ok && !limitOK {
			return RestoreDecision{}, pastMaxTime()
		}
		c.ExpiresAt = exp
		if c.ExpiresAt.After(limit) {
			c.ExpiresAt = limit
		}
		return RestoreDecision{Copy: c}, nil
	}
	ready, ok1 := instant.Add(r.Now, r.Latency(tier))
	exp, ok2 := instant.AddDays(ready, int64(days))
	if !ok1 || !ok2 {
		return RestoreDecision{}, pastMaxTime()
	}
	return RestoreDecision{Accepted: true, Retrieval: true, Copy: Copy{Tier: tier, RequestedAt: r.Now, ReadyAt: ready, ExpiresAt: exp}}, nil
}

// ossRestoreArgs validates Days and Tier against the class and fills in
// the class's defaults.
func ossRestoreArgs(r RestoreRequest) (int, storageclass.Tier, error) {
	rules := r.Rules
	if !rules.NeedsRestore {
		return 0, "", refuseEC(ecRestoreNotArchive, coldstore.ErrOperationNotSupported, "%s objects need no restore", r.Class)
	}
	days := r.Days
	if days == 0 {
		days = rules.DefaultRestoreDays
	}
	if days < rules.MinRestoreDays || days > rules.MaxRestoreDays {
		ec := ecRestoreDaysCold
		if len(rules.Tiers) == 0 {
			ec = ecRestoreDaysArchive
		}
		return 0, "", refuseEC(ec, coldstore.ErrInvalidArgument, "days %d outside [%d, %d] for %s", days, rules.MinRestoreDays, rules.MaxRestoreDays, r.Class)
	}
	tier := r.Tier
	if len(rules.Tiers) == 0 {
		if tier != "" {
			return 0, "", refuse(coldstore.ErrMalformedXML, "%s has no restore tiers; tier %q given", r.Class, tier)
		}
		return days, "", nil
	}
	if tier == "" {
		tier = rules.DefaultTier
	}
	if _, ok := rules.Tiers[tier]; !ok {
		return 0, "", refuseEC(ecRestoreBadTier, coldstore.ErrInvalidArgument, "%s has no %s tier", r.Class, tier)
	}
	return days, tier, nil
}

// CleanRestored is OSS CleanRestoredObject: a Restored object may end its
// copy. Restoring is ErrArchiveRestoreNotFinished (409); Archived (never
// restored, expired, or already cleaned) ErrArchiveRestoreFileStale (409);
// a class that needs no restore ErrOperationNotSupported (our choice: OSS
// documents the call for archive classes only).
func (ossDialect) CleanRestored(class storageclass.Class, state RestoreState, c Copy) error {
	switch state {
	case NotArchived:
		return refuse(coldstore.ErrOperationNotSupported, "%s objects are never restored", class)
	case Archived:
		return refuseEC(ecCleanStale, coldstore.ErrArchiveRestoreFileStale, "no restored copy")
	case Restoring:
		return refuseEC(ecCleanRestoreNotFinish, coldstore.ErrArchiveRestoreNotFinished, "restore ready at %s", c.ReadyAt.Format(httpTime))
	}
	return nil
}

// Unreadable refuses the read of an Archived or Restoring object with 403
// InvalidObjectState, EC 0016-00000404.
func (ossDialect) Unreadable(class storageclass.Class, state RestoreState, c Copy) error {
	if state == Restoring {
		return refuseEC(ecReadArchived, coldstore.ErrInvalidObjectState, "%s object is restoring until %s", class, c.ReadyAt.Format(httpTime))
	}
	return refuseEC(ecReadArchived, coldstore.ErrInvalidObjectState, "%s object is archived: restore it first", class)
}

// httpTime is RFC 1123 with GMT, as the times in OSS's messages are.
const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

// refuse returns a refusal: the engine names the operation, bucket and key.
func refuse(sentinel error, format string, args ...any) error {
	return &coldstore.OpError{Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

// refuseEC returns a refusal carrying OSS's EC for it.
func refuseEC(ec string, sentinel error, format string, args ...any) error {
	return &coldstore.OpError{Err: sentinel, EC: ec, Detail: fmt.Sprintf(format, args...)}
}

// OSS's error codes (EC) for the refusals it documents one for
// (https://www.alibabacloud.com/help/en/oss/support/<EC>).
const (
	ecReadArchived          = "0016-00000404" // GetObject of an archived object
	ecRestoreInProgress     = "0016-00000701" // RestoreObject while a restore runs
	ecRestoreNotArchive     = "0016-00000702" // RestoreObject of a class that needs none
	ecRestoreBadTier        = "0016-00000703" // a tier that is not one, or the class lacks
	ecRestoreDaysCold       = "0016-00000704" // Days outside ColdArchive's and DeepColdArchive's range
	ecRestoreDaysArchive    = "0016-00000708" // Days outside Archive's range
	ecRestoreTierDowngrade  = "0016-00000715" // a slower tier while a restore runs
	ecCleanStale            = "0016-00000718" // CleanRestoredObject with no restored copy
	ecCleanRestoreNotFinish = "0016-00000719" // CleanRestoredObject while the restore runs
)

// pastMaxTime is the refusal of a restore whose times would pass MaxTime.
func pastMaxTime() error {
	return refuse(coldstore.ErrInvalidArgument, "it would end after %s, the last instant coldstore stores", coldstore.MaxTime.Format(time.RFC3339))
}

// truncate shortens a bad value for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// validBucketName reports whether name is 3-63 characters of a-z, 0-9 and
// '-', starting and ending with a letter or digit.
func validBucketName(name string) bool {
	if len(name) < MinBucketNameLen || len(name) > MaxBucketNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(name)-1:
		default:
			return false
		}
	}
	return true
}

// validKey reports whether key is 1-1023 bytes of valid UTF-8 not starting
// with '/' or '\', whose every character XML 1.0 can carry: a listing, a
// multi-delete and an error body write keys in XML, and a key that they
// cannot write (NUL, other control characters but tab, line feed and
// carriage return, U+FFFE, U+FFFF) could be stored but never named again.
func validKey(key string) bool {
	if len(key) < 1 || len(key) > MaxKeyLen || key[0] == '/' || key[0] == '\\' {
		return false
	}
	for i := 0; i < len(key); i++ { // ASCII first: most keys are, and need no decoding
		if c := key[i]; c >= utf8.RuneSelf {
			return validUTF8Key(key[i:])
		} else if !xmlChar(rune(c)) {
			return false
		}
	}
	return true
}

// validUTF8Key reports whether s is valid UTF-8 of characters XML 1.0
// can carry.
func validUTF8Key(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !xmlChar(r) {
			return false
		}
	}
	return true
}

// xmlChar reports whether r is a Char of XML 1.0 (surrogates aside: valid
// UTF-8 holds none).
func xmlChar(r rune) bool {
	switch {
	case r >= 0x20:
		return r != 0xFFFE && r != 0xFFFF
	default:
		return r == '\t' || r == '\n' || r == '\r'
	}
}
