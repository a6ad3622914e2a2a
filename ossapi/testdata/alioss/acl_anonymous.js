// ACLs enforced: ali-oss, signing with the key ak/sk, sets the ACLs of
// coldstore serve at the endpoint given as the first argument, which has
// that key; unsigned requests (fetch) are admitted where the ACLs let
// anyone in and refused with 403 AccessDenied elsewhere, and a bad
// signature is refused even on a public object. ossapi's
// TestAliOSSACLAnonymous runs it. It prints one line per step and exits
// 1 at the first that fails.
'use strict';
const assert = require('assert');
const { endpoint, client: makeClient, step, done } = require('./steps');

const client = makeClient('pubbkt');
const forger = makeClient('pubbkt', { accessKeySecret: 'wrong' });

// anonymous sends an unsigned request and checks its status and, for an
// error, its code; it returns the body.
async function anonymous(method, path, status, code) {
  const r = await fetch(`${endpoint}${path}`, { method, body: method === 'PUT' ? 'anonymous' : undefined });
  const body = await r.text();
  assert.strictEqual(r.status, status, `${method} ${path}: ${body}`);
  if (code) {
    assert.ok(body.includes(`<Code>${code}</Code>`), body);
  }
  return body;
}

(async () => {
  await step('the owner creates a public-read bucket and two objects', async () => {
    await client.putBucket('pubbkt', { acl: 'public-read' });
    await client.put('a.txt', Buffer.from('for all'));
    await client.put('secret.txt', Buffer.from('for me'), { headers: { 'x-oss-object-acl': 'private' } });
  });
  await step('anyone reads the object that follows the bucket', async () => {
    assert.strictEqual(await anonymous('GET', '/pubbkt/a.txt', 200), 'for all');
  });
  await step('anyone lists the public-read bucket', async () => {
    const body = await anonymous('GET', '/pubbkt', 200);
    assert.ok(body.includes('<Key>secret.txt</Key>'), body);
  });
  await step('the private object: 403 AccessDenied', () => anonymous('GET', '/pubbkt/secret.txt', 403, 'AccessDenied'));
  await step('anonymous writes and ACL calls: 403 AccessDenied, nothing changed', async () => {
    await anonymous('PUT', '/pubbkt/a.txt', 403, 'AccessDenied');
    await anonymous('DELETE', '/pubbkt/a.txt', 403, 'AccessDenied');
    await anonymous('GET', '/pubbkt?acl', 403, 'AccessDenied');
    await anonymous('PUT', '/pubbkt/secret.txt?acl', 403, 'AccessDenied');
    assert.strictEqual((await client.get('a.txt')).content.toString(), 'for all');
    assert.strictEqual((await client.getACL('secret.txt')).acl, 'private');
  });
  await step('putACL public-read: anyone reads it', async () => {
    await client.putACL('secret.txt', 'public-read');
    assert.strictEqual(await anonymous('GET', '/pubbkt/secret.txt', 200), 'for me');
  });
  await step('putBucketACL public-read-write: anyone writes', async () => {
    await client.putBucketACL('pubbkt', 'public-read-write');
    await anonymous('PUT', '/pubbkt/new.txt', 200);
    assert.strictEqual((await client.get('new.txt')).content.toString(), 'anonymous');
    await anonymous('PUT', '/pubbkt/secret.txt', 403, 'AccessDenied'); // its own ACL, public-read, rules
  });
  await step('putBucketACL private: the default object is shut', async () => {
    await client.putBucketACL('pubbkt', 'private');
    await anonymous('GET', '/pubbkt/a.txt', 403, 'AccessDenied');
    await anonymous('GET', '/pubbkt', 403, 'AccessDenied');
  });
  await step('a bad signature on a public object: 403 SignatureDoesNotMatch', async () => {
    let err;
    try {
      await forger.get('secret.txt');
    } catch (e) {
      err = e;
    }
    assert.ok(err, 'a forged signature was answered');
    assert.strictEqual(err.code, 'SignatureDoesNotMatch');
    assert.strictEqual(err.status, 403);
  });
  done();
})();
