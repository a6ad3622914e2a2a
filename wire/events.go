package wire

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
)

// EventsPath is where a front streams its database's events.
const EventsPath = "/-/events"

// EventStream serves EventsPath: GET streams the events of the changes
// the database commits from then on as Server-Sent Events, each an S3
// event notification message (one record in "Records") named by the SSE
// event field, with an id, "E-N": E names this stream's server (drawn at
// random when it first serves), N the event's number (engine.Event.Seq);
// the record's sequencer is engine.Event.Sequencer. Optional query parameters select
// them: bucket, prefix, and events, a comma-separated list of event names
// with or without "s3:", a trailing "*" matching any suffix
// (ObjectRestore:*). When the subscriber falls behind, an event "Gap"
// carries {"missed":N} where N events it selects were lost.
//
// A request with a Last-Event-ID header (an EventSource that reconnects
// sends the last id it received) resumes after that event: first all the
// events since that the database still keeps (engine.Options.EventHistory)
// and the request selects, after a Gap {"missed":N,"atMost":true} when it
// no longer keeps some (N counts them, selected or not), then the rest as
// they come. An id of another server or process (a restart, another node
// of a cluster) or not of this form cannot be resumed: the stream starts
// from now, after a Gap with "missed" -1, for an unknown count.
//
// The names are S3's: ObjectCreated:Put, ObjectCreated:Copy (a Put the
// front marks as a copy, PutOptions.Copy), ObjectCreated:CompleteMultipartUpload,
// ObjectRemoved:Delete, ObjectRestore:Post, ObjectRestore:Completed (at
// the restore's ReadyAt), ObjectRestore:Delete (the restored copy's
// expiry), LifecycleTransition, LifecycleExpiration:Delete, and
// ObjectCreated:Copy for a change of storage class (S3 changes a class by
// a copy onto the object). Where S3 has no name the record takes OSS's:
// ObjectCreated:AppendObject, ObjectCreated:PutSymlink.
//
// A stream ends when the client goes, when the request's context ends,
// or at Close. Authenticating the request is the caller's.
type EventStream struct {
	DB     *engine.DB
	Source string // eventSource of the records: aws:s3, acs:oss
	Region string // awsRegion of the records

	once  sync.Once
	done  chan struct{}
	epoch string // the E of the ids
}

// Close ends every stream served and refuses later ones; it is
// idempotent. A server calls it when it begins to shut down, so that
// streams do not hold the shutdown.
func (s *EventStream) Close() {
	s.once.Do(s.init)
	select {
	case <-s.done:
	default:
		close(s.done)
	}
}

func (s *EventStream) closed() <-chan struct{} {
	s.once.Do(s.init)
	return s.done
}

func (s *EventStream) init() {
	s.done = make(chan struct{})
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	s.epoch = hex.EncodeToString(b[:])
}

// resumeFrom (after init) is the engine.SubscribeOptions.From of a stream that resumes
// after the event whose id is last ("" when the request names none), and
// whether the id was one this stream can resume from.
func (s *EventStream) resumeFrom(last string) (uint64, bool) {
	if last == "" {
		return 0, true
	}
	epoch, n, ok := strings.Cut(last, "-")
	if !ok || epoch != s.epoch {
		return 0, false
	}
	seq, err := strconv.ParseUint(n, 10, 64)
	if err != nil || seq == 0 || seq == math.MaxUint64 {
		return 0, false
	}
	return seq + 1, true
}

// eventNames are the names each kind's events may take.
var eventNames = map[engine.EventKind][]string{
	engine.EventObjectCreated:       {"ObjectCreated:Put", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload", "ObjectCreated:AppendObject", "ObjectCreated:PutSymlink"},
	engine.EventStorageClassChanged: {"ObjectCreated:Copy"},
	engine.EventObjectDeleted:       {"ObjectRemoved:Delete"},
	engine.EventRestoreInitiated:    {"ObjectRestore:Post"},
	engine.EventRestoreCompleted:    {"ObjectRestore:Completed"},
	engine.EventRestoreExpired:      {"ObjectRestore:Delete"},
	engine.EventLifecycleTransition: {"LifecycleTransition"},
	engine.EventLifecycleExpiration: {"LifecycleExpiration:Delete"},
}

// EventName is e's name in an S3 event notification.
func EventName(e *engine.Event) string {
	if e.Kind == engine.EventObjectCreated {
		switch e.Op {
		case "Copy":
			return "ObjectCreated:Copy"
		case "CompleteUpload":
			return "ObjectCreated:CompleteMultipartUpload"
		case "Append":
			return "ObjectCreated:AppendObject"
		case "PutSymlink":
			return "ObjectCreated:PutSymlink"
		}
	}
	if names := eventNames[e.Kind]; len(names) > 0 {
		return names[0]
	}
	return e.Kind.String()
}

// eventFilter is the events query parameter: names, or prefixes of
// names ending in "*"; empty selects every event.
type eventFilter []string

// parseEventFilter parses the events parameter; it refuses a name that
// no event takes.
func parseEventFilter(v string) (eventFilter, error) {
	var f eventFilter
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimPrefix(strings.TrimSpace(p), "s3:")
		if p == "" {
			continue
		}
		f = append(f, p)
		if !f[len(f)-1:].kinds(nil) {
			return nil, fmt.Errorf("events: no event is named %q", p)
		}
	}
	return f, nil
}

func (f eventFilter) match(name string) bool {
	if len(f) == 0 {
		return true
	}
	for _, p := range f {
		if pre, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(name, pre) || p == name {
			return true
		}
	}
	return false
}

// kinds adds to *into the kinds some of whose names f selects, and
// reports whether there is any.
func (f eventFilter) kinds(into *[]engine.EventKind) bool {
	any := false
	for kind, names := range eventNames {
		for _, n := range names {
			if f.match(n) {
				if into != nil {
					*into = append(*into, kind)
				}
				any = true
				break
			}
		}
	}
	return any
}

// Serve answers a request for EventsPath whose query is query and
// returns the status written: 200 and the stream until it ends; 400 with
// a plain-text reason for an events parameter naming no event, or a
// bucket or prefix given twice (events given twice select what either
// names). It writes nothing and returns ErrMethodNotAllowed for a method
// other than GET: the caller answers it as its protocol answers errors.
func (s *EventStream) Serve(w http.ResponseWriter, r *http.Request, query url.Values) (int, error) {
	if r.Method != http.MethodGet {
		return 0, ErrMethodNotAllowed
	}
	for _, p := range []string{"bucket", "prefix"} {
		if len(query[p]) > 1 {
			return writePlain(w, r, http.StatusBadRequest, p+": given more than once\n"), nil
		}
	}
	filter, err := parseEventFilter(strings.Join(query["events"], ","))
	if err != nil {
		return writePlain(w, r, http.StatusBadRequest, err.Error()+"\n"), nil
	}
	s.once.Do(s.init)
	from, known := s.resumeFrom(r.Header.Get("Last-Event-ID"))
	opts := &engine.SubscribeOptions{Bucket: query.Get("bucket"), Prefix: query.Get("prefix"), From: from}
	if len(filter) > 0 {
		filter.kinds(&opts.Kinds)
	}
	sub := s.DB.Subscribe(opts)
	defer sub.Close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	rc := http.NewResponseController(w)
	go func() {
		select {
		case <-s.closed():
			cancel()
			// A write to a client that does not read would hold the
			// handler: a deadline in the past ends it.
			_ = rc.SetWriteDeadline(time.Unix(1, 0))
		case <-ctx.Done():
		}
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if !known {
		_, _ = w.Write(gapEvent(-1, false))
	}
	_ = rc.Flush() // the client knows it is subscribed
	for {
		e, err := sub.Next(ctx)
		if err != nil {
			return http.StatusOK, nil // the client went, or Close
		}
		var b []byte
		if e.Kind == engine.EventGap {
			b = gapEvent(e.Missed, e.MissedAtMost && e.Missed >= 0)
		} else {
			name := EventName(&e)
			if !filter.match(name) {
				continue
			}
			msg, err := s.Message(&e, e.Seq)
			if err != nil {
				return http.StatusOK, nil
			}
			b = fmt.Appendf(nil, "id: %s-%d\nevent: %s\ndata: %s\n\n", s.epoch, e.Seq, name, msg)
		}
		if ctx.Err() != nil {
			return http.StatusOK, nil
		}
		if _, err := w.Write(b); err != nil {
			return http.StatusOK, nil
		}
		if err := rc.Flush(); err != nil {
			return http.StatusOK, nil
		}
	}
}

// gapEvent is the SSE event telling that missed events were lost (-1: an
// unknown count); atMost marks a count of every event lost, whether the
// stream selects it or not.
func gapEvent(missed int, atMost bool) []byte {
	if atMost {
		return fmt.Appendf(nil, "event: Gap\ndata: {\"missed\":%d,\"atMost\":true}\n\n", missed)
	}
	return fmt.Appendf(nil, "event: Gap\ndata: {\"missed\":%d}\n\n", missed)
}

// The parts of an S3 event notification message.
type (
	eventMessage struct {
		Records []eventRecord `json:"Records"`
	}
	eventRecord struct {
		EventVersion       string              `json:"eventVersion"`
		EventSource        string              `json:"eventSource"`
		AWSRegion          string              `json:"awsRegion"`
		EventTime          string              `json:"eventTime"`
		EventName          string              `json:"eventName"`
		UserIdentity       principal           `json:"userIdentity"`
		RequestParameters  map[string]string   `json:"requestParameters"`
		ResponseElements   map[string]string   `json:"responseElements"`
		S3                 eventS3             `json:"s3"`
		GlacierEventData   *glacierEventData   `json:"glacierEventData,omitempty"`
		LifecycleEventData *lifecycleEventData `json:"lifecycleEventData,omitempty"`
	}
	lifecycleEventData struct {
		TransitionEventData transitionEventData `json:"transitionEventData"`
	}
	transitionEventData struct {
		DestinationStorageClass string `json:"destinationStorageClass"`
	}
	principal struct {
		PrincipalID string `json:"principalId"`
	}
	eventS3 struct {
		SchemaVersion   string      `json:"s3SchemaVersion"`
		ConfigurationID string      `json:"configurationId"`
		Bucket          eventBucket `json:"bucket"`
		Object          eventObject `json:"object"`
	}
	eventBucket struct {
		Name          string    `json:"name"`
		OwnerIdentity principal `json:"ownerIdentity"`
		ARN           string    `json:"arn"`
	}
	eventObject struct {
		Key          string `json:"key"`
		Size         *int64 `json:"size,omitempty"`
		ETag         string `json:"eTag,omitempty"`
		StorageClass string `json:"storageClass,omitempty"`
		Sequencer    string `json:"sequencer"`
	}
	glacierEventData struct {
		RestoreEventData restoreEventData `json:"restoreEventData"`
	}
	restoreEventData struct {
		ExpiryTime   string `json:"lifecycleRestorationExpiryTime"`
		StorageClass string `json:"lifecycleRestoreStorageClass"`
	}
)

// eventTime is S3's form of an event's instant: UTC, milliseconds.
const eventTime = "2006-01-02T15:04:05.000Z"

// Message is e, an event other than EventGap, as an S3 event notification
// message in JSON, with e.Sequencer as its sequencer (seq in hex when e
// has none): the key URL-encoded as S3
// encodes it (a space is "+", a slash stays), eventVersion 2.3 for the
// lifecycle's events and a restored copy's expiry as S3 gives them (2.1
// for the rest), the target class of a transition in
// lifecycleEventData, no size for a removal, glacierEventData on a restore's
// completion, the bucket's ARN in the form of the Source (acs:oss:region::
// bucket for OSS, arn:aws:s3:::bucket for S3).
func (s *EventStream) Message(e *engine.Event, seq uint64) ([]byte, error) {
	return json.Marshal(s.message(e, EventName(e), seq))
}

func (s *EventStream) message(e *engine.Event, name string, seq uint64) eventMessage {
	arn := "arn:aws:s3:::" + e.Bucket
	if strings.HasPrefix(s.Source, "acs:") {
		arn = "acs:oss:" + s.Region + "::" + e.Bucket
	}
	sequencer := e.Sequencer
	if sequencer == "" {
		sequencer = fmt.Sprintf("%016X", seq)
	}
	obj := eventObject{Key: strings.ReplaceAll(url.QueryEscape(e.Key), "%2F", "/"), ETag: e.ETag, StorageClass: string(e.Class), Sequencer: sequencer}
	if e.Kind != engine.EventObjectDeleted && e.Kind != engine.EventLifecycleExpiration {
		obj.Size = &e.Size
	}
	rec := eventRecord{
		EventVersion: "2.1", EventSource: s.Source, AWSRegion: s.Region, EventTime: e.At.UTC().Format(eventTime), EventName: name,
		UserIdentity: principal{"coldstore"}, RequestParameters: map[string]string{}, ResponseElements: map[string]string{},
		S3: eventS3{SchemaVersion: "1.0", ConfigurationID: "coldstore-events",
			Bucket: eventBucket{Name: e.Bucket, OwnerIdentity: principal{"coldstore"}, ARN: arn}, Object: obj},
	}
	switch e.Kind {
	case engine.EventLifecycleTransition:
		rec.EventVersion = "2.3"
		rec.LifecycleEventData = &lifecycleEventData{transitionEventData{DestinationStorageClass: string(e.Class)}}
	case engine.EventLifecycleExpiration, engine.EventRestoreExpired:
		rec.EventVersion = "2.3"
	}
	if e.Kind == engine.EventRestoreCompleted {
		rec.GlacierEventData = &glacierEventData{restoreEventData{ExpiryTime: e.ExpiresAt.UTC().Format(eventTime), StorageClass: string(e.Class)}}
	}
	return eventMessage{Records: []eventRecord{rec}}
}
