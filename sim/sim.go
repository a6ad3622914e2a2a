package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/boltkv"
	"github.com/coldstore-dev/coldstore/kv/memkv"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Config is one run: a workload under a policy for a number of days.
type Config struct {
	Name     string
	Workload Workload
	Policy   *lifecycle.Configuration // nil: everything stays Standard
	Days     int
	Step     time.Duration         // 0: one hour; else a whole fraction of a day (it divides 24h)
	Catalog  *storageclass.Catalog // nil: storageclass.OSS()
	Dir      string                // where a bbolt file of the database goes, kept; "": in memory (memkv)
	Progress func(day, days int)   // called after each simulated day; may be nil
}

// validate refuses what Run refuses before it starts, cfg.Step set.
func (cfg Config) validate() error {
	if cfg.Days <= 0 {
		return fmt.Errorf("sim: Days must be positive, not %d", cfg.Days)
	}
	if cfg.Step > 0 && day%cfg.Step != 0 {
		return fmt.Errorf("sim: Step %v does not divide a day into whole steps", cfg.Step)
	}
	return cfg.Workload.Validate()
}

// Start is when every simulation starts.
var Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const bucket = "sim"

// object is what the simulation remembers of a live object.
type object struct {
	key     string
	created time.Time
}

// waiter is a client waiting for a restore.
type waiter struct {
	key   string
	since time.Time
}

type run struct {
	cfg     Config
	db      *engine.DB
	clk     *clock.Mock
	r       *rand.Rand
	live    []object // in creation order
	next    int      // objects created so far (names)
	arrived float64  // fractional arrivals carried between steps
	reads   float64  // fractional reads carried between steps
	waiting []waiter
	waits   []time.Duration
	rep     Report
}

// Run simulates cfg and returns its report. It returns an error for Days
// that are not positive, a Step that does not divide a day (each simulated
// day is whole steps), and a workload Validate refuses; the context's
// error when ctx ends first; and the engine's or the policy's errors.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Step <= 0 {
		cfg.Step = time.Hour
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Catalog == nil {
		cfg.Catalog = storageclass.OSS()
	}
	clk := clock.NewMock()
	clk.Set(Start)
	store, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	db, err := engine.OpenStore(store, &engine.Options{Clock: clk, Catalog: cfg.Catalog, DisableSweeper: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	s := &run{cfg: cfg, db: db, clk: clk, r: rand.New(rand.NewPCG(cfg.Workload.Seed, 0x5eed)), rep: Report{Name: cfg.Name, Days: cfg.Days, Classes: cfg.Catalog.Classes()}}
	if err := s.setup(ctx); err != nil {
		return nil, err
	}
	stepsPerDay := int(day / cfg.Step)
	for d := 1; d <= cfg.Days; d++ {
		for range stepsPerDay {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := s.step(ctx); err != nil {
				return nil, err
			}
		}
		if err := s.endOfDay(ctx, d); err != nil {
			return nil, err
		}
		if cfg.Progress != nil {
			cfg.Progress(d, cfg.Days)
		}
	}
	return s.finish(ctx)
}

func (s *run) setup(ctx context.Context) error {
	if err := s.db.CreateBucket(ctx, bucket, nil); err != nil {
		return err
	}
	if s.cfg.Policy != nil {
		if err := s.db.PutBucketLifecycle(ctx, bucket, s.cfg.Policy); err != nil {
			return err
		}
	}
	for range s.cfg.Workload.Objects {
		if err := s.put(ctx); err != nil {
			return err
		}
	}
	return nil
}

// put adds one object of a drawn size.
func (s *run) put(ctx context.Context) error {
	key := fmt.Sprintf("obj/%09d", s.next)
	s.next++
	size := s.cfg.Workload.Size.draw(s.r)
	if _, err := s.db.Put(ctx, bucket, key, &zeroReader{left: size}, nil); err != nil {
		return err
	}
	s.live = append(s.live, object{key: key, created: s.clk.Now()})
	return nil
}

func (s *run) step(ctx context.Context) error {
	w := &s.cfg.Workload
	s.clk.Add(s.cfg.Step)
	now := s.clk.Now()
	frac := float64(s.cfg.Step) / float64(day)

	s.arrived += float64(w.ArrivalsPerDay) * frac
	for ; s.arrived >= 1; s.arrived-- {
		if err := s.put(ctx); err != nil {
			return err
		}
	}
	if w.DeleteAfterDays > 0 {
		limit := now.Add(-time.Duration(w.DeleteAfterDays) * day)
		for len(s.live) > 0 && !s.live[0].created.After(limit) {
			if err := s.db.Delete(ctx, bucket, s.live[0].key); err != nil {
				return err
			}
			s.live = s.live[1:]
		}
	}
	s.reads += w.ReadsPerDay * frac
	for ; s.reads >= 1; s.reads-- {
		if err := s.read(ctx, now); err != nil {
			return err
		}
	}
	if err := s.poll(ctx, now); err != nil {
		return err
	}
	lc, err := s.db.RunLifecycle(ctx)
	if err != nil {
		return err
	}
	s.rep.Expired += lc.Expired
	_, err = s.db.Sweep(ctx)
	return err
}

// pick chooses the object of a read, by its index in live: by Zipf
// popularity (the newest most popular), thinned by age; -1 for no read.
func (s *run) pick(now time.Time) int {
	w := &s.cfg.Workload
	n := len(s.live)
	if n == 0 {
		return -1
	}
	i := s.r.IntN(n)
	if w.Zipf > 1 {
		i = int(rand.NewZipf(s.r, w.Zipf, 1, uint64(n-1)).Uint64())
	}
	i = n - 1 - i
	if w.ReadHalfLife > 0 {
		age := now.Sub(s.live[i].created).Hours() / 24
		if s.r.Float64() > math.Pow(0.5, age/w.ReadHalfLife) {
			return -1
		}
	}
	return i
}

func (s *run) read(ctx context.Context, now time.Time) error {
	i := s.pick(now)
	if i < 0 {
		return nil
	}
	o := s.live[i]
	obj, err := s.db.Get(ctx, bucket, o.key)
	switch {
	case err == nil:
		s.rep.Reads++
		_, err = io.Copy(io.Discard, obj)
		obj.Close()
		return err
	case errors.Is(err, coldstore.ErrNoSuchKey): // the lifecycle deleted it
		s.live = slices.Delete(s.live, i, i+1)
		return nil
	case !errors.Is(err, coldstore.ErrInvalidObjectState):
		return err
	}
	// Archived or restoring: restore and wait, as a client does.
	s.rep.Reads++
	s.rep.ReadsDelayed++
	_, err = s.db.Restore(ctx, bucket, o.key, &engine.RestoreOptions{Days: s.cfg.Workload.RestoreDays, Tier: s.tier(o.key)})
	switch {
	case err == nil:
		s.rep.Restores++
	case errors.Is(err, coldstore.ErrRestoreAlreadyInProgress):
		s.rep.Conflicts++
	default:
		return err
	}
	s.waiting = append(s.waiting, waiter{key: o.key, since: now})
	return nil
}

// tier is the workload's tier where the object's class has it, else the
// class's default.
func (s *run) tier(key string) storageclass.Tier {
	t := s.cfg.Workload.RestoreTier
	if t == "" {
		return ""
	}
	oi, err := s.db.Head(context.Background(), bucket, key)
	if err != nil {
		return ""
	}
	if r, err := s.cfg.Catalog.Rules(oi.StorageClass); err == nil {
		if _, ok := r.Tiers[t]; ok {
			return t
		}
	}
	return ""
}

// poll checks the waiting clients: each restored object is read, and the
// wait recorded.
func (s *run) poll(ctx context.Context, now time.Time) error {
	keep := s.waiting[:0]
	for _, w := range s.waiting {
		oi, err := s.db.Head(ctx, bucket, w.key)
		if errors.Is(err, coldstore.ErrNoSuchKey) {
			continue
		}
		if err != nil {
			return err
		}
		switch oi.Restore.State {
		case engine.Restored, engine.NotArchived:
			obj, err := s.db.Get(ctx, bucket, w.key)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, obj)
			obj.Close()
			if err != nil {
				return err
			}
			s.waits = append(s.waits, now.Sub(w.since))
		case engine.Archived: // expired before the client came back: again
			if _, err := s.db.Restore(ctx, bucket, w.key, &engine.RestoreOptions{Days: s.cfg.Workload.RestoreDays, Tier: s.tier(w.key)}); err == nil {
				s.rep.Restores++
			}
			keep = append(keep, w)
		default:
			keep = append(keep, w)
		}
	}
	s.waiting = keep
	return nil
}

func (s *run) endOfDay(ctx context.Context, d int) error {
	u, err := s.db.Usage(ctx, bucket)
	if err != nil {
		return err
	}
	s.rep.Series = append(s.rep.Series, Day{
		Day:     d,
		Objects: u.Objects,
		Bytes:   u.Bytes,
		Cost:    u.Cost(s.cfg.Catalog).Total,
	})
	return nil
}

func (s *run) finish(ctx context.Context) (*Report, error) {
	u, err := s.db.Usage(ctx, bucket)
	if err != nil {
		return nil, err
	}
	s.rep.Usage = u
	s.rep.Bill = u.Cost(s.cfg.Catalog)
	s.rep.Waiting = len(s.waiting)
	s.rep.RestoreWait = percentiles(s.waits)
	return &s.rep, s.db.Check(ctx)
}

// zeroReader yields n zero bytes: the simulation needs sizes, not content.
type zeroReader struct{ left int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.left == 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), z.left))
	clear(p[:n])
	z.left -= int64(n)
	return n, nil
}

// openStore returns the store of a run: in memory, unless cfg.Dir names a
// folder for a bbolt file (NoSync: a simulation needs no durability).
func openStore(cfg Config) (kv.Store, error) {
	if cfg.Dir == "" {
		return memkv.New(), nil
	}
	path := filepath.Join(cfg.Dir, fmt.Sprintf("sim-%d.db", cfg.Workload.Seed))
	_ = os.Remove(path)
	return boltkv.Open(path, &boltkv.Options{NoSync: true})
}
