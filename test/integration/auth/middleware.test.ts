// The auth middleware in a real nice-grpc server on 127.0.0.1:0, with every token mode, a policy, the audit line of
// a write, and the whole log of the run searched for every token and secret used.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createChannel, createClient, createServer, Metadata, ServerError, Status, type Server } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl } from 'nice-grpc-server-health';
import { pino } from 'pino';
import { audit } from '../../../src/auth/audit.ts';
import { Authenticator } from '../../../src/auth/authenticator.ts';
import { parseAuthSection } from '../../../src/auth/config.ts';
import { authMiddleware, type AuthCallContextExt } from '../../../src/auth/middleware.ts';
import { Policy } from '../../../src/auth/policy.ts';
import { createStaticToken } from '../../../src/auth/static-tokens.ts';
import { AuthConfigError } from '../../../src/auth/errors.ts';
import { parseYamlFile } from '../../../src/config/yaml-file.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { LocationServiceDefinition, type Location } from '../../../src/gen/oaktree/v1/location.ts';
import { VolumeServiceDefinition, type DeleteVolumeRequest } from '../../../src/gen/oaktree/v1/volume.ts';
import { startSimulator, type SimCloudInfo, type Simulator } from '../../../src/simulator/index.ts';

const LOCATIONS: Location[] = ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo', 'sim-beta/RegionOne'].map((p) => {
  const [cloud, region] = p.split('/');
  return {
    cloud,
    region,
    zone: '',
    project: { id: `${cloud}-demo`, name: 'demo', domainId: 'default', domainName: 'Default' },
  };
});

let sim: Simulator;
let info: SimCloudInfo;
let dir: string;
let server: Server;
let authenticator: Authenticator;
let address: string;
let jwtKey: CryptoKey;
const logLines: string[] = [];
const secrets: string[] = [];
const staticToken = createStaticToken('ci');

function caller(headers: Record<string, string>) {
  const channel = createChannel(address);
  const metadata = Metadata(headers);
  return {
    locations: async () => {
      const out: string[] = [];
      for await (const r of createClient(LocationServiceDefinition, channel).listLocations(
        { location: undefined, strict: false },
        { metadata },
      )) {
        if (r.item?.$case === 'location') out.push(`${r.item.value.cloud}/${r.item.value.region}`);
      }
      return out;
    },
    deleteVolume: (cloud: string, region: string) =>
      createClient(VolumeServiceDefinition, channel).deleteVolume(
        { location: { cloud, region, zone: '', project: undefined }, nameOrId: 'v1', wait: false },
        { metadata },
      ),
    health: () => createClient(HealthDefinition, channel).check({ service: '' }),
    close: () => channel.close(),
  };
}

async function keystoneToken(username: string, password: string, project: string): Promise<string> {
  const res = await fetch(`${info.authUrl}/v3/auth/tokens`, {
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
  const token = res.headers.get('x-subject-token')!;
  secrets.push(token);
  return token;
}

async function jwt(groups: string[], audience = 'oaktree'): Promise<string> {
  const token = await new SignJWT({ groups })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('svc-robot')
    .setIssuer('https://idp.test')
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(jwtKey);
  secrets.push(token);
  return token;
}

before(async () => {
  sim = await startSimulator({ clouds: [{ name: 'identity', regions: ['RegionOne'] }] });
  info = sim.clouds[0];
  secrets.push(
    info.password,
    info.adminPassword,
    info.serviceUser.password,
    info.secondUser.password,
    info.applicationCredential.secret,
    staticToken.token,
  );
  dir = await mkdtemp(join(tmpdir(), 'oaktree-auth-mw-'));
  const pair = await generateKeyPair('ES256', { extractable: true });
  jwtKey = pair.privateKey;
  await writeFile(
    join(dir, 'jwks.json'),
    JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] }),
  );
  await writeFile(join(dir, 'tokens.yaml'), `tokens:\n${staticToken.line}\n`);
  await writeFile(
    join(dir, 'clouds.yaml'),
    `clouds:\n  identity:\n    region_name: RegionOne\n    auth:\n      auth_url: ${info.authUrl}\n      username: ${info.serviceUser.username}\n      password: ${info.serviceUser.password}\n      project_name: ${info.serviceUser.project.name}\n      user_domain_name: Default\n      project_domain_name: Default\n`,
  );
  const policyText = `grants:
  - who: {user: demo}
    locations: [{cloud: sim-alpha}]
    actions: [read, write]
  - who: {user: demo2}
    locations: [{cloud: sim-beta}]
    actions: [read]
  - who: {group: robots, method: jwt}
    locations: [{cloud: sim-alpha, region: RegionTwo}]
    actions: [read]
  - who: {token: ci}
    locations: []
    actions: [read, write]
`;
  const nodeYaml = `keystone: {cloud: identity, revalidate_seconds: 60}\njwt: {jwks_file: ${join(dir, 'jwks.json')}, issuer: "https://idp.test", audience: oaktree}\nstatic_tokens: {file: ${join(dir, 'tokens.yaml')}}\npolicy: ${join(dir, 'policy.yaml')}\n`;
  const { root, fail } = parseYamlFile(nodeYaml, 'node.yaml', (message) => new AuthConfigError(message));
  const config = parseAuthSection(root, 'auth', fail);
  const clouds = (
    await loadCloudsConfig({ env: {}, file: join(dir, 'clouds.yaml'), cwd: dir, homeDir: dir, systemDirs: [] })
  ).clouds;
  authenticator = await Authenticator.create(config, clouds);
  const policy = Policy.parse(policyText, 'policy.yaml');

  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const authed = createServer().use(authMiddleware({ authenticator, policy, logger }));
  server = authed;
  const add = authed.add.bind(authed);
  add(HealthDefinition, HealthServiceImpl());
  add(LocationServiceDefinition, {
    async *listLocations(_req, ctx) {
      for (const location of ctx.auth!.authorization.filterLocations(LOCATIONS))
        yield { item: { $case: 'location', value: location } };
    },
  });
  const unimplemented = Object.fromEntries(
    Object.keys(VolumeServiceDefinition.methods).map((name) => [
      name,
      async () => {
        throw new ServerError(Status.UNIMPLEMENTED, name);
      },
    ]),
  );
  add(VolumeServiceDefinition, {
    ...unimplemented,
    // What the router will do for a write: check the grant, act, audit the result.
    async deleteVolume(req: DeleteVolumeRequest, ctx: AuthCallContextExt) {
      const { identity, authorization } = ctx.auth!;
      const location = { cloud: req.location!.cloud, region: req.location!.region, zone: '', project: undefined };
      let code = Status.OK;
      try {
        if (!authorization.canWrite(location))
          throw new ServerError(Status.PERMISSION_DENIED, `${identity.subject} may not write there (DeleteVolume)`);
        return {};
      } catch (error) {
        code = error instanceof ServerError ? error.code : Status.UNKNOWN;
        throw error;
      } finally {
        audit(logger, { identity, method: 'DeleteVolume', location, requestId: 'req-1', code });
      }
    },
  } as any);
  const port = await server.listen('127.0.0.1:0');
  address = `127.0.0.1:${port}`;
});

after(async () => {
  await server?.shutdown();
  authenticator?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

const rejectsWith = (code: Status, pattern: RegExp) => (err: any) => err.code === code && pattern.test(err.details);

/** The token with its last character changed (always to a different one: a fixed replacement is a no-op 1 time in 64). */
const tampered = (token: string) => `${token.slice(0, -1)}${token.endsWith('Q') ? 'R' : 'Q'}`;

describe('auth middleware in a real gRPC server', () => {
  it('without credentials: UNAUTHENTICATED listing what the node accepts; health checks need none', async () => {
    const c = caller({});
    await assert.rejects(
      c.locations(),
      rejectsWith(
        Status.UNAUTHENTICATED,
        /requires credentials: send a Keystone token .* a JWT .* an oaktree_ API token/,
      ),
    );
    assert.equal((await c.health()).status, 1 /* SERVING */);
    await assert.rejects(
      caller({ authorization: 'Basic Zm9vOmJhcg==' }).locations(),
      rejectsWith(Status.UNAUTHENTICATED, /Bearer <token>/),
    );
    c.close();
  });

  it('Keystone users see only their grants, as x-auth-token or Bearer; two tenants see different locations', async () => {
    const demo = await keystoneToken(info.username, info.password, info.projects[0].name);
    assert.deepEqual(await caller({ 'x-auth-token': demo }).locations(), [
      'sim-alpha/RegionOne',
      'sim-alpha/RegionTwo',
    ]);
    assert.deepEqual(await caller({ authorization: `Bearer ${demo}` }).locations(), [
      'sim-alpha/RegionOne',
      'sim-alpha/RegionTwo',
    ]);
    const demo2 = await keystoneToken(info.secondUser.username, info.secondUser.password, info.secondUser.project.name);
    assert.deepEqual(await caller({ 'x-auth-token': demo2 }).locations(), ['sim-beta/RegionOne']);
    await assert.rejects(
      caller({ 'x-auth-token': demo2 }).deleteVolume('sim-beta', 'RegionOne'),
      rejectsWith(Status.PERMISSION_DENIED, /keystone user demo2 .* may not write there \(DeleteVolume\)/),
    );
    await caller({ 'x-auth-token': demo }).deleteVolume('sim-alpha', 'RegionOne');
    await assert.rejects(
      caller({ 'x-auth-token': `${demo}x` }).locations(),
      rejectsWith(Status.UNAUTHENTICATED, /Keystone token is invalid, expired or revoked/),
    );
  });

  it('JWT and static tokens', async () => {
    assert.deepEqual(await caller({ authorization: `Bearer ${await jwt(['robots'])}` }).locations(), [
      'sim-alpha/RegionTwo',
    ]);
    assert.deepEqual(
      await caller({ authorization: `Bearer ${await jwt(['humans'])}` }).locations(),
      [],
      'authenticated but ungranted: sees nothing',
    );
    await assert.rejects(
      caller({ authorization: `Bearer ${await jwt(['robots'], 'other')}` }).locations(),
      rejectsWith(Status.UNAUTHENTICATED, /wrong audience/),
    );
    assert.equal((await caller({ authorization: `Bearer ${staticToken.token}` }).locations()).length, 3);
    await assert.rejects(
      caller({ authorization: `Bearer ${tampered(staticToken.token)}` }).locations(),
      rejectsWith(Status.UNAUTHENTICATED, /static API token is not known/),
    );
  });

  it('audits each write once, with identity, location, request id and result', () => {
    const audits = logLines.map((l) => JSON.parse(l)).filter((l) => l.audit === true);
    assert.deepEqual(
      audits.map((a) => [a.subject, a.rpc, a.location.cloud, a.requestId, a.code]),
      [
        [
          `keystone user demo2 (project ${info.secondUser.project.name})`,
          'DeleteVolume',
          'sim-beta',
          'req-1',
          'PERMISSION_DENIED',
        ],
        [`keystone user demo (project ${info.projects[0].name})`, 'DeleteVolume', 'sim-alpha', 'req-1', 'OK'],
      ],
    );
  });

  it('logs failed authentications at most once per source per 10 s', async () => {
    const before = logLines.filter((l) => l.includes('authentication failed')).length;
    const c = caller({ authorization: 'Bearer oaktree_wrong' });
    for (let i = 0; i < 5; i++) await assert.rejects(c.locations());
    const after = logLines.filter((l) => l.includes('authentication failed')).length;
    assert.equal(after, before, 'this source already has a line in the last 10 s');
    assert.ok(before >= 1);
    assert.equal(JSON.parse(logLines.find((l) => l.includes('authentication failed'))!).source, '127.0.0.1');
  });

  it('no token or secret used in this run appears in the log', () => {
    assert.ok(secrets.length >= 10 && logLines.length > 0);
    const everything = logLines.join('\n');
    for (const secret of secrets)
      assert.ok(!everything.includes(secret), `a secret (${secret.length} chars) leaked into the log`);
  });
});
