// Keystone mode against the simulator's Keystone over HTTP: the node validates callers' tokens with its own
// service account (user oaktree-service, role service).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchangeCredentialsForToken, KeystoneValidator } from '../../../src/auth/keystone.ts';
import { loadCloudsConfig, type CloudConfig } from '../../../src/config/clouds/index.ts';
import { startSimulator, type SimCloudInfo, type Simulator } from '../../../src/simulator/index.ts';

let sim: Simulator;
let info: SimCloudInfo;
let dir: string;
const validators: KeystoneValidator[] = [];
const FAST = { retry: { baseDelayMs: 10, maxDelayMs: 20, maxRetries: 0 } };

async function cloud(name: string, auth: string, authType = 'password'): Promise<CloudConfig> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `clouds:\n  ${name}:\n    auth_type: ${authType}\n    region_name: RegionOne\n    auth:\n      auth_url: ${info.authUrl}\n${auth}`,
  );
  return (await loadCloudsConfig({ env: {}, file, cwd: dir, homeDir: dir, systemDirs: [] })).clouds[0];
}
const serviceAuth = () =>
  `      username: ${info.serviceUser.username}\n      password: ${info.serviceUser.password}\n      project_name: ${info.serviceUser.project.name}\n      user_domain_name: Default\n      project_domain_name: Default\n`;

function validator(config: CloudConfig, now?: () => number): KeystoneValidator {
  const v = new KeystoneValidator({ cloud: config, revalidateSeconds: 60, now, session: FAST as any });
  validators.push(v);
  return v;
}

async function userToken(username: string, password: string, project: string): Promise<string> {
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
  assert.equal(res.status, 201);
  return res.headers.get('x-subject-token')!;
}

const unauthenticated = (pattern: RegExp) => (err: any) => err.code === 16 && pattern.test(err.details);

before(async () => {
  sim = await startSimulator({ clouds: [{ name: 'identity', regions: ['RegionOne'] }] });
  info = sim.clouds[0];
  dir = await mkdtemp(join(tmpdir(), 'oaktree-auth-keystone-'));
});
after(async () => {
  for (const v of validators) v.close();
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Keystone token validation', () => {
  it('takes user, project, domain and roles from a valid token, for each of two tenants', async () => {
    const v = validator(await cloud('svc', serviceAuth()));
    const demo = await v.authenticate(await userToken(info.username, info.password, info.projects[0].name));
    assert.equal(demo.method, 'keystone');
    assert.equal(demo.user?.name, 'demo');
    assert.equal(demo.user?.domainId, 'default');
    assert.deepEqual(
      [demo.project?.id, demo.project?.name, demo.project?.domainName],
      [info.projects[0].id, info.projects[0].name, 'Default'],
    );
    assert.deepEqual(demo.roles, ['member', 'reader']);
    assert.equal(demo.subject, `keystone user demo (project ${info.projects[0].name})`);

    const second = await v.authenticate(
      await userToken(info.secondUser.username, info.secondUser.password, info.secondUser.project.name),
    );
    assert.deepEqual([second.user?.name, second.project?.id], ['demo2', info.secondUser.project.id]);
    assert.notEqual(second.project?.id, demo.project?.id);
    // demo2 is not a member of demo's project
    const res = await fetch(`${info.authUrl}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'demo2', domain: { name: 'Default' }, password: info.secondUser.password } },
          },
          scope: { project: { id: info.projects[0].id } },
        },
      }),
    });
    assert.equal(res.status, 401);
  });

  it('caches a validation until the revalidation interval, then notices a revoked token', async () => {
    let now = Date.now();
    const v = validator(await cloud('svc2', serviceAuth()), () => now);
    const token = await userToken(info.username, info.password, info.projects[0].name);
    await v.authenticate(token);
    await Promise.all([v.authenticate(token), v.authenticate(token)]);
    assert.equal(v.validations, 1);
    const admin = await userToken(info.adminUsername, info.adminPassword, 'admin');
    const revoke = await fetch(`${info.authUrl}/v3/auth/tokens`, {
      method: 'DELETE',
      headers: { 'x-auth-token': admin, 'x-subject-token': token },
    });
    assert.equal(revoke.status, 204);
    await v.authenticate(token); // still cached: at most revalidate_seconds of grace
    now += 60_000;
    await assert.rejects(v.authenticate(token), unauthenticated(/^the Keystone token is invalid, expired or revoked$/));
    assert.equal(v.validations, 2);
  });

  it('an expired token fails without asking Keystone again', async () => {
    let now = Date.now();
    const v = validator(await cloud('svc3', serviceAuth()), () => now);
    const token = await userToken(info.username, info.password, info.projects[0].name);
    await v.authenticate(token);
    now += 3700_000;
    await assert.rejects(v.authenticate(token), unauthenticated(/invalid, expired or revoked/));
    assert.equal(v.validations, 1);
  });

  it('tampered and unknown tokens are UNAUTHENTICATED, and the message never echoes them', async () => {
    const v = validator(await cloud('svc4', serviceAuth()));
    const token = await userToken(info.username, info.password, info.projects[0].name);
    const tampered = token.slice(0, -2) + (token.endsWith('ff') ? '00' : 'ff');
    for (const bad of [tampered, 'not-a-token-at-all']) {
      await assert.rejects(
        v.authenticate(bad),
        (err: any) => unauthenticated(/invalid, expired or revoked/)(err) && !err.details.includes(bad),
      );
    }
  });

  it('a node account without admin or service role, and an unreachable identity cloud, are UNAVAILABLE', async () => {
    const member = validator(
      await cloud(
        'member',
        `      username: demo2\n      password: ${info.secondUser.password}\n      project_name: ${info.secondUser.project.name}\n      user_domain_name: Default\n      project_domain_name: Default\n`,
      ),
    );
    const token = await userToken(info.username, info.password, info.projects[0].name);
    await assert.rejects(
      member.authenticate(token),
      (err: any) =>
        err.code === 14 && /needs the admin or service role/.test(err.details) && !err.details.includes(token),
    );

    const gone = validator(
      await cloud('gone', serviceAuth()).then((c) => ({
        ...c,
        regions: c.regions.map((r) => ({ ...r, auth: { ...r.auth, authUrl: 'http://127.0.0.1:1/v3' } })),
      })),
    );
    await assert.rejects(
      gone.authenticate(token),
      (err: any) => err.code === 14 && /identity cloud gone/.test(err.details),
    );
  });

  it("exchanges a user's application credential for a token (the CLI helper)", async () => {
    const cred = info.applicationCredential;
    const config = await cloud(
      'mine',
      `      application_credential_id: ${cred.id}\n      application_credential_secret: '${cred.secret}'\n`,
      'v3applicationcredential',
    );
    const got = await exchangeCredentialsForToken(config);
    assert.equal(got.project?.id, info.projects[0].id);
    const id = await validator(await cloud('svc5', serviceAuth())).authenticate(got.token.reveal());
    assert.equal(id.user?.name, 'demo');
    const wrong = {
      ...config,
      regions: config.regions.map((r) => ({
        ...r,
        auth: { ...r.auth, applicationCredentialSecret: { reveal: () => 'wrong-secret' } as any },
      })),
    };
    await assert.rejects(
      exchangeCredentialsForToken(wrong),
      (err: Error) =>
        /HTTP 401/.test(err.message) && !err.message.includes('wrong-secret') && !err.message.includes(cred.secret),
    );
  });
});
