package engine

import (
	"context"
	"maps"
)

// SetTags replaces the tags of an object (OSS PutObjectTagging; with no
// tags, DeleteObjectTagging). Its content, class, times and restore are
// unchanged; lifecycle rules that select by tag see the new ones at once
// (the due index moves with them). An archived object's tags may be
// changed without a restore, as OSS allows.
//
// It returns an error wrapping ErrInvalidBucketName or ErrInvalidObjectName
// for bad names; ErrInvalidArgument for tags beyond the limits (MaxTags,
// MaxTagKeyLen, MaxTagValueLen; a key must not be empty); ErrNoSuchBucket
// or ErrNoSuchKey when absent; and ErrClosed after Close.
func (db *DB) SetTags(ctx context.Context, bucket, key string, tags map[string]string) (ObjectInfo, error) {
	const op = "SetTags"
	if err := db.checkObject(op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := checkTags(op, bucket, key, tags); err != nil {
		return ObjectInfo{}, err
	}
	if len(tags) == 0 {
		tags = nil
	}
	request := "PutObjectTagging"
	if tags == nil {
		request = "DeleteObjectTagging"
	}
	if err := db.acquire(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer db.release()
	var oi ObjectInfo
	err := db.changeObject(ctx, op, bucket, key, func(t *objectTx) error {
		rec := t.rec
		rec.Tags = maps.Clone(tags)
		oi = info(bucket, key, &rec, t.rules, t.now)
		return t.save(&rec, request)
	})
	return oi, err
}
