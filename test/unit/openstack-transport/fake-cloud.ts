/**
 * A tiny scripted OpenStack on a real loopback socket, for transport tests only:
 * Keystone v3 (password, application credential, token), nova, glance, neutron and cinder
 * just far enough to exercise auth, catalog, discovery, microversions, pagination, retries.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export const PASSWORD = 'pw-S3cret!';
export const APP_CRED_SECRET = 'ac-S3cret!';
export const GIVEN_TOKEN = 'given-T0ken!';
export const PROJECT = { id: 'p-123', name: 'demo', domain: { id: 'default', name: 'Default' } };

export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeCloud {
  url: string;
  /** Requests in arrival order (auth included). */
  seen: SeenRequest[];
  /** TCP connections accepted. */
  connections: number;
  /** Responses to give, per "METHOD /path" (path without query), before normal handling. */
  script: Map<string, Scripted[]>;
  servers: { id: string; name: string }[];
  images: { id: string; name: string }[];
  networks: { id: string; name: string }[];
  computeMaxVersion: string;
  computeMinVersion: string;
  tokenTtlMs: number;
  /** Make every issued token invalid (the next service call gets 401). */
  revokeTokens(): void;
  /** Always answer 401 to service calls, even with fresh tokens. */
  rejectAllTokens: boolean;
  /** When set, pagination links always point at the same marker (a broken cloud). */
  loopingLinks: boolean;
  /** Extra text put into error bodies (to check scrubbing). */
  errorEcho?: string;
  authRequests(): SeenRequest[];
  close(): Promise<void>;
}

export async function startFakeCloud(): Promise<FakeCloud> {
  const tokens = new Set<string>();
  const server = http.createServer();
  const cloud: FakeCloud = {
    url: '',
    seen: [],
    connections: 0,
    script: new Map(),
    servers: [],
    images: [],
    networks: [],
    computeMaxVersion: '2.90',
    computeMinVersion: '2.1',
    tokenTtlMs: 3600_000,
    rejectAllTokens: false,
    loopingLinks: false,
    revokeTokens: () => tokens.clear(),
    authRequests: () => cloud.seen.filter((r) => r.path.endsWith('/auth/tokens')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => cloud.connections++);
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', cloud.url);
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: url.pathname + url.search,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      cloud.seen.push(seen);
      const scripted = cloud.script.get(`${req.method} ${url.pathname}`)?.shift();
      const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, {
          'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
          'x-openstack-request-id': `req-${randomUUID()}`,
          ...headers,
        });
        res.end(text);
      };
      if (scripted) {
        if (scripted.reset) {
          req.socket.destroy();
          return;
        }
        setTimeout(() => reply(scripted.status, scripted.body, scripted.headers), scripted.delayMs ?? 0);
        return;
      }
      try {
        route(cloud, tokens, req.method ?? 'GET', url, seen, reply);
      } catch (err) {
        reply(500, { error: { message: String(err) } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cloud.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return cloud;
}

type Reply = (status: number, body?: unknown, headers?: Record<string, string>) => void;

function catalog(base: string) {
  const ep = (path: string, region: string) =>
    ['public', 'internal'].map((iface) => ({
      id: randomUUID(),
      interface: iface,
      region,
      region_id: region,
      url: `${base}${path}`,
    }));
  return [
    {
      type: 'identity',
      name: 'keystone',
      endpoints: [...ep('/identity', 'RegionOne'), ...ep('/identity', 'RegionTwo')],
    },
    {
      type: 'compute',
      name: 'nova',
      endpoints: [...ep('/compute/v2.1', 'RegionOne'), ...ep('/compute/v2.1', 'RegionTwo')],
    },
    { type: 'image', name: 'glance', endpoints: ep('/image', 'RegionOne') },
    { type: 'network', name: 'neutron', endpoints: ep('/network', 'RegionOne') },
    { type: 'volumev3', name: 'cinderv3', endpoints: ep(`/volume/v3/${PROJECT.id}`, 'RegionOne') },
  ];
}

function route(cloud: FakeCloud, tokens: Set<string>, method: string, url: URL, seen: SeenRequest, reply: Reply): void {
  const path = url.pathname.replace(/\/+$/, '');
  const err = (status: number, key: string, message: string) =>
    reply(status, { [key]: { code: status, message: message + (cloud.errorEcho ?? '') } });

  if (method === 'POST' && path === '/identity/v3/auth/tokens') {
    const body = JSON.parse(seen.body);
    const identity = body.auth.identity;
    const m = identity.methods[0];
    const ok =
      (m === 'password' && identity.password.user.password === PASSWORD) ||
      (m === 'application_credential' && identity.application_credential.secret === APP_CRED_SECRET) ||
      (m === 'token' && identity.token.id === GIVEN_TOKEN);
    if (!ok) {
      reply(401, {
        error: {
          code: 401,
          title: 'Unauthorized',
          message: `The request you have made requires authentication.${cloud.errorEcho ?? ''}`,
        },
      });
      return;
    }
    const token = `tok-${randomUUID()}`;
    tokens.add(token);
    const now = Date.now();
    const domainScoped = body.auth.scope?.domain;
    reply(
      201,
      {
        token: {
          methods: [m],
          issued_at: new Date(now).toISOString(),
          expires_at: new Date(now + cloud.tokenTtlMs).toISOString(),
          user: { id: 'u-1', name: 'alice', domain: { id: 'default', name: 'Default' } },
          ...(domainScoped ? { domain: { id: 'd-1', name: 'Dom' } } : { project: PROJECT }),
          catalog: catalog(cloud.url),
        },
      },
      { 'x-subject-token': token },
    );
    return;
  }

  // Version documents are public.
  if (method === 'GET' && path === '/compute/v2.1') {
    reply(200, {
      version: {
        id: 'v2.1',
        status: 'CURRENT',
        version: cloud.computeMaxVersion,
        min_version: cloud.computeMinVersion,
        links: [{ rel: 'self', href: `http://internal.example/compute/v2.1/` }],
      },
    });
    return;
  }
  if (method === 'GET' && path === '/image') {
    reply(300, {
      versions: [
        { id: 'v2.9', status: 'CURRENT', links: [{ rel: 'self', href: 'http://internal.example/image/v2/' }] },
        { id: 'v2.0', status: 'SUPPORTED', links: [{ rel: 'self', href: 'http://internal.example/image/v2/' }] },
      ],
    });
    return;
  }
  if (method === 'GET' && path === '/network') {
    reply(200, {
      versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${cloud.url}/network/v2.0/` }] }],
    });
    return;
  }
  if (method === 'GET' && path === '/volume/v3') {
    reply(200, { versions: [{ id: 'v3.0', status: 'CURRENT', version: '3.70', min_version: '3.0', links: [] }] });
    return;
  }

  const token = seen.headers['x-auth-token'];
  if (cloud.rejectAllTokens || typeof token !== 'string' || !tokens.has(token)) {
    reply(401, {
      error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
    });
    return;
  }

  const limit = Number(url.searchParams.get('limit') ?? '1000');
  const marker = url.searchParams.get('marker');
  const page = <T extends { id: string }>(items: T[]) => {
    const start = marker ? items.findIndex((i) => i.id === marker) + 1 : 0;
    const slice = items.slice(start, start + limit);
    const more = start + limit < items.length;
    const nextMarker = cloud.loopingLinks ? items[0]?.id : slice[slice.length - 1]?.id;
    return { slice, more: more || cloud.loopingLinks, nextMarker };
  };

  if (path === '/compute/v2.1/servers/detail' && method === 'GET') {
    const { slice, more, nextMarker } = page(cloud.servers);
    reply(200, {
      servers: slice,
      ...(more
        ? {
            servers_links: [
              {
                rel: 'next',
                href: `http://internal.example/compute/v2.1/servers/detail?limit=${limit}&marker=${nextMarker}`,
              },
            ],
          }
        : {}),
    });
    return;
  }
  const serverMatch = path.match(/^\/compute\/v2\.1\/servers\/([^/]+)$/);
  if (serverMatch && method === 'GET') {
    const s = cloud.servers.find((x) => x.id === serverMatch[1]);
    if (s) reply(200, { server: s });
    else err(404, 'itemNotFound', `Instance ${serverMatch[1]} could not be found.`);
    return;
  }
  if (path === '/compute/v2.1/servers' && method === 'POST') {
    reply(202, { server: { id: randomUUID() } });
    return;
  }
  if (path === '/image/v2/images' && method === 'GET') {
    const { slice, more, nextMarker } = page(cloud.images);
    reply(200, {
      images: slice,
      first: '/v2/images',
      schema: '/v2/schemas/images',
      ...(more ? { next: `/v2/images?limit=${limit}&marker=${nextMarker}` } : {}),
    });
    return;
  }
  if (path === '/network/v2.0/networks' && method === 'GET') {
    const { slice, more, nextMarker } = page(cloud.networks);
    reply(200, {
      networks: slice,
      ...(more
        ? {
            networks_links: [
              { rel: 'next', href: `${cloud.url}/network/v2.0/networks?limit=${limit}&marker=${nextMarker}` },
            ],
          }
        : {}),
    });
    return;
  }
  if (path === '/network/v2.0/networks/missing' && method === 'GET') {
    reply(404, {
      NeutronError: {
        type: 'NetworkNotFound',
        message: `Network missing could not be found.${cloud.errorEcho ?? ''}`,
        detail: '',
      },
    });
    return;
  }
  if (path === `/volume/v3/${PROJECT.id}/volumes` && method === 'GET') {
    const mv = seen.headers['openstack-api-version'];
    if (typeof mv === 'string' && !mv.startsWith('volume')) {
      err(400, 'badRequest', `Invalid OpenStack-API-Version header: ${mv}`);
      return;
    }
    reply(200, { volumes: [] });
    return;
  }
  if (path === `/volume/v3/${PROJECT.id}/volumes` && method === 'POST') {
    err(413, 'overLimit', 'VolumeSizeExceedsAvailableQuota: Requested volume exceeds allowed gigabytes quota');
    return;
  }
  err(404, 'itemNotFound', `no route for ${method} ${path}`);
}
