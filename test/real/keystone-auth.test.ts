// Keystone mode against the real cloud (test/real/devcloud), run by `npm run test:real`: a node whose identity
// cloud is the devcloud's admin entry validates tokens of the devcloud's real Keystone. Its backends are the demo
// project (cloud "devcloud") and the admin project ("devcloud-admin"); the policy grants the demo project its own
// project and the admin role everything. The callers are the CLI with --os-cloud from the same clouds.yaml.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parse } from 'yaml';
import { createOpenStackBackend } from '../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../src/config/clouds/index.ts';
import { buildNodeAuth } from '../../src/node/auth.ts';
import { parseNodeConfig } from '../../src/node/config.ts';
import { createPki, type Pki } from '../../src/node/pki.ts';
import { startNode, type RunningNode } from '../../src/node/server.ts';
import { runCli, type CliRun } from '../integration/cli/run-cli.ts';

const TIMEOUT = { timeout: 60_000 };
const cloudsYaml = process.env.OAKTREE_REAL_CLOUDS_YAML ?? '/var/tmp/oaktree-devcloud/clouds.yaml';
const WRONG_SECRET = 'wrong-devcloud-pw-5e1';
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

let pki: Pki;
let dir: string;
let node: RunningNode;
let env: Record<string, string>;
const outputs: CliRun[] = [];

async function oaktree(args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const run = await runCli([...args, '--server-name', 'localhost', '--timeout', '30'], { ...env, ...extraEnv });
  outputs.push(run);
  return run;
}

const locationsOf = (run: CliRun) =>
  (JSON.parse(run.stdout) as { cloud: string; project?: { name?: string } }[])
    .map((l) => `${l.cloud}:${l.project?.name}`)
    .sort();

before(async () => {
  if (!existsSync(cloudsYaml))
    throw new Error(
      `${cloudsYaml} does not exist: start the real cloud first with \`sudo bash test/real/devcloud/up.sh\``,
    );
  dir = await mkdtemp(join(tmpdir(), 'oaktree-real-keystone-'));
  pki = await createPki();
  const cert = await pki.issue('node', { cn: 'node', dns: ['localhost'], ips: ['127.0.0.1'] });
  await writeFile(
    join(dir, 'policy.yaml'),
    `grants:
  - who: {project: demo, method: keystone}
    locations: [{project: demo}]
    actions: [read]
  - who: {role: admin, method: keystone}
    locations: []
    actions: [read, write]
`,
  );
  const config = parseNodeConfig(
    `listen: 127.0.0.1:0
clouds: {file: ${cloudsYaml}}
tls: {cert: ${cert.cert}, key: ${cert.key}}
auth:
  keystone: {cloud: devcloud-admin}
  policy: ${join(dir, 'policy.yaml')}
`,
    'node.yaml',
  );
  const { clouds } = await loadCloudsConfig({ file: cloudsYaml, env: {} });
  node = await startNode({
    nodeId: 'real-keystone',
    listen: '127.0.0.1:0',
    backends: clouds.map((cloud) => createOpenStackBackend(cloud, { logger })),
    logger,
    tls: config.tls,
    auth: await buildNodeAuth(config as never),
  });
  // The user's clouds.yaml: the devcloud's own, plus the demo user with a wrong password.
  const devcloud = parse(readFileSync(cloudsYaml, 'utf8')).clouds.devcloud;
  const wrong = { ...devcloud, auth: { ...devcloud.auth, password: WRONG_SECRET } };
  const userClouds = join(dir, 'clouds.yaml');
  await writeFile(
    userClouds,
    JSON.stringify({ clouds: { ...parse(readFileSync(cloudsYaml, 'utf8')).clouds, 'devcloud-wrong': wrong } }),
  );
  env = { OAKTREE_ENDPOINT: node.address, OAKTREE_CA: pki.caCert, OS_CLIENT_CONFIG_FILE: userClouds };
});

after(async () => {
  await node?.close(100);
  await pki?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Keystone mode against the real Keystone', () => {
  it('the demo user sees only its project; the admin sees every project', TIMEOUT, async () => {
    const demo = await oaktree(['location', 'list', '--os-cloud', 'devcloud', '-f', 'json']);
    assert.equal(demo.code, 0, demo.stderr);
    assert.deepEqual(locationsOf(demo), ['devcloud:demo']);
    const admin = await oaktree(['location', 'list', '-f', 'json'], { OS_CLOUD: 'devcloud-admin' });
    assert.equal(admin.code, 0, admin.stderr);
    assert.deepEqual(locationsOf(admin), ['devcloud-admin:admin', 'devcloud:demo']);
  });

  it('the demo user lists its servers but may not create a volume in the admin project', TIMEOUT, async () => {
    const servers = await oaktree(['server', 'list', '--os-cloud', 'devcloud', '-f', 'json']);
    assert.equal(servers.code, 0, servers.stderr);
    for (const server of JSON.parse(servers.stdout) as { location: { cloud: string } }[])
      assert.equal(server.location.cloud, 'devcloud');
    const create = await oaktree([
      'volume',
      'create',
      'forbidden',
      '--size',
      '1',
      '--cloud',
      'devcloud-admin',
      '--region',
      'RegionOne',
      '--os-cloud',
      'devcloud',
    ]);
    assert.equal(create.code, 1);
    assert.match(create.stderr, /^oaktree: PERMISSION_DENIED: /);
  });

  it(
    'a wrong password: Keystone refuses, the CLI says which entry to fix; a made-up token: UNAUTHENTICATED',
    TIMEOUT,
    async () => {
      const wrong = await oaktree(['location', 'list', '--os-cloud', 'devcloud-wrong']);
      assert.equal(wrong.code, 1);
      assert.match(
        wrong.stderr,
        /^oaktree: UNAUTHENTICATED: Keystone refused the credentials of clouds.yaml entry "devcloud-wrong" .*HTTP 401.*fix that entry's credentials\n$/,
      );
      const madeUp = await oaktree(['location', 'list', '--token', 'gAAAAABnot-a-real-fernet-token']);
      assert.equal(madeUp.code, 1);
      assert.match(madeUp.stderr, /^oaktree: UNAUTHENTICATED: .*invalid, expired or revoked/);
    },
  );

  it('no password appears in anything the CLI printed or the node logged', TIMEOUT, () => {
    const clouds = parse(readFileSync(cloudsYaml, 'utf8')).clouds as Record<string, { auth: { password: string } }>;
    // The devcloud's default password is "devcloud", the name of a cloud: it cannot be searched for.
    const passwords = Object.values(clouds)
      .map((c) => c.auth.password)
      .filter((p) => !Object.keys(clouds).some((name) => name.includes(p)));
    const written = [...outputs.flatMap((r) => [r.stdout, r.stderr]), ...logLines].join('\n');
    for (const secret of [...new Set(passwords), WRONG_SECRET])
      assert.ok(!written.includes(secret), 'a password was printed or logged');
  });
});
