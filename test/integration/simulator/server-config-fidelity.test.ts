// What the real cloud (Debian 12's Zed nova on loopback, 2026-12-04) answered for server groups, tags, metadata,
// the newer create fields and list filters, and the simulator answering the same, word for word where the words
// are what a client sees. Each test names the divergence it pins down.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startSimulator } from '../../../src/simulator/index.ts';

const sim = await startSimulator({ clouds: [{ name: 'fid-sc', regions: ['RegionOne'], bootDelayMs: 0 }] });
after(() => sim.close());
const cloud = sim.clouds[0];

async function login(): Promise<{ token: string; compute: string; image: string }> {
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
  const url = (type: string) =>
    body.token.catalog.find((s: any) => s.type === type).endpoints.find((e: any) => e.interface === 'public').url;
  return { token: res.headers.get('x-subject-token')!, compute: url('compute'), image: url('image') };
}
const auth = await login();

async function nova(mv: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${auth.compute}${path}`, {
    method,
    headers: {
      'x-auth-token': auth.token,
      'openstack-api-version': `compute ${mv}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const message = (r: { body: any }) => (Object.values(r.body ?? {})[0] as any)?.message as string;

const imageRef = (
  (await (await fetch(`${auth.image}/v2/images`, { headers: { 'x-auth-token': auth.token } })).json()) as any
).images[0].id as string;

async function makeServer(name: string, extra: Record<string, unknown> = {}, mv = '2.79', hints?: unknown) {
  const body: Record<string, unknown> = {
    server: { name, imageRef, flavorRef: '1', networks: 'auto', ...extra },
  };
  if (hints) body['os:scheduler_hints'] = hints;
  return nova(mv, 'POST', '/servers', body);
}

test('server groups: rules only for anti-affinity, soft policies from 2.15, the two view shapes, 404 wording', async () => {
  const ruled = await nova('2.79', 'POST', '/os-server-groups', {
    server_group: { name: 'g1', policy: 'affinity', rules: { max_server_per_host: 2 } },
  });
  assert.equal(ruled.status, 400);
  assert.equal(message(ruled), 'Only anti-affinity policy supports rules.');
  const soft = await nova('2.14', 'POST', '/os-server-groups', {
    server_group: { name: 'g2', policies: ['soft-anti-affinity'] },
  });
  assert.equal(soft.status, 400);
  assert.equal(
    message(soft),
    "Invalid input for field/attribute 0. Value: soft-anti-affinity. 'soft-anti-affinity' is not one of ['anti-affinity', 'affinity']",
  );
  const bogus = await nova('2.79', 'POST', '/os-server-groups', { server_group: { name: 'g3', policy: 'bogus' } });
  assert.equal(
    message(bogus),
    "Invalid input for field/attribute policy. Value: bogus. 'bogus' is not one of ['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']",
  );

  const made = await nova('2.79', 'POST', '/os-server-groups', {
    server_group: { name: 'g4', policy: 'anti-affinity', rules: { max_server_per_host: 2 } },
  });
  assert.equal(made.status, 200);
  const id = made.body.server_group.id;
  assert.deepEqual(Object.keys(made.body.server_group).sort(), [
    'id',
    'members',
    'name',
    'policy',
    'project_id',
    'rules',
    'user_id',
  ]);
  const old = (await nova('2.1', 'GET', '/os-server-groups')).body.server_groups.find((g: any) => g.id === id);
  assert.deepEqual(Object.keys(old).sort(), ['id', 'members', 'metadata', 'name', 'policies']);
  assert.deepEqual(old.policies, ['anti-affinity']);

  const missing = await nova('2.79', 'GET', '/os-server-groups/00000000-0000-0000-0000-000000000000');
  assert.equal(missing.status, 404);
  assert.equal(message(missing), 'Instance group 00000000-0000-0000-0000-000000000000 could not be found.');
  const hinted = await makeServer('no-group', {}, '2.79', { group: '00000000-0000-0000-0000-000000000000' });
  assert.equal(hinted.status, 400, 'an unknown group hint is 400, not 404');
  assert.equal(message(hinted), 'Instance group 00000000-0000-0000-0000-000000000000 could not be found.');
  await nova('2.79', 'DELETE', `/os-server-groups/${id}`);
});

test("create: tags from 2.52, description from 2.19, hostname from 2.90; adminPass is the caller's", async () => {
  for (const [mv, field, value] of [
    ['2.51', 'tags', ['x']],
    ['2.18', 'description', 'x'],
    ['2.89', 'hostname', 'x'],
  ] as const) {
    const refused = await makeServer(`old-${field}`, { [field]: value }, mv);
    assert.equal(refused.status, 400, `${field} at ${mv}`);
    assert.match(message(refused), new RegExp(`Additional properties are not allowed \\('${field}' was unexpected\\)`));
  }
  const made = await makeServer('Probe-A', { tags: ['x', 'y'], description: 'd1', adminPass: 'secret12345' });
  assert.equal(made.status, 202);
  assert.equal(made.body.server.adminPass, 'secret12345');
  const id = made.body.server.id;
  const shown = (await nova('2.90', 'GET', `/servers/${id}`)).body.server;
  assert.deepEqual(shown.tags, ['x', 'y']);
  assert.equal(shown.description, 'd1');
  assert.equal(shown['OS-EXT-SRV-ATTR:hostname'], 'probe-a', 'the default hostname is the lowercased name');
  assert.equal('OS-EXT-SRV-ATTR:hostname' in (await nova('2.79', 'GET', `/servers/${id}`)).body.server, false);
  await nova('2.79', 'DELETE', `/servers/${id}`);
});

test("tags: no API before 2.26, nova's validation words, 50 at most, a missing tag is 404; updated stays", async () => {
  const id = (await makeServer('tagged')).body.server.id;
  assert.equal((await nova('2.25', 'GET', `/servers/${id}/tags`)).status, 404);
  const comma = await nova('2.79', 'PUT', `/servers/${id}/tags/a,b`);
  assert.equal(comma.status, 400);
  assert.equal(
    message(comma),
    "Tag 'a,b' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: 'a,b' does not match '^[^,/]*$'",
  );
  const long = await nova('2.79', 'PUT', `/servers/${id}/tags/${'t'.repeat(61)}`);
  assert.match(message(long), /Validation error message: 't{61}' is too long$/);
  const many = await nova('2.79', 'PUT', `/servers/${id}/tags`, {
    tags: Array.from({ length: 51 }, (_, i) => `t${i}`),
  });
  assert.equal(many.status, 400);
  assert.match(message(many), /^Invalid input for field\/attribute tags\. Value: \['t0', .* is too long$/);
  const absent = await nova('2.79', 'DELETE', `/servers/${id}/tags/nothere`);
  assert.equal(absent.status, 404);
  assert.equal(message(absent), `Instance ${id} has no tag 'nothere'`);

  // A tag change does not bump `updated` (changes-since does not see it); a metadata change does.
  const before = (await nova('2.79', 'GET', `/servers/${id}`)).body.server.updated;
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.equal((await nova('2.79', 'PUT', `/servers/${id}/tags/x`)).status, 201);
  assert.equal((await nova('2.79', 'GET', `/servers/${id}`)).body.server.updated, before);
  await nova('2.79', 'POST', `/servers/${id}/metadata`, { metadata: { a: '1' } });
  assert.notEqual((await nova('2.79', 'GET', `/servers/${id}`)).body.server.updated, before);
  await nova('2.79', 'DELETE', `/servers/${id}`);
});

test("metadata: 128 items is a 403, keys match nova's pattern, a missing key is 404", async () => {
  const id = (await makeServer('meta')).body.server.id;
  const metadata = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
  const tooMany = await nova('2.79', 'POST', `/servers/${id}/metadata`, { metadata });
  assert.equal(tooMany.status, 403);
  assert.equal(message(tooMany), 'Maximum number of metadata items exceeds 128');
  const empty = await nova('2.79', 'POST', `/servers/${id}/metadata`, { metadata: { '': 'v' } });
  assert.equal(empty.status, 400);
  assert.equal(
    message(empty),
    "Invalid input for field/attribute metadata. Value: {'': 'v'}. '' does not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'",
  );
  const absent = await nova('2.79', 'DELETE', `/servers/${id}/metadata/nothere`);
  assert.equal(absent.status, 404);
  assert.equal(message(absent), 'Metadata item was not found');
  await nova('2.79', 'DELETE', `/servers/${id}`);
});

test('lists: the name filter ignores case, tag filters are ignored before 2.26, all_tenants is admin-only', async () => {
  const id = (await makeServer('Mixed-Case', { tags: ['only'] })).body.server.id;
  const named = (await nova('2.79', 'GET', '/servers/detail?name=mixed-case')).body.servers;
  assert.deepEqual(
    named.map((s: any) => s.id),
    [id],
  );
  const tagged = (await nova('2.79', 'GET', '/servers/detail?tags=absent-tag')).body.servers;
  assert.equal(tagged.length, 0);
  const old = (await nova('2.25', 'GET', '/servers/detail?tags=absent-tag')).body.servers;
  assert.ok(
    old.some((s: any) => s.id === id),
    'before 2.26 nova ignores the tag filter',
  );
  const all = await nova('2.79', 'GET', '/servers/detail?all_tenants=1');
  assert.equal(all.status, 403);
  assert.equal(message(all), "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed.");
  await nova('2.79', 'DELETE', `/servers/${id}`);
});

test('block device mapping without a boot disk is refused even with imageRef', async () => {
  const refused = await makeServer('bdm', {
    block_device_mapping_v2: [{ boot_index: -1, source_type: 'blank', destination_type: 'volume', volume_size: 1 }],
  });
  assert.equal(refused.status, 400);
  assert.equal(
    message(refused),
    'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.',
  );
});

test("anti-affinity on one host: the second member goes to ERROR with nova's NoValidHost fault and stays a member", async () => {
  const group = (
    await nova('2.79', 'POST', '/os-server-groups', { server_group: { name: 'apart', policy: 'anti-affinity' } })
  ).body.server_group;
  const first = (await makeServer('apart-1', {}, '2.79', { group: group.id })).body.server.id;
  const second = (await makeServer('apart-2', {}, '2.79', { group: group.id })).body.server.id;
  assert.equal((await nova('2.79', 'GET', `/servers/${first}`)).body.server.status, 'ACTIVE');
  const failed = (await nova('2.79', 'GET', `/servers/${second}`)).body.server;
  assert.equal(failed.status, 'ERROR');
  assert.equal(failed.fault.code, 500);
  assert.equal(failed.fault.message, 'No valid host was found. There are not enough hosts available.');
  const members = (await nova('2.79', 'GET', `/os-server-groups/${group.id}`)).body.server_group.members;
  assert.deepEqual([...members].sort(), [first, second].sort());
});
