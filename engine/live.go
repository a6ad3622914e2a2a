package engine

import (
	"sync"
	"sync/atomic"

	"github.com/coldstore-dev/coldstore/storageclass"
)

// What the engine keeps in memory per bucket, beside the file: whether the
// bucket's access monitor is on, and the reads it served that its meter does
// not hold yet (reads do not write the file; Sweep and Close store them, and
// a crash loses at most these counts). A read finds both with one lookup and
// counts itself with atomic adds, so concurrent readers do not contend.

// readOp is a read request counted in memory: an index into readOps.
type readOp int

const (
	opGetObject readOp = iota
	opHeadObject
	opListObjects
	opGetBucketLifecycle
	opListUploads
	opListParts
	numReadOps
)

// readOps are the OSS request names of the readOps, as meters store them.
var readOps = [numReadOps]string{"GetObject", "HeadObject", "ListObjects", "GetBucketLifecycle", "ListMultipartUploads", "ListParts"}

// liveBuckets maps a bucket name to its *liveBucket.
type liveBuckets struct {
	m sync.Map
}

// liveBucket is one bucket's state in memory.
type liveBucket struct {
	// monitored is the bucket's access monitor, so that Get reads the
	// bucket record only when it is on. It is set after the commit that
	// changes it; a Get racing with that commit acts as if it came first.
	monitored atomic.Bool
	requests  [numReadOps]atomic.Int64
	// retrieval holds, per class whose reads are retrievals
	// (Rules.RetrievalOnRead), the bytes read: storageclass.Class ->
	// *atomic.Int64.
	retrieval sync.Map
}

// lookup returns the bucket's state, or nil when it has none yet. Reads
// use it so that requests for buckets that do not exist create nothing.
func (l *liveBuckets) lookup(bucket string) *liveBucket {
	if v, ok := l.m.Load(bucket); ok {
		return v.(*liveBucket)
	}
	return nil
}

// of returns the bucket's state, creating it.
func (l *liveBuckets) of(bucket string) *liveBucket {
	if lb := l.lookup(bucket); lb != nil {
		return lb
	}
	v, _ := l.m.LoadOrStore(bucket, new(liveBucket))
	return v.(*liveBucket)
}

// count counts one read request of op on lb's bucket. lb may be nil: the
// bucket's state is then created.
func (l *liveBuckets) count(lb *liveBucket, bucket string, op readOp) {
	if lb == nil {
		lb = l.of(bucket)
	}
	lb.requests[op].Add(1)
}

// retrieve counts n bytes read of an object of class, a class whose reads
// are retrievals. lb may be nil: the bucket's state is then created.
func (l *liveBuckets) retrieve(lb *liveBucket, bucket string, class storageclass.Class, n int64) {
	if lb == nil {
		lb = l.of(bucket)
	}
	v, ok := lb.retrieval.Load(class)
	if !ok {
		v, _ = lb.retrieval.LoadOrStore(class, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(n)
}

// retrievals returns the bytes pending per class.
func (lb *liveBucket) retrievals() map[storageclass.Class]int64 {
	var m map[storageclass.Class]int64
	lb.retrieval.Range(func(k, v any) bool {
		if n := v.(*atomic.Int64).Load(); n != 0 {
			if m == nil {
				m = map[storageclass.Class]int64{}
			}
			m[k.(storageclass.Class)] = n
		}
		return true
	})
	return m
}

// take returns a copy of the bucket's pending reads; they stay pending
// until forget, after the transaction that stored them commits.
func (l *liveBuckets) take(bucket string) readCounts {
	lb := l.lookup(bucket)
	if lb == nil {
		return readCounts{}
	}
	c := readCounts{requests: map[string]int64{}, retrieval: lb.retrievals()}
	for op := range numReadOps {
		if n := lb.requests[op].Load(); n != 0 {
			c.requests[readOps[op]] = n
		}
	}
	return c
}

// forget subtracts what a committed transaction stored; reads counted
// since stay pending.
func (l *liveBuckets) forget(bucket string, done readCounts) {
	lb := l.lookup(bucket)
	if lb == nil {
		return
	}
	for op := range numReadOps {
		lb.requests[op].Add(-done.requests[readOps[op]])
	}
	for class, n := range done.retrieval {
		if v, ok := lb.retrieval.Load(class); ok {
			v.(*atomic.Int64).Add(-n)
		}
	}
}

// drop forgets a deleted bucket.
func (l *liveBuckets) drop(bucket string) { l.m.Delete(bucket) }

// pending returns the buckets with reads to store.
func (l *liveBuckets) pending() []string {
	var names []string
	l.m.Range(func(k, v any) bool {
		lb := v.(*liveBucket)
		busy := len(lb.retrievals()) != 0
		for op := range numReadOps {
			busy = busy || lb.requests[op].Load() != 0
		}
		if busy {
			names = append(names, k.(string))
		}
		return true
	})
	return names
}
