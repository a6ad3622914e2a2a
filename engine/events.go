package engine

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// EventKind is what an Event tells.
type EventKind int

// The kinds of events, as S3 names their notifications.
const (
	// EventObjectCreated: a Put, copy, completed multipart upload, append
	// or link wrote the object (s3:ObjectCreated:*).
	EventObjectCreated EventKind = iota + 1
	// EventObjectDeleted: a Delete removed it (s3:ObjectRemoved:Delete).
	EventObjectDeleted
	// EventRestoreInitiated: a restore was accepted (202;
	// s3:ObjectRestore:Post).
	EventRestoreInitiated
	// EventStorageClassChanged: SetStorageClass moved it.
	EventStorageClassChanged
	// EventLifecycleTransition: a lifecycle rule moved it
	// (s3:LifecycleTransition).
	EventLifecycleTransition
	// EventLifecycleExpiration: a lifecycle rule deleted it
	// (s3:LifecycleExpiration:Delete).
	EventLifecycleExpiration
	// EventGap: the subscriber missed Missed events here, its buffer being
	// full; nothing else of them is known.
	EventGap
	// EventRestoreExpired: a restored copy expired, at its ExpiresAt
	// (s3:ObjectRestore:Delete). The sweep that notices it emits it with
	// that instant, in time order within one sweep.
	EventRestoreExpired
	// EventRestoreCompleted: a restore's copy became readable, at its
	// ReadyAt (s3:ObjectRestore:Completed), whether or not anyone reads;
	// told by the sweep that reaches that instant, in time order within
	// it (ready.go), or by RestoreObject for a restore ready at once.
	EventRestoreCompleted
)

var eventNames = [...]string{EventObjectCreated: "ObjectCreated", EventObjectDeleted: "ObjectDeleted",
	EventRestoreInitiated: "RestoreInitiated", EventStorageClassChanged: "StorageClassChanged",
	EventLifecycleTransition: "LifecycleTransition", EventLifecycleExpiration: "LifecycleExpiration", EventGap: "Gap",
	EventRestoreExpired: "RestoreExpired", EventRestoreCompleted: "RestoreCompleted"}

// String returns the kind's name.
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "EventKind(?)"
}

// Event is a committed change of one object, at the instant it happened on
// the database's clock.
type Event struct {
	Kind EventKind
	// Op is the DB method that created the object of an
	// EventObjectCreated: Put, Copy (a Put with PutOptions.Copy),
	// CompleteUpload, Append or PutSymlink.
	Op          string
	At          time.Time
	Bucket, Key string
	Class       storageclass.Class // after the change; before it for a deletion
	Size        int64
	ETag        string
	// Tier and ExpiresAt describe the restore of EventRestoreInitiated,
	// EventRestoreCompleted and EventRestoreExpired.
	Tier      storageclass.Tier
	ExpiresAt time.Time
	// Missed is the count of events an EventGap stands for: those the
	// subscription selects that its full buffer lost; when MissedAtMost,
	// every event a resumed subscription (SubscribeOptions.From) could not
	// be given, selected or not; -1 when the count is unknown (From names
	// an event of an earlier opening of the database).
	Missed       int
	MissedAtMost bool
	// Seq numbers the events the database delivers, each one more than
	// the one before, in the order they are delivered (the commit order):
	// the same event has the same Seq in every subscription. Each opening
	// of the database numbers its events above every number of the
	// openings before it (a crash included): the opening's epoch, counted
	// in the database, times 2^40, plus the event's count. A
	// subscription that selects some events sees gaps in the numbers; an
	// EventGap has none (0).
	Seq uint64
	// Sequencer orders the events of one key as S3's sequencer does
	// (compared as hex strings, the shorter left-padded with zeros): the
	// instant of the event, never below one this process told before
	// (hex Unix seconds, 16 digits, and nanoseconds, 8), then Seq (16).
	// It grows per key in one process; across its restarts, and between
	// the processes sharing a store for events at different instants,
	// while the clock does not run back (coldstore serve's mock clock
	// resumes from the latest instant the database recorded). An
	// EventGap has none.
	Sequencer string
}

// SubscribeOptions select the events of a Subscription. A nil
// *SubscribeOptions selects every event with the default buffer.
type SubscribeOptions struct {
	Bucket string      // "": every bucket
	Prefix string      // keys starting with it
	Kinds  []EventKind // none: every kind
	// Buffer is how many events wait for the subscriber before it misses
	// some (a gap). 0: 1024.
	Buffer int
	// From resumes where an earlier subscription stopped: the new one
	// starts with the events numbered From and after (Event.Seq) that the
	// database still keeps (Options.EventHistory) and opts selects, all of
	// them whatever the Buffer, then goes on with those of changes
	// committed later. When the history no longer holds some of them (or
	// keeps none), an EventGap comes first, MissedAtMost, its Missed
	// counting every event lost, selected or not (a database that keeps
	// no history made no events while no subscription was open: they are
	// not counted); -1 when From lies below this opening's numbers (an
	// earlier opening's event), or past the next to be delivered (never
	// given: the subscription then starts from now). The buffer grows by
	// what is resumed until it is handed out. 0: from now on.
	From uint64
}

// Subscription receives the events a Subscribe selected, in the order
// their changes committed: per object, the order they happened.
type Subscription struct {
	hub    *hub
	opts   SubscribeOptions
	notify chan struct{} // signalled when an event is queued

	mu     sync.Mutex
	queue  []Event // waiting, oldest first; gaps among them
	missed int     // lost since the last queued event
	closed bool
	ended  bool // the database closed: nothing more will come
	// resumed counts the events resume queued that are still to be handed
	// out; the buffer is larger by as many.
	resumed int
}

// Subscribe starts delivering the events of changes committed from now
// on that opts selects (or from opts.From, as far as the database's
// history of events reaches). Writers never wait for a subscriber: when its
// buffer is full the events it misses are counted and told to it as one
// EventGap where they would have been. Close it when done. Once the
// database has closed (or on a closed one), Next hands out what is
// queued, then an error wrapping coldstore.ErrClosed.
func (db *DB) Subscribe(opts *SubscribeOptions) *Subscription {
	s := &Subscription{hub: &db.events, notify: make(chan struct{}, 1)}
	if opts != nil {
		s.opts = *opts
		s.opts.Kinds = slices.Clone(opts.Kinds)
	}
	if s.opts.Buffer <= 0 {
		s.opts.Buffer = 1024
	}
	db.events.add(s, db.now())
	db.poke(db.now()) // the loop now wakes at restores' completions too
	return s
}

// Next returns the next event, waiting for one. It returns ctx's error
// when ctx ends first, fs.ErrClosed after the subscription's Close, and an
// error wrapping coldstore.ErrClosed once the database has closed and the
// events queued before have been handed out.
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Event{}, fs.ErrClosed
		}
		if len(s.queue) > 0 {
			e := s.queue[0]
			s.queue = s.queue[1:]
			if s.resumed > 0 { // the room it took goes with it
				s.resumed--
				s.opts.Buffer--
			}
			s.mu.Unlock()
			return e, nil
		}
		if s.missed > 0 {
			e := Event{Kind: EventGap, Missed: s.missed}
			s.missed = 0
			s.mu.Unlock()
			return e, nil
		}
		if s.ended {
			s.mu.Unlock()
			return Event{}, &coldstore.OpError{Op: "Next", Err: coldstore.ErrClosed}
		}
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// Close stops the subscription; a Next waiting returns fs.ErrClosed. It is
// idempotent.
func (s *Subscription) Close() {
	s.hub.remove(s)
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// end tells a subscription that the database closed: a waiting Next
// wakes, and returns ErrClosed once the queue is empty.
func (s *Subscription) end() {
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// wants reports whether the subscription selects e.
func (s *Subscription) wants(e *Event) bool {
	return (s.opts.Bucket == "" || s.opts.Bucket == e.Bucket) && strings.HasPrefix(e.Key, s.opts.Prefix) &&
		(len(s.opts.Kinds) == 0 || slices.Contains(s.opts.Kinds, e.Kind))
}

// offer queues e, or counts it missed when the buffer is full; a gap
// goes before the first event queued after a loss.
func (s *Subscription) offer(e Event) {
	s.mu.Lock()
	switch {
	case s.closed:
	case s.missed == 0 && len(s.queue) < s.opts.Buffer:
		s.queue = append(s.queue, e)
	case s.missed > 0 && len(s.queue)+2 <= s.opts.Buffer:
		s.queue = append(s.queue, Event{Kind: EventGap, Missed: s.missed}, e)
		s.missed = 0
	default:
		s.missed++
	}
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// hub hands the events of committed transactions to the subscriptions in
// commit order. A transaction with events draws a sequence number inside
// its function, where the store runs writers one at a time, so the numbers
// follow the commit order; after the commit it publishes its events under
// that number, and the hub delivers them in number order. A run that did
// not commit (an error, or a batch the store runs again alone) voids its
// number, so that the ones after it are not held back.
type hub struct {
	subscribers atomic.Int32 // writers draw nothing while it is 0
	drawn       atomic.Uint64

	mu      sync.Mutex
	closed  bool // the database closed: subscriptions end at once
	subs    map[*Subscription]struct{}
	next    uint64             // the next number to deliver
	pending map[uint64][]Event // published or voided (nil) ahead of next
	mark    time.Time          // completions told up to here (ready.go)
	seq     uint64             // the last event's Seq
	lastAt  time.Time          // the latest instant a Sequencer has carried
	// keep is how many events history holds (Options.EventHistory); the
	// hub counts itself a subscriber from the first Subscribe on while it
	// keeps any (keeping).
	keep    int
	keeping bool
	history ring // the latest events, at most keep
}

// ring holds the latest events, as many as push is told to keep.
type ring struct {
	events []Event
	head   int // the oldest, once full
}

func (r *ring) len() int { return len(r.events) }

// at is the i-th oldest event held.
func (r *ring) at(i int) *Event { return &r.events[(r.head+i)%len(r.events)] }

// push adds e, forgetting the oldest when the ring holds keep.
func (r *ring) push(e Event, keep int) {
	if len(r.events) < keep {
		r.events = append(r.events, e)
		return
	}
	r.events[r.head] = e
	r.head = (r.head + 1) % len(r.events)
}

// readyMark is the instant up to which completed restores have been told.
func (h *hub) readyMark() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.mark
}

// setMark moves the mark forward to t.
func (h *hub) setMark(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t.After(h.mark) {
		h.mark = t
	}
}

// add starts s at now: when nobody subscribed before, completions are
// told from now on.
func (h *hub) add(s *Subscription, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.ended = true
		return
	}
	if len(h.subs) == 0 && !h.keeping {
		h.mark = now
	}
	if h.subs == nil {
		h.subs = map[*Subscription]struct{}{}
		h.pending = map[uint64][]Event{}
		h.next = h.drawn.Load() + 1
	}
	if h.keep > 0 && !h.keeping {
		h.keeping = true
		h.subscribers.Add(1) // the history's: events are made from now on
	}
	if from := s.opts.From; from > 0 && from != h.seq+1 {
		s.resume(from, h)
	}
	h.subs[s] = struct{}{}
	h.subscribers.Add(1)
}

// resume queues for s the events numbered from on that the history holds
// and s selects, after a gap for those it no longer holds; its buffer
// grows by what it queues until Next has handed that out, so that all of
// it is, and the events after it are offered as to any subscription.
func (s *Subscription) resume(from uint64, h *hub) {
	n := uint64(h.history.len())
	oldest := h.seq + 1 - n
	base := h.seq &^ (1<<eventEpochShift - 1) // this opening's numbers are above it
	switch {
	case from > h.seq+1: // never given: from now on
		s.queue = append(s.queue, Event{Kind: EventGap, Missed: -1, MissedAtMost: true})
		s.resumed = len(s.queue)
		s.opts.Buffer += s.resumed
		return
	case from <= base: // an earlier opening's: then all of this one's kept
		s.queue = append(s.queue, Event{Kind: EventGap, Missed: -1, MissedAtMost: true})
		from = oldest
	case from < oldest:
		s.queue = append(s.queue, Event{Kind: EventGap, Missed: int(min(oldest-from, uint64(maxInt))), MissedAtMost: true})
		from = oldest
	}
	for i := from - oldest; i < n; i++ {
		if e := h.history.at(int(i)); s.wants(e) {
			s.queue = append(s.queue, *e)
		}
	}
	s.resumed = len(s.queue)
	s.opts.Buffer += s.resumed
}

const maxInt = int(^uint(0) >> 1)

// eventEpochShift places the epoch an opening draws (drawEpoch) above the
// events' count: an opening numbers up to 2^40 events.
const eventEpochShift = 40

// close ends every subscription, and those made later: the database
// closed, with every call's events published.
func (h *hub) close() {
	h.mu.Lock()
	h.closed = true
	subs := make([]*Subscription, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		s.end()
	}
}

func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		h.subscribers.Add(-1)
	}
}

// draw returns the number of a transaction's events; 0 when nobody
// subscribes (the events are then dropped: nobody could have received
// them).
func (h *hub) draw() uint64 {
	if h.subscribers.Load() == 0 {
		return 0
	}
	return h.drawn.Add(1)
}

// publish delivers the events of the committed transaction numbered seq,
// and those numbered after it that wait; nil events void seq.
func (h *hub) publish(seq uint64, events []Event) {
	if seq == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pending == nil || seq < h.next {
		return // drawn before the first subscription: nobody waits for it
	}
	if events == nil {
		events = []Event{}
	}
	h.pending[seq] = events
	for {
		evs, ok := h.pending[h.next]
		if !ok {
			return
		}
		delete(h.pending, h.next)
		h.next++
		for i := range evs {
			h.seq++
			evs[i].Seq = h.seq
			if evs[i].At.After(h.lastAt) {
				h.lastAt = evs[i].At
			}
			evs[i].Sequencer = fmt.Sprintf("%016X%08X%016X", uint64(max(h.lastAt.Unix(), 0)), uint32(h.lastAt.Nanosecond()), h.seq)
			if h.keeping {
				h.history.push(evs[i], h.keep)
			}
			for s := range h.subs {
				if s.wants(&evs[i]) {
					s.offer(evs[i])
				}
			}
		}
	}
}
