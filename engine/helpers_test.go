package engine_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

const day = 24 * time.Hour

// fixture is a database with bucket "bkt" on a mock clock.
type fixture struct {
	t  *testing.T
	db *engine.DB
	m  *clock.Mock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, m := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	return &fixture{t: t, db: db, m: m}
}

func (f *fixture) put(key string, class storageclass.Class, body string) engine.ObjectInfo {
	f.t.Helper()
	oi, err := f.db.Put(ctx, "bkt", key, bytes.NewBufferString(body), &engine.PutOptions{StorageClass: class})
	require.NoError(f.t, err)
	return oi
}

func (f *fixture) head(key string) engine.ObjectInfo {
	f.t.Helper()
	oi, err := f.db.Head(ctx, "bkt", key)
	require.NoError(f.t, err)
	return oi
}

func (f *fixture) read(key string) (string, error) {
	f.t.Helper()
	obj, err := f.db.Get(ctx, "bkt", key)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	return string(b), err
}

// restoreLatency is the default (maximum) latency of the class's default tier.
func restoreLatency(t *testing.T, class storageclass.Class) time.Duration {
	r, err := storageclass.OSS().Rules(class)
	require.NoError(t, err)
	l, ok := r.Latency(r.DefaultTier)
	require.True(t, ok)
	return l.Max
}

// reach puts key in class and drives it into state: "archived",
// "restoring", "restored", "expired" (clock past expiry, not swept) or
// "swept" (expired and swept).
func (f *fixture) reach(key string, class storageclass.Class, state string) {
	f.t.Helper()
	f.put(key, class, "content of "+key)
	if state == "archived" {
		return
	}
	res, err := f.db.Restore(ctx, "bkt", key, nil)
	require.NoError(f.t, err)
	require.Equal(f.t, engine.Accepted, res.Status)
	switch state {
	case "restoring":
		return
	case "restored":
		f.m.Add(restoreLatency(f.t, class))
	case "expired":
		f.m.Add(restoreLatency(f.t, class) + day)
	case "swept":
		enginetest.Advance(f.t, f.db, f.m, restoreLatency(f.t, class)+day)
	default:
		f.t.Fatalf("unknown state %q", state)
	}
}
