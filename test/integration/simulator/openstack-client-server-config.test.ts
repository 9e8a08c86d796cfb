// Fidelity: Debian's openstackclient (Zed) drives the simulator's server groups, tags, properties and create
// options unchanged, with the microversions it picks itself (--os-compute-api-version).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';

const run = promisify(execFile);
const OPENSTACK = '/usr/bin/openstack';
const skip =
  process.env.OAKTREE_SKIP_OPENSTACK_CLIENT_TESTS === '1'
    ? 'OAKTREE_SKIP_OPENSTACK_CLIENT_TESTS=1'
    : skipUnlessInstalled([OPENSTACK], 'needs Debian packages: apt-get install -y python3-openstackclient');

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;
const os = async (...args: string[]) =>
  (await run(OPENSTACK, args, { env, timeout: 60_000, maxBuffer: 1 << 24 })).stdout.trim();

before(async () => {
  if (skip) return;
  sim = await startSimulator({ clouds: [{ name: 'fid-osc', bootDelayMs: 200 }] });
  dir = await mkdtemp(join(tmpdir(), 'sim-osc-server-config-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  env = { ...process.env, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'), OS_CLOUD: 'fid-osc', HOME: dir };
});
after(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('openstack CLI: server group with a rule, a tagged server in it, properties set and unset', { skip }, async () => {
  const group = JSON.parse(
    await os(
      '--os-compute-api-version',
      '2.64',
      'server',
      'group',
      'create',
      '--policy',
      'anti-affinity',
      '--rule',
      'max_server_per_host=2',
      'spread',
      '-f',
      'json',
    ),
  );
  assert.equal(group.policy, 'anti-affinity');
  const server = JSON.parse(
    await os(
      '--os-compute-api-version',
      '2.52',
      'server',
      'create',
      '--wait',
      '--image',
      'cirros-0.6.2-x86_64-disk',
      '--flavor',
      'm1.tiny',
      '--network',
      'private',
      '--hint',
      `group=${group.id}`,
      '--tag',
      'web',
      '--property',
      'role=web',
      'tagged',
      '-f',
      'json',
    ),
  );
  assert.equal(server.status, 'ACTIVE');
  await os('--os-compute-api-version', '2.52', 'server', 'set', '--tag', 'blue', '--property', 'tier=1', 'tagged');
  const shown = JSON.parse(await os('--os-compute-api-version', '2.52', 'server', 'show', 'tagged', '-f', 'json'));
  assert.deepEqual([...shown.tags].sort(), ['blue', 'web']);
  assert.match(JSON.stringify(shown.properties), /tier/);
  const listed = await os(
    '--os-compute-api-version',
    '2.52',
    'server',
    'list',
    '--tags',
    'blue',
    '-f',
    'value',
    '-c',
    'Name',
  );
  assert.equal(listed, 'tagged');
  await os('--os-compute-api-version', '2.52', 'server', 'unset', '--tag', 'blue', '--property', 'tier', 'tagged');
  const after = JSON.parse(await os('--os-compute-api-version', '2.52', 'server', 'show', 'tagged', '-f', 'json'));
  assert.deepEqual(after.tags, ['web']);
  const members = JSON.parse(
    await os('--os-compute-api-version', '2.64', 'server', 'group', 'show', 'spread', '-f', 'json'),
  );
  assert.deepEqual(members.members, [server.id]);
  await os('server', 'delete', '--wait', 'tagged');
  await os('server', 'group', 'delete', 'spread');
  assert.equal(await os('server', 'group', 'list', '-f', 'value', '-c', 'Name'), '');
});
