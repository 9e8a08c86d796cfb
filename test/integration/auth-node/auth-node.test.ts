// Nodes with auth over real TLS sockets: a node with a policy in front of simulated clouds, callers with static
// tokens and Keystone tokens, an edge → owner mTLS chain that forwards the caller, and a forged peer. Everything
// the nodes log is kept and searched for every token and secret the run used.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { ChannelCredentials, createChannel, createClient, Metadata, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { pino } from 'pino';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { createPeerBackend, type PeerBackend } from '../../../src/backends/peer/peer-backend.ts';
import { createStaticToken } from '../../../src/auth/static-tokens.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { ROUTING_HEADER } from '../../../src/core/call-context.ts';
import { encodeRoutingHeader } from '../../../src/core/routing-header.ts';
import { ComputeServiceDefinition } from '../../../src/gen/oaktree/v1/compute.ts';
import { LocationServiceDefinition, type LocationSelector } from '../../../src/gen/oaktree/v1/location.ts';
import { MeshServiceDefinition } from '../../../src/gen/oaktree/mesh/v1/mesh.ts';
import { VolumeServiceDefinition } from '../../../src/gen/oaktree/v1/volume.ts';
import { buildNodeAuth } from '../../../src/node/auth.ts';
import { parseNodeConfig, type NodeConfig } from '../../../src/node/config.ts';
import { createPki, type IssuedCert, type Pki } from '../../../src/node/pki.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { startSimulator, type SimCloudInfo, type Simulator } from '../../../src/simulator/index.ts';

const TIMEOUT = { timeout: 60_000 };
const logLines: string[] = [];
const secrets: string[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  }),
);
const tokens = {
  alpha: createStaticToken('alpha-reader'), // reads sim-alpha on the owner; the edge grants it everything
  beta: createStaticToken('beta-writer'), // reads and writes sim-beta
  all: createStaticToken('operator'), // reads everything
};

let sim: Simulator;
let identity: SimCloudInfo;
let pki: Pki;
let dir: string;
let owner: RunningNode;
let edge: RunningNode;
let peer: PeerBackend;
const certs: Record<'owner' | 'edge' | 'forged', IssuedCert> = {} as never;

async function nodeConfig(name: string, policy: string, extra = ''): Promise<NodeConfig> {
  await writeFile(join(dir, `${name}-policy.yaml`), policy);
  const text = `listen: 127.0.0.1:0
clouds: {file: ${join(dir, 'identity.yaml')}}
tls: {cert: ${certs[name as 'owner'].cert}, key: ${certs[name as 'owner'].key}, client_ca: ${pki.caCert}}
auth:
  keystone: {cloud: identity}
  static_tokens: {file: ${join(dir, 'tokens.yaml')}}
  policy: ${join(dir, `${name}-policy.yaml`)}
${extra}`;
  return parseNodeConfig(text, `${name}.yaml`);
}

function channel(address: string, client?: IssuedCert) {
  const credentials = ChannelCredentials.createSsl(
    readFileSync(pki.caCert),
    client ? readFileSync(client.key) : null,
    client ? readFileSync(client.cert) : null,
  );
  return createChannel(address, credentials, { 'grpc.ssl_target_name_override': 'localhost' });
}

/** One caller of one node: a token (or none) and optionally a client certificate or raw metadata. */
function caller(
  address: string,
  token?: string,
  opts: { cert?: IssuedCert; metadata?: Record<string, string | Buffer> } = {},
) {
  const ch = channel(address, opts.cert);
  const metadata = Metadata(token ? { authorization: `Bearer ${token}` } : {});
  for (const [key, value] of Object.entries(opts.metadata ?? {})) metadata.set(key, value as never);
  const options = { metadata, signal: AbortSignal.timeout(20_000) };
  const where = (l: { cloud?: string; region?: string } | undefined) => `${l?.cloud}/${l?.region}`;
  return {
    async locations(selector?: LocationSelector) {
      const out: string[] = [];
      for await (const r of createClient(LocationServiceDefinition, ch).listLocations({ location: selector }, options))
        if (r.item?.$case === 'location') out.push(where(r.item.value));
      return out.sort();
    },
    async routes() {
      const out: string[] = [];
      for await (const r of createClient(MeshServiceDefinition, ch).listRoutes({}, options))
        if (r.item?.$case === 'route') out.push(where(r.item.value.location));
      return out.sort();
    },
    async servers() {
      const out = new Set<string>();
      for await (const r of createClient(ComputeServiceDefinition, ch).listServers({}, options)) {
        assert.notEqual(r.item?.$case, 'error', JSON.stringify(r.item));
        if (r.item?.$case === 'server') out.add(where(r.item.value.location));
      }
      return [...out].sort();
    },
    /** The locations a watch reports until each has sent its snapshot. */
    async watched(expected: number) {
      const seen = new Set<string>();
      const done = new Set<string>();
      const abort = new AbortController();
      try {
        for await (const r of createClient(ComputeServiceDefinition, ch).watchServers(
          {},
          { metadata, signal: abort.signal },
        )) {
          if (r.item?.$case === 'event') seen.add(where(r.item.value.server?.location));
          if (r.item?.$case === 'checkpoint' && r.item.value.initialStateComplete)
            done.add(where(r.item.value.location));
          if (done.size === expected) break;
        }
      } finally {
        abort.abort();
      }
      return { seen: [...seen].sort(), done: [...done].sort() };
    },
    createVolume: (cloud: string, requestId = '') =>
      createClient(VolumeServiceDefinition, ch).createVolume(
        { location: { cloud, region: 'RegionOne' } as LocationSelector, name: 'audited', sizeGb: 1, requestId },
        options,
      ),
    health: () => createClient(HealthDefinition, ch).check({ service: '' }, { signal: AbortSignal.timeout(20_000) }),
    close: () => ch.close(),
  };
}

const rejectsWith = (code: Status, pattern: RegExp) => (err: any) => {
  assert.equal(Status[err.code], Status[code], err.details);
  assert.match(err.details, pattern);
  return true;
};

async function keystoneToken(username: string, password: string, project: string): Promise<string> {
  const res = await fetch(`${identity.authUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: username, domain: { name: 'Default' }, password } },
        },
        scope: { project: { name: project, domain: { name: 'Default' } } },
      },
    }),
  });
  assert.equal(res.status, 201);
  const token = res.headers.get('x-subject-token')!;
  secrets.push(token);
  return token;
}

before(async () => {
  sim = await startSimulator({
    clouds: [
      { name: 'sim-alpha', regions: ['RegionOne', 'RegionTwo'], seedServers: 1 },
      { name: 'sim-beta', regions: ['RegionOne'], seedServers: 1 },
    ],
  });
  identity = sim.clouds[0];
  secrets.push(
    ...Object.values(tokens).map((t) => t.token),
    identity.password,
    identity.serviceUser.password,
    identity.secondUser.password,
    identity.adminPassword,
  );
  dir = await mkdtemp(join(tmpdir(), 'oaktree-auth-node-'));
  pki = await createPki();
  certs.owner = await pki.issue('owner', {
    cn: 'owner',
    dns: ['localhost'],
    ips: ['127.0.0.1'],
    uris: ['spiffe://oaktree/owner'],
  });
  certs.edge = await pki.issue('edge', {
    cn: 'edge',
    dns: ['localhost'],
    ips: ['127.0.0.1'],
    uris: ['spiffe://oaktree/edge'],
  });
  certs.forged = await pki.issue('forged', { cn: 'forged', uris: ['spiffe://oaktree/forged'], usage: 'client' });
  await writeFile(
    join(dir, 'tokens.yaml'),
    `tokens:\n${Object.values(tokens)
      .map((t) => t.line)
      .join('\n')}\n`,
  );
  const s = identity.serviceUser;
  await writeFile(
    join(dir, 'identity.yaml'),
    `clouds:\n  identity:\n    region_name: RegionOne\n    auth:\n      auth_url: ${identity.authUrl}\n      username: ${s.username}\n      password: ${s.password}\n      project_name: ${s.project.name}\n      user_domain_name: Default\n      project_domain_name: Default\n`,
  );
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  const backends = clouds
    .filter((c) => c.name.startsWith('sim-'))
    .map((cloud) => createOpenStackBackend(cloud, { logger }));

  const ownerConfig = await nodeConfig(
    'owner',
    `grants:
  - who: {token: alpha-reader}
    locations: [{cloud: sim-alpha}]
    actions: [read]
  - who: {token: beta-writer}
    locations: [{cloud: sim-beta}]
    actions: [read, write]
  - who: {token: operator}
    locations: []
    actions: [read]
  - who: {project: ${identity.projects[0].name}}
    locations: [{cloud: sim-alpha}]
    actions: [read]
  - who: {project: ${identity.secondUser.project.name}}
    locations: [{cloud: sim-beta}]
    actions: [read]
  - who: {certificate: spiffe://oaktree/edge}     # what the owner advertises to the edge
    locations: [{cloud: sim-alpha, region: RegionOne}, {cloud: sim-beta}]
    actions: [read]
`,
    '  peers: [spiffe://oaktree/edge]\n',
  );
  owner = await startNode({
    nodeId: 'owner',
    listen: '127.0.0.1:0',
    backends,
    logger,
    tls: ownerConfig.tls,
    auth: await buildNodeAuth(ownerConfig as never),
  });

  // The edge grants every token everything: the owner's policy must still hold for what lives there.
  const edgeConfig = await nodeConfig(
    'edge',
    `grants:\n  - who: {method: static-token}\n    locations: []\n    actions: [read, write]\n`,
  );
  edge = await startNode({
    nodeId: 'edge',
    listen: '127.0.0.1:0',
    backends: [],
    logger,
    tls: edgeConfig.tls,
    auth: await buildNodeAuth(edgeConfig as never),
  });
  peer = createPeerBackend({
    address: owner.address,
    nodeId: 'edge',
    logger,
    credentials: grpc.credentials.createSsl(
      readFileSync(pki.caCert),
      readFileSync(certs.edge.key),
      readFileSync(certs.edge.cert),
    ),
    channelOptions: { 'grpc.ssl_target_name_override': 'localhost' },
  });
  await edge.addBackend(peer);
  await peer.refresh();
});

after(async () => {
  await edge?.close(100);
  await owner?.close(100);
  await sim?.close();
  await pki?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a node with auth and a policy, over TLS', () => {
  it('two static-token callers see different locations, servers, watches and routes', TIMEOUT, async () => {
    const alpha = caller(owner.address, tokens.alpha.token);
    const beta = caller(owner.address, tokens.beta.token);
    assert.deepEqual(await alpha.locations(), ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo']);
    assert.deepEqual(await beta.locations(), ['sim-beta/RegionOne']);
    assert.deepEqual(await alpha.servers(), ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo']);
    assert.deepEqual(await beta.servers(), ['sim-beta/RegionOne']);
    assert.deepEqual(await alpha.routes(), ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo']);
    assert.deepEqual(await beta.routes(), ['sim-beta/RegionOne']);
    assert.deepEqual(await beta.watched(1), { seen: ['sim-beta/RegionOne'], done: ['sim-beta/RegionOne'] });
    assert.deepEqual((await alpha.watched(2)).done, ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo']);
    // NOT_FOUND names only what the caller may see.
    await assert.rejects(alpha.locations({ cloud: 'sim-beta' } as LocationSelector), (err: any) => {
      assert.equal(err.code, Status.NOT_FOUND);
      assert.doesNotMatch(err.details, /sim-beta\/RegionOne/);
      return true;
    });
    alpha.close();
    beta.close();
  });

  it(
    'a write outside the grants is PERMISSION_DENIED, the same for an existing and a non-existing location',
    TIMEOUT,
    async () => {
      const alpha = caller(owner.address, tokens.alpha.token);
      const errors: any[] = [];
      for (const cloud of ['sim-beta', 'sim-nowhere', 'sim-alpha']) {
        await assert.rejects(alpha.createVolume(cloud), (err: any) => (errors.push(err), true));
      }
      for (const err of errors) assert.equal(err.code, Status.PERMISSION_DENIED, err.details);
      const [existing, missing] = errors.map((e) => e.details.replace(/cloud=[\w-]+/, 'cloud=X'));
      assert.equal(existing, missing);
      assert.match(errors[0].details, /no location you may write matches/);
      alpha.close();
    },
  );

  it('no credentials: UNAUTHENTICATED; health answers without any', TIMEOUT, async () => {
    const anonymous = caller(owner.address);
    await assert.rejects(anonymous.locations(), rejectsWith(Status.UNAUTHENTICATED, /requires credentials/));
    assert.equal((await anonymous.health()).status, 1 /* SERVING */);
    anonymous.close();
  });

  it('Keystone users see what the policy grants their project', TIMEOUT, async () => {
    const demo = caller(
      owner.address,
      await keystoneToken(identity.username, identity.password, identity.projects[0].name),
    );
    const demo2 = caller(
      owner.address,
      await keystoneToken(identity.secondUser.username, identity.secondUser.password, identity.secondUser.project.name),
    );
    assert.deepEqual(await demo.locations(), ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo']);
    assert.deepEqual(await demo2.locations(), ['sim-beta/RegionOne']);
    demo.close();
    demo2.close();
  });

  it('audits writes with identity, location, request id and result', TIMEOUT, async () => {
    const beta = caller(owner.address, tokens.beta.token);
    const created = await beta.createVolume('sim-beta', 'req-audit-1');
    assert.equal(created.volume?.location?.cloud, 'sim-beta');
    beta.close();
    const audits = logLines.map((l) => JSON.parse(l)).filter((l) => l.audit === true && l.requestId === 'req-audit-1');
    assert.equal(audits.length, 1, 'one line per write per node');
    assert.equal(audits[0].subject, 'token beta-writer');
    assert.equal(audits[0].rpc, 'CreateVolume');
    assert.deepEqual(
      [audits[0].location.cloud, audits[0].location.region, audits[0].code],
      ['sim-beta', 'RegionOne', 'OK'],
    );
    assert.ok(audits[0].location.project, 'the resolved target, with its project');
    const denied = logLines
      .map((l) => JSON.parse(l))
      .filter((l) => l.audit === true && l.subject === 'token alpha-reader' && l.code === 'PERMISSION_DENIED');
    assert.ok(denied.length >= 3, 'denied writes are audited too');
  });
});

describe('peers are peers', () => {
  it('the owner advertises to the edge only what it grants the edge', TIMEOUT, async () => {
    const operator = caller(edge.address, tokens.all.token);
    assert.deepEqual(await operator.routes(), ['sim-alpha/RegionOne', 'sim-beta/RegionOne']);
    operator.close();
  });

  it('the forwarded caller is held to the owner policy even where the edge grants more', TIMEOUT, async () => {
    const alpha = caller(edge.address, tokens.alpha.token);
    assert.deepEqual(
      await alpha.locations(),
      ['sim-alpha/RegionOne', 'sim-beta/RegionOne'],
      'the edge itself grants everything',
    );
    const servers = [] as string[];
    for await (const r of createClient(ComputeServiceDefinition, channel(edge.address)).listServers(
      {},
      { metadata: Metadata({ authorization: `Bearer ${tokens.alpha.token}` }) },
    )) {
      servers.push(
        r.item?.$case === 'error'
          ? `error ${Status[r.item.value.code]} ${r.item.value.location?.cloud}`
          : `${r.item?.value.location?.cloud}`,
      );
    }
    // sim-beta is behind the owner, which does not grant alpha-reader anything there: the owner answers
    // NOT_FOUND for it (invisible), never its servers.
    assert.ok(servers.includes('sim-alpha'));
    assert.ok(!servers.includes('sim-beta'), servers.join());
    await assert.rejects(
      alpha.createVolume('sim-alpha'),
      rejectsWith(Status.PERMISSION_DENIED, /no location you may write/),
    );
    const owned = logLines
      .map((l) => JSON.parse(l))
      .filter((l) => l.audit === true && l.forwardedBy === 'certificate URI:spiffe://oaktree/edge');
    assert.ok(
      owned.some((a) => a.subject === 'token alpha-reader' && a.code === 'PERMISSION_DENIED'),
      'the owner audits the forwarded caller',
    );
    alpha.close();
  });

  it('routing metadata from a caller that is not a configured peer is refused', TIMEOUT, async () => {
    const header = encodeRoutingHeader(['edge'], undefined, {
      method: 'static-token',
      subject: 'token operator',
      roles: [],
      groups: [],
      tokenName: 'operator',
    } as never);
    const forged = caller(owner.address, undefined, { cert: certs.forged, metadata: { [ROUTING_HEADER]: header } });
    await assert.rejects(
      forged.locations(),
      rejectsWith(Status.PERMISSION_DENIED, /^routing metadata is accepted only from configured peers$/),
    );
    const tokenHolder = caller(owner.address, tokens.beta.token, { metadata: { [ROUTING_HEADER]: header } });
    await assert.rejects(tokenHolder.locations(), rejectsWith(Status.PERMISSION_DENIED, /only from configured peers/));
    forged.close();
    tokenHolder.close();
  });
});

it('no token or secret used in this run appears in any log line', () => {
  assert.ok(logLines.length > 20, `only ${logLines.length} log lines`);
  assert.ok(secrets.length >= 9, `only ${secrets.length} secrets to look for`);
  const everything = logLines.join('\n');
  for (const secret of secrets)
    assert.ok(!everything.includes(secret), `a secret (${secret.length} chars) leaked into the log`);
});
