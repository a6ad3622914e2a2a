// Multipart uploads through ali-oss, the Node.js OSS SDK, against coldstore
// serve at the endpoint given as the first argument: the managed
// multipartUpload (with a class), each call by hand, part copies, the
// refusals OSS documents. ossapi's TestAliOSSMultipart runs it. It prints
// one line per step and exits 1 at the first that fails.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');
const { client: makeClient, step, refused, done } = require('./steps');

const client = makeClient('alioss');

function bytes(n, seed) {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alioss-'));
  const file = path.join(dir, 'file.bin');
  const content = bytes(1200 * 1024 + 7, 1);
  fs.writeFileSync(file, content);
  let uploadId;
  const uploaded = [];

  await step('putBucket', async () => {
    const r = await client.putBucket('alioss');
    assert.strictEqual(r.res.status, 200);
  });
  await step('multipartUpload of a file in parts of 200 KB', async () => {
    let progress = 0;
    const r = await client.multipartUpload('big.bin', file, { partSize: 200 * 1024, parallel: 3, progress: (p) => { progress = p; } });
    assert.strictEqual(r.res.status, 200);
    assert.strictEqual(progress, 1);
  });
  await step('get: the whole, of type Multipart', async () => {
    const r = await client.get('big.bin');
    assert.ok(Buffer.compare(r.content, content) === 0, 'the bytes differ');
    assert.strictEqual(r.res.headers['x-oss-object-type'], 'Multipart');
    assert.match(r.res.headers.etag, /^"[0-9A-F]{32}-7"$/);
  });
  await step('multipartUpload of a buffer as Archive: archived', async () => {
    await client.multipartUpload('cold.bin', content.subarray(0, 300 * 1024), { partSize: 100 * 1024, headers: { 'x-oss-storage-class': 'Archive' } });
    const h = await client.head('cold.bin');
    assert.strictEqual(h.res.headers['x-oss-storage-class'], 'Archive');
    await refused(client.get('cold.bin'), 'InvalidObjectState', 403);
  });
  await step('initMultipartUpload', async () => {
    const r = await client.initMultipartUpload('by/hand.bin', { mime: 'text/plain', meta: { who: 'hand' } });
    uploadId = r.uploadId;
    assert.match(uploadId, /^[0-9A-F]{32}$/);
  });
  await step('uploadPart twice', async () => {
    for (const [n, start, end] of [[1, 0, 150 * 1024], [2, 150 * 1024, 160 * 1024]]) {
      const r = await client.uploadPart('by/hand.bin', uploadId, n, file, start, end);
      uploaded.push({ number: n, etag: r.etag });
    }
  });
  await step('uploadPartCopy of a range of big.bin', async () => {
    const r = await client.uploadPartCopy('by/hand.bin', uploadId, 3, '0-102399', { sourceKey: 'big.bin', sourceBucketName: 'alioss' });
    uploaded.push({ number: 3, etag: r.etag });
  });
  await step('listParts', async () => {
    const r = await client.listParts('by/hand.bin', uploadId, { 'max-parts': 2 });
    assert.strictEqual(r.parts.length, 2);
    assert.strictEqual(r.isTruncated, 'true'); // ali-oss passes the XML text on
    assert.strictEqual(r.parts[0].Size, String(150 * 1024));
  });
  await step('listUploads', async () => {
    const r = await client.listUploads({ prefix: 'by/' });
    assert.deepStrictEqual(r.uploads.map((u) => u.name), ['by/hand.bin']);
    assert.strictEqual(r.uploads[0].uploadId, uploadId);
  });
  await step('complete with a bad ETag: 400 InvalidPart', () => refused(client.completeMultipartUpload('by/hand.bin', uploadId,
    [uploaded[0], { number: 2, etag: uploaded[0].etag }, uploaded[2]]), 'InvalidPart', 400));
  await step('complete with a small part not last: 400 EntityTooSmall', () => refused(client.completeMultipartUpload('by/hand.bin', uploadId,
    uploaded), 'EntityTooSmall', 400));
  await step('complete an unknown upload: 404 NoSuchUpload', () => refused(client.completeMultipartUpload('by/hand.bin', 'F00', uploaded), 'NoSuchUpload', 404));
  await step('complete parts 1 and 3', async () => {
    const r = await client.completeMultipartUpload('by/hand.bin', uploadId, [uploaded[0], uploaded[2]]);
    assert.strictEqual(r.res.status, 200);
    const g = await client.get('by/hand.bin');
    assert.ok(Buffer.compare(g.content, Buffer.concat([content.subarray(0, 150 * 1024), content.subarray(0, 102400)])) === 0);
    assert.strictEqual(g.res.headers['x-oss-meta-who'], 'hand');
    assert.strictEqual(g.res.headers['content-type'], 'text/plain');
  });
  await step('multipartUploadCopy of big.bin', async () => {
    await client.multipartUploadCopy('copied.bin', { sourceKey: 'big.bin', sourceBucketName: 'alioss' }, { partSize: 256 * 1024 });
    const g = await client.get('copied.bin');
    assert.ok(Buffer.compare(g.content, content) === 0);
  });
  await step('abortMultipartUpload: nothing left, the bucket deletable once empty', async () => {
    const r = await client.initMultipartUpload('left.bin');
    await client.uploadPart('left.bin', r.uploadId, 1, file, 0, 1000);
    await refused(client.deleteBucket('alioss'), 'BucketNotEmpty', 409);
    await client.abortMultipartUpload('left.bin', r.uploadId);
    await refused(client.head('left.bin'), 'NoSuchKey', 404);
    const l = await client.listUploads();
    assert.strictEqual(l.uploads.length, 0);
    await refused(client.abortMultipartUpload('left.bin', r.uploadId), 'NoSuchUpload', 404);
  });
  fs.rmSync(dir, { recursive: true });
  done();
})();
