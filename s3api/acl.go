package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
)

// Every bucket here has its ACLs disabled (Object Ownership
// BucketOwnerEnforced, S3's default since April 2023): the owner has full
// control of the bucket and of every object in it, and S3 answers the ACL
// calls so. GetBucketAcl and GetObjectAcl give that one grant;
// PutBucketAcl and PutObjectAcl are taken, and change nothing, only with
// the canned ACLs S3 takes on such a bucket (private,
// bucket-owner-full-control: aclHeaders) and no document, else 400
// AccessControlListNotSupported, as S3 answers them.

// accessControlPolicy is S3's answer to GetBucketAcl and GetObjectAcl.
type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	NS      string   `xml:"xmlns,attr"`
	Owner   owner    `xml:"Owner"`
	Grants  []grant  `xml:"AccessControlList>Grant"`
}

type grant struct {
	Grantee    grantee `xml:"Grantee"`
	Permission string  `xml:"Permission"`
}

type grantee struct {
	XSI         string `xml:"xmlns:xsi,attr"`
	Type        string `xml:"xsi:type,attr"`
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

// aclSubject finds what an ACL call names, the bucket or the object: its
// error (NoSuchBucket, NoSuchKey) is the call's.
func (h *Handler) aclSubject(q *request) error {
	if q.key == "" {
		_, err := h.db.Bucket(q.r.Context(), q.bucket)
		return err
	}
	_, err := h.db.Head(q.r.Context(), q.bucket, q.key)
	return err
}

// getACL serves GetBucketAcl and GetObjectAcl: the owner's full control,
// once the bucket (or the object) is found.
func (h *Handler) getACL(q *request) error {
	if err := h.aclSubject(q); err != nil {
		return err
	}
	h.writeXML(q, http.StatusOK, accessControlPolicy{NS: s3NS, Owner: theOwner, Grants: []grant{{
		Grantee:    grantee{XSI: "http://www.w3.org/2001/XMLSchema-instance", Type: "CanonicalUser", ID: theOwner.ID, DisplayName: theOwner.DisplayName},
		Permission: "FULL_CONTROL"}}})
	return nil
}

// putACL serves PutBucketAcl and PutObjectAcl on a bucket whose ACLs are
// disabled: a canned ACL S3 takes (aclHeaders refused the others before)
// and no document change nothing and answer 200; a document, or no ACL
// at all, is 400 AccessControlListNotSupported.
func (h *Handler) putACL(q *request) error {
	if err := h.aclSubject(q); err != nil {
		return err
	}
	op := "PutObjectAcl"
	if q.key == "" {
		op = "PutBucketAcl"
	}
	cb, err := checkedRequestBody(q, op)
	if err != nil {
		return err
	}
	body, err := wire.ReadBody(cb, h.opts.MaxXMLSize)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) > 0 || q.r.Header.Get("x-amz-acl") == "" {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "an ACL other than a canned one S3 takes on a bucket without ACLs", Err: errACLNotSupported}
	}
	q.writeStatus(http.StatusOK)
	return nil
}
