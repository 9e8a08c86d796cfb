import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  CloudSession,
  GrpcStatus,
  OpenStackAuthError,
  OpenStackHttpError,
  EndpointNotFoundError,
  grpcCodeFor,
} from '../../../src/backends/openstack/transport/index.ts';
import { startFakeCloud, PASSWORD, APP_CRED_SECRET, GIVEN_TOKEN, PROJECT, type FakeCloud } from './fake-cloud.ts';
import { cloudFromYaml, passwordCloud, FAST_RETRY } from './helpers.ts';

let cloud: FakeCloud;
let session: CloudSession | undefined;

beforeEach(async () => {
  cloud = await startFakeCloud();
});
afterEach(async () => {
  session?.close();
  session = undefined;
  await cloud.close();
});

async function open(extra = '', opts: ConstructorParameters<typeof CloudSession>[1] = {}) {
  session = new CloudSession(await passwordCloud(`${cloud.url}/identity/v3`, extra), { retry: FAST_RETRY, ...opts });
  return session;
}

const serviceCalls = (path: string) => cloud.seen.filter((r) => r.path.split('?')[0] === path);

describe('keystone auth', () => {
  it('authenticates with a password, scoped to a project by name', async () => {
    const s = await open();
    await s.authenticate();
    assert.deepEqual(s.project(), { id: PROJECT.id, name: 'demo', domainId: 'default', domainName: 'Default' });
    const body = JSON.parse(cloud.authRequests()[0].body);
    assert.deepEqual(body.auth.scope, { project: { name: 'demo', domain: { name: 'Default' } } });
  });

  it('authenticates with an application credential and with a token', async () => {
    session = new CloudSession(
      await cloudFromYaml(
        `clouds:\n  ac:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: ${cloud.url}/identity\n      application_credential_id: ac-1\n      application_credential_secret: '${APP_CRED_SECRET}'\n`,
      ),
    );
    await session.authenticate();
    assert.equal(session.project().id, PROJECT.id);
    session.close();
    session = new CloudSession(
      await cloudFromYaml(
        `clouds:\n  tk:\n    auth_type: token\n    auth:\n      auth_url: ${cloud.url}/identity/v3/\n      token: '${GIVEN_TOKEN}'\n      project_id: ${PROJECT.id}\n`,
      ),
    );
    await session.authenticate();
    assert.equal(session.project().name, 'demo');
    assert.deepEqual(
      cloud.authRequests().map((r) => JSON.parse(r.body).auth.identity.methods[0]),
      ['application_credential', 'token'],
    );
  });

  it('scopes to a domain', async () => {
    session = new CloudSession(
      await cloudFromYaml(
        `clouds:\n  d:\n    auth:\n      auth_url: ${cloud.url}/identity/v3\n      user_id: u-1\n      password: '${PASSWORD}'\n      domain_name: Dom\n`,
      ),
    );
    await session.authenticate();
    assert.deepEqual(JSON.parse(cloud.authRequests()[0].body).auth.scope, { domain: { name: 'Dom' } });
    assert.deepEqual(session.project(), { id: '', name: '', domainId: 'd-1', domainName: 'Dom' });
  });

  it('reports wrong credentials as UNAUTHENTICATED without the password', async () => {
    session = new CloudSession(
      await passwordCloud(`${cloud.url}/identity/v3`).then((c) => {
        c.regions[0].auth.password = new (c.regions[0].auth.password!.constructor as any)('wrong-pass-999');
        return c;
      }),
    );
    cloud.errorEcho = ' wrong-pass-999';
    const err = await session.authenticate().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenStackAuthError, String(err));
    assert.equal(err.code, GrpcStatus.UNAUTHENTICATED);
    assert.equal(grpcCodeFor(err), GrpcStatus.UNAUTHENTICATED);
    assert.match(err.message, /authentication as password \(alice\).*HTTP 401.*requires authentication/);
    for (const text of [err.message, inspect(err), JSON.stringify(err), String(err.stack)]) {
      assert.ok(!text.includes('wrong-pass-999'), text);
      assert.ok(!text.includes(PASSWORD));
    }
  });

  it('reuses one token across many calls, and concurrent first callers share one auth', async () => {
    cloud.servers = [{ id: 's1', name: 'one' }];
    const s = await open('    region_name: RegionOne\n');
    await Promise.all(
      Array.from({ length: 20 }, () => s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' })),
    );
    for (let i = 0; i < 10; i++) await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    assert.equal(cloud.authRequests().length, 1);
    assert.equal(s.stats().authRequests, 1);
  });

  it('refreshes a token close to expiry', async () => {
    cloud.tokenTtlMs = 300; // margin becomes half the lifetime: refresh after 150 ms
    cloud.servers = [{ id: 's1', name: 'one' }];
    const s = await open();
    await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    assert.equal(cloud.authRequests().length, 1);
    await new Promise((r) => setTimeout(r, 200)); // past the refresh margin: the session's token expiry runs on real time
    await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    assert.equal(cloud.authRequests().length, 2);
  });

  it('re-authenticates exactly once on a 401 and retries the request once', async () => {
    cloud.servers = [{ id: 's1', name: 'one' }];
    const s = await open();
    await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    cloud.revokeTokens();
    // Ten concurrent callers all hit 401 with the same dead token: still one re-auth.
    const results = await Promise.all(
      Array.from({ length: 10 }, () => s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' })),
    );
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(cloud.authRequests().length, 2);
  });

  it('gives up after one re-authentication when the service keeps saying 401', async () => {
    cloud.servers = [{ id: 's1', name: 'one' }];
    const s = await open();
    await s.authenticate();
    await s.service('compute', 'RegionOne'); // discovery out of the way
    cloud.rejectAllTokens = true;
    const before = serviceCalls('/compute/v2.1/servers/s1').length;
    const err = await s
      .request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OpenStackHttpError);
    assert.equal(err.status, 401);
    assert.equal(err.code, GrpcStatus.UNAUTHENTICATED);
    assert.equal(serviceCalls('/compute/v2.1/servers/s1').length - before, 2);
    assert.equal(cloud.authRequests().length, 2);
  });
});

describe('catalog, discovery and microversions', () => {
  it('finds each service by type alias and discovers its version URL', async () => {
    const s = await open();
    assert.equal((await s.service('compute', 'RegionOne')).url, `${cloud.url}/compute/v2.1`);
    const image = await s.service('image', 'RegionOne');
    assert.equal(image.url, `${cloud.url}/image/v2`, 'glance root answers 300; internal host in the link replaced');
    assert.equal((await s.service('network', 'RegionOne')).url, `${cloud.url}/network/v2.0`);
    const volume = await s.service('block-storage', 'RegionOne');
    assert.equal(volume.url, `${cloud.url}/volume/v3/${PROJECT.id}`);
    assert.equal(volume.maxMicroversion, '3.70');
    await assert.rejects(
      s.service('network', 'RegionTwo'),
      (e: unknown) => e instanceof EndpointNotFoundError && e.code === GrpcStatus.UNIMPLEMENTED,
    );
    // Discovery is cached per endpoint.
    await s.service('compute', 'RegionOne');
    assert.equal(serviceCalls('/compute/v2.1').length, 1);
  });

  it('lists catalog regions when none are configured', async () => {
    const s = await open();
    assert.deepEqual(s.regions(), []);
    await s.authenticate();
    assert.deepEqual(s.regions(), ['RegionOne', 'RegionTwo']);
    session?.close();
    const s2 = await open('    regions: [RegionTwo]\n');
    assert.deepEqual(s2.regions(), ['RegionTwo']);
  });

  it('honours <service>_endpoint_override and interface', async () => {
    const s = await open(`    interface: internal\n    network_endpoint_override: ${cloud.url}/network/v2.0\n`);
    cloud.networks = [{ id: 'n1', name: 'net' }];
    const res = await s.request('network', 'RegionTwo', { method: 'GET', path: '/networks' });
    assert.deepEqual((res.body as any).networks, [{ id: 'n1', name: 'net' }]);
  });

  it('negotiates the compute microversion and sends it to compute only', async () => {
    cloud.servers = [{ id: 's1', name: 'one' }];
    const s = await open();
    assert.equal(await s.computeMicroversion('RegionOne'), '2.79');
    await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    const nova = serviceCalls('/compute/v2.1/servers/s1')[0];
    assert.equal(nova.headers['openstack-api-version'], 'compute 2.79');
    assert.equal(nova.headers['x-openstack-nova-api-version'], '2.79');
    const res = await s.request('block-storage', 'RegionOne', { method: 'GET', path: '/volumes' });
    assert.equal(res.status, 200, 'cinder rejects a compute header; none was sent');
    assert.equal(serviceCalls(`/volume/v3/${PROJECT.id}/volumes`)[0].headers['openstack-api-version'], undefined);
    await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1', microversion: '2.1' });
    assert.equal(serviceCalls('/compute/v2.1/servers/s1')[1].headers['openstack-api-version'], 'compute 2.1');
  });

  it('uses the cloud maximum when it is below ours, and fails when ranges do not meet', async () => {
    cloud.computeMaxVersion = '2.60';
    const s = await open();
    assert.equal(await s.computeMicroversion('RegionOne'), '2.60');
    session?.close();
    await cloud.close();
    cloud = await startFakeCloud();
    cloud.computeMinVersion = '2.80';
    cloud.computeMaxVersion = '2.95';
    const s2 = await open();
    await assert.rejects(
      s2.computeMicroversion('RegionOne'),
      (e: any) => e.code === GrpcStatus.FAILED_PRECONDITION && /2\.80–2\.95/.test(e.message),
    );
  });
});

describe('retries', () => {
  it('retries a GET on 429, honouring a (capped) Retry-After, then succeeds', async () => {
    cloud.servers = [{ id: 's1', name: 'one' }];
    const s = await open();
    await s.service('compute', 'RegionOne');
    cloud.script.set('GET /compute/v2.1/servers/s1', [
      { status: 429, headers: { 'retry-after': '1' }, body: { overLimit: { message: 'slow down' } } },
    ]);
    const t0 = Date.now();
    const res = await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    const elapsed = Date.now() - t0;
    assert.equal(res.status, 200);
    assert.equal(serviceCalls('/compute/v2.1/servers/s1').length, 2);
    assert.ok(elapsed >= 190 && elapsed < 900, `waited ${elapsed} ms: Retry-After 1 s capped at 200 ms`);
  });

  it('does not retry a non-idempotent POST, but does when the caller marks it idempotent', async () => {
    const s = await open();
    await s.service('compute', 'RegionOne');
    cloud.script.set('POST /compute/v2.1/servers', [
      { status: 429, headers: { 'retry-after': '0' }, body: { overLimit: { message: 'Rate limit exceeded' } } },
    ]);
    const err = await s
      .request('compute', 'RegionOne', { method: 'POST', path: '/servers', body: { server: {} } })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OpenStackHttpError);
    assert.equal(err.status, 429);
    assert.equal(err.code, GrpcStatus.RESOURCE_EXHAUSTED);
    assert.equal(serviceCalls('/compute/v2.1/servers').length, 1);
    cloud.script.set('POST /compute/v2.1/servers', [{ status: 429, headers: { 'retry-after': '0' } }]);
    const ok = await s.request('compute', 'RegionOne', {
      method: 'POST',
      path: '/servers',
      body: { server: {} },
      idempotent: true,
    });
    assert.equal(ok.status, 202);
    assert.equal(serviceCalls('/compute/v2.1/servers').length, 3);
  });

  it('backs off on 503 and stops after the attempt limit', async () => {
    cloud.networks = [{ id: 'n1', name: 'a' }];
    const retries: unknown[] = [];
    const s = await open('', {
      retry: { ...FAST_RETRY, baseDelayMs: 40 },
      logger: { debug() {}, info() {}, warn: (o) => retries.push(o) },
    });
    await s.service('network', 'RegionOne');
    cloud.script.set('GET /network/v2.0/networks', [{ status: 503 }, { status: 503 }]);
    const t0 = Date.now();
    const res = await s.request('network', 'RegionOne', { method: 'GET', path: '/networks' });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - t0 >= 20 + 40, 'two backoff steps (equal jitter: at least half of 40 and 80 ms)');
    assert.equal(retries.length, 2);
    cloud.script.set(
      'GET /network/v2.0/networks',
      Array.from({ length: 10 }, () => ({ status: 503, body: 'Service Unavailable' })),
    );
    const before = serviceCalls('/network/v2.0/networks').length;
    const err = await s.request('network', 'RegionOne', { method: 'GET', path: '/networks' }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenStackHttpError);
    assert.equal(err.code, GrpcStatus.UNAVAILABLE);
    assert.equal(serviceCalls('/network/v2.0/networks').length - before, 4);
  });

  it('never sleeps past the caller deadline', async () => {
    const s = await open('', { retry: { ...FAST_RETRY, maxRetryAfterMs: 5000 } });
    await s.service('network', 'RegionOne');
    cloud.script.set('GET /network/v2.0/networks', [{ status: 429, headers: { 'retry-after': '3' } }]);
    const t0 = Date.now();
    const err = await s
      .request('network', 'RegionOne', { method: 'GET', path: '/networks', deadline: Date.now() + 500 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OpenStackHttpError && err.status === 429);
    assert.ok(Date.now() - t0 < 400, 'returned the 429 instead of sleeping 3 s');
  });

  it('retries a GET when the connection is reset, not a POST', async () => {
    cloud.servers = [{ id: 's1', name: 'one' }];
    const s = await open();
    await s.service('compute', 'RegionOne');
    cloud.script.set('GET /compute/v2.1/servers/s1', [{ status: 0, reset: true }]);
    assert.equal((await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' })).status, 200);
    cloud.script.set('POST /compute/v2.1/servers', [{ status: 0, reset: true }]);
    const err = await s
      .request('compute', 'RegionOne', { method: 'POST', path: '/servers', body: {} })
      .catch((e: unknown) => e);
    assert.equal(grpcCodeFor(err), GrpcStatus.UNAVAILABLE);
    assert.equal(serviceCalls('/compute/v2.1/servers').length, 1);
  });

  it('retries connection refused for safe calls, then reports UNAVAILABLE', async () => {
    // Nothing can listen on port 0, so a connection there is always refused (a closed port could be taken).
    const retries: unknown[] = [];
    session = new CloudSession(await passwordCloud('http://127.0.0.1:0/v3'), {
      retry: FAST_RETRY,
      logger: { debug() {}, info() {}, warn: (o) => retries.push(o) },
    });
    const err = await session.authenticate().catch((e: unknown) => e);
    assert.equal(grpcCodeFor(err), GrpcStatus.UNAVAILABLE);
    assert.match(String((err as Error).message), /ECONNREFUSED/);
    assert.equal(retries.length, 3, 'four attempts in all');
  });
});

describe('timeouts, abort and keep-alive', () => {
  it('times out after api_timeout with DEADLINE_EXCEEDED', async () => {
    const s = await open('    api_timeout: 0.2\n');
    await s.service('network', 'RegionOne');
    cloud.script.set('GET /network/v2.0/networks', [{ status: 200, body: { networks: [] }, delayMs: 1000 }]);
    const t0 = Date.now();
    const err = await s.request('network', 'RegionOne', { method: 'GET', path: '/networks' }).catch((e: unknown) => e);
    assert.equal(grpcCodeFor(err), GrpcStatus.DEADLINE_EXCEEDED, String(err));
    assert.ok(Date.now() - t0 < 800);
  });

  it('aborts an in-flight request when the caller signal fires', async () => {
    const s = await open();
    await s.service('network', 'RegionOne');
    cloud.script.set('GET /network/v2.0/networks', [{ status: 200, body: { networks: [] }, delayMs: 2000 }]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50); // mid-request: the cloud answers only after 2 s
    const t0 = Date.now();
    const err = await s
      .request('network', 'RegionOne', { method: 'GET', path: '/networks', signal: ac.signal })
      .catch((e: unknown) => e);
    assert.equal((err as Error).name, 'AbortError');
    assert.equal(grpcCodeFor(err), GrpcStatus.CANCELLED);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('aborts a retry backoff too', async () => {
    const s = await open('', { retry: { ...FAST_RETRY, maxRetryAfterMs: 5000 } });
    await s.service('network', 'RegionOne');
    cloud.script.set('GET /network/v2.0/networks', [{ status: 503, headers: { 'retry-after': '3' } }]);
    const t0 = Date.now();
    const err = await s
      .request('network', 'RegionOne', { method: 'GET', path: '/networks', signal: AbortSignal.timeout(100) })
      .catch((e: unknown) => e);
    assert.equal(grpcCodeFor(err), GrpcStatus.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('reuses keep-alive sockets', async () => {
    cloud.servers = [{ id: 's1', name: 'one' }];
    const s = await open();
    for (let i = 0; i < 25; i++) await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    assert.equal(cloud.connections, 1, 'auth, discovery and 25 calls on one socket');
    assert.equal(s.stats().socketsCreated, 1);
    await Promise.all(
      Array.from({ length: 8 }, () => s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' })),
    );
    assert.ok(cloud.connections <= 8, `${cloud.connections} connections for 8 concurrent calls`);
    const after = cloud.connections;
    for (let i = 0; i < 10; i++) await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/s1' });
    assert.equal(cloud.connections, after, 'pooled sockets are reused');
  });
});

describe('pagination', () => {
  const names = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(3, '0')}`, name: `${prefix}-${i}` }));

  it('follows nova servers_links page by page', async () => {
    cloud.servers = names(7, 's');
    const s = await open();
    const pages: number[] = [];
    for await (const page of s.paginate('compute', 'RegionOne', '/servers/detail', 'servers', { limit: 3 }))
      pages.push(page.length);
    assert.deepEqual(pages, [3, 3, 1]);
    const urls = serviceCalls('/compute/v2.1/servers/detail').map((r) => r.path);
    assert.deepEqual(urls, [
      '/compute/v2.1/servers/detail?limit=3',
      '/compute/v2.1/servers/detail?limit=3&marker=s002',
      '/compute/v2.1/servers/detail?limit=3&marker=s005',
    ]);
  });

  it('follows glance next and neutron links', async () => {
    cloud.images = names(5, 'i');
    cloud.networks = names(4, 'n');
    const s = await open();
    const images: string[] = [];
    for await (const page of s.paginate('image', 'RegionOne', '/images', 'images', { limit: 2 }))
      images.push(...page.map((i) => i.id as string));
    assert.deepEqual(
      images,
      cloud.images.map((i) => i.id),
    );
    const nets: string[] = [];
    for await (const page of s.paginate('network', 'RegionOne', '/networks', 'networks', { limit: 3 }))
      nets.push(...page.map((i) => i.id as string));
    assert.deepEqual(
      nets,
      cloud.networks.map((i) => i.id),
    );
  });

  it('yields pages as they arrive, so a consumer can stop early', async () => {
    cloud.servers = names(10, 's');
    const s = await open();
    for await (const page of s.paginate('compute', 'RegionOne', '/servers/detail', 'servers', { limit: 2 })) {
      assert.equal(page.length, 2);
      break;
    }
    assert.equal(serviceCalls('/compute/v2.1/servers/detail').length, 1);
  });

  it('stops a cloud that sends the same next link forever', async () => {
    cloud.servers = names(4, 's');
    cloud.loopingLinks = true;
    const s = await open();
    let pages = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of s.paginate('compute', 'RegionOne', '/servers/detail', 'servers', { limit: 2 })) pages++;
      })(),
      /looping/,
    );
    assert.equal(pages, 2);
  });
});

describe('raw bodies', () => {
  it('streams an upload body and a download response', async () => {
    const { Readable } = await import('node:stream');
    const s = await open();
    await s.service('image', 'RegionOne');
    cloud.script.set('PUT /image/v2/images/i1/file', [{ status: 204 }]);
    const up = await s.request('image', 'RegionOne', {
      method: 'PUT',
      path: '/images/i1/file',
      rawBody: Readable.from([Buffer.from('abc'), Buffer.from('def')]),
    });
    assert.equal(up.status, 204);
    const seen = cloud.seen.find((r) => r.path === '/image/v2/images/i1/file')!;
    assert.equal(seen.body, 'abcdef');
    assert.equal(seen.headers['content-type'], 'application/octet-stream');
    cloud.script.set('GET /image/v2/images/i1/file', [{ status: 200, body: 'x'.repeat(100_000) }]);
    const down = await s.request('image', 'RegionOne', { method: 'GET', path: '/images/i1/file', rawResponse: true });
    assert.equal(down.body, undefined);
    let size = 0;
    for await (const chunk of down.stream!) size += (chunk as Buffer).length;
    assert.equal(size, 100_000);
  });

  it('reads the error message of a failed raw download', async () => {
    const s = await open();
    await s.service('image', 'RegionOne');
    cloud.script.set('GET /image/v2/images/i2/file', [
      { status: 404, body: { message: 'Image i2 has no data', code: '404 Not Found', title: 'Not Found' } },
    ]);
    const err = await s
      .request('image', 'RegionOne', { method: 'GET', path: '/images/i2/file', rawResponse: true })
      .catch((e: unknown) => e);
    assert.equal((err as OpenStackHttpError).serviceMessage, 'Image i2 has no data');
  });
});

describe('errors', () => {
  it('parses each service error body and carries status, service and request id', async () => {
    const s = await open();
    const nova = await s
      .request('compute', 'RegionOne', { method: 'GET', path: '/servers/nope' })
      .catch((e: unknown) => e);
    assert.ok(nova instanceof OpenStackHttpError);
    assert.equal(nova.status, 404);
    assert.equal(nova.code, GrpcStatus.NOT_FOUND);
    assert.equal(nova.service, 'compute');
    assert.equal(nova.serviceMessage, 'Instance nope could not be found.');
    assert.match(nova.requestId ?? '', /^req-/);
    assert.match(
      nova.message,
      /compute GET \/servers\/nope on fake\/RegionOne failed with HTTP 404: Instance nope could not be found\. \(request id req-/,
    );
    const neutron = await s
      .request('network', 'RegionOne', { method: 'GET', path: '/networks/missing' })
      .catch((e: unknown) => e);
    assert.equal((neutron as OpenStackHttpError).serviceMessage, 'Network missing could not be found.');
    const cinder = await s
      .request('block-storage', 'RegionOne', { method: 'POST', path: '/volumes', body: { volume: { size: 1e6 } } })
      .catch((e: unknown) => e);
    assert.equal((cinder as OpenStackHttpError).code, GrpcStatus.RESOURCE_EXHAUSTED);
    await s.service('image', 'RegionOne');
    cloud.script.set('GET /image/v2/images/x', [
      { status: 404, body: '404 Not Found\n\nNo image found with ID x\n\n' },
    ]);
    const glance = await s.request('image', 'RegionOne', { method: 'GET', path: '/images/x' }).catch((e: unknown) => e);
    assert.equal((glance as OpenStackHttpError).serviceMessage, '404 Not Found No image found with ID x');
  });

  it('never puts a password or token into an error or a log line, even when the cloud echoes them', async () => {
    const logged: unknown[] = [];
    const capture = (obj: object, msg: string) => logged.push([obj, msg]);
    const s = await open('', { logger: { debug: capture, info: capture, warn: capture } });
    await s.authenticate();
    const seenToken = cloud.authRequests().length;
    assert.equal(seenToken, 1);
    // The cloud echoes the password and the live token into its error text.
    const liveToken = cloud.seen.find((r) => typeof r.headers['x-auth-token'] === 'string')?.headers['x-auth-token'];
    cloud.errorEcho = ` password=${PASSWORD}`;
    const err1 = await s.request('compute', 'RegionOne', { method: 'GET', path: '/servers/nope' }).then(
      () => assert.fail('expected 404'),
      (e: unknown) => e as Error,
    );
    const tokenValue = cloud.seen
      .filter((r) => r.path.includes('/servers/nope'))
      .map((r) => r.headers['x-auth-token'])[0] as string;
    cloud.errorEcho = ` token=${tokenValue}`;
    const err2 = await s.request('network', 'RegionOne', { method: 'GET', path: '/networks/missing' }).then(
      () => assert.fail('expected 404'),
      (e: unknown) => e as Error,
    );
    for (const err of [err1, err2]) {
      for (const text of [err.message, inspect(err, { depth: 5 }), JSON.stringify(err)]) {
        assert.ok(!text.includes(PASSWORD), text);
        assert.ok(!text.includes(tokenValue), text);
      }
      assert.match(err.message, /\*\*\*/);
    }
    assert.equal(liveToken, undefined, 'no service call carried a token before this test made one');
    cloud.revokeTokens();
    await s.request('network', 'RegionOne', { method: 'GET', path: '/networks' });
    const logText = JSON.stringify(logged);
    assert.ok(logged.length > 3 && logText.includes('re-authenticating'), logText);
    assert.ok(!logText.includes(PASSWORD) && !logText.includes(tokenValue) && !logText.includes('tok-'), logText);
    assert.ok(!inspect(s, { depth: 10 }).includes(PASSWORD));
    assert.ok(!JSON.stringify(s.config).includes(PASSWORD));
  });
});
