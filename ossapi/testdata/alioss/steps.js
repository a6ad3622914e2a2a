// What every ali-oss script here shares: a client of coldstore serve at
// the endpoint given as the script's first argument (path-style, as
// ali-oss needs sldEnable for it), steps that print one line each and exit
// 1 at the first failure, and checks of refusals.
'use strict';
const OSS = require('ali-oss');
const assert = require('assert');

const endpoint = process.argv[2];

// options are a client's options for bucket.
function options(bucket) {
  return {
    region: 'oss-cn-hangzhou', accessKeyId: 'ak', accessKeySecret: 'sk',
    endpoint, bucket, sldEnable: true, secure: false,
  };
}

// client is an ali-oss client of bucket, with extra options over options'.
function client(bucket, extra) {
  return new OSS({ ...options(bucket), ...extra });
}

let steps = 0;

// step runs fn as the next step.
async function step(name, fn) {
  steps++;
  try {
    await fn();
    console.log(`ok ${steps} ${name}`);
  } catch (e) {
    console.log(`FAIL ${steps} ${name}: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  }
}

// refused awaits p and checks that it fails with the OSS error code and
// HTTP status given, and the message when one is given; it returns the
// error.
async function refused(p, code, status, message) {
  let err;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `answered, not refused with ${code}`);
  assert.strictEqual(err.code, code, `${err.code} ${err.message}`);
  assert.strictEqual(err.status, status);
  if (message) {
    assert.ok(err.message.includes(message), err.message);
  }
  return err;
}

// advance moves the server's mock clock by d (a Go duration).
async function advance(d) {
  const r = await fetch(`${endpoint}/-/clock?advance=${d}`, { method: 'POST' });
  assert.strictEqual(r.status, 200);
}

// done says how many steps passed: the Go test looks for it.
function done() {
  console.log(`${steps} steps passed`);
}

module.exports = { endpoint, options, client, step, refused, advance, done };
