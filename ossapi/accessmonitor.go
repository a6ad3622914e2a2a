package ossapi

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/coldstore-dev/coldstore"
)

// accessMonitor is OSS's AccessMonitorConfiguration document.
type accessMonitor struct {
	XMLName xml.Name `xml:"AccessMonitorConfiguration"`
	Status  string   `xml:"Status"`
}

// putAccessMonitor is PutBucketAccessMonitor: Status Enabled makes reads
// record each object's last access (at most once a day), which lifecycle
// rules with IsAccessTime count from; Disabled stops it, refused while
// such a rule is set (400 InvalidArgument). A Status other than Enabled or
// Disabled is MalformedXML; nothing changes.
func (h *Handler) putAccessMonitor(q *request) error {
	var doc accessMonitor
	if err := h.readXML(q, &doc, false, h.opts.MaxXMLSize); err != nil {
		return err
	}
	var on bool
	switch doc.Status {
	case "Enabled":
		on = true
	case "Disabled":
	default:
		return &coldstore.OpError{Op: "PutBucketAccessMonitor", Bucket: q.bucket, Detail: "Status " + strconv.Quote(doc.Status) + " is neither Enabled nor Disabled", Err: coldstore.ErrMalformedXML}
	}
	if err := h.db.SetAccessMonitor(q.r.Context(), q.bucket, on); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}

// getAccessMonitor is GetBucketAccessMonitor: Enabled or Disabled.
func (h *Handler) getAccessMonitor(q *request) error {
	b, err := h.db.Bucket(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	doc := accessMonitor{Status: "Disabled"}
	if b.AccessMonitor {
		doc.Status = "Enabled"
	}
	h.writeXML(q, http.StatusOK, doc)
	return nil
}
