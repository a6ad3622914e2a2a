package bench

import (
	"fmt"
	"os"
	"time"
)

// Before each server's turn at a row the machine is let settle: settleCPU
// waits until its CPUs have been all but idle for a moment. A server's
// work can outlive its turn — a collection, a background scan, the
// deletions it put off (and the writeback of what it left in the page
// cache, which settleDisk flushes) — and on two CPUs whatever of it runs
// during the next server's turn takes that server's CPU and time. It
// does not make the rounds agree: the machine itself has slow spells, in
// which every server's CPU a request grows alike (bench/README.md,
// "Letting the machine settle").

const (
	settleWindow = 100 * time.Millisecond // the moment
	settleIdle   = 0.05                   // busy at most this share of the CPUs in it
)

// settleMax is how long settleCPU waits at most before it goes on, and
// says so: 5 s, or COLDSTORE_WIRE_SETTLE_MAX (a duration; TestWireSmoke
// sets 0, on a machine busy with other tests, where waiting would only
// slow it).
var settleMax = settleMaxFromEnv()

func settleMaxFromEnv() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("COLDSTORE_WIRE_SETTLE_MAX")); err == nil && d >= 0 {
		return d
	}
	return 5 * time.Second
}

// settleCPU waits until the machine's CPUs were busy at most settleIdle of
// a settleWindow, or settleMax has passed; it returns how long it waited
// and, when it gave up, why.
func settleCPU() (time.Duration, error) {
	start := time.Now()
	b0, t0, err := machineBusy()
	if err != nil {
		return 0, err
	}
	for {
		time.Sleep(settleWindow)
		b1, t1, err := machineBusy()
		if err != nil {
			return time.Since(start), err
		}
		share := float64(b1-b0) / float64(max(t1-t0, 1))
		if share <= settleIdle {
			return time.Since(start), nil
		}
		if waited := time.Since(start); waited >= settleMax {
			return waited, fmt.Errorf("still %.0f%% busy after %v", 100*share, waited.Round(time.Millisecond))
		}
		b0, t0 = b1, t1
	}
}
