package lifecycle_test

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// documentedS3 is the instant S3 documents for Days days after base: base
// + Days*24h rounded up to the next midnight UTC, in Unix seconds,
// computed without any bound.
func documentedS3(base time.Time, days int64) *big.Int {
	t := documented(base, days)
	if base.Nanosecond() > 0 {
		t.Add(t, big.NewInt(1)) // base is whole seconds in the fuzzer; kept exact anyway
	}
	day := big.NewInt(86400)
	m := new(big.Int).Mod(t, day)
	if m.Sign() != 0 {
		t.Add(t, new(big.Int).Sub(day, m))
	}
	return t
}

// FuzzS3NeverEarly is FuzzNeverEarly for S3 documents: no rule acts before
// LastModified + Days rounded up to the next midnight UTC, NextDueIn is
// exactly that instant when it is in range, and documents out of range are
// refused with a typed error.
func FuzzS3NeverEarly(f *testing.F) {
	f.Add(int64(30), int64(10), int64(1704067200+37800), int64(40*86400))
	f.Add(int64(999999), int64(0), int64(1704067200), int64(86400))
	f.Add(int64(3650000), int64(5), int64(253402214400), int64(1))
	f.Add(int64(1), int64(-1), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, expDays, trDays, lastMod, nowAfter int64) {
		if lastMod < coldstore.MinTime.Unix() || lastMod > coldstore.MaxTime.Unix() || nowAfter < 0 {
			return
		}
		lm := time.Unix(lastMod, 0).UTC()
		now, ok := addSeconds(lm, nowAfter)
		if !ok {
			return
		}
		doc := fmt.Sprintf(`<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>r</ID><Filter/><Status>Enabled</Status>`+
			`<Transition><Days>%d</Days><StorageClass>GLACIER</StorageClass></Transition><Expiration><Days>%d</Days></Expiration></Rule></LifecycleConfiguration>`, trDays, expDays)
		cat := storageclass.S3()
		cfg, err := lifecycle.ParseS3XML(cat, []byte(doc))
		if err == nil {
			err = cfg.Validate(cat)
		}
		if err != nil {
			if !errors.Is(err, coldstore.ErrInvalidArgument) && !errors.Is(err, coldstore.ErrMalformedXML) && !errors.Is(err, coldstore.ErrInvalidRequest) {
				t.Fatalf("%s: untyped error %v", doc, err)
			}
			return
		}
		o := lifecycle.Object{Key: "k", Size: 1 << 20, Class: storageclass.S3Standard, LastModified: lm, ClassSince: lm}
		r := cfg.Rules[0]
		switch act := cfg.EvaluateIn(cat, o, now); act.Kind {
		case lifecycle.ActionExpire:
			if documentedS3(lm, int64(r.Expiration.Days)).Cmp(big.NewInt(now.Unix())) > 0 {
				t.Fatalf("%s: expired at %v, before the midnight after %v + %d days", doc, now, lm, r.Expiration.Days)
			}
		case lifecycle.ActionTransition:
			if documentedS3(lm, int64(r.Transitions[0].Days)).Cmp(big.NewInt(now.Unix())) > 0 {
				t.Fatalf("%s: transitioned at %v, before the midnight after %v + %d days", doc, now, lm, r.Transitions[0].Days)
			}
		}
		next := cfg.NextDueIn(cat, o)
		want := documentedS3(lm, int64(r.Transitions[0].Days))
		if want.Cmp(big.NewInt(coldstore.MaxTime.Unix())) <= 0 {
			if next.IsZero() || next.Unix() != want.Int64() || next.Nanosecond() != 0 {
				t.Fatalf("%s: NextDueIn %v, want Unix %v", doc, next, want)
			}
		} else if !next.IsZero() && want.Cmp(big.NewInt(next.Unix())) > 0 {
			t.Fatalf("%s: NextDueIn %v before the documented instant", doc, next)
		}
	})
}

// FuzzParseS3XML: any document either fails with a typed error or, once
// valid, survives S3XML then ParseS3XML and the binary encoding unchanged.
func FuzzParseS3XML(f *testing.F) {
	for _, name := range []string{"testdata/s3-boto3.xml", "testdata/s3-aws-sdk-go-v2.xml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cat := storageclass.S3()
		c, err := lifecycle.ParseS3XML(cat, b)
		if err == nil {
			err = c.Validate(cat)
		}
		if err != nil {
			if !errors.Is(err, coldstore.ErrInvalidArgument) && !errors.Is(err, coldstore.ErrMalformedXML) && !errors.Is(err, coldstore.ErrInvalidRequest) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		requireS3RoundTrips(t, c)
	})
}
