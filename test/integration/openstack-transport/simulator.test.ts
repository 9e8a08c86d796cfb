import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator, type SimCloudInfo } from '../../../src/simulator/index.ts';
import { loadCloudsConfig, type CloudConfig } from '../../../src/config/clouds/index.ts';
import { CloudSession, GrpcStatus, OpenStackHttpError } from '../../../src/backends/openstack/transport/index.ts';

const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 200 };

let sim: Simulator;
let dir: string;
let info: SimCloudInfo;
const sessions: CloudSession[] = [];

async function loadYaml(yaml: string): Promise<CloudConfig[]> {
  await writeFile(join(dir, 'clouds.yaml'), yaml);
  return (await loadCloudsConfig({ env: {}, cwd: dir, homeDir: dir, systemDirs: [] })).clouds;
}

function open(config: CloudConfig): CloudSession {
  const s = new CloudSession(config, { retry: FAST_RETRY });
  sessions.push(s);
  return s;
}

before(async () => {
  sim = await startSimulator({
    clouds: [{ name: 'sim-a', regions: ['RegionOne', 'RegionTwo'], seedServers: 25, seedImages: 7 }],
  });
  info = sim.clouds[0];
  dir = await mkdtemp(join(tmpdir(), 'oaktree-transport-sim-'));
});
after(async () => {
  for (const s of sessions) s.close();
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('CloudSession against the simulator', () => {
  it('loads the simulator clouds.yaml and authenticates with a password', async () => {
    const [config] = await loadYaml(sim.cloudsYaml());
    assert.deepEqual(
      config.regions.map((r) => r.region),
      ['RegionOne', 'RegionTwo'],
    );
    const s = open(config);
    await s.authenticate();
    assert.equal(s.project().name, info.projects[0].name);
    assert.equal(s.project().id, info.projects[0].id);
    assert.deepEqual(s.regions(), ['RegionOne', 'RegionTwo']);
  });

  it('authenticates with an application credential', async () => {
    const [config] = await loadYaml(`clouds:
  ac:
    auth_type: v3applicationcredential
    auth:
      auth_url: ${info.authUrl}
      application_credential_id: ${info.applicationCredential.id}
      application_credential_secret: '${info.applicationCredential.secret}'
`);
    const s = open(config);
    await s.authenticate();
    assert.equal(s.project().id, info.projects[0].id);
    assert.ok(s.regions().includes('RegionOne'));
  });

  it('authenticates with a token', async () => {
    const res = await fetch(`${info.authUrl.replace(/\/+$/, '').replace(/\/v3$/, '')}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: info.username, domain: { name: info.projects[0].domainName }, password: info.password },
            },
          },
        },
      }),
    });
    assert.equal(res.status, 201);
    const token = res.headers.get('x-subject-token')!;
    const [config] = await loadYaml(`clouds:
  tk:
    auth_type: v3token
    auth:
      auth_url: ${info.authUrl}
      token: '${token}'
      project_name: ${info.projects[0].name}
      project_domain_name: ${info.projects[0].domainName}
`);
    const s = open(config);
    await s.authenticate();
    assert.equal(s.project().name, info.projects[0].name);
  });

  it('finds every service in each region and negotiates the compute microversion', async () => {
    const [config] = await loadYaml(sim.cloudsYaml());
    const s = open(config);
    for (const region of ['RegionOne', 'RegionTwo']) {
      for (const service of ['compute', 'image', 'network', 'block-storage'] as const) {
        const v = await s.service(service, region);
        assert.ok(v.discovered, `${service} in ${region}: ${v.url}`);
      }
    }
    assert.equal(await s.computeMicroversion('RegionOne'), '2.79');
    const res = await s.request('compute', 'RegionOne', {
      method: 'GET',
      path: '/servers/detail',
      query: { limit: 1 },
    });
    assert.equal(res.headers['openstack-api-version'], 'compute 2.79');
    const vol = await s.request('block-storage', 'RegionOne', { method: 'GET', path: '/volumes' });
    assert.equal(vol.status, 200);
  });

  it('paginates over many servers, images and networks', async () => {
    const [config] = await loadYaml(sim.cloudsYaml());
    const s = open(config);
    const pages: number[] = [];
    const ids = new Set<string>();
    for await (const page of s.paginate('compute', 'RegionOne', '/servers/detail', 'servers', { limit: 10 })) {
      pages.push(page.length);
      for (const server of page) ids.add(server.id as string);
    }
    assert.deepEqual(pages, [10, 10, 5]);
    assert.equal(ids.size, 25);
    let images = 0;
    for await (const page of s.paginate('image', 'RegionOne', '/images', 'images', { limit: 3 })) images += page.length;
    assert.ok(images >= 7, `${images} images`);
    let networks = 0;
    for await (const page of s.paginate('network', 'RegionOne', '/networks', 'networks', { limit: 1 }))
      networks += page.length;
    assert.ok(networks >= 2, `${networks} networks`);
  });

  it('rides out injected 503s and re-authenticates once when tokens expire', async () => {
    const [config] = await loadYaml(sim.cloudsYaml());
    const s = open(config);
    await s.request('compute', 'RegionOne', { method: 'GET', path: '/flavors' });
    sim.faults.add({ kind: 'status', status: 503, count: 2, cloud: 'sim-a', service: 'compute' });
    assert.equal((await s.request('compute', 'RegionOne', { method: 'GET', path: '/flavors' })).status, 200);
    const authBefore = s.stats().authRequests;
    sim.faults.expireTokens('sim-a');
    assert.equal((await s.request('compute', 'RegionOne', { method: 'GET', path: '/flavors' })).status, 200);
    assert.equal(s.stats().authRequests - authBefore, 1);
  });

  it('maps a missing server to NOT_FOUND with nova message and request id', async () => {
    const [config] = await loadYaml(sim.cloudsYaml());
    const s = open(config);
    const err = await s
      .request('compute', 'RegionOne', { method: 'GET', path: '/servers/does-not-exist' })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OpenStackHttpError, String(err));
    assert.equal(err.code, GrpcStatus.NOT_FOUND);
    assert.ok(err.serviceMessage && /not be found|not found/i.test(err.serviceMessage), err.serviceMessage);
    assert.ok(err.requestId, 'request id');
    assert.ok(!err.message.includes(info.password));
  });
});
