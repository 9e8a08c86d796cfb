// The CLI as a Keystone user (--os-cloud / OS_CLOUD): a real node over TLS validates Keystone tokens against the
// simulator's Keystone and filters by a policy that grants by project; the CLI reads the user's own clouds.yaml,
// exchanges the entry's application credential or password for a token and sends it. Nothing it prints may carry
// a secret.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { resolveBearer } from '../../../src/cli/commands/os-cloud.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { buildNodeAuth } from '../../../src/node/auth.ts';
import { parseNodeConfig } from '../../../src/node/config.ts';
import { createPki, type Pki } from '../../../src/node/pki.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { startSimulator, type SimCloudInfo, type Simulator } from '../../../src/simulator/index.ts';
import { runCli, type CliRun } from './run-cli.ts';

const TIMEOUT = { timeout: 60_000 };
const WRONG_SECRET = 'not-the-password-4711';
const logLines: string[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
);

let sim: Simulator;
let identity: SimCloudInfo;
let pki: Pki;
let dir: string;
let node: RunningNode;
let env: Record<string, string>;
const outputs: CliRun[] = [];

/** The CLI over TLS to the node, with the user's clouds.yaml; every run is kept for the secret check. */
async function oaktree(args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const run = await runCli([...args, '--server-name', 'localhost'], { ...env, ...extraEnv });
  outputs.push(run);
  return run;
}

const locationsOf = (run: CliRun) =>
  (JSON.parse(run.stdout) as { cloud: string; region: string }[]).map((l) => `${l.cloud}/${l.region}`).sort();

before(async () => {
  sim = await startSimulator({
    clouds: [
      { name: 'sim-alpha', regions: ['RegionOne', 'RegionTwo'] },
      { name: 'sim-beta', regions: ['RegionOne'] },
    ],
  });
  identity = sim.clouds[0];
  dir = await mkdtemp(join(tmpdir(), 'oaktree-os-cloud-'));
  pki = await createPki();
  const cert = await pki.issue('node', { cn: 'node', dns: ['localhost'], ips: ['127.0.0.1'] });

  // The node: the simulated clouds behind it, the service user to validate tokens with, a policy by project.
  await sim.writeCloudsYaml(join(dir, 'backends.yaml'));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'backends.yaml'), env: {} });
  const s = identity.serviceUser;
  await writeFile(
    join(dir, 'identity.yaml'),
    `clouds:
  identity:
    region_name: RegionOne
    auth: {auth_url: ${identity.authUrl}, username: ${s.username}, password: ${s.password}, project_name: ${s.project.name}, user_domain_name: Default, project_domain_name: Default}
`,
  );
  await writeFile(
    join(dir, 'policy.yaml'),
    `grants:
  - who: {project: ${identity.projects[0].name}}
    locations: [{cloud: sim-alpha}]
    actions: [read]
  - who: {project: ${identity.secondUser.project.name}}
    locations: [{cloud: sim-beta}]
    actions: [read]
`,
  );
  const config = parseNodeConfig(
    `listen: 127.0.0.1:0
clouds: {file: ${join(dir, 'identity.yaml')}}
tls: {cert: ${cert.cert}, key: ${cert.key}}
auth:
  keystone: {cloud: identity}
  policy: ${join(dir, 'policy.yaml')}
`,
    'node.yaml',
  );
  node = await startNode({
    nodeId: 'node',
    listen: '127.0.0.1:0',
    backends: clouds.map((cloud) => createOpenStackBackend(cloud, { logger })),
    logger,
    tls: config.tls,
    auth: await buildNodeAuth(config as never),
  });

  // The user's own clouds.yaml: an application credential, a password, and a password that is wrong.
  const u2 = identity.secondUser;
  const ac = identity.applicationCredential;
  await writeFile(
    join(dir, 'clouds.yaml'),
    `clouds:
  mine:
    auth_type: v3applicationcredential
    auth: {auth_url: ${identity.authUrl}, application_credential_id: ${ac.id}, application_credential_secret: ${ac.secret}}
  mine2:
    auth: {auth_url: ${identity.authUrl}, username: ${u2.username}, password: ${u2.password}, project_name: ${u2.project.name}, user_domain_name: Default, project_domain_name: Default}
  wrong:
    auth: {auth_url: ${identity.authUrl}, username: ${identity.username}, password: ${WRONG_SECRET}, project_name: ${identity.projects[0].name}, user_domain_name: Default, project_domain_name: Default}
`,
  );
  env = { OAKTREE_ENDPOINT: node.address, OAKTREE_CA: pki.caCert, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') };
});

after(async () => {
  await node?.close(100);
  await sim?.close();
  await pki?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('oaktree --os-cloud: the CLI as a Keystone user', () => {
  it(
    'an application credential and a password each see only what the policy grants their project',
    TIMEOUT,
    async () => {
      const demo = await oaktree(['location', 'list', '--os-cloud', 'mine', '-f', 'json']);
      assert.equal(demo.code, 0, demo.stderr);
      assert.deepEqual(locationsOf(demo), ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo']);
      const demo2 = await oaktree(['location', 'list', '-f', 'json'], { OS_CLOUD: 'mine2' });
      assert.equal(demo2.code, 0, demo2.stderr);
      assert.deepEqual(locationsOf(demo2), ['sim-beta/RegionOne']);
    },
  );

  it('--token wins over OS_CLOUD; --token with --os-cloud is a usage error', TIMEOUT, async () => {
    const token = await oaktree(['location', 'list', '--token', 'not-a-keystone-token'], { OS_CLOUD: 'mine' });
    assert.equal(token.code, 1);
    assert.match(token.stderr, /^oaktree: UNAUTHENTICATED: /);
    const both = await oaktree(['location', 'list', '--token', 'x', '--os-cloud', 'mine']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --token or --os-cloud, not both/);
  });

  it(
    'a wrong secret: exit 1, UNAUTHENTICATED naming the clouds.yaml entry to fix, never the secret',
    TIMEOUT,
    async () => {
      const wrong = await oaktree(['location', 'list', '--os-cloud', 'wrong']);
      assert.equal(wrong.code, 1);
      assert.equal(wrong.stdout, '');
      assert.match(
        wrong.stderr,
        /^oaktree: UNAUTHENTICATED: Keystone refused the credentials of clouds.yaml entry "wrong" \(.*clouds\.yaml\): .*HTTP 401.*fix that entry's credentials\n$/,
      );
    },
  );

  it('a cloud that is not in clouds.yaml: exit 2, naming the file and the clouds it has', TIMEOUT, async () => {
    const missing = await oaktree(['location', 'list', '--os-cloud', 'nope']);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /--os-cloud names cloud "nope", which is not in .*clouds\.yaml \(clouds there: mine, mine2, wrong\)/,
    );
    const fromEnv = await oaktree(['location', 'list'], { OS_CLOUD: 'nope' });
    assert.equal(fromEnv.code, 2);
    assert.match(fromEnv.stderr, /OS_CLOUD names cloud "nope"/);
  });

  it('no credentials at all: the node says UNAUTHENTICATED', TIMEOUT, async () => {
    const none = await oaktree(['location', 'list']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^oaktree: UNAUTHENTICATED: /);
  });

  it('OS_CLOUD is not used on a plaintext connection (a personal node takes no token)', TIMEOUT, async () => {
    assert.equal(await resolveBearer({ tls: false, env: { OS_CLOUD: 'nope' } }), undefined);
    await assert.rejects(
      resolveBearer({ tls: true, env: { OS_CLOUD: 'nope', OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') } }),
      /OS_CLOUD names cloud "nope"/,
    );
  });

  it('no secret or token appears in anything the CLI printed or the node logged', TIMEOUT, () => {
    const secrets = [
      WRONG_SECRET,
      identity.applicationCredential.secret,
      identity.secondUser.password,
      identity.password,
      identity.serviceUser.password,
    ];
    const written = [...outputs.flatMap((r) => [r.stdout, r.stderr]), ...logLines].join('\n');
    assert.ok(outputs.length >= 8 && logLines.length > 0);
    for (const secret of secrets) assert.ok(!written.includes(secret), 'a secret was printed or logged');
  });
});
