// Swift behaviours the simulator copies from the real cloud's Swift (Debian 12's 2.30.1 behind Keystone, from
// test/real/devcloud/swift.sh), each seen by running the object-store scenarios and curl against both.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, test } from 'node:test';
import { startSimulator } from '../../../src/simulator/index.ts';

const sim = await startSimulator({ clouds: [{ name: 'swift-fid', regions: ['RegionOne'] }] });
after(() => sim.close());
const cloud = sim.clouds[0];

const auth = await (async () => {
  const res = await fetch(`${cloud.authUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'demo', domain: { id: 'default' }, password: 'secret' } },
        },
        scope: { project: { name: 'demo', domain: { id: 'default' } } },
      },
    }),
  });
  const body = (await res.json()) as any;
  return { token: res.headers.get('x-subject-token')!, catalog: body.token.catalog, projectId: body.token.project.id };
})();
const account = auth.catalog
  .find((s: any) => s.type === 'object-store')
  .endpoints.find((e: any) => e.interface === 'public').url as string;
const call = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${account}${path}`, { ...init, headers: { 'x-auth-token': auth.token, ...(init.headers ?? {}) } });

test('the catalog names the account like keystoneauth: .../v1/AUTH_<project_id>', () => {
  assert.match(account, new RegExp(`/v1/AUTH_${auth.projectId}$`));
});

test('listings: an empty one is 200 [] as JSON and 204 as text; dates have microseconds and no zone', async () => {
  assert.equal((await call('/?format=json')).status, 200);
  assert.deepEqual(await (await call('/?format=json')).json(), []);
  assert.equal((await call('/?prefix=none')).status, 204);
  assert.equal((await call('/fid', { method: 'PUT' })).status, 201);
  assert.equal((await call('/fid', { method: 'PUT' })).status, 202, 'a second PUT of a container is 202');
  await call('/fid/a', { method: 'PUT', body: 'aaaa' });
  const [entry] = (await (await call('/fid?format=json')).json()) as any[];
  assert.match(entry.last_modified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  assert.equal((await call('/fid', { method: 'HEAD' })).status, 204);
  assert.equal((await call('/fid?prefix=zzz')).status, 204);
});

test('objects: a PUT answers 201 with the bare md5 as Etag; a wrong Etag is 422; a 1,025-byte name is 400', async () => {
  await call('/obj', { method: 'PUT' });
  const put = await call('/obj/s1', { method: 'PUT', body: 'aaaa' });
  assert.equal(put.status, 201);
  assert.equal(put.headers.get('etag'), '74b87337454200d4d33f80c4663dc5e5');
  const wrong = await call('/obj/e', { method: 'PUT', body: 'x', headers: { etag: '0'.repeat(32) } });
  assert.equal(wrong.status, 422);
  assert.match(await wrong.text(), /Unprocessable Entity/);
  const long = await call(`/obj/${'x'.repeat(1025)}`, { method: 'PUT', body: 'x' });
  assert.equal(long.status, 400);
  assert.equal(await long.text(), 'Object name length of 1025 longer than 1024');
  assert.equal((await call('/obj/s1', { headers: { range: 'bytes=100-' } })).status, 416);
  assert.equal((await call('/obj', { method: 'DELETE' })).status, 409, 'a container with objects');
});

test('static large objects: quoted Etag of the segment etags, X-Manifest-Etag, slo_etag in listings, manifest delete report', async () => {
  await call('/slo', { method: 'PUT' });
  await call('/slo/s1', { method: 'PUT', body: 'aaaa' });
  await call('/slo/s2', { method: 'PUT', body: 'bbbb' });
  const manifest = JSON.stringify([{ path: '/slo/s1', etag: null, size_bytes: null }, { path: '/slo/s2' }]);
  const put = await call('/slo/big?multipart-manifest=put', { method: 'PUT', body: manifest });
  assert.equal(put.status, 201);
  assert.equal(put.headers.get('etag'), '"8c39aab0ee132c93b93f9cf0ed132353"', 'the same value the real Swift gave');
  const head = await call('/slo/big', { method: 'HEAD' });
  assert.equal(head.headers.get('x-static-large-object'), 'True');
  assert.equal(head.headers.get('content-length'), '8');
  assert.match(head.headers.get('x-manifest-etag')!, /^[0-9a-f]{32}$/);
  const listed = ((await (await call('/slo?format=json')).json()) as any[]).find((o) => o.name === 'big');
  assert.equal(listed.slo_etag, '"8c39aab0ee132c93b93f9cf0ed132353"');
  assert.equal(listed.hash, head.headers.get('x-manifest-etag'));
  const raw = (await (await call('/slo/big?multipart-manifest=get&format=raw')).json()) as any[];
  assert.deepEqual(raw[0], { path: '/slo/s1', etag: '74b87337454200d4d33f80c4663dc5e5', size_bytes: 4 });
  const removed = await call('/slo/big?multipart-manifest=delete', { method: 'DELETE' });
  assert.equal(removed.status, 200);
  assert.match(await removed.text(), /Number Deleted: 3/);
});

test('bulk delete answers 200 with the real status inside; a line longer than container + object name is refused', async () => {
  await call('/bulk', { method: 'PUT' });
  await call('/bulk/x%2Fy', { method: 'PUT', body: 'x' });
  const ok = await call('/?bulk-delete=true', {
    method: 'POST',
    body: '/bulk/x%2Fy\n/bulk/missing',
    headers: { 'content-type': 'text/plain', accept: 'application/json' },
  });
  assert.equal(ok.status, 200);
  const body = (await ok.json()) as any;
  assert.equal(body['Response Status'], '200 OK');
  assert.equal(body['Number Deleted'], 1);
  assert.equal(body['Number Not Found'], 1);
  const tooLong = await call('/?bulk-delete=true', {
    method: 'POST',
    body: `/bulk/${'%C3%A9'.repeat(300)}`,
    headers: { 'content-type': 'text/plain', accept: 'application/json' },
  });
  assert.equal(tooLong.status, 200);
  const refused = (await tooLong.json()) as any;
  assert.equal(refused['Response Status'], '400 Bad Request');
  assert.equal(refused['Response Body'], 'Invalid File Name');
});

test('TempURL: an HMAC over method, expiry and path with the account key; a bad one is 401', async () => {
  await call('', { method: 'POST', headers: { 'x-account-meta-temp-url-key': 'k3y' } });
  await call('/tmp', { method: 'PUT' });
  await call('/tmp/o', { method: 'PUT', body: 'hello' });
  const path = new URL(`${account}/tmp/o`).pathname;
  const expires = Math.floor(Date.now() / 1000) + 60;
  const sig = createHmac('sha256', 'k3y').update(`GET\n${expires}\n${path}`).digest('hex');
  const good = await fetch(`${account}/tmp/o?temp_url_sig=${sig}&temp_url_expires=${expires}`);
  assert.equal(good.status, 200);
  assert.equal(await good.text(), 'hello');
  const bad = await fetch(`${account}/tmp/o?temp_url_sig=${'0'.repeat(64)}&temp_url_expires=${expires}`);
  assert.equal(bad.status, 401);
  assert.equal((await fetch(`${account}/tmp/o`)).status, 401, 'no token, no signature');
});

test("expiry as Swift's check_delete_headers: integers, never in the past, capped at 9999999999 (the year 2286)", async () => {
  await call('/exp', { method: 'PUT' });
  const far = await call('/exp/far', { method: 'PUT', body: 'x', headers: { 'x-delete-after': String(2n ** 62n) } });
  assert.equal(far.status, 201);
  assert.equal((await call('/exp/far', { method: 'HEAD' })).headers.get('x-delete-at'), '9999999999');
  const farAt = await call('/exp/far', { method: 'POST', headers: { 'x-delete-at': '99999999999999' } });
  assert.equal(farAt.status, 202);
  assert.equal((await call('/exp/far', { method: 'HEAD' })).headers.get('x-delete-at'), '9999999999');
  for (const [name, value, text] of [
    ['x-delete-after', '0', 'X-Delete-After in past'],
    ['x-delete-after', '-5', 'X-Delete-After in past'],
    ['x-delete-after', '1.5', 'Non-integer X-Delete-After'],
    ['x-delete-at', '1000', 'X-Delete-At in past'],
    ['x-delete-at', 'soon', 'Non-integer X-Delete-At'],
  ]) {
    const res = await call('/exp/bad', { method: 'PUT', body: 'x', headers: { [name]: value } });
    assert.equal(res.status, 400, `${name}: ${value}`);
    assert.equal(await res.text(), text);
  }
});

test("metadata limits as Swift's check_metadata: 400 with its message; /info shows them", async () => {
  const info = (await (await fetch(new URL('../../info', `${account}/`))).json()) as any;
  assert.deepEqual(
    [info.swift.max_meta_count, info.swift.max_meta_name_length, info.swift.max_meta_value_length],
    [90, 128, 256],
  );
  assert.equal(info.swift.max_meta_overall_size, 4096);
  await call('/meta', { method: 'PUT' });
  const many: Record<string, string> = {};
  for (let i = 0; i < 91; i++) many[`x-object-meta-k${i}`] = 'v';
  const cases: Array<[Record<string, string>, string]> = [
    [many, 'Too many metadata items; max 90'],
    [{ 'x-object-meta-big-one': 'v'.repeat(257) }, 'Metadata value longer than 256: x-object-meta-Big-One'],
    [{ [`x-object-meta-${'n'.repeat(129)}`]: 'v' }, `Metadata name too long: x-object-meta-N${'n'.repeat(128)}`],
    [
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x-object-meta-m${i}`, 'v'.repeat(250)])),
      'Total metadata too large; max 4096',
    ],
    [{ 'x-object-meta-huge': 'v'.repeat(9000) }, 'Header value too long: X-Object-Meta-Huge'],
  ];
  for (const [headers, text] of cases) {
    const put = await call('/meta/o', { method: 'PUT', body: 'x', headers });
    assert.equal(put.status, 400, text);
    assert.equal(await put.text(), text);
  }
  assert.equal((await call('/meta/o', { method: 'HEAD' })).status, 404, 'nothing was stored');
  await call('/meta/o', { method: 'PUT', body: 'x' });
  assert.equal((await call('/meta/o', { method: 'POST', headers: many })).status, 400);
  const forContainer = Object.fromEntries(Object.keys(many).map((k) => [k.replace('object', 'container'), 'v']));
  assert.equal((await call('/meta', { method: 'POST', headers: forContainer })).status, 400);
});
