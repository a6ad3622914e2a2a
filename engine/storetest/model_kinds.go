package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// The driver's operations on multipart uploads, appendable objects and
// symbolic links (step's cases 24-37).

// pickUpload names an upload: mostly one the engine initiated and still
// in progress, sometimes one that ended or one with another key (an id is
// its key's only), else a made-up id on bkt and key.
func (d *driver) pickUpload(s source, bkt, key string) drvUpload {
	if len(d.uploads) == 0 || s.intn(10) == 0 {
		return drvUpload{bkt, key, "0000000000000001FFFFFFFFFFFFFFFF"}
	}
	var open []drvUpload
	for _, u := range d.uploads {
		if _, err := d.m.ListParts(u.bkt, u.key, u.id, engine.ListPartsOptions{}); err == nil {
			open = append(open, u)
		}
	}
	u := d.uploads[s.intn(len(d.uploads))]
	if len(open) > 0 && s.intn(4) != 0 {
		u = open[s.intn(len(open))]
	}
	if s.intn(10) == 0 {
		u.key = key
	}
	return u
}

// stepUpload runs one operation on multipart uploads; op (24-33) selects
// it.
func (d *driver) stepUpload(s source, op int, bkt, key string) {
	d.t.Helper()
	switch op {
	case 24, 25:
		opts := d.putOptions(s, pick(s, drvClasses...))
		d.log = append(d.log, fmt.Sprintf("InitiateUpload(%q, %q, %+v)", bkt, key, opts))
		got, err := d.db.InitiateUpload(ctx, bkt, key, &opts)
		want, merr := d.m.InitiateUpload(bkt, key, opts, got.UploadID)
		if d.sameErr("InitiateUpload", err, merr) {
			d.same("InitiateUpload", got, want)
			d.uploads = append(d.uploads, drvUpload{bkt, key, got.UploadID})
			if len(d.uploads) > 12 {
				d.uploads = d.uploads[1:]
			}
		}
	case 26, 27, 28:
		u := d.pickUpload(s, bkt, key)
		n := pick(s, 1, 1, 1, 2, 2, 2, 3, 3, 4, 0, engine.MaxParts+1)
		b := partBody(s)
		d.log = append(d.log, fmt.Sprintf("UploadPart(%+v, %d, %d bytes)", u, n, len(b)))
		got, err := d.db.UploadPart(ctx, u.bkt, u.key, u.id, n, bytes.NewReader(b))
		want, merr := d.m.UploadPart(u.bkt, u.key, u.id, n, b)
		if d.sameErr("UploadPart", err, merr) {
			d.same("UploadPart", got, want)
		}
	case 29:
		u := d.pickUpload(s, bkt, key)
		n := pick(s, 1, 2, 3, 0)
		sb, sk := pick(s, "bkt", "bkt", "arc", "nob", "Bad_Name"), pick(s, "a", "b", "a/1", "a/2", "dir/x", "/abs")
		off, length := pick(s, int64(0), 0, 1, 100), pick(s, int64(-1), -1, 0, 10, engine.MinPartSize, 1<<20)
		d.log = append(d.log, fmt.Sprintf("CopyPart(%+v, %d, %q, %q, %d, %d)", u, n, sb, sk, off, length))
		got, err := d.db.CopyPart(ctx, u.bkt, u.key, u.id, n, sb, sk, off, length)
		want, merr := d.m.CopyPart(u.bkt, u.key, u.id, n, sb, sk, off, length)
		if d.sameErr("CopyPart", err, merr) {
			d.same("CopyPart", got, want)
		}
	case 30, 31:
		u := d.pickUpload(s, bkt, key)
		list, opts := d.completion(s, u)
		d.log = append(d.log, fmt.Sprintf("CompleteUpload(%+v, %v, %+v)", u, list, opts))
		got, err := d.db.CompleteUpload(ctx, u.bkt, u.key, u.id, list, &opts)
		want, merr := d.m.CompleteUpload(u.bkt, u.key, u.id, list, opts)
		if d.sameErr("CompleteUpload", err, merr) {
			d.same("CompleteUpload", got, want)
			d.completed++
		}
	case 32:
		if s.intn(3) != 0 { // uploads end often enough
			return
		}
		u := d.pickUpload(s, bkt, key)
		d.log = append(d.log, fmt.Sprintf("AbortUpload(%+v)", u))
		d.sameErr("AbortUpload", d.db.AbortUpload(ctx, u.bkt, u.key, u.id), d.m.AbortUpload(u.bkt, u.key, u.id))
	case 33:
		if s.intn(2) == 0 {
			d.listParts(s, bkt, key)
			return
		}
		opts := engine.ListUploadsOptions{Prefix: pick(s, "", "", "a", "a/", "d"), Delimiter: pick(s, "", "", "/"),
			KeyMarker: pick(s, "", "", "a", "a/1", "b"), Limit: pick(s, 0, 0, 1, 2, -1, 1001)}
		d.log = append(d.log, fmt.Sprintf("ListUploads(%q, %+v)", bkt, opts))
		got, err := d.db.ListUploads(ctx, bkt, &opts)
		want, merr := d.m.ListUploads(bkt, opts)
		if d.sameErr("ListUploads", err, merr) {
			d.same("ListUploads", got, want)
		}
	}
}

// listParts lists the parts of an upload, by pages sometimes.
func (d *driver) listParts(s source, bkt, key string) {
	d.t.Helper()
	u := d.pickUpload(s, bkt, key)
	opts := engine.ListPartsOptions{Marker: pick(s, 0, 0, 1, 2, -1), Limit: pick(s, 0, 0, 1, 2, 1001)}
	d.log = append(d.log, fmt.Sprintf("ListParts(%+v, %+v)", u, opts))
	got, err := d.db.ListParts(ctx, u.bkt, u.key, u.id, &opts)
	want, merr := d.m.ListParts(u.bkt, u.key, u.id, opts)
	if d.sameErr("ListParts", err, merr) {
		d.same("ListParts", got, want)
	}
}

// completion draws the part list and options of a CompleteUpload of u,
// from the parts the model holds: mostly every part, as UploadPart named
// them (quoted or not, either case); sometimes All, a part left out, the
// list out of order, an ETag that is not the part's, or no list.
func (d *driver) completion(s source, u drvUpload) ([]engine.CompletedPart, engine.CompleteOptions) {
	var list []engine.CompletedPart
	if pl, err := d.m.ListParts(u.bkt, u.key, u.id, engine.ListPartsOptions{}); err == nil {
		for _, p := range pl.Parts {
			list = append(list, engine.CompletedPart{Number: p.Number, ETag: p.ETag})
		}
	} else {
		list = []engine.CompletedPart{{Number: 1, ETag: strings.Repeat("0", 32)}}
	}
	var opts engine.CompleteOptions
	switch s.intn(10) {
	case 0:
		opts.All = true
	case 1:
		if len(list) > 0 {
			i := s.intn(len(list))
			list = slices.Delete(list, i, i+1)
		}
	case 2:
		slices.Reverse(list)
	case 3:
		if len(list) > 0 {
			list[s.intn(len(list))].ETag = strings.Repeat("ab", 16)
		}
	case 4:
		list = nil
	case 5:
		for i := range list {
			list[i].ETag = `"` + strings.ToUpper(list[i].ETag) + `"`
		}
	}
	if s.intn(4) == 0 {
		opts.ACL = pick(s, drvACLs...)
	}
	opts.ForbidOverwrite = s.intn(10) == 0
	return list, opts
}

// stepAppend appends to bkt/key, mostly at the object's length.
func (d *driver) stepAppend(s source, bkt, key string) {
	d.t.Helper()
	var pos int64
	if oi, err := d.m.Head(bkt, key); err == nil {
		pos = oi.Size
	}
	if s.intn(4) == 0 {
		pos = pick(s, 0, pos+1, pos-1, -1)
	}
	b := body(s)
	opts := d.putOptions(s, pick(s, "", "", "", storageclass.IA, storageclass.Archive, storageclass.ColdArchive, "Glacier"))
	d.log = append(d.log, fmt.Sprintf("Append(%q, %q, %d, %d bytes, %+v)", bkt, key, pos, len(b), opts))
	got, err := d.db.Append(ctx, bkt, key, pos, bytes.NewReader(b), &opts)
	want, merr := d.m.Append(bkt, key, pos, b, opts)
	if d.sameErr("Append", err, merr) || coldstore.Code(err) == coldstore.ErrPositionNotEqualToLength.Code {
		d.same("Append", got, want)
	}
}

// stepSymlink puts a link (op 36) or reads one (37).
func (d *driver) stepSymlink(s source, op int, bkt, key string) {
	d.t.Helper()
	if op == 36 {
		target := pick(s, drvKeys...)
		opts := d.putOptions(s, pick(s, drvClasses...))
		d.log = append(d.log, fmt.Sprintf("PutSymlink(%q, %q, %q, %+v)", bkt, key, target, opts))
		got, err := d.db.PutSymlink(ctx, bkt, key, target, &opts)
		want, merr := d.m.PutSymlink(bkt, key, target, opts)
		if d.sameErr("PutSymlink", err, merr) {
			d.same("PutSymlink", got, want)
		}
		return
	}
	d.log = append(d.log, fmt.Sprintf("Symlink(%q, %q)", bkt, key))
	target, got, err := d.db.Symlink(ctx, bkt, key)
	wantTarget, want, merr := d.m.Symlink(bkt, key)
	if d.sameErr("Symlink", err, merr) {
		d.same("Symlink", got, want)
		d.same("Symlink target", target, wantTarget)
	}
}

// finishUploads compares every bucket's uploads, whole and by pages of
// limit, and the parts of each.
func (d *driver) finishUploads(limit int) {
	d.t.Helper()
	for _, b := range drvBuckets {
		got, err := d.db.ListUploads(ctx, b, nil)
		want, merr := d.m.ListUploads(b, engine.ListUploadsOptions{})
		if !d.sameErr("final ListUploads", err, merr) {
			continue
		}
		d.same("final ListUploads", got, want)
		for _, delim := range []string{"", "/"} {
			opts := engine.ListUploadsOptions{Delimiter: delim, Limit: limit}
			for page := 0; ; page++ {
				got, err := d.db.ListUploads(ctx, b, &opts)
				want, merr := d.m.ListUploads(b, opts)
				d.sameErr("final ListUploads page", err, merr)
				d.same(fmt.Sprintf("final ListUploads(%q, %+v) page %d", b, opts, page), got, want)
				if !got.Truncated {
					break
				}
				opts.KeyMarker, opts.UploadIDMarker = got.NextKeyMarker, got.NextUploadIDMarker
			}
		}
		for _, u := range want.Uploads {
			got, err := d.db.ListParts(ctx, b, u.Key, u.UploadID, nil)
			want, merr := d.m.ListParts(b, u.Key, u.UploadID, engine.ListPartsOptions{})
			if d.sameErr("final ListParts", err, merr) {
				d.same("final ListParts", got, want)
			}
		}
	}
}
