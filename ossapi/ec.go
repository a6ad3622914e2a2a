package ossapi

import (
	"errors"

	"github.com/coldstore-dev/coldstore"
)

// ecKey names an entry of ecs: an error code, and the operation
// (coldstore.OpError.Op, the engine's or this front's name for it) where
// OSS documents a different EC per operation; "" for any operation.
type ecKey struct{ code, op string }

// ecs are OSS's ECs for refusals whose EC depends on the error code (and
// for some, the operation) alone, each with the source that documents it.
// A code OSS gives different ECs per cause (InvalidArgument, MalformedXML,
// AccessDenied, InvalidDigest) is not here: those refusals carry their EC
// where they are made, if OSS documents one. A code or operation no source
// documents an EC for gets none.
var ecs = map[ecKey]string{
	// https://help.aliyun.com/zh/oss/developer-reference/deletebucket
	// (sample response); aliyun/alibabacloud-oss-go-sdk-v2
	// oss/client_integration_test.go (GetBucketOverwriteConfig and others).
	{"NoSuchBucket", ""}: "0015-00000101",
	// https://help.aliyun.com/zh/oss/developer-reference/deletebucket.
	{"BucketNotEmpty", ""}: "0015-00000301",
	// aliyun/alibabacloud-oss-go-sdk-v2 oss/client_mock_test.go (PutBucket
	// error fixture); no documentation page found.
	{"BucketAlreadyExists", ""}: "0015-00000104",
	// https://www.alibabacloud.com/help/en/oss/support/0015-00000001.
	{"InvalidBucketName", ""}: "0015-00000001",
	// aliyun/aliyun-oss-java-sdk src/test/java/com/aliyun/oss/integrationtests/ErrorTest.java
	// (GetObjectAcl, GetObjectMeta), aliyun/aliyun-oss-python-sdk
	// tests/test_exception_ec.py (HeadObject, x-oss-ec too).
	{"NoSuchKey", ""}: "0026-00000001",
	// https://www.alibabacloud.com/help/en/oss/support/0026-00000012
	// (HeadObject of a link whose target is missing).
	{"SymlinkTargetNotExist", ""}: "0026-00000012",
	// aliyun/alibabacloud-oss-go-sdk-v2 oss/client_mock_test.go (GetObject
	// through a link to a link).
	{"InvalidTargetType", ""}: "0026-00000011",
	// https://www.alibabacloud.com/help/en/oss/user-guide/0043-00000101
	// (GetSymlink of an object that is no symlink).
	{"NotSymlink", ""}: "0043-00000101",
	// aliyun/alibabacloud-oss-go-sdk-v2 oss/client_mock_test.go (AppendObject).
	{"PositionNotEqualToLength", ""}: "0026-00000016",
	// https://help.aliyun.com/en/oss/user-guide/0026-00000017.
	{"ObjectNotAppendable", ""}: "0026-00000017",
	// https://help.aliyun.com/en/oss/user-guide/0026-00000002 (PutObject or
	// CopyObject with x-oss-forbid-overwrite: true; the page names
	// FileAlreadyExists and 409). 0026-00000201 documents the same cause
	// without naming the code; OSS documents no EC for InitiateMultipartUpload
	// or PutSymlink, which send none.
	{"FileAlreadyExists", "Put"}:                     "0026-00000002",
	{"FileAlreadyExists", "CopyObject"}:              "0026-00000002",
	{"FileAlreadyExists", "CompleteMultipartUpload"}: "0042-00000214", // https://www.alibabacloud.com/help/en/oss/user-guide/0042-00000214
	// aliyun/alibabacloud-oss-go-sdk-v2 oss/client_integration_test.go
	// (AbortMultipartUpload, ListParts, UploadPart, UploadPartCopy);
	// https://help.aliyun.com/document_detail/479985.html (0042-00000002,
	// AbortMultipartUpload). None documented for CompleteMultipartUpload.
	{"NoSuchUpload", "AbortMultipartUpload"}: "0042-00000002",
	{"NoSuchUpload", "ListParts"}:            "0042-00000002",
	{"NoSuchUpload", "UploadPart"}:           "0042-00000104",
	{"NoSuchUpload", "UploadPartCopy"}:       "0042-00000311",
	// https://help.aliyun.com/zh/oss/support/0042-00000209 (parts not in
	// ascending order).
	{"InvalidPartOrder", ""}: "0042-00000209",
	// https://help.aliyun.com/en/oss/user-guide/0042-00000213 (a part but
	// the last under 100 KB).
	{"EntityTooSmall", ""}: "0042-00000213",
	// https://www.alibabacloud.com/help/en/oss/support/0002-00000040.
	{"SignatureDoesNotMatch", ""}: "0002-00000040",
	// aliyun/alibabacloud-oss-go-sdk-v2 oss/client_integration_test.go
	// (PutPublicAccessBlock with an unknown key).
	{"InvalidAccessKeyId", ""}: "0002-00000902",
	// aliyun/aliyun-oss-java-sdk src/test/java/com/aliyun/oss/integrationtests/ErrorTest.java
	// (V1 and V4 signatures).
	{"RequestTimeTooSkewed", ""}: "0002-00000504",
}

// withEC returns err with OSS's EC from ecs when err is a 4xx refusal
// that carries none: an EC a refusal already carries wins, and an error
// that wraps no *coldstore.Error, or one ecs has no EC for, is returned
// as it is. A bare sentinel is wrapped in a *coldstore.OpError to carry
// the EC.
func withEC(err error) error {
	var ce *coldstore.Error
	if !errors.As(err, &ce) || ce.Status < 400 || ce.Status > 499 {
		return err
	}
	var oe *coldstore.OpError
	op := ""
	if errors.As(err, &oe) {
		if oe.EC != "" {
			return err
		}
		op = oe.Op
	}
	ec, ok := ecs[ecKey{ce.Code, op}]
	if !ok {
		ec = ecs[ecKey{ce.Code, ""}]
	}
	if ec == "" {
		return err
	}
	if oe != nil && err == error(oe) {
		c := *oe
		c.EC = ec
		return &c
	}
	w := &coldstore.OpError{Err: err, EC: ec}
	if oe != nil {
		w.Op, w.Bucket, w.Key, w.Detail = oe.Op, oe.Bucket, oe.Key, oe.Detail
	}
	return w
}
