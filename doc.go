// Package coldstore is an embeddable storage engine with the archive tiering
// of Alibaba Cloud OSS, and of Amazon S3's Glacier classes in its S3
// dialect: storage classes, archived objects that cannot be read
// until restored, restores that take time and then expire, and (in later
// packages) lifecycle rules and the costs of it all. It keeps its data in
// one bbolt file by default, or in any store behind its kv seam (memory for
// tests and simulations), and takes its time from an injected clock, so it
// serves
// equally as the store inside a custom object service, as a test double
// whose restores answer 202, then 409, then 200 without a single sleep, and
// as the engine of cost simulations over simulated years.
//
// This root package holds the model (this text) and the errors. The work is
// done by its subpackages:
//
//	storageclass       the catalog: classes, tiers, their order, rules and prices; pure
//	lifecycle          lifecycle rules: OSS and S3 XML, stored encoding, validation, evaluation; pure
//	dialect            what differs between archive services (OSS, S3); pure
//	kv                 the store seam: kv/boltkv (a file), kv/memkv (memory), kv/kvtest
//	engine             the rules of the service over a store: clock, sweeper, meter
//	engine/storetest   the conformance suite of every store
//	engine/enginetest  the test double for users' tests
//	ossapi             the OSS REST protocol over an engine (http.Handler)
//	s3api              the S3 REST protocol over an engine of the S3 dialect (http.Handler)
//	wire               what the HTTP fronts share whatever their protocol
//	sim                the cost simulation: a workload under lifecycle policies
//	bench              benchmarks beside raw bbolt
//	cmd/coldstore      the command line (demo, simulate, serve)
//
// # Storage classes
//
// OSS has five classes, from warm to cold: Standard, IA, Archive,
// ColdArchive and DeepColdArchive. Standard and IA are readable at any time.
// Archive, ColdArchive and DeepColdArchive need a restore before a read.
// Each class has a minimum storage duration (IA 30 days, Archive 60,
// ColdArchive and DeepColdArchive 180) and a minimum billable size (64 KiB
// from IA down). A restore of ColdArchive or DeepColdArchive picks a tier
// (Expedited, Standard, Bulk) that sets how long it takes; Archive has no
// tiers. storageclass.OSS() holds the documented values.
//
// A database of the S3 dialect (engine.Options{Dialect: dialect.S3()})
// has S3's seven classes instead (storageclass.S3(): STANDARD, STANDARD_IA,
// INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE), of
// which GLACIER and DEEP_ARCHIVE need a restore, and S3's restore rules
// (dialect/s3.go): Days required, expiry rounded up to midnight UTC, a
// repeated restore of a restored object counting from now.
//
// # The restore state machine
//
// An object of an archive class is in one of three states, derived from its
// stored restore times and the clock at the moment of each call, never
// stored as a word:
//
//	            Restore: 202 Accepted
//	  Archived ------------------------> Restoring
//	     ^  ^                             |   Restore: 409 RestoreAlreadyInProgress
//	     |  |                             |   (a faster tier: 202, ready sooner)
//	     |  |                             | now >= ReadyAt
//	     |  |  now >= ExpiresAt           v
//	     |  +--------------------------- Restored
//	     |        CleanRestored: 200      |   Restore: 200 AlreadyRestored,
//	     +--------------------------------+   ExpiresAt += Days, capped at
//	                                          ReadyAt + MaxRestoreDays
//
//	            Get                     Head x-oss-restore
//	Archived    403 InvalidObjectState  (absent)
//	Restoring   403 InvalidObjectState  ongoing-request="true"
//	Restored    200, the content        ongoing-request="false", expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"
//
// Restore on Standard or IA is 400 OperationNotSupported (a request that is
// bad in itself, such as negative Days, is 400 InvalidArgument first). Days
// and tier are validated against the class before the state is looked at:
// a bad request fails alike in every state and changes nothing. A restore never changes
// the object's class; a Put over the key replaces the object whole, restore
// included.
//
// # Expiry and the sweeper
//
// Because state is derived, an expired restore is Archived at the very
// instant now reaches ExpiresAt, whether or not anything has run. The
// sweeper only tidies: it clears the restore fields of expired objects and
// their entries in each bucket's index ordered by expiry time, so its cost
// grows with the expired restores (and a seek per bucket), not with the
// objects. The engine runs it in one
// goroutine that sleeps on the injected clock until the earliest expiry (or
// the sweep interval) and wakes early when a restore sets a sooner one;
// tests and simulations turn it off and call Sweep.
//
// # Events
//
// engine.DB.Subscribe delivers the committed changes in commit order:
// objects created and deleted, restores initiated, class changes,
// lifecycle actions, and two derived instants, a restore's completion
// (ReadyAt) and its copy's expiry (ExpiresAt). Those are told by the sweep
// that reaches them, at their own instant, whether or not anyone reads;
// while somebody subscribes the loop also wakes at each completion. A
// subscriber that falls behind never slows a writer: it is told how many
// events it missed. Events are numbered (Event.Seq); a database that
// keeps a history of them (Options.EventHistory) lets a subscription
// resume after the last one it saw (SubscribeOptions.From), and coldstore
// serve, which streams them at /-/events, resumes an EventSource that
// reconnects with Last-Event-ID.
//
// # Lifecycle
//
// A bucket's lifecycle configuration (the OSS <LifecycleConfiguration>)
// moves objects to colder classes as they age and deletes them: a
// transition is due Days after LastModified (or after the last access, for
// IsAccessTime rules with the bucket's access monitor on), or at once for
// objects last modified before CreatedBeforeDate. Deletion beats
// transition; of several due transitions the coldest wins; objects under
// 64 KiB do not transition unless AllowSmallFile. The engine keeps an index
// of each object's next due time, updated by every write in the same
// transaction, so RunLifecycle costs the due objects only; the background
// loop runs it when actions come due. A transition keeps LastModified and
// starts ClassSince; it never interrupts a restore (it waits for the
// restored copy to expire), while an expiration deletes regardless. OSS
// runs lifecycle once a day at 08:00 UTC+8; coldstore acts at the exact
// instant.
//
// # Metering
//
// Each bucket has a meter, updated in the transaction of every change at
// O(1) cost: storage accrues lazily as billable bytes per class times the
// time since the last change (64 KiB minimum for IA and colder); leaving a
// class early (delete, overwrite, transition, SetStorageClass) charges the
// rest of its minimum duration, counted from LastModified for IA and
// Archive and from the entry into the class for ColdArchive and
// DeepColdArchive; each accepted restore (202) charges its retrieval by
// tier, a repeated restore nothing; each IA read charges retrieval. Usage
// reads the meter at any instant; Usage.Cost prices it with a catalog (OSS
// list prices in CNY, Chinese mainland; DeepColdArchive is unpriced for
// want of a public source). Read requests are counted in memory and stored
// with the bucket's next write or at Close: a crash loses at most those
// counts.
//
// # Time
//
// The engine reads time only from the clock.Clock it is given, once per
// operation. With a *clock.Mock, a test moves time with Add and sees every
// consequence at once; enginetest.Advance also sweeps. Restore latency is
// the documented maximum by default (Archive 4 hours, ColdArchive Standard
// 5 hours, DeepColdArchive Standard 48 hours), so advancing by the
// documented bound always completes a restore; engine.RandomLatency draws
// between the bounds for simulations.
//
// Every instant the engine stores lies in [MinTime, MaxTime], 1970 to the
// last microsecond of year 9999, kept to the microsecond. A write while the
// clock reads outside that range is refused with ErrInvalidArgument, as is
// a lifecycle date outside it or a restore that would end past it; Days
// that would carry a rule past MaxTime (lifecycle.MaxDays allows ten
// thousand years) mean never. enginetest.Advance refuses to pass MaxTime.
//
// # Integrity
//
// Every object record and every stored chunk carries a 64-bit checksum
// (XXH3) of its key and bytes, checked on every read: a damaged one fails the read with
// ErrDataCorrupt (500) instead of returning other bytes than were stored,
// and engine.DB.Check verifies every body. Each object also keeps the
// CRC-64/ECMA of its content (engine.ObjectInfo.CRC64), which an OSS server
// sends as x-oss-hash-crc64ecma so that clients check their downloads.
//
// # Errors
//
// Every broken rule of the service is returned as a *OpError naming the
// operation, bucket, key and offending value, wrapping one sentinel *Error
// that carries the OSS code and HTTP status: test it with errors.Is(err,
// ErrNoSuchKey), map it with Code and HTTPStatus. Context errors pass
// through bare; failures of the file wrap engine.ErrStorage and never leak
// bbolt's own errors.
//
// # Sharp edges
//
//   - Expiry is not rounded to midnight in OSS (it shows times such as
//     08:12:33); the S3 dialect rounds it up to the next 00:00 UTC.
//   - A second restore while Restored adds Days to the current expiry (OSS
//     "prolongs"); it never shortens it, and never goes past ReadyAt +
//     MaxRestoreDays (7 days for Archive, 365 for the colder classes).
//   - A tier named for Archive is MalformedXML, as OSS answers JobParameters
//     there; a tier the class lacks (Bulk on DeepColdArchive) is
//     InvalidArgument.
//   - A slower or equal tier while Restoring is 409, like no tier at all.
//   - Delete of a missing key succeeds, as OSS answers 204.
//   - SetStorageClass follows OSS's copy-onto-itself: LastModified and
//     ClassSince restart, and any restore ends.
//   - ErrClosed has Status 0: it is not a service error; a server should
//     answer it with 503.
//   - With the wall clock, time is real: a 48-hour restore takes 48 hours.
//   - Changing a bucket's lifecycle or access monitor re-plans every object
//     of the bucket in one transaction: O(objects in the bucket).
//   - The temporary Standard replica that OSS bills while a ColdArchive or
//     DeepColdArchive object is restored is not metered.
package coldstore
