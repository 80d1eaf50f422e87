// Query values with reserved characters in prefix, marker, start-after and
// continuation-token as the official ali-oss SDK sends and signs them (OSS V1
// signs continuation-token as a sub-resource, OSS V4 signs the whole query).
// The bucket, keys and cases come from query_canonicalization_test.py.
// Usage: EMU_SK=<sk> node query_canonicalization_test.js <endpoint> <ak> <cases.json>
'use strict';
const path = require('path');
const fs = require('fs');
const assert = require('assert');
const OSS = require(path.join(process.env.OSSVP_SRC, 'hack/node_modules/ali-oss'));

const [endpoint, ak, casesFile] = process.argv.slice(2);
const sk = process.env.EMU_SK; // the AccessKey secret: from the environment, never the command line
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));

const utf8Sorted = (keys) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
const withPrefix = (p) => utf8Sorted(cases.keys.filter((k) => k.startsWith(p)));
const after = (a) => utf8Sorted(cases.keys.filter((k) => Buffer.compare(Buffer.from(k), Buffer.from(a)) > 0));

function check(got, want, what) {
  assert.deepStrictEqual(got, want, what);
  console.log(`ok: ${what}`);
}

const names = (r) => (r.objects || []).map((o) => o.name);

async function listAll(c, v2, query) {
  const keys = [];
  const prefixes = [];
  let next;
  do {
    // Only set when known: ali-oss sends an undefined marker as "marker=" but
    // leaves it out of its OSS V4 canonical query.
    const q = Object.assign({}, query);
    if (next) q[v2 ? 'continuation-token' : 'marker'] = next;
    const r = v2 ? await c.listV2(q) : await c.list(q);
    keys.push(...names(r));
    prefixes.push(...(r.prefixes || []));
    next = r.isTruncated ? (v2 ? r.nextContinuationToken : r.nextMarker) : undefined;
  } while (next);
  return { keys, prefixes };
}

async function checks(label, c) {
  for (const p of cases.prefixes) {
    check(names(await c.listV2({ prefix: p })), withPrefix(p), `ali-oss ${label} listV2 prefix ${JSON.stringify(p)}`);
    check(names(await c.list({ prefix: p })), withPrefix(p), `ali-oss ${label} list prefix ${JSON.stringify(p)}`);
  }
  for (const a of cases.afters) {
    check(names(await c.listV2({ prefix: 'q/', 'start-after': a })), after(a),
      `ali-oss ${label} start-after ${JSON.stringify(a)}`);
    check(names(await c.list({ prefix: 'q/', marker: a })), after(a), `ali-oss ${label} marker ${JSON.stringify(a)}`);
  }
  check((await listAll(c, true, { prefix: 'q/', 'max-keys': 1 })).keys, withPrefix('q/'),
    `ali-oss ${label} listV2 pages of 1 (continuation-token)`);
  check((await listAll(c, true, { prefix: 'q/', 'max-keys': 1, 'start-after': 'q/a b' })).keys, after('q/a b'),
    `ali-oss ${label} listV2 pages of 1 after start-after`);
  check((await listAll(c, false, { prefix: 'q/', 'max-keys': 1 })).keys, withPrefix('q/'),
    `ali-oss ${label} list pages of 1 (marker)`);
  const delimited = await listAll(c, true, { prefix: 'q/', 'max-keys': 2, delimiter: '/' });
  const direct = withPrefix('q/').filter((k) => !k.slice(2).includes('/'));
  const dirs = utf8Sorted([...new Set(withPrefix('q/').filter((k) => k.slice(2).includes('/'))
    .map((k) => k.slice(0, k.indexOf('/', 2) + 1)))]);
  check([delimited.keys, delimited.prefixes], [direct, dirs], `ali-oss ${label} delimiter pages of 2`);
}

async function main() {
  const base = { endpoint, region: 'oss-cn-hangzhou', accessKeyId: ak, accessKeySecret: sk,
    bucket: cases.bucket, secure: false, timeout: 20000, retryMax: 0 };
  await checks('V1', new OSS(base));
  await checks('V4', new OSS(Object.assign({ authorizationV4: true }, base)));
}

main().catch((e) => {
  console.error(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
