package engine

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Options configure Open. A nil *Options is valid, and every zero field
// means its default. Open copies the options and never changes them.
type Options struct {
	// Clock is the only source of time. nil: the wall clock (clock.New()).
	Clock clock.Clock
	// Dialect is the archive service whose rules the database follows: its
	// classes, names and restore rules. nil: dialect.OSS(). A database
	// records its dialect when created; Open refuses it under another
	// (ErrWrongDialect).
	Dialect dialect.Dialect
	// Catalog holds the storage classes and their rules. nil: the
	// dialect's catalog (storageclass.OSS() for OSS). A catalog of one's
	// own adds classes to the dialect's (storageclass.NewCatalog).
	Catalog *storageclass.Catalog
	// SweepInterval is the longest the background loop sleeps between
	// sweeps. 0: one minute.
	SweepInterval time.Duration
	// DisableSweeper starts no goroutine; the caller drives Sweep. Reads are
	// right either way: the sweeper only tidies.
	DisableSweeper bool
	// OpenTimeout is how long Open waits for another process's lock on the
	// file before it returns ErrLocked. 0: one second. (Open's bbolt file
	// only: OpenStore takes a store opened with options of its own.)
	OpenTimeout time.Duration
	// NoSync skips fsync on commit: faster, but a crash of the machine (not
	// of the process) can lose the last acknowledged writes. (Open's bbolt
	// file only, as OpenTimeout.)
	NoSync bool
	// SingleFile keeps every new body in the store's file. By default,
	// over a store in a file (Open's bbolt file, or a boltkv store given
	// to OpenStore), the body of a Put or a part larger than one chunk
	// (256 KiB) goes to a file of its own in a folder beside it, named as
	// the store's file with ".bodies" appended: faster for large bodies
	// (bench/README.md), at the price of a folder to copy with the file.
	// Bodies already in files stay readable either way. Stores that are
	// not files (memkv, PostgreSQL) keep every body in them.
	SingleFile bool
	// Logger receives the background loop's errors. nil: discard.
	Logger *slog.Logger
	// RestoreLatency decides how long each restore takes. nil: MaxLatency,
	// so a test that advances the clock by the documented bound always sees
	// the restore complete.
	RestoreLatency LatencyPolicy
	// EventHistory is how many of the latest events the database keeps
	// for subscriptions that resume where an earlier one stopped
	// (SubscribeOptions.From). It keeps them from the first Subscribe on,
	// and from then on the events of every change are made and kept even
	// while no subscription is open, as a subscription's would be.
	// 0: none kept, and a database that nobody subscribes to makes no
	// events.
	EventHistory int
	// BodyCache is how many bytes of memory the database keeps the chunks
	// of bodies in files in once a read has checked them (over a store in
	// a file, as SingleFile says), so that a read of them again writes
	// them from memory: no read of the file, no second check. The memory
	// is taken as it is first used, up to this bound, outside Go's heap
	// on Unix systems (in it elsewhere; none at all if the system refuses
	// the mapping); the chunks read least lately give way (CLOCK). 0: no
	// cache, every read reads and checks its chunks.
	BodyCache int64
}

// LatencyPolicy returns how long a restore of a class with tier takes, given
// the documented latency l. Tier is "" for a class without tiers. It must be
// safe for concurrent use.
type LatencyPolicy func(class storageclass.Class, tier storageclass.Tier, l storageclass.Latency) time.Duration

// MaxLatency is the default policy: the documented upper bound.
func MaxLatency(_ storageclass.Class, _ storageclass.Tier, l storageclass.Latency) time.Duration {
	return l.Max
}

// RandomLatency returns a policy that draws each latency uniformly from
// [Min, Max] with a generator seeded by seed, for simulations: the same
// seed and the same sequence of restores give the same latencies.
func RandomLatency(seed uint64) LatencyPolicy {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(_ storageclass.Class, _ storageclass.Tier, l storageclass.Latency) time.Duration {
		if l.Max <= l.Min {
			return l.Max
		}
		mu.Lock()
		defer mu.Unlock()
		return l.Min + time.Duration(r.Int64N(int64(l.Max-l.Min)+1))
	}
}

const (
	defaultSweepInterval = time.Minute
	defaultOpenTimeout   = time.Second
)

// withDefaults returns a copy of o with every zero field set.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Clock == nil {
		c.Clock = clock.New()
	}
	if c.Dialect == nil {
		c.Dialect = dialect.OSS()
	}
	if c.Catalog == nil {
		c.Catalog = c.Dialect.Catalog()
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = defaultSweepInterval
	}
	if c.OpenTimeout <= 0 {
		c.OpenTimeout = defaultOpenTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.RestoreLatency == nil {
		c.RestoreLatency = MaxLatency
	}
	return c
}
