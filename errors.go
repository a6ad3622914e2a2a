package coldstore

import (
	"errors"
	"strings"
)

// Error is a rule of the service that a call broke: an OSS error code and
// the HTTP status OSS answers with. The sentinels below are the only values
// of this type the library returns; they are always wrapped with the
// operation's context (see OpError), so compare with errors.Is, never with ==
// on the returned error.
type Error struct {
	Code    string // OSS error code, e.g. "NoSuchKey"
	Status  int    // HTTP status OSS answers with; 0 when not a service error
	Message string // OSS's message text
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errors about buckets.
var (
	// ErrNoSuchBucket is returned when the named bucket does not exist.
	ErrNoSuchBucket = &Error{"NoSuchBucket", 404, "The specified bucket does not exist."}
	// ErrBucketAlreadyExists is returned by CreateBucket when the bucket exists.
	ErrBucketAlreadyExists = &Error{"BucketAlreadyExists", 409, "The requested bucket name is not available."}
	// ErrBucketNotEmpty is returned by DeleteBucket while the bucket holds
	// objects. Its message is DeleteBucket's sample response
	// (https://help.aliyun.com/zh/oss/developer-reference/deletebucket).
	ErrBucketNotEmpty = &Error{"BucketNotEmpty", 409, "The bucket has objects. Please delete them first."}
	// ErrInvalidBucketName is returned when a bucket name is not 3-63 characters
	// of a-z, 0-9 and '-', starting and ending with a letter or digit.
	ErrInvalidBucketName = &Error{"InvalidBucketName", 400, "The specified bucket is not valid."}
	// ErrNoSuchLifecycle is returned when a bucket has no lifecycle configuration.
	ErrNoSuchLifecycle = &Error{"NoSuchLifecycle", 404, "No Row found in Lifecycle Table."}
)

// Errors about objects and arguments.
var (
	// ErrNoSuchKey is returned when the named object does not exist.
	ErrNoSuchKey = &Error{"NoSuchKey", 404, "The specified key does not exist."}
	// ErrFileAlreadyExists is returned by a Put that forbids overwriting
	// when the key exists.
	ErrFileAlreadyExists = &Error{"FileAlreadyExists", 409, "The object you specified already exists and can not be overwritten."}
	// ErrPreconditionFailed is returned by a call whose condition on the
	// object does not hold (engine.DB.DeleteIfMatch: another ETag).
	ErrPreconditionFailed = &Error{"PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold."}
	// ErrInvalidObjectName is returned when a key is empty, longer than 1023
	// bytes, not valid UTF-8, holds a character XML 1.0 cannot carry (NUL
	// and the other control characters but tab, line feed and carriage
	// return; U+FFFE, U+FFFF), or starts with '/' or '\'.
	ErrInvalidObjectName = &Error{"InvalidObjectName", 400, "The specified object is not valid."}
	// ErrInvalidArgument is returned when an argument is out of range or
	// unknown: restore days or tier, a storage class, a list limit, metadata
	// that is too large, a missing body.
	ErrInvalidArgument = &Error{"InvalidArgument", 400, "Invalid Argument."}
	// ErrMalformedXML is returned where OSS rejects a request body as
	// malformed, e.g. a restore tier (JobParameters) for an Archive object.
	ErrMalformedXML = &Error{"MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema."}
	// ErrInvalidRequest is returned where S3 answers 400 InvalidRequest
	// rather than InvalidArgument: for a lifecycle configuration, no rules
	// or more than 1,000, a rule without an action, duplicate tag keys, a
	// bad size filter, or an action the rule's filter forbids (package
	// lifecycle's S3 validation). OSS has no such code; the OSS dialect
	// never returns it.
	ErrInvalidRequest = &Error{"InvalidRequest", 400, "Invalid Request."}
	// ErrKeyTooLong is returned for an object key longer than the
	// dialect allows where the dialect names the refusal so (S3's 1,024
	// bytes); OSS answers InvalidObjectName.
	ErrKeyTooLong = &Error{"KeyTooLongError", 400, "Your key is too long"}
	// ErrObjectAlreadyInActiveTier is returned by Restore of an object in
	// a class whose objects sit in an active access tier (S3's
	// INTELLIGENT_TIERING as the S3 dialect models it).
	ErrObjectAlreadyInActiveTier = &Error{"ObjectAlreadyInActiveTierError", 403, "This action is not allowed against this storage tier."}
)

// Errors of appendable objects and symbolic links.
var (
	// ErrPositionNotEqualToLength is returned by an append whose position
	// is not the object's length (0 for an object that does not exist).
	// Its message, without a full stop, is OSS's (alibabacloud-oss-go-sdk-v2
	// oss/client_mock_test.go; the HTTP 409 page of the OSS docs).
	ErrPositionNotEqualToLength = &Error{"PositionNotEqualToLength", 409, "Position is not equal to file length"}
	// ErrObjectNotAppendable is returned by an append to an object that an
	// append did not create (a Normal, Multipart or Symlink object).
	ErrObjectNotAppendable = &Error{"ObjectNotAppendable", 409, "The object is not appendable."}
	// ErrSymlinkTargetNotExist is returned by a read through a symbolic
	// link whose target does not exist.
	ErrSymlinkTargetNotExist = &Error{"SymlinkTargetNotExist", 404, "The symlink target object does not exist."}
	// ErrInvalidTargetType is returned by a read through a symbolic link
	// whose target is itself a symbolic link. Its message is OSS's
	// (alibabacloud-oss-go-sdk-v2 oss/client_mock_test.go).
	ErrInvalidTargetType = &Error{"InvalidTargetType", 400, "The symbolic's target file type is invalid"}
	// ErrNotSymlink is returned by a read of a symbolic link's target
	// (GetSymlink) on an object that is not a symbolic link.
	ErrNotSymlink = &Error{"NotSymlink", 400, "The specified object is not a symlink."}
)

// Errors of the archive state machine.
var (
	// ErrOperationNotSupported is returned by Restore and CleanRestored on an
	// object whose class needs no restore (Standard, IA). Its message,
	// without a full stop, is OSS's (alibabacloud-oss-go-sdk-v2
	// oss/client_integration_test.go, oss/client_mock_test.go).
	ErrOperationNotSupported = &Error{"OperationNotSupported", 400, "The operation is not supported for this resource"}
	// ErrInvalidObjectState is returned when an archived object is read before
	// its restore completes, or moved to a warmer class while not restored.
	ErrInvalidObjectState = &Error{"InvalidObjectState", 403, "The operation is not valid for the object's state."}
	// ErrRestoreAlreadyInProgress is returned by Restore while a restore is
	// still running and the request does not ask for a faster tier.
	ErrRestoreAlreadyInProgress = &Error{"RestoreAlreadyInProgress", 409, "The restore operation is in progress."}
	// ErrArchiveRestoreNotFinished is returned by CleanRestored while the
	// restore is still running.
	ErrArchiveRestoreNotFinished = &Error{"ArchiveRestoreNotFinished", 409, "The archive file's restore is not finished."}
	// ErrArchiveRestoreFileStale is returned by CleanRestored on an archived
	// object that has no restored copy (never restored, expired or cleaned).
	ErrArchiveRestoreFileStale = &Error{"ArchiveRestoreFileStale", 409, "The archive file or restore info stale."}
)

// ErrClosed is returned by every call on a database after Close. It is not a
// service error: its Status is 0, and a server should answer it with 503.
var ErrClosed = &Error{"Closed", 0, "The database is closed."}

// Code returns the OSS error code that err wraps: "" for nil, and
// "InternalError" when err wraps no *Error (an I/O failure, a cancelled
// context, a reader that failed).
func Code(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "InternalError"
}

// HTTPStatus returns the HTTP status OSS answers err with: 200 for nil, the
// Status of the *Error that err wraps (0 for ErrClosed), and 500 when err
// wraps no *Error.
func HTTPStatus(err error) int {
	if err == nil {
		return 200
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 500
}

// OpError is the error every engine call returns for a broken rule: the
// operation, the bucket and key it was about, what was wrong, and the
// sentinel it wraps. Use errors.Is with the sentinel for control flow and
// errors.As with *OpError for the context.
type OpError struct {
	Op     string // engine method, e.g. "Restore"
	Bucket string // "" when the call names no bucket
	Key    string // "" when the call names no key
	Detail string // the offending value and why, e.g. "days 9 outside [1, 7] for Archive"
	Err    error  // the sentinel (a *Error) or the underlying cause
	// EC is the service's own code for this refusal where its dialect
	// documents one (OSS's EC, such as "0016-00000701" for a restore
	// already in progress); "" otherwise. The OSS front sends it as the
	// error's EC element and x-oss-ec header.
	EC string
	// Message is the service's own message for this refusal where its
	// dialect words it otherwise than the sentinel's Message (S3's
	// "Restore is not allowed for the object's current storage class" for
	// an InvalidObjectState); "" otherwise. The fronts answer it on a 4xx.
	Message string
}

// Error returns "coldstore: Op bucket/key: Code: Detail".
func (e *OpError) Error() string {
	var b strings.Builder
	b.WriteString("coldstore: ")
	b.WriteString(e.Op)
	if e.Bucket != "" || e.Key != "" {
		b.WriteByte(' ')
		b.WriteString(e.Bucket)
		if e.Key != "" {
			b.WriteByte('/')
			b.WriteString(e.Key)
		}
	}
	b.WriteString(": ")
	var ce *Error
	if errors.As(e.Err, &ce) {
		b.WriteString(ce.Code)
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap returns the wrapped sentinel or cause.
func (e *OpError) Unwrap() error { return e.Err }

// Errors of the stored data and the storage under it.
var (
	// ErrDataCorrupt is returned by a read whose stored bytes fail their
	// checksum: the bytes were damaged after they were written (a bit flip
	// on the disk, a torn page). The read returns no bytes of the damaged
	// chunk, never other bytes than were stored.
	ErrDataCorrupt = &Error{"DataCorrupt", 500, "The stored data failed its checksum."}
	// ErrInsufficientStorage is returned by a write that the disk has no
	// room for; nothing was changed.
	ErrInsufficientStorage = &Error{"InsufficientStorage", 507, "There is not enough space left to store the request."}
	// ErrUnavailable is returned by a call whose store could not be
	// reached, or could not commit, (a PostgreSQL restarting, a lost
	// connection): nothing the call would change was acknowledged, and the
	// same call may succeed when retried.
	ErrUnavailable = &Error{"ServiceUnavailable", 503, "The store is unavailable; please retry."}
)

// Errors of multipart uploads.
var (
	// ErrNoSuchUpload is returned for an upload id that names no upload in
	// progress: never initiated, or completed or aborted since.
	ErrNoSuchUpload = &Error{"NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	// ErrInvalidPart is returned by CompleteMultipartUpload when a listed
	// part was not uploaded or its ETag is not the part's.
	ErrInvalidPart = &Error{"InvalidPart", 400, "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag."}
	// ErrInvalidPartOrder is returned by CompleteMultipartUpload when the
	// parts are not listed in ascending order of part number.
	ErrInvalidPartOrder = &Error{"InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number."}
	// ErrEntityTooSmall is returned by CompleteMultipartUpload when a part
	// other than the last is smaller than the minimum part size.
	ErrEntityTooSmall = &Error{"EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size."}
	// ErrEntityTooLarge is returned for a body larger than the operation
	// allows (a part over 5 GB; a request body over the server's limit).
	ErrEntityTooLarge = &Error{"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size."}
)
