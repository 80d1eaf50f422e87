// Fidelity with the official Alibaba Cloud Node.js SDK (ali-oss from npm):
// put/get/range/head, list with pagination (V1 marker and V2 token),
// multipart, V1 and V4 signatures, presigned URLs, STS token from
// With an IP endpoint ali-oss sends Host: <bucket>.oss-cn-hangzhou.aliyuncs.com
// (virtual-hosted style) and path /<key>.
// AssumeRoleWithOIDC, and the real error codes/statuses.
// Usage: EMU_SK=<sk> node ali_oss_test.js <endpoint> <ak> <roleArn> <providerArn> <stsSeconds>
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');
const assert = require('assert');
const http = require('http');
const OSS = require(path.join(process.env.OSSVP_SRC, 'hack/node_modules/ali-oss'));

const [endpoint, ak, roleArn, providerArn, stsSecondsText] = process.argv.slice(2);
const sk = process.env.EMU_SK; // the AccessKey secret: from the environment, never the command line
const stsSeconds = Number(stsSecondsText);
const bucket = 'ali-fidelity';

function client(extra) {
  return new OSS(Object.assign({
    endpoint, region: 'oss-cn-hangzhou', accessKeyId: ak, accessKeySecret: sk, bucket,
    secure: false, timeout: 20000, retryMax: 0,
  }, extra));
}

// CRC-64/ECMA (reflected, as OSS's x-oss-hash-crc64ecma), independent of the emulator.
const TABLE = (() => {
  const t = [];
  for (let i = 0n; i < 256n; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1n) ? (c >> 1n) ^ 0xC96C5795D7870F42n : c >> 1n;
    t.push(c);
  }
  return t;
})();
function crc64(buf) {
  let c = 0xFFFFFFFFFFFFFFFFn;
  for (const b of buf) c = TABLE[Number((c ^ BigInt(b)) & 0xFFn)] ^ (c >> 8n);
  return (c ^ 0xFFFFFFFFFFFFFFFFn).toString();
}

async function expectError(promise, code, status, what) {
  try {
    await promise;
  } catch (e) {
    assert.strictEqual(e.code, code, `${what}: code ${e.code} (${e.message})`);
    assert.strictEqual(e.status, status, `${what}: status`);
    console.log(`ok: ${what} -> ${code} ${status}`);
    return;
  }
  throw new Error(`${what}: expected ${code}, got success`);
}

// GET a URL whose host is <bucket>.localhost:<port> by connecting to 127.0.0.1.
function hostGet(url) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: u.port, path: u.pathname + u.search,
      headers: { Host: u.host } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function b64url(o) { return Buffer.from(JSON.stringify(o)).toString('base64url'); }
function jwt(payload) { return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`; }

async function assumeRole(token, role) {
  const body = new URLSearchParams({
    RoleArn: role || roleArn, OIDCProviderArn: providerArn, OIDCToken: token,
    RoleSessionName: 'ali-oss-test', DurationSeconds: '3600',
  });
  const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const res = await fetch(`${endpoint}/?Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON&Timestamp=${ts}`,
    { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  return { status: res.status, json: await res.json() };
}

async function basics(c, label) {
  const data = Buffer.from(`hello from ali-oss ${label}`);
  const put = await c.put(`${label}/hello.txt`, data);
  assert.strictEqual(put.res.status, 200);
  assert.strictEqual(put.res.headers['x-oss-hash-crc64ecma'], crc64(data), 'PUT crc64');
  const got = await c.get(`${label}/hello.txt`);
  assert.strictEqual(got.content.toString(), data.toString());
  const range = await c.get(`${label}/hello.txt`, { headers: { Range: 'bytes=0-4' } });
  assert.strictEqual(range.res.status, 206);
  assert.strictEqual(range.content.toString(), 'hello');
  const head = await c.head(`${label}/hello.txt`);
  assert.strictEqual(head.res.headers['content-length'], String(data.length));
  assert.ok(head.res.headers['x-oss-request-id'], 'request id');
  assert.ok(head.res.headers['last-modified'], 'Last-Modified');
  console.log(`ok: ${label} put/get/range/head`);
}

async function main() {
  const v1 = client({});
  const v4 = client({ authorizationV4: true });
  await v1.putBucket(bucket);
  await basics(v1, 'v1');
  await basics(v4, 'v4');

  // Listing with pagination: 5 keys, pages of 2.
  for (let i = 0; i < 5; i++) await v1.put(`page/k${i}`, Buffer.from(`${i}`));
  let marker; const seen = [];
  do {
    const r = await v1.list({ prefix: 'page/', 'max-keys': 2, marker });
    for (const o of r.objects || []) seen.push(o.name);
    marker = r.isTruncated ? r.nextMarker : undefined;
  } while (marker);
  assert.deepStrictEqual(seen, ['page/k0', 'page/k1', 'page/k2', 'page/k3', 'page/k4']);
  let token; const seen2 = [];
  do {
    const r = await v4.listV2({ prefix: 'page/', 'max-keys': 2, 'continuation-token': token });
    for (const o of r.objects || []) seen2.push(o.name);
    token = r.isTruncated ? r.nextContinuationToken : undefined;
  } while (token);
  assert.deepStrictEqual(seen2, seen);
  const delim = await v1.list({ prefix: '', delimiter: '/' });
  assert.ok((delim.prefixes || []).includes('page/'), 'common prefixes');
  console.log('ok: list V1 marker + V2 continuation-token pagination, delimiter');

  // Multipart: 350 KB in 100 KB parts; the object CRC is the combined CRC.
  const big = Buffer.alloc(350 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
  const file = path.join(os.tmpdir(), `ali-oss-mp-${process.pid}.bin`);
  fs.writeFileSync(file, big);
  try {
    await v4.multipartUpload('mp/big.bin', file, { partSize: 100 * 1024 });
  } finally {
    fs.unlinkSync(file);
  }
  const mp = await v1.get('mp/big.bin');
  assert.ok(mp.content.equals(big), 'multipart content');
  assert.strictEqual(mp.res.headers['x-oss-hash-crc64ecma'], crc64(big), 'multipart combined CRC');
  assert.match(mp.res.headers.etag, /-4"$/);
  console.log('ok: multipart upload (4 parts), combined CRC64');

  // Presigned URLs, V1 and V4 (ali-oss refuses IP endpoints here: use a
  // CNAME-style host and connect to 127.0.0.1 with that Host header).
  const port = new URL(endpoint).port;
  const cname = { cname: true, endpoint: `http://${bucket}.localhost:${port}` };
  const p1 = client(cname);
  const p4 = client(Object.assign({ authorizationV4: true }, cname));
  let res = await hostGet(p1.signatureUrl('v1/hello.txt', { expires: 300 }));
  assert.strictEqual(res.body, 'hello from ali-oss v1');
  res = await hostGet(await p4.signatureUrlV4('GET', 300, undefined, 'v4/hello.txt'));
  assert.strictEqual(res.body, 'hello from ali-oss v4', res.body);
  res = await hostGet(p1.signatureUrl('v1/hello.txt', { expires: -10 }));
  assert.strictEqual(res.status, 403);
  console.log('ok: presigned URLs V1 and V4 (expired one is 403)');

  // Errors as real OSS reports them.
  await expectError(v1.get('no/such/key'), 'NoSuchKey', 404, 'missing key');
  await expectError(client({ bucket: 'no-such-bucket' }).get('x'), 'NoSuchBucket', 404, 'missing bucket');
  await expectError(client({ accessKeyId: 'wrong-ak' }).get('v1/hello.txt'), 'InvalidAccessKeyId', 403, 'wrong access key');
  await expectError(client({ accessKeySecret: 'wrong' }).get('v1/hello.txt'), 'SignatureDoesNotMatch', 403, 'wrong secret (V1)');
  await expectError(client({ accessKeySecret: 'wrong', authorizationV4: true }).get('v1/hello.txt'),
    'SignatureDoesNotMatch', 403, 'wrong secret (V4)');

  // STS: AssumeRoleWithOIDC, then OSS with the temporary credentials.
  const now = Math.floor(Date.now() / 1000);
  const good = jwt({ iss: 'https://oidc.test', sub: 'system:serviceaccount:ns:sa', aud: 'sts.aliyuncs.com', exp: now + 600, iat: now });
  let r = await assumeRole(jwt({ iss: 'x', aud: 'other', exp: now + 600 }));
  assert.strictEqual(r.status, 401); assert.strictEqual(r.json.Code, 'AuthenticationFail.OIDCToken.AudienceNotMatch');
  r = await assumeRole(jwt({ iss: 'x', aud: 'sts.aliyuncs.com', exp: now - 5 }));
  assert.strictEqual(r.status, 401); assert.strictEqual(r.json.Code, 'AuthenticationFail.OIDCToken.Expired');
  r = await assumeRole(good, 'acs:ram::1:role/other');
  assert.strictEqual(r.status, 404); assert.strictEqual(r.json.Code, 'EntityNotExist.Role');
  console.log('ok: STS rejects wrong audience, expired token, unknown role');
  r = await assumeRole(good);
  assert.strictEqual(r.status, 200, JSON.stringify(r.json));
  const cred = r.json.Credentials;
  assert.ok(cred.AccessKeyId.startsWith('STS.') && cred.SecurityToken && cred.AccessKeySecret && cred.Expiration);
  const sts = client({ accessKeyId: cred.AccessKeyId, accessKeySecret: cred.AccessKeySecret, stsToken: cred.SecurityToken });
  const sts4 = client({ accessKeyId: cred.AccessKeyId, accessKeySecret: cred.AccessKeySecret, stsToken: cred.SecurityToken, authorizationV4: true });
  await sts.put('sts/obj.txt', Buffer.from('via sts'));
  assert.strictEqual((await sts4.get('sts/obj.txt')).content.toString(), 'via sts');
  console.log('ok: STS credentials work with their token (V1 and V4)');
  await expectError(client({ accessKeyId: cred.AccessKeyId, accessKeySecret: cred.AccessKeySecret }).get('sts/obj.txt'),
    'InvalidAccessKeyId', 403, 'STS key without token');
  await expectError(client({ accessKeyId: cred.AccessKeyId, accessKeySecret: cred.AccessKeySecret, stsToken: 'CAISbogus' }).get('sts/obj.txt'),
    'InvalidSecurityToken', 403, 'STS key with a wrong token');
  const wait = Date.parse(cred.Expiration) - Date.now() + 1200;
  assert.ok(wait <= stsSeconds * 1000 + 1500, `credentials live ${wait} ms, expected about ${stsSeconds} s`);
  await new Promise((res) => setTimeout(res, Math.max(wait, 0)));
  await expectError(sts.get('sts/obj.txt'), 'SecurityTokenExpired', 403, 'expired STS token');
  console.log('ali-oss: all checks passed');
}

main().catch((e) => { console.error('FAIL:', e && e.stack || e); process.exit(1); });
