package s3api

import (
	"errors"
	"net/http"

	"github.com/coldstore-dev/coldstore"
)

// Errors S3 answers that the engine has no sentinel for.
var (
	errInvalidStorageClass = &coldstore.Error{Code: "InvalidStorageClass", Status: http.StatusBadRequest, Message: "The storage class you specified is not valid"}
	errInvalidDigest       = &coldstore.Error{Code: "InvalidDigest", Status: http.StatusBadRequest, Message: "The Content-MD5 you specified is not valid."}
	errBadDigest           = &coldstore.Error{Code: "BadDigest", Status: http.StatusBadRequest, Message: "The Content-MD5 you specified did not match what we received."}
	errSHA256Mismatch      = &coldstore.Error{Code: "XAmzContentSHA256Mismatch", Status: http.StatusBadRequest, Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
	errOwnedByYou          = &coldstore.Error{Code: "BucketAlreadyOwnedByYou", Status: http.StatusConflict, Message: "Your previous request to create the named bucket succeeded and you already own it."}
	errMissingLength       = &coldstore.Error{Code: "MissingContentLength", Status: http.StatusLengthRequired, Message: "You must provide the Content-Length HTTP header."}
)

// s3Messages are S3's words for the codes the engine and the wire package
// answer in OSS's (the AWS S3 API reference's error table; the restore
// refusals come worded by the S3 dialect itself).
var s3Messages = map[string]string{
	"NoSuchBucket":                 "The specified bucket does not exist",
	"NoSuchKey":                    "The specified key does not exist.",
	"BucketNotEmpty":               "The bucket you tried to delete is not empty",
	"InvalidBucketName":            "The specified bucket is not valid.",
	"InvalidObjectName":            "Object name contains unsupported characters.",
	"InvalidArgument":              "Invalid Argument",
	"MalformedXML":                 "The XML you provided was not well-formed or did not validate against our published schema",
	"NotImplemented":               "A header you provided implies functionality that is not implemented",
	"MethodNotAllowed":             "The specified method is not allowed against this resource.",
	"PreconditionFailed":           "At least one of the pre-conditions you specified did not hold",
	"InvalidRange":                 "The requested range is not satisfiable",
	"EntityTooLarge":               "Your proposed upload exceeds the maximum allowed size",
	"EntityTooSmall":               "Your proposed upload is smaller than the minimum allowed object size.",
	"NoSuchUpload":                 "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
	"InvalidPart":                  "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
	"InvalidPartOrder":             "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
	"NoSuchLifecycleConfiguration": "The lifecycle configuration does not exist",
	"OperationNotSupported":        "The operation is not supported for this resource",
	"RequestTimeTooSkewed":         "The difference between the request time and the current time is too large.",
	"InternalError":                "We encountered an internal error. Please try again.",
}

// s3Codes are the codes S3 answers in place of OSS's for the same refusal.
var s3Codes = map[string]*coldstore.Error{
	// OSS's NoSuchLifecycle is S3's NoSuchLifecycleConfiguration.
	"NoSuchLifecycle": {Code: "NoSuchLifecycleConfiguration", Status: http.StatusNotFound, Message: "The lifecycle configuration does not exist"},
	// S3 refuses an overwrite that If-None-Match: * forbids with 412.
	"FileAlreadyExists": {Code: "PreconditionFailed", Status: http.StatusPreconditionFailed, Message: "At least one of the pre-conditions you specified did not hold"},
	// S3 answers a second CreateBucket of one's own bucket so.
	"BucketAlreadyExists": errOwnedByYou,
}

// inS3Words is err as S3 answers it: its code, where S3's differs, and its
// message, unless the refusal carries its own (the S3 dialect's). The
// detail, operation and cause are kept.
func inS3Words(err error) error {
	var ce *coldstore.Error
	if !errors.As(err, &ce) {
		return err
	}
	var oe *coldstore.OpError
	hasOp := errors.As(err, &oe)
	if c, ok := s3Codes[ce.Code]; ok {
		out := &coldstore.OpError{Err: c}
		if hasOp {
			out.Op, out.Bucket, out.Key, out.Detail = oe.Op, oe.Bucket, oe.Key, oe.Detail
		}
		return out
	}
	msg, ok := s3Messages[ce.Code]
	if !ok || msg == ce.Message {
		return err
	}
	if hasOp {
		if oe.Message != "" {
			return err
		}
		c := *oe
		c.Message = msg
		return &c
	}
	return &coldstore.OpError{Err: err, Message: msg}
}

// s3Message is ce's message in S3's words.
func s3Message(ce *coldstore.Error) string {
	if m, ok := s3Messages[ce.Code]; ok {
		return m
	}
	return ce.Message
}
