package coldstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/stretchr/testify/require"
)

func TestSentinels(t *testing.T) {
	cases := []struct {
		err    *coldstore.Error
		code   string
		status int
	}{
		{coldstore.ErrNoSuchBucket, "NoSuchBucket", 404},
		{coldstore.ErrNoSuchKey, "NoSuchKey", 404},
		{coldstore.ErrNoSuchLifecycle, "NoSuchLifecycle", 404},
		{coldstore.ErrBucketAlreadyExists, "BucketAlreadyExists", 409},
		{coldstore.ErrBucketNotEmpty, "BucketNotEmpty", 409},
		{coldstore.ErrInvalidBucketName, "InvalidBucketName", 400},
		{coldstore.ErrInvalidObjectName, "InvalidObjectName", 400},
		{coldstore.ErrInvalidArgument, "InvalidArgument", 400},
		{coldstore.ErrMalformedXML, "MalformedXML", 400},
		{coldstore.ErrInvalidRequest, "InvalidRequest", 400},
		{coldstore.ErrOperationNotSupported, "OperationNotSupported", 400},
		{coldstore.ErrInvalidObjectState, "InvalidObjectState", 403},
		{coldstore.ErrRestoreAlreadyInProgress, "RestoreAlreadyInProgress", 409},
		{coldstore.ErrArchiveRestoreNotFinished, "ArchiveRestoreNotFinished", 409},
		{coldstore.ErrArchiveRestoreFileStale, "ArchiveRestoreFileStale", 409},
		{coldstore.ErrPositionNotEqualToLength, "PositionNotEqualToLength", 409},
		{coldstore.ErrObjectNotAppendable, "ObjectNotAppendable", 409},
		{coldstore.ErrSymlinkTargetNotExist, "SymlinkTargetNotExist", 404},
		{coldstore.ErrInvalidTargetType, "InvalidTargetType", 400},
		{coldstore.ErrNotSymlink, "NotSymlink", 400},
		{coldstore.ErrKeyTooLong, "KeyTooLongError", 400},
		{coldstore.ErrObjectAlreadyInActiveTier, "ObjectAlreadyInActiveTierError", 403},
		{coldstore.ErrNoSuchUpload, "NoSuchUpload", 404},
		{coldstore.ErrInvalidPart, "InvalidPart", 400},
		{coldstore.ErrInvalidPartOrder, "InvalidPartOrder", 400},
		{coldstore.ErrEntityTooSmall, "EntityTooSmall", 400},
		{coldstore.ErrEntityTooLarge, "EntityTooLarge", 400},
		{coldstore.ErrClosed, "Closed", 0},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		require.Equal(t, tc.code, tc.err.Code)
		require.Equal(t, tc.status, tc.err.Status)
		require.NotEmpty(t, tc.err.Message)
		require.False(t, seen[tc.code])
		seen[tc.code] = true

		wrapped := fmt.Errorf("outer: %w", &coldstore.OpError{Op: "Get", Bucket: "b", Key: "k", Detail: "why", Err: tc.err})
		require.ErrorIs(t, wrapped, tc.err)
		require.Equal(t, tc.code, coldstore.Code(wrapped))
		require.Equal(t, tc.status, coldstore.HTTPStatus(wrapped))
		for _, other := range cases {
			if other.err != tc.err {
				require.NotErrorIs(t, wrapped, other.err)
			}
		}
	}
}

func TestCodeAndStatus(t *testing.T) {
	require.Equal(t, "", coldstore.Code(nil))
	require.Equal(t, 200, coldstore.HTTPStatus(nil))
	for _, err := range []error{errors.New("disk on fire"), context.Canceled, io.EOF} {
		require.Equal(t, "InternalError", coldstore.Code(err))
		require.Equal(t, 500, coldstore.HTTPStatus(err))
	}
}

func TestOpErrorText(t *testing.T) {
	err := &coldstore.OpError{Op: "Restore", Bucket: "photos", Key: "a.jpg", Detail: "days 9 outside [1, 7] for Archive", Err: coldstore.ErrInvalidArgument}
	require.Equal(t, "coldstore: Restore photos/a.jpg: InvalidArgument: days 9 outside [1, 7] for Archive", err.Error())
	err = &coldstore.OpError{Op: "ListBuckets", Err: coldstore.ErrClosed}
	require.Equal(t, "coldstore: ListBuckets: Closed", err.Error())
	cause := errors.New("short read")
	err = &coldstore.OpError{Op: "Put", Bucket: "b", Key: "k", Detail: "reading the body", Err: cause}
	require.Equal(t, "coldstore: Put b/k: short read: reading the body", err.Error())
	require.ErrorIs(t, err, cause)
}
