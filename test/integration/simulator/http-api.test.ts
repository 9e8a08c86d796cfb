// The simulator over HTTP with fetch: auth, catalog, microversions, pagination, lifecycle, faults, bad input.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { eventually } from '../../support/wait.ts';

let sim: Simulator;
let auth: string;

async function token(body: unknown): Promise<{ status: number; token?: string; json: any }> {
  const res = await fetch(`${auth}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, token: res.headers.get('x-subject-token') ?? undefined, json: await res.json() };
}

const password = (pw = 'secret', scope: unknown = { project: { name: 'demo', domain: { name: 'Default' } } }) => ({
  auth: {
    identity: { methods: ['password'], password: { user: { name: 'demo', domain: { id: 'default' }, password: pw } } },
    scope,
  },
});

async function login(): Promise<{ token: string; compute: string; network: string; image: string; volume: string }> {
  const r = await token(password());
  const find = (type: string) =>
    r.json.token.catalog
      .find((s: any) => s.type === type)
      .endpoints.find((e: any) => e.interface === 'public' && e.region_id === 'RegionOne').url;
  return {
    token: r.token!,
    compute: find('compute'),
    network: find('network'),
    image: find('image'),
    volume: find('volumev3'),
  };
}

function call(tok: string, url: string, init: RequestInit & { json?: unknown } = {}) {
  const headers: Record<string, string> = { 'X-Auth-Token': tok, ...(init.headers as Record<string, string>) };
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(url, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
}

before(async () => {
  sim = await startSimulator({
    clouds: [{ name: 'c1', regions: ['RegionOne', 'RegionTwo'], bootDelayMs: 200, seedServers: 30 }, { name: 'c2' }],
    controlPort: 0,
  });
  auth = sim.clouds[0].authUrl;
});
after(() => sim.close());

test('keystone: discovery, password/app credential/token methods, scoping, 401, validation', async () => {
  const disc = await fetch(auth);
  assert.equal(disc.status, 300);
  assert.equal(((await disc.json()) as any).versions.values[0].id, 'v3.14');
  assert.equal(((await (await fetch(`${auth}/v3`)).json()) as any).version.status, 'stable');

  const byName = await token(password());
  assert.equal(byName.status, 201);
  assert.ok(byName.token);
  assert.equal(byName.json.token.project.name, 'demo');
  const types = byName.json.token.catalog.map((s: any) => s.type).sort();
  assert.deepEqual(types, ['block-storage', 'compute', 'identity', 'image', 'network', 'object-store', 'volumev3']);
  const compute = byName.json.token.catalog.find((s: any) => s.type === 'compute');
  assert.equal(compute.endpoints.length, 6); // 2 regions x 3 interfaces
  assert.notEqual(
    compute.endpoints.find((e: any) => e.region_id === 'RegionOne').url,
    compute.endpoints.find((e: any) => e.region_id === 'RegionTwo').url,
  );

  const byId = await token(password('secret', { project: { id: sim.clouds[0].projects[0].id } }));
  assert.equal(byId.status, 201);
  const domain = await token(password('secret', { domain: { id: 'default' } }));
  assert.equal(domain.json.token.domain.id, 'default');

  const bad = await token(password('wrong'));
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error.code, 401);

  const cred = sim.clouds[0].applicationCredential;
  const app = await token({
    auth: {
      identity: { methods: ['application_credential'], application_credential: { id: cred.id, secret: cred.secret } },
    },
  });
  assert.equal(app.status, 201);
  assert.equal(app.json.token.project.id, sim.clouds[0].projects[0].id);

  const rescoped = await token({
    auth: {
      identity: { methods: ['token'], token: { id: byName.token } },
      scope: { project: { name: 'demo', domain: { name: 'Default' } } },
    },
  });
  assert.equal(rescoped.status, 201);

  const check = await fetch(`${auth}/v3/auth/tokens`, {
    headers: { 'X-Auth-Token': byName.token!, 'X-Subject-Token': app.token! },
  });
  assert.equal(check.status, 200);
  assert.equal(((await check.json()) as any).token.methods[0], 'application_credential');
  const missing = await fetch(`${auth}/v3/auth/tokens`, {
    headers: { 'X-Auth-Token': byName.token!, 'X-Subject-Token': 'nope' },
  });
  assert.equal(missing.status, 404);
});

test('token TTL: an expired token gets 401', async () => {
  const s = await startSimulator({ clouds: [{ name: 'ttl', tokenTtlSeconds: 1 }] });
  try {
    const res = await fetch(`${s.clouds[0].authUrl}/v3/auth/tokens`, {
      method: 'POST',
      body: JSON.stringify(password()),
      headers: { 'Content-Type': 'application/json' },
    });
    const tok = res.headers.get('x-subject-token')!;
    const body: any = await res.json();
    const url = body.token.catalog.find((x: any) => x.type === 'compute').endpoints[0].url;
    assert.equal((await call(tok, `${url}/flavors`)).status, 200);
    await new Promise((r) => setTimeout(r, 1100)); // the token's 1 s lifetime is the behaviour under test
    const late = await call(tok, `${url}/flavors`);
    assert.equal(late.status, 401);
    assert.match(late.headers.get('www-authenticate') ?? '', /Keystone uri=/);
  } finally {
    await s.close();
  }
});

test('nova: version discovery, microversion negotiation and 406', async () => {
  const { token: tok, compute } = await login();
  const root = await fetch(compute.replace(/v2\.1$/, ''));
  const versions = ((await root.json()) as any).versions;
  assert.equal(versions.find((v: any) => v.id === 'v2.1').min_version, '2.1');
  const plain = await call(tok, `${compute}/flavors`);
  assert.equal(plain.headers.get('openstack-api-version'), 'compute 2.1');
  assert.ok(plain.headers.get('x-openstack-request-id')?.startsWith('req-'));
  const latest = await call(tok, `${compute}/flavors`, { headers: { 'OpenStack-API-Version': 'compute latest' } });
  assert.equal(latest.headers.get('openstack-api-version'), 'compute 2.93');
  const legacy = await call(tok, `${compute}/flavors`, { headers: { 'X-OpenStack-Nova-API-Version': '2.47' } });
  assert.equal(legacy.headers.get('x-openstack-nova-api-version'), '2.47');
  const tooNew = await call(tok, `${compute}/flavors`, { headers: { 'OpenStack-API-Version': 'compute 3.5' } });
  assert.equal(tooNew.status, 406);
  const noToken = await fetch(`${compute}/flavors`);
  assert.equal(noToken.status, 401);
});

test('nova: pagination with markers and servers_links, name regex and status filters', async () => {
  const { token: tok, compute } = await login();
  const seen: string[] = [];
  let url: string | undefined = `${compute}/servers/detail?limit=7`;
  let pages = 0;
  while (url) {
    const body: any = await (await call(tok, url)).json();
    seen.push(...body.servers.map((s: any) => s.id));
    url = body.servers_links?.find((l: any) => l.rel === 'next')?.href;
    pages++;
  }
  assert.equal(seen.length, 30);
  assert.equal(new Set(seen).size, 30);
  assert.equal(pages, 5);
  const filtered: any = await (await call(tok, `${compute}/servers?name=^seed-1[0-2]$`)).json();
  assert.equal(filtered.servers.length, 3);
  const active: any = await (await call(tok, `${compute}/servers/detail?status=ACTIVE&limit=1000`)).json();
  assert.equal(active.servers.length, 30);
  const badMarker = await call(tok, `${compute}/servers?marker=nope`);
  assert.equal(badMarker.status, 400);
});

test('nova: BUILD -> ACTIVE, addresses from neutron ports, delete and changes-since', async () => {
  const { token: tok, compute, network } = await login();
  const images: any = await (await call(tok, `${compute.replace(/compute\/v2\.1$/, 'image')}/v2/images`)).json();
  const t0 = new Date(Date.now() - 1000).toISOString();
  const created = await call(tok, `${compute}/servers`, {
    method: 'POST',
    json: { server: { name: 'vm-a', imageRef: images.images[0].id, flavorRef: '1', networks: 'auto' } },
    headers: { 'OpenStack-API-Version': 'compute 2.47' },
  });
  assert.equal(created.status, 202);
  const id = ((await created.json()) as any).server.id;
  let server: any = (
    (await (
      await call(tok, `${compute}/servers/${id}`, { headers: { 'OpenStack-API-Version': 'compute 2.47' } })
    ).json()) as any
  ).server;
  assert.equal(server.status, 'BUILD');
  assert.equal(server.flavor.original_name, 'm1.tiny');
  // BUILD → ACTIVE after the boot delay; the REST view is all a client has, so poll it (bounded).
  server = await eventually(async () => {
    const now = ((await (await call(tok, `${compute}/servers/${id}`)).json()) as any).server;
    return now.status !== 'BUILD' && now;
  }, 'the server leaves BUILD');
  assert.equal(server.status, 'ACTIVE');
  assert.equal(server.addresses.private[0]['OS-EXT-IPS:type'], 'fixed');
  const ports: any = await (await call(tok, `${network}/v2.0/ports?device_id=${id}`)).json();
  assert.equal(ports.ports.length, 1);
  assert.equal(ports.ports[0].status, 'ACTIVE');
  assert.equal(ports.ports[0].device_owner, 'compute:nova');

  assert.equal((await call(tok, `${compute}/servers/${id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await call(tok, `${compute}/servers/${id}`)).status, 404);
  const normal: any = await (await call(tok, `${compute}/servers?limit=1000`)).json();
  assert.ok(!normal.servers.some((s: any) => s.id === id));
  const changes: any = await (
    await call(tok, `${compute}/servers/detail?changes-since=${encodeURIComponent(t0)}`)
  ).json();
  const gone = changes.servers.find((s: any) => s.id === id);
  assert.equal(gone.status, 'DELETED');
  assert.ok(!changes.servers.some((s: any) => s.name.startsWith('seed-')), 'seeded servers are older than t0');
});

test('faults: ERROR builds, 429 with Retry-After, 503, expired tokens mid-list, hang, control endpoint', async () => {
  const { token: tok, compute } = await login();
  const fault = sim.faults.add({
    kind: 'server-error',
    cloud: 'c1',
    namePattern: '^doomed',
    message: 'No valid host was found.',
  });
  const res = await call(tok, `${compute}/servers`, {
    method: 'POST',
    json: {
      server: {
        name: 'doomed-1',
        imageRef: '',
        flavorRef: '1',
        block_device_mapping_v2: [{ boot_index: 0, source_type: 'blank', destination_type: 'volume', volume_size: 1 }],
      },
    },
  });
  assert.equal(res.status, 202);
  const id = ((await res.json()) as any).server.id;
  const server: any = await eventually(async () => {
    const now = ((await (await call(tok, `${compute}/servers/${id}`)).json()) as any).server;
    return now.status !== 'BUILD' && now;
  }, 'the doomed server leaves BUILD');
  assert.equal(server.status, 'ERROR');
  assert.equal(server.fault.message, 'No valid host was found.');
  assert.equal(server.image, '');
  assert.ok(sim.faults.remove(fault.id));

  sim.faults.add({ kind: 'status', cloud: 'c1', service: 'compute', status: 429, count: 1, retryAfterSeconds: 2 });
  const limited = await call(tok, `${compute}/flavors`);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.equal((await call(tok, `${compute}/flavors`)).status, 200);

  const ctl = sim.controlUrl!;
  const added = await fetch(`${ctl}/faults`, {
    method: 'POST',
    body: JSON.stringify({ kind: 'status', cloud: 'c1', status: 503, count: 2 }),
  });
  assert.equal(added.status, 201);
  assert.equal((await call(tok, `${compute}/flavors`)).status, 503);
  assert.equal((await fetch(`${ctl}/faults`, { method: 'DELETE' })).status, 204);
  assert.equal((await call(tok, `${compute}/flavors`)).status, 200);

  // token expires in the middle of a paginated list
  sim.faults.expireTokens('c1', 2);
  const page1 = await call(tok, `${compute}/servers?limit=10`);
  assert.equal(page1.status, 200);
  const next = ((await page1.json()) as any).servers_links[0].href;
  assert.equal((await call(tok, next)).status, 401);
  const fresh = await login();
  assert.equal((await call(fresh.token, next)).status, 200);

  sim.faults.add({ kind: 'hang', cloud: 'c1', service: 'compute', count: 1 });
  await assert.rejects(
    call(fresh.token, `${compute}/flavors`, { signal: AbortSignal.timeout(300) }),
    /TimeoutError|aborted/,
  );

  // A fault scoped to one route leaves the others alone, and is used up only by that route.
  sim.faults.add({ kind: 'status', status: 500, route: 'GET /flavors/{id}', count: 1 });
  assert.equal((await call(fresh.token, `${compute}/flavors`)).status, 200);
  assert.equal((await call(fresh.token, `${compute}/flavors/1`)).status, 500);
  assert.equal((await call(fresh.token, `${compute}/flavors/1`)).status, 200);
  const badRoute = await fetch(`${ctl}/faults`, {
    method: 'POST',
    body: JSON.stringify({ kind: 'hang', route: '/flavors' }),
  });
  assert.equal(badRoute.status, 400);
  assert.match(await badRoute.text(), /method and a path template/);

  sim.faults.add({ kind: 'keystone-down', cloud: 'c2', mode: '503' });
  const down = await fetch(`${sim.clouds[1].authUrl}/v3/auth/tokens`, {
    method: 'POST',
    body: JSON.stringify(password()),
  });
  assert.equal(down.status, 503);
  sim.faults.clear();

  const stats: any = await (await fetch(`${ctl}/stats`)).json();
  assert.ok(stats.byRoute['c1/compute GET /servers/{id}'] >= 1);
  assert.equal((await fetch(`${ctl}/stats/reset`, { method: 'POST' })).status, 204);
  assert.equal(sim.stats().total, 0);
});

test('bad input answers 400/404/409/413 in each service shape and the process stays up', async () => {
  const { token: tok, compute, network, image, volume } = await login();
  const malformed = await call(tok, `${compute}/servers`, {
    method: 'POST',
    body: '{not json',
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(malformed.status, 400);
  assert.equal(((await malformed.json()) as any).badRequest.code, 400);
  const missing = await call(tok, `${compute}/servers`, { method: 'POST', json: { server: { flavorRef: '1' } } });
  assert.equal(missing.status, 400);
  const unknown = await call(tok, `${compute}/servers/does-not-exist`);
  assert.equal(unknown.status, 404);
  assert.ok(((await unknown.json()) as any).itemNotFound);
  const kp = {
    keypair: {
      name: 'dup',
      public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFtG1rP2i9Ue3yJqX0zQ3V8bXk3T7bW0vQ8b1JYyC3aQ test',
    },
  };
  assert.equal((await call(tok, `${compute}/os-keypairs`, { method: 'POST', json: kp })).status, 200);
  const dup = await call(tok, `${compute}/os-keypairs`, { method: 'POST', json: kp });
  assert.equal(dup.status, 409);
  assert.ok(((await dup.json()) as any).conflictingRequest);
  const generated: any = await (
    await call(tok, `${compute}/os-keypairs`, { method: 'POST', json: { keypair: { name: 'gen' } } })
  ).json();
  assert.match(generated.keypair.private_key, /BEGIN RSA PRIVATE KEY/);
  const huge = await call(tok, `${compute}/servers`, {
    method: 'POST',
    body: JSON.stringify({ server: { name: 'x'.repeat(200_000) } }),
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(huge.status, 413);
  const neutron404 = await call(tok, `${network}/v2.0/networks/nope`);
  assert.equal(neutron404.status, 404);
  assert.equal(((await neutron404.json()) as any).NeutronError.type, 'NetworkNotFound');
  assert.equal((await call(tok, `${image}/v2/images/nope`)).status, 404);
  const cinder404 = await call(tok, `${volume}/volumes/nope`);
  assert.equal(cinder404.status, 404);
  assert.ok(((await cinder404.json()) as any).itemNotFound);
  assert.equal((await call(tok, `${compute}/flavors`)).status, 200, 'still up');
});

test('glance: streamed upload with md5/sha512, download with Content-MD5, patch, schema and import info', async () => {
  const { token: tok, image } = await login();
  const created: any = await (
    await call(tok, `${image}/v2/images`, {
      method: 'POST',
      json: { name: 'up', disk_format: 'qcow2', container_format: 'bare', visibility: 'private' },
    })
  ).json();
  assert.equal(created.status, 'queued');
  const data = Buffer.alloc(1_000_000, 7);
  const put = await call(tok, `${image}/v2/images/${created.id}/file`, {
    method: 'PUT',
    body: data,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  assert.equal(put.status, 204);
  const shown: any = await (await call(tok, `${image}/v2/images/${created.id}`)).json();
  assert.equal(shown.status, 'active');
  assert.equal(shown.size, data.length);
  assert.equal(shown.os_hash_algo, 'sha512');
  const dl = await call(tok, `${image}/v2/images/${created.id}/file`);
  assert.equal(dl.headers.get('content-md5'), shown.checksum);
  assert.equal(Buffer.from(await dl.arrayBuffer()).length, data.length);
  const patched = await call(tok, `${image}/v2/images/${created.id}`, {
    method: 'PATCH',
    body: JSON.stringify([
      { op: 'add', path: '/hw_disk_bus', value: 'scsi' },
      { op: 'replace', path: '/name', value: 'renamed' },
    ]),
    headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' },
  });
  const p: any = await patched.json();
  assert.equal(p.hw_disk_bus, 'scsi');
  assert.equal(p.name, 'renamed');
  const schema: any = await (await call(tok, `${image}/v2/schemas/image`)).json();
  assert.ok(schema.properties.disk_format.enum.includes('qcow2'));
  const info: any = await (await call(tok, `${image}/v2/info/import`)).json();
  assert.ok(info['import-methods'].value.includes('glance-direct'));
  const page: any = await (await call(tok, `${image}/v2/images?limit=1`)).json();
  assert.match(page.next, /marker=/);
});
