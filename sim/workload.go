package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Size is a distribution of object sizes: Fixed when it is positive, else
// log-normal with the given Median and Spread (the sigma of the logarithm).
type Size struct {
	Fixed  int64
	Median int64
	Spread float64
}

func (s Size) draw(r *rand.Rand) int64 {
	if s.Fixed > 0 || s.Median <= 0 {
		return max(s.Fixed, 0)
	}
	return max(1, int64(math.Round(float64(s.Median)*math.Exp(s.Spread*r.NormFloat64()))))
}

// Workload is what users do to one bucket.
type Workload struct {
	Objects        int  // objects put at the start
	ArrivalsPerDay int  // objects put each day after
	Size           Size // sizes of the objects

	// ReadsPerDay is the rate of reads of the whole bucket. Each read picks
	// an object by Zipf popularity (exponent Zipf > 1; 0: uniform) among
	// the live objects, and goes ahead with probability 0.5^(age /
	// ReadHalfLife): reads of an object fade as it ages (ReadHalfLife 0:
	// they do not).
	ReadsPerDay  float64
	ReadHalfLife float64 // days
	Zipf         float64

	// DeleteAfterDays deletes each object at that age; 0: never.
	DeleteAfterDays int

	// A read of an archived object does what a client does: Restore with
	// RestoreTier for RestoreDays (zero values: the class's defaults), poll
	// Head each step until it is restored, then Get.
	RestoreTier storageclass.Tier
	RestoreDays int

	Seed uint64
}

// Validate returns an error naming the first field of w that no workload
// can have: a negative count, rate, age, size or spread, a rate or spread
// that is not a finite number, or a Zipf exponent other than 0 (uniform)
// or one above 1.
func (w Workload) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"Objects", float64(w.Objects)}, {"ArrivalsPerDay", float64(w.ArrivalsPerDay)},
		{"Size.Fixed", float64(w.Size.Fixed)}, {"Size.Median", float64(w.Size.Median)}, {"Size.Spread", w.Size.Spread},
		{"ReadsPerDay", w.ReadsPerDay}, {"ReadHalfLife", w.ReadHalfLife},
		{"DeleteAfterDays", float64(w.DeleteAfterDays)}, {"RestoreDays", float64(w.RestoreDays)},
	} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("sim: %s must be a finite number, 0 or more, not %v", f.name, f.v)
		}
	}
	if w.Zipf != 0 && !(w.Zipf > 1 && !math.IsInf(w.Zipf, 0)) {
		return fmt.Errorf("sim: Zipf must be 0 (uniform) or above 1, not %v", w.Zipf)
	}
	return nil
}

// Default is the workload of `coldstore simulate` without flags: a bucket
// of documents that grows and is read mostly while young. The engine stores
// every byte, so the default stays small enough to run in seconds.
func Default() Workload {
	return Workload{
		Objects:         1000,
		ArrivalsPerDay:  50,
		Size:            Size{Median: 64 << 10, Spread: 1},
		ReadsPerDay:     100,
		ReadHalfLife:    7,
		Zipf:            1.2,
		DeleteAfterDays: 0,
		Seed:            1,
	}
}

// day is the simulation's unit.
const day = 24 * time.Hour

// Policy is a named lifecycle configuration; a nil Config keeps everything
// Standard.
type Policy struct {
	Name   string
	Config *lifecycle.Configuration
}
