// Bucket and object ACLs through ali-oss, the Node.js OSS SDK, against
// coldstore serve at the endpoint given as the first argument, which has
// no keys: ACLs are stored and returned, bad ones refused as OSS refuses
// them and changing nothing, and every request is the owner's, unsigned
// ones included. ossapi's TestAliOSSACL runs it. It prints one line per
// step and exits 1 at the first that fails.
'use strict';
const assert = require('assert');
const { endpoint, client: makeClient, step, refused, done } = require('./steps');

const client = makeClient('aclbkt');

async function objectACL(name) {
  const r = await client.getACL(name);
  assert.strictEqual(r.owner.id, 'coldstore');
  return r.acl;
}

(async () => {
  await step('putBucket with acl public-read; getBucketACL', async () => {
    await client.putBucket('aclbkt', { acl: 'public-read' });
    const r = await client.getBucketACL('aclbkt');
    assert.strictEqual(r.acl, 'public-read');
    assert.strictEqual(r.owner.id, 'coldstore');
    assert.strictEqual(r.owner.displayName, 'coldstore');
  });
  await step('putBucketACL private; getBucketACL, getBucketInfo', async () => {
    await client.putBucketACL('aclbkt', 'private');
    assert.strictEqual((await client.getBucketACL('aclbkt')).acl, 'private');
    const info = await client.getBucketInfo('aclbkt');
    assert.strictEqual(info.bucket.AccessControlList.Grant, 'private');
  });
  await step('putBucketACL with a bad ACL: 400 InvalidArgument, unchanged', async () => {
    await refused(client.putBucketACL('aclbkt', 'public'), 'InvalidArgument', 400, 'no such bucket access control exists');
    assert.strictEqual((await client.getBucketACL('aclbkt')).acl, 'private');
  });
  await step('putBucket with a bad ACL: 400 InvalidArgument, no bucket', async () => {
    await refused(client.putBucket('aclbad', { acl: 'default' }), 'InvalidArgument', 400);
    await refused(client.getBucketInfo('aclbad'), 'NoSuchBucket', 404);
  });
  await step('put with x-oss-object-acl; getACL', async () => {
    await client.put('open.txt', Buffer.from('open'), { headers: { 'x-oss-object-acl': 'public-read' } });
    assert.strictEqual(await objectACL('open.txt'), 'public-read');
  });
  await step('put without: getACL default', async () => {
    await client.put('plain.txt', Buffer.from('plain'));
    assert.strictEqual(await objectACL('plain.txt'), 'default');
  });
  await step('putACL private, then default', async () => {
    await client.putACL('plain.txt', 'private');
    assert.strictEqual(await objectACL('plain.txt'), 'private');
    await client.putACL('plain.txt', 'default');
    assert.strictEqual(await objectACL('plain.txt'), 'default');
  });
  await step('putACL with a bad ACL: 400 InvalidArgument, unchanged', async () => {
    await refused(client.putACL('open.txt', 'public'), 'InvalidArgument', 400, 'no such object access control exists');
    assert.strictEqual(await objectACL('open.txt'), 'public-read');
  });
  await step('put with a bad x-oss-object-acl: 400 InvalidArgument, not replaced', async () => {
    await refused(client.put('open.txt', Buffer.from('replaced'), { headers: { 'x-oss-object-acl': 'everyone' } }), 'InvalidArgument', 400);
    assert.strictEqual((await client.get('open.txt')).content.toString(), 'open');
    assert.strictEqual(await objectACL('open.txt'), 'public-read');
  });
  await step('copy with x-oss-object-acl; copy without: default', async () => {
    await client.copy('copy-rw.txt', 'open.txt', { headers: { 'x-oss-object-acl': 'public-read-write' } });
    assert.strictEqual(await objectACL('copy-rw.txt'), 'public-read-write');
    await client.copy('copy.txt', 'open.txt');
    assert.strictEqual(await objectACL('copy.txt'), 'default');
  });
  await step('putACL of a missing object: 404 NoSuchKey', () => refused(client.putACL('missing.txt', 'private'), 'NoSuchKey', 404));
  await step('without keys an unsigned request is the owner\'s', async () => {
    await client.putACL('plain.txt', 'private');
    const r = await fetch(`${endpoint}/aclbkt/plain.txt`);
    assert.strictEqual(r.status, 200);
    assert.strictEqual(await r.text(), 'plain');
  });
  done();
})();
