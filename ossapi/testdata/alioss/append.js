// AppendObject and symbolic links through ali-oss, the Node.js OSS SDK,
// against coldstore serve at the endpoint given as the first argument.
// ossapi's TestAliOSSAppend runs it. It prints one line per step and exits
// 1 at the first that fails.
'use strict';
const assert = require('assert');
const { client: makeClient, step, refused, done } = require('./steps');

const client = makeClient('appends');
(async () => {
  const big = Buffer.alloc(300 * 1024, 'z'); // past the inline limit and a chunk
  let next;
  await step('putBucket', async () => {
    const r = await client.putBucket('appends');
    assert.strictEqual(r.res.status, 200);
  });
  await step('append at 0 creates the object', async () => {
    const r = await client.append('log.txt', Buffer.from('line 1\n'), { meta: { source: 'node' }, mime: 'text/plain' });
    assert.strictEqual(r.res.status, 200);
    assert.strictEqual(r.nextAppendPosition, '7');
    next = r.nextAppendPosition;
  });
  await step('append at the next position', async () => {
    const r = await client.append('log.txt', Buffer.from('line 2\n'), { position: next, meta: { source: 'ignored' } });
    assert.strictEqual(r.nextAppendPosition, '14');
    next = r.nextAppendPosition;
  });
  await step('append a large body', async () => {
    const r = await client.append('log.txt', big, { position: next });
    assert.strictEqual(r.nextAppendPosition, String(14 + big.length));
    next = r.nextAppendPosition;
  });
  await step('append at a wrong position: 409 PositionNotEqualToLength', async () => {
    // ali-oss keeps no headers of an error with a body: the length is
    // asked with a head, as OSS advises.
    await refused(client.append('log.txt', Buffer.from('x'), { position: '3' }), 'PositionNotEqualToLength', 409);
    const r = await client.head('log.txt');
    assert.strictEqual(r.res.headers['x-oss-next-append-position'], next);
  });
  await step('head: Appendable, its length, the first metadata', async () => {
    const r = await client.head('log.txt');
    assert.strictEqual(r.res.headers['x-oss-object-type'], 'Appendable');
    assert.strictEqual(r.res.headers['x-oss-next-append-position'], next);
    assert.strictEqual(r.res.headers['content-length'], next);
    assert.strictEqual(r.meta.source, 'node');
    assert.strictEqual(r.res.headers['content-type'], 'text/plain');
  });
  await step('get: every byte', async () => {
    const r = await client.get('log.txt');
    assert.ok(r.content.equals(Buffer.concat([Buffer.from('line 1\nline 2\n'), big])));
  });
  await step('get a range across a chunk boundary', async () => {
    const r = await client.get('log.txt', { headers: { Range: 'bytes=262140-262150' } });
    assert.strictEqual(r.res.status, 206);
    assert.strictEqual(r.content.toString(), 'zzzzzzzzzzz');
  });
  await step('append to a Normal object: 409 ObjectNotAppendable', async () => {
    await client.put('plain.txt', Buffer.from('plain'));
    await refused(client.append('plain.txt', Buffer.from('x'), { position: '5' }), 'ObjectNotAppendable', 409);
    const r = await client.get('plain.txt');
    assert.strictEqual(r.content.toString(), 'plain');
  });
  await step('putSymlink to the log, with a space in the target', async () => {
    await client.put('dir/a b.txt', Buffer.from('spaced'));
    const r = await client.putSymlink('link-to-spaced', 'dir/a b.txt', { meta: { kind: 'link' } });
    assert.strictEqual(r.res.status, 200);
    await client.putSymlink('link-to-log', 'log.txt');
  });
  await step('getSymlink: the target, decoded', async () => {
    const r = await client.getSymlink('link-to-spaced');
    assert.strictEqual(r.targetName, 'dir/a b.txt');
    assert.strictEqual(r.res.headers['x-oss-meta-kind'], 'link');
  });
  await step('get through a link: the target\'s bytes', async () => {
    const r = await client.get('link-to-spaced');
    assert.strictEqual(r.content.toString(), 'spaced');
    const l = await client.get('link-to-log');
    assert.strictEqual(l.content.length, Number(next));
  });
  await step('head through a link: the target\'s length, the link\'s type', async () => {
    const r = await client.head('link-to-log');
    assert.strictEqual(r.res.headers['content-length'], next);
    assert.strictEqual(r.res.headers['x-oss-object-type'], 'Symlink');
  });
  await step('list: the links are Symlink', async () => {
    const r = await client.listV2({ prefix: 'link-' });
    assert.deepStrictEqual(r.objects.map((o) => o.type), ['Symlink', 'Symlink']);
  });
  await step('a link to nothing: 404 SymlinkTargetNotExist', async () => {
    await client.putSymlink('dangling', 'nothing');
    await refused(client.get('dangling'), 'SymlinkTargetNotExist', 404);
  });
  await step('getSymlink of a Normal object: 400 NotSymlink', () => refused(client.getSymlink('plain.txt'), 'NotSymlink', 400));
  await step('delete the link: the target stays', async () => {
    await client.delete('link-to-log');
    await refused(client.getSymlink('link-to-log'), 'NoSuchKey', 404);
    const r = await client.head('log.txt');
    assert.strictEqual(r.res.headers['content-length'], next);
  });
  done();
})();
