// The seed's story and the calls around it, through ali-oss, the Node.js
// OSS SDK, against coldstore serve at the endpoint given as the first
// argument (a mock clock served at /-/clock). ossapi's TestAliOSS runs it.
// It prints one line per step and exits 1 at the first that fails.
'use strict';
const assert = require('assert');
const { client: makeClient, step, refused, advance, done } = require('./steps');

const client = makeClient('alioss');
(async () => {
  await step('putBucket', async () => {
    const r = await client.putBucket('alioss');
    assert.strictEqual(r.res.status, 200);
  });
  await step('put an Archive object', async () => {
    const r = await client.put('2019/beach.jpg', Buffer.from('sand and sea'), { headers: { 'x-oss-storage-class': 'Archive' } });
    assert.strictEqual(r.res.status, 200);
  });
  await step('get it: 403 InvalidObjectState', () => refused(client.get('2019/beach.jpg'), 'InvalidObjectState', 403));
  await step('restore: 202', async () => {
    const r = await client.restore('2019/beach.jpg');
    assert.strictEqual(r.res.status, 202);
  });
  await step('restore again: 409 RestoreAlreadyInProgress', () => refused(client.restore('2019/beach.jpg'), 'RestoreAlreadyInProgress', 409));
  await step('head: restoring', async () => {
    const r = await client.head('2019/beach.jpg');
    assert.strictEqual(r.res.headers['x-oss-restore'], 'ongoing-request="true"');
    assert.strictEqual(r.res.headers['x-oss-storage-class'], 'Archive');
  });
  await step('advance the clock 4 hours', () => advance('4h'));
  await step('head: restored', async () => {
    const r = await client.head('2019/beach.jpg');
    assert.strictEqual(r.res.headers['x-oss-restore'], 'ongoing-request="false", expiry-date="Wed, 03 Jan 2024 04:00:00 GMT"');
  });
  await step('get: the bytes', async () => {
    const r = await client.get('2019/beach.jpg');
    assert.strictEqual(r.content.toString(), 'sand and sea');
  });
  await step('copy from a restored object', async () => {
    const r = await client.copy('copy.jpg', '2019/beach.jpg');
    assert.strictEqual(r.res.status, 200);
  });
  await step('advance past the expiry; get: 403 again', async () => {
    await advance('48h');
    await refused(client.get('2019/beach.jpg'), 'InvalidObjectState', 403);
  });
  await step('put with tags and headers', async () => {
    const r = await client.put('doc.txt', Buffer.from('text'), {
      headers: { 'x-oss-tagging': 'team=a', 'Cache-Control': 'no-cache', 'Content-Disposition': 'attachment' },
    });
    assert.strictEqual(r.res.status, 200);
  });
  await step('head: the stored headers', async () => {
    const r = await client.head('doc.txt');
    assert.strictEqual(r.res.headers['cache-control'], 'no-cache');
    assert.strictEqual(r.res.headers['content-disposition'], 'attachment');
    assert.strictEqual(r.res.headers['x-oss-tagging-count'], '1');
  });
  await step('putObjectTagging, getObjectTagging', async () => {
    await client.putObjectTagging('doc.txt', { env: 'prod', team: 'b' });
    const r = await client.getObjectTagging('doc.txt');
    assert.deepStrictEqual(r.tag, { env: 'prod', team: 'b' });
  });
  await step('deleteObjectTagging', async () => {
    await client.deleteObjectTagging('doc.txt');
    const r = await client.getObjectTagging('doc.txt');
    assert.deepStrictEqual(r.tag, {});
  });
  await step('put forbidding overwrite: 409 FileAlreadyExists', () =>
    refused(client.put('doc.txt', Buffer.from('other'), { headers: { 'x-oss-forbid-overwrite': 'true' } }), 'FileAlreadyExists', 409));
  await step('getBucketInfo', async () => {
    const r = await client.getBucketInfo('alioss');
    assert.strictEqual(r.bucket.Name, 'alioss');
    assert.strictEqual(r.bucket.StorageClass, 'Standard');
  });
  await step('getBucketStat', async () => {
    const r = await client.getBucketStat('alioss');
    assert.strictEqual(r.stat.ObjectCount, '3');
    assert.strictEqual(r.stat.ArchiveObjectCount, '1');
  });
  await step('listBuckets, one a page', async () => {
    await client.putBucket('alioss-2');
    const r = await client.listBuckets({ 'max-keys': 1 });
    assert.strictEqual(r.buckets.length, 1);
    assert.strictEqual(r.isTruncated, true);
    assert.strictEqual(r.nextMarker, 'alioss');
  });
  await step('listV2 with a delimiter', async () => {
    const r = await client.listV2({ delimiter: '/' });
    assert.deepStrictEqual(r.prefixes, ['2019/']);
    assert.deepStrictEqual(r.objects.map((o) => o.name), ['copy.jpg', 'doc.txt']);
  });
  await step('putBucketLifecycle, getBucketLifecycle', async () => {
    await client.putBucketLifecycle('alioss', [{ id: 'cold', prefix: 'doc', status: 'Enabled', transition: { days: 30, storageClass: 'IA' } }]);
    const r = await client.getBucketLifecycle('alioss');
    assert.strictEqual(r.rules[0].id, 'cold');
  });
  await step('deleteBucketLifecycle; get: 404 NoSuchLifecycle', async () => {
    await client.deleteBucketLifecycle('alioss');
    await refused(client.getBucketLifecycle('alioss'), 'NoSuchLifecycle', 404);
  });
  await step('conditional gets: 304 Not Modified, 412 PreconditionFailed', async () => {
    const h = await client.head('doc.txt');
    const r = await client.get('doc.txt', { headers: { 'If-None-Match': h.res.headers.etag } });
    assert.strictEqual(r.res.status, 304);
    const m = await client.get('doc.txt', { headers: { 'If-Modified-Since': h.res.headers['last-modified'] } });
    assert.strictEqual(m.res.status, 304);
    await refused(client.get('doc.txt', { headers: { 'If-Match': '"0123456789ABCDEF0123456789ABCDEF"' } }), 'PreconditionFailed', 412);
    await refused(client.get('doc.txt', { headers: { 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' } }), 'PreconditionFailed', 412);
  });
  await step('get with response-* overrides', async () => {
    const r = await client.get('doc.txt', { subres: { 'response-content-type': 'text/x-test', 'response-content-disposition': 'inline' } });
    assert.strictEqual(r.res.headers['content-type'], 'text/x-test');
    assert.strictEqual(r.res.headers['content-disposition'], 'inline');
  });
  await step('list with RestoreInfo: restoring, then restored', async () => {
    await client.put('thaw/a.bin', Buffer.from('ice'), { headers: { 'x-oss-storage-class': 'Archive' } });
    await client.restore('thaw/a.bin');
    let r = await client.list({ prefix: 'thaw/' });
    assert.deepStrictEqual(r.objects[0].restoreInfo, { ongoingRequest: true });
    await advance('4h');
    r = await client.list({ prefix: 'thaw/' });
    assert.strictEqual(r.objects[0].restoreInfo.ongoingRequest, false);
    assert.ok(r.objects[0].restoreInfo.expiryDate instanceof Date);
  });
  await step('a lifecycle rule with a tag filter moves only the tagged object', async () => {
    // 70 KB: a transition skips objects under IA's 64 KB minimum.
    await client.put('tagged/a', Buffer.alloc(70 * 1024), { headers: { 'x-oss-tagging': 'tier=cold' } });
    await client.put('tagged/b', Buffer.alloc(70 * 1024));
    await client.putBucketLifecycle('alioss', [{
      id: 'by-tag', prefix: 'tagged/', status: 'Enabled', tag: { key: 'tier', value: 'cold' },
      transition: { days: 1, storageClass: 'IA' },
    }]);
    await advance('48h');
    // The server's background loop applies the rule when the clock reaches
    // it; wait for its transaction, a few milliseconds, without sleeping
    // longer than needed.
    let cls;
    for (let i = 0; i < 200 && cls !== 'IA'; i++) {
      cls = (await client.head('tagged/a')).res.headers['x-oss-storage-class'];
      if (cls !== 'IA') await new Promise((res) => setTimeout(res, 10));
    }
    assert.strictEqual(cls, 'IA');
    assert.strictEqual((await client.head('tagged/b')).res.headers['x-oss-storage-class'], 'Standard');
    await client.deleteBucketLifecycle('alioss');
  });
  await step('a call not served: 501 NotImplemented', () => refused(client.getBucketWebsite('alioss'), 'NotImplemented', 501));
  done();
})();
