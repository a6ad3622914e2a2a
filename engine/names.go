package engine

import (
	"errors"

	"github.com/coldstore-dev/coldstore/dialect"

	"github.com/coldstore-dev/coldstore"
)

// Limits on names and metadata, as OSS sets them. The names are the OSS
// dialect's (package dialect), which checks them.
const (
	MinBucketNameLen = dialect.MinBucketNameLen
	MaxBucketNameLen = dialect.MaxBucketNameLen
	MaxKeyLen        = dialect.MaxKeyLen // bytes
	MaxMetadataSize  = 8 * 1024          // bytes of user metadata keys and values together
	MaxTags          = 10                // tags per object
	MaxTagKeyLen     = 128               // bytes
	MaxTagValueLen   = 256               // bytes
)

// checkBucket checks a bucket name by the dialect's rules.
func (db *DB) checkBucket(op, bucket string) error {
	return refusal(op, bucket, "", db.dialect.CheckBucketName(bucket))
}

// checkObject checks a bucket name and a key by the dialect's rules.
func (db *DB) checkObject(op, bucket, key string) error {
	if err := db.checkBucket(op, bucket); err != nil {
		return err
	}
	return refusal(op, bucket, key, db.dialect.CheckKey(key))
}

// refusal names the operation, bucket and key in a dialect's refusal.
func refusal(op, bucket, key string, err error) error {
	if err == nil {
		return nil
	}
	var oe *coldstore.OpError
	if errors.As(err, &oe) && oe.Op == "" {
		oe.Op, oe.Bucket, oe.Key = op, bucket, key
	}
	return err
}

// truncate shortens a bad value for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
