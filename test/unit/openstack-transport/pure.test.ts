import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseRetryAfter,
  retryDelayMs,
  isIdempotent,
  DEFAULT_RETRY_POLICY,
} from '../../../src/backends/openstack/transport/retry.ts';
import {
  negotiateMicroversion,
  microversionHeaders,
  parseMicroversion,
} from '../../../src/backends/openstack/transport/microversion.ts';
import {
  extractErrorMessage,
  grpcCodeForHttpStatus,
  GrpcStatus,
} from '../../../src/backends/openstack/transport/errors.ts';
import { relativeToBase } from '../../../src/backends/openstack/transport/paginate.ts';
import { chooseVersion } from '../../../src/backends/openstack/transport/discovery.ts';
import { buildAuthRequest, identityV3Url } from '../../../src/backends/openstack/transport/keystone.ts';
import { findEndpoint, endpointOverride, catalogRegions } from '../../../src/backends/openstack/transport/catalog.ts';
import { Secret } from '../../../src/config/clouds/secret.ts';
import type { CloudRegionConfig } from '../../../src/config/clouds/types.ts';

describe('retry policy', () => {
  it('parses Retry-After as seconds or HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('caps Retry-After and backs off exponentially with jitter', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 2000 };
    assert.equal(retryDelayMs(1, p, 10_000), 2000);
    assert.equal(retryDelayMs(1, p, 0), 0);
    assert.equal(
      retryDelayMs(1, p, undefined, () => 0),
      50,
    );
    assert.equal(
      retryDelayMs(1, p, undefined, () => 1),
      100,
    );
    assert.equal(
      retryDelayMs(3, p, undefined, () => 1),
      400,
    );
    assert.equal(
      retryDelayMs(10, p, undefined, () => 1),
      1000,
      'capped',
    );
  });

  it('treats GET/HEAD/PUT/DELETE as idempotent and POST only when marked', () => {
    for (const m of ['GET', 'head', 'PUT', 'DELETE']) assert.equal(isIdempotent(m), true);
    assert.equal(isIdempotent('POST'), false);
    assert.equal(isIdempotent('PATCH'), false);
    assert.equal(isIdempotent('POST', true), true);
  });
});

describe('microversions', () => {
  it('negotiates the highest common version, comparing numerically', () => {
    const ours = { min: '2.1', max: '2.79' };
    assert.equal(negotiateMicroversion(ours, { min: '2.1', max: '2.96' }), '2.79');
    assert.equal(negotiateMicroversion(ours, { min: '2.1', max: '2.60' }), '2.60');
    assert.equal(negotiateMicroversion(ours, { min: '2.80', max: '2.96' }), undefined);
    assert.equal(negotiateMicroversion(ours, { max: '' }), undefined);
    assert.deepEqual(parseMicroversion('2.10'), [2, 10]);
    assert.equal(negotiateMicroversion({ min: '2.1', max: '2.10' }, { min: '2.1', max: '2.9' }), '2.9');
  });

  it('builds the compute header in both spellings', () => {
    assert.deepEqual(microversionHeaders('compute', '2.79'), {
      'OpenStack-API-Version': 'compute 2.79',
      'X-OpenStack-Nova-API-Version': '2.79',
    });
  });
});

describe('error bodies', () => {
  it('extracts messages from each service shape', () => {
    assert.equal(
      extractErrorMessage({ itemNotFound: { code: 404, message: 'Instance x could not be found.' } }),
      'Instance x could not be found.',
    );
    assert.equal(
      extractErrorMessage({
        NeutronError: { type: 'NetworkNotFound', message: 'Network y could not be found.', detail: '' },
      }),
      'Network y could not be found.',
    );
    assert.equal(
      extractErrorMessage({
        error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
      }),
      'The request you have made requires authentication.',
    );
    assert.equal(
      extractErrorMessage({ badRequest: { message: 'Invalid volume size', code: 400 } }),
      'Invalid volume size',
    );
    assert.equal(
      extractErrorMessage({ message: 'Image not found', code: '404 Not Found', title: 'Not Found' }),
      'Image not found',
    );
    assert.equal(
      extractErrorMessage('<html><body><h1>404 Not Found</h1>No image found with ID z</body></html>'),
      '404 Not Found No image found with ID z',
    );
    assert.equal(
      extractErrorMessage({ error_message: '{"faultstring": "Node n not found", "debuginfo": null}' }),
      'Node n not found',
    );
    assert.equal(extractErrorMessage(undefined), undefined);
    assert.equal(extractErrorMessage('x'.repeat(2000))?.length, 501);
  });

  it('maps HTTP statuses to gRPC codes', () => {
    assert.equal(grpcCodeForHttpStatus(400), GrpcStatus.INVALID_ARGUMENT);
    assert.equal(grpcCodeForHttpStatus(401), GrpcStatus.UNAUTHENTICATED);
    assert.equal(
      grpcCodeForHttpStatus(403, 'Policy does not allow compute:servers:delete'),
      GrpcStatus.PERMISSION_DENIED,
    );
    assert.equal(
      grpcCodeForHttpStatus(403, 'Quota exceeded for cores: Requested 8, but already used 20 of 20 cores'),
      GrpcStatus.RESOURCE_EXHAUSTED,
    );
    assert.equal(grpcCodeForHttpStatus(404), GrpcStatus.NOT_FOUND);
    assert.equal(grpcCodeForHttpStatus(409, 'Security group default already exists'), GrpcStatus.ALREADY_EXISTS);
    assert.equal(grpcCodeForHttpStatus(409, 'Quota exceeded for resources: [port]'), GrpcStatus.RESOURCE_EXHAUSTED);
    assert.equal(grpcCodeForHttpStatus(409, 'Cannot delete in state BUILD'), GrpcStatus.ABORTED);
    assert.equal(grpcCodeForHttpStatus(413), GrpcStatus.RESOURCE_EXHAUSTED);
    assert.equal(grpcCodeForHttpStatus(429), GrpcStatus.RESOURCE_EXHAUSTED);
    assert.equal(grpcCodeForHttpStatus(500), GrpcStatus.UNAVAILABLE);
    assert.equal(grpcCodeForHttpStatus(503), GrpcStatus.UNAVAILABLE);
    assert.equal(grpcCodeForHttpStatus(504), GrpcStatus.DEADLINE_EXCEEDED);
  });
});

describe('pagination links', () => {
  it('maps absolute and version-relative next links under our base URL', () => {
    assert.deepEqual(
      relativeToBase(
        'http://internal:8774/v2.1/servers/detail?limit=2&marker=abc',
        'https://nova.example/compute/v2.1',
      ),
      {
        path: '/servers/detail',
        query: { limit: '2', marker: 'abc' },
      },
    );
    assert.deepEqual(relativeToBase('/v2/images?marker=m1', 'http://h/image/v2'), {
      path: '/images',
      query: { marker: 'm1' },
    });
    assert.deepEqual(relativeToBase('http://h/compute/v2.1/p1/servers?marker=z', 'http://h/compute/v2.1/p1'), {
      path: '/servers',
      query: { marker: 'z' },
    });
    assert.deepEqual(relativeToBase('http://other:9696/v2.0/networks?limit=1&marker=n', 'http://h:9696/v2.0'), {
      path: '/networks',
      query: { limit: '1', marker: 'n' },
    });
  });
});

describe('version discovery documents', () => {
  it('reads nova, glance, neutron, cinder and keystone shapes', () => {
    const nova = chooseVersion('compute', new URL('http://h/compute/v2.1'), {
      version: {
        id: 'v2.1',
        status: 'CURRENT',
        version: '2.96',
        min_version: '2.1',
        links: [{ rel: 'self', href: 'http://internal/compute/v2.1/' }],
      },
    });
    assert.deepEqual(nova, {
      id: 'v2.1',
      status: 'CURRENT',
      url: 'http://h/compute/v2.1',
      minMicroversion: '2.1',
      maxMicroversion: '2.96',
      discovered: true,
    });
    const glance = chooseVersion('image', new URL('http://h:9292'), {
      versions: [
        { id: 'v2.9', status: 'CURRENT', links: [{ rel: 'self', href: 'http://internal:9292/v2/' }] },
        { id: 'v2.0', status: 'SUPPORTED', links: [{ rel: 'self', href: 'http://internal:9292/v2/' }] },
        { id: 'v1.0', status: 'DEPRECATED', links: [] },
      ],
    });
    assert.equal(glance?.id, 'v2.9', 'glance lists minors of v2; the CURRENT one wins');
    assert.equal(glance?.url, 'http://h:9292/v2', 'self link host replaced by the endpoint origin');
    const legacyNova = chooseVersion('compute', new URL('http://h:8774/'), {
      versions: [
        { id: 'v2.0', status: 'SUPPORTED', links: [{ rel: 'self', href: 'http://h:8774/v2/' }] },
        {
          id: 'v2.1',
          status: 'CURRENT',
          version: '2.90',
          min_version: '2.1',
          links: [{ rel: 'self', href: 'http://h:8774/v2.1/' }],
        },
      ],
    });
    assert.equal(legacyNova?.url, 'http://h:8774/v2.1');
    assert.equal(legacyNova?.maxMicroversion, '2.90');
    const glance2 = chooseVersion('image', new URL('http://h:9292'), {
      versions: [{ id: 'v2', status: 'CURRENT', links: [{ rel: 'self', href: 'http://internal:9292/v2/' }] }],
    });
    assert.equal(glance2?.url, 'http://h:9292/v2', 'self link host replaced by the endpoint origin');
    const neutron = chooseVersion('network', new URL('http://h:9696/'), {
      versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: 'http://h:9696/v2.0/' }] }],
    });
    assert.equal(neutron?.url, 'http://h:9696/v2.0');
    const cinder = chooseVersion('block-storage', new URL('http://h/volume/v3/p1'), {
      versions: [{ id: 'v3.0', status: 'CURRENT', version: '3.70', min_version: '3.0', links: [] }],
    });
    assert.equal(cinder?.url, 'http://h/volume/v3/p1');
    assert.equal(cinder?.maxMicroversion, '3.70');
    const keystone = chooseVersion('identity', new URL('http://h/identity'), {
      versions: {
        values: [{ id: 'v3.14', status: 'stable', links: [{ rel: 'self', href: 'http://h/identity/v3/' }] }],
      },
    });
    assert.equal(keystone?.url, 'http://h/identity/v3');
  });
});

describe('keystone', () => {
  it('normalizes the auth URL to /v3', () => {
    assert.equal(identityV3Url('https://k.example:5000'), 'https://k.example:5000/v3');
    assert.equal(identityV3Url('https://k.example/identity/v3/'), 'https://k.example/identity/v3');
  });

  it('builds password, application credential and token bodies with the right scope', () => {
    const pw = buildAuthRequest('password', {
      authUrl: 'x',
      username: 'u',
      userDomainName: 'Default',
      password: new Secret('p'),
      projectName: 'demo',
      projectDomainId: 'default',
    });
    assert.deepEqual(pw, {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'u', domain: { name: 'Default' }, password: 'p' } },
        },
        scope: { project: { name: 'demo', domain: { id: 'default' } } },
      },
    });
    const byId = buildAuthRequest('password', {
      authUrl: 'x',
      userId: 'uid',
      password: new Secret('p'),
      projectId: 'pid',
    }) as any;
    assert.deepEqual(byId.auth.identity.password.user, { id: 'uid', password: 'p' });
    assert.deepEqual(byId.auth.scope, { project: { id: 'pid' } });
    const domain = buildAuthRequest('password', {
      authUrl: 'x',
      userId: 'uid',
      password: new Secret('p'),
      domainName: 'D',
    }) as any;
    assert.deepEqual(domain.auth.scope, { domain: { name: 'D' } });
    const ac = buildAuthRequest('application_credential', {
      authUrl: 'x',
      applicationCredentialId: 'a',
      applicationCredentialSecret: new Secret('s'),
      projectId: 'ignored',
    });
    assert.deepEqual(ac, {
      auth: { identity: { methods: ['application_credential'], application_credential: { id: 'a', secret: 's' } } },
    });
    const acName = buildAuthRequest('application_credential', {
      authUrl: 'x',
      applicationCredentialName: 'n',
      username: 'u',
      userDomainId: 'd',
      applicationCredentialSecret: new Secret('s'),
    }) as any;
    assert.deepEqual(acName.auth.identity.application_credential, {
      name: 'n',
      secret: 's',
      user: { name: 'u', domain: { id: 'd' } },
    });
    const tok = buildAuthRequest('token', { authUrl: 'x', token: new Secret('t'), projectId: 'p' });
    assert.deepEqual(tok, {
      auth: { identity: { methods: ['token'], token: { id: 't' } }, scope: { project: { id: 'p' } } },
    });
  });
});

describe('catalog', () => {
  const catalog = [
    {
      type: 'compute',
      endpoints: [
        { interface: 'public', region_id: 'R1', region: 'R1', url: 'http://nova-r1/v2.1' },
        { interface: 'internal', region_id: 'R1', region: 'R1', url: 'http://nova-r1-int/v2.1' },
        { interface: 'public', region_id: 'R2', region: 'R2', url: 'http://nova-r2/v2.1' },
      ],
    },
    { type: 'volumev3', endpoints: [{ interface: 'public', region_id: 'R1', url: 'http://cinder-r1/v3/p' }] },
  ];

  it('finds endpoints by region, interface and service-type alias', () => {
    assert.equal(
      findEndpoint(catalog, { service: 'compute', region: 'R2', interface: 'public' }),
      'http://nova-r2/v2.1',
    );
    assert.equal(
      findEndpoint(catalog, { service: 'compute', region: 'R1', interface: 'internal' }),
      'http://nova-r1-int/v2.1',
    );
    assert.equal(findEndpoint(catalog, { service: 'compute', region: '', interface: 'public' }), 'http://nova-r1/v2.1');
    assert.equal(
      findEndpoint(catalog, { service: 'block-storage', region: 'R1', interface: 'public' }),
      'http://cinder-r1/v3/p',
    );
    assert.equal(findEndpoint(catalog, { service: 'network', region: 'R1', interface: 'public' }), undefined);
    assert.deepEqual(catalogRegions(catalog), ['R1', 'R2']);
  });

  it('prefers <service>_endpoint_override, by any alias, with project id substitution', () => {
    const rc = { endpointOverrides: { volumev3: 'http://override/v3/%(project_id)s' } } as unknown as CloudRegionConfig;
    assert.equal(endpointOverride(rc, 'block-storage', 'p9'), 'http://override/v3/p9');
    assert.equal(endpointOverride(rc, 'compute', 'p9'), undefined);
  });
});
