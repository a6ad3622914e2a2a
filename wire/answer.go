package wire

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
)

// WriteXML answers r with status and v as an XML document (the XML
// declaration, then v marshalled), Content-Type application/xml and its
// Content-Length; an answer to HEAD has the headers only. A v that does not
// marshal is logged and answered 500 with no body. It returns the status
// written.
func (f *Front) WriteXML(w http.ResponseWriter, r *http.Request, id string, status int, v any) int {
	return f.writeXML(w, r, id, status, v, false)
}

// writeXML is WriteXML; isErr says that v is an error document, which an
// answer to HEAD carries in the protocol's ErrorHeader.
func (f *Front) writeXML(w http.ResponseWriter, r *http.Request, id string, status int, v any, isErr bool) int {
	b, err := xml.Marshal(v)
	if err != nil {
		f.log.Error("xml", "id", id, "err", err)
		status, b = http.StatusInternalServerError, nil
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	if r.Method == http.MethodHead {
		if isErr && f.proto.ErrorHeader != "" {
			h.Set(f.proto.ErrorHeader, base64.StdEncoding.EncodeToString(append([]byte(xml.Header), b...)))
		}
		w.WriteHeader(status)
		return status
	}
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(b)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(b)
	return status
}

// writePlain answers r with status and text as plain UTF-8 text; an answer
// to HEAD has the headers only. It returns the status written.
func writePlain(w http.ResponseWriter, r *http.Request, status int, text string) int {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, text)
	}
	return status
}
