package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// restoreObject serves RestoreObject (POST ?restore, ?restore= too): the
// <RestoreRequest> body's Days and GlacierJobParameters/Tier; 202 when a
// restore starts or speeds up, 200 when the object was restored already
// (its expiry recomputed from now). The body is required and Days in it
// (400 MalformedXML otherwise, as S3 answers an empty request); a
// top-level Tier, an OutputLocation, SelectParameters or Type SELECT (S3
// Select, no longer offered) are MalformedXML too. The rest of the rules
// are the S3 dialect's (dialect.S3: Restore).
func (h *Handler) restoreObject(q *request) error {
	const op = "RestoreObject"
	type element struct{ XMLName xml.Name }
	var req struct {
		XMLName              xml.Name `xml:"RestoreRequest"`
		Days                 *int     `xml:"Days"`
		GlacierJobParameters *struct {
			Tier string `xml:"Tier"`
		} `xml:"GlacierJobParameters"`
		Tier             *element `xml:"Tier"`
		Type             *element `xml:"Type"`
		OutputLocation   *element `xml:"OutputLocation"`
		SelectParameters *element `xml:"SelectParameters"`
	}
	if err := h.readXML(q, op, &req, false, h.opts.MaxXMLSize); err != nil {
		return err
	}
	malformed := func(detail string) error {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: detail, Err: coldstore.ErrMalformedXML}
	}
	switch {
	case req.Tier != nil:
		return malformed("a top-level Tier: the tier goes in GlacierJobParameters")
	case req.Type != nil || req.SelectParameters != nil || req.OutputLocation != nil:
		return malformed("S3 Select restores are not offered")
	}
	opts := &engine.RestoreOptions{}
	if req.Days != nil {
		if *req.Days <= 0 {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "Days must be at least 1", Err: coldstore.ErrInvalidArgument}
		}
		opts.Days = *req.Days
	}
	if p := req.GlacierJobParameters; p != nil {
		if p.Tier == "" {
			return malformed("GlacierJobParameters without a Tier")
		}
		opts.Tier = storageclass.Tier(p.Tier)
	}
	res, err := h.db.Restore(q.r.Context(), q.bucket, q.key, opts)
	if err != nil {
		return err
	}
	status := http.StatusOK // AlreadyRestored
	if res.Status == engine.Accepted {
		status = http.StatusAccepted
	}
	q.writeStatus(status)
	return nil
}
