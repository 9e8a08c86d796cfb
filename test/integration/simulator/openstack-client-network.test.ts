// Fidelity: Debian's openstackclient builds a workload's network on the simulator, the way its users script it
// against a real cloud (routers with gateways and interfaces, tags, port security, PUT on networks).
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
    : skipUnlessInstalled(
        [OPENSTACK],
        'needs Debian packages: apt-get install -y --no-install-recommends python3-openstackclient',
      );

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;

const os = async (...args: string[]) =>
  (await run(OPENSTACK, args, { env, timeout: 60_000, maxBuffer: 1 << 24 })).stdout.trim();
const json = async (...args: string[]) => JSON.parse(await os(...args, '-f', 'json'));

before(async () => {
  if (skip) return;
  sim = await startSimulator({ clouds: [{ name: 'fid-net', bootDelayMs: 0 }] });
  dir = await mkdtemp(join(tmpdir(), 'sim-clients-net-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  env = { ...process.env, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'), OS_CLOUD: 'fid-net', HOME: dir };
});
after(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('openstack CLI: network, subnet, router with gateway and interface, tags, port security', {
  skip,
  timeout: 120_000,
}, async () => {
  const net = await json('network', 'create', '--disable-port-security', '--tag', 'blue', 'app');
  assert.equal(net.port_security_enabled, false);
  assert.deepEqual(net.tags, ['blue']);
  await os('network', 'set', '--mtu', '1400', '--disable', 'app');
  const shown = await json('network', 'show', 'app');
  assert.deepEqual([shown.mtu, shown.admin_state_up], [1400, false]);
  const subnet = await json(
    'subnet',
    'create',
    '--network',
    'app',
    '--subnet-range',
    '10.30.0.0/24',
    '--dns-nameserver',
    '192.0.2.53',
    'app-v4',
  );
  assert.deepEqual(subnet.dns_nameservers, ['192.0.2.53']);
  const router = await json('router', 'create', 'edge');
  await os('router', 'set', '--external-gateway', 'public', 'edge');
  await os('router', 'add', 'subnet', 'edge', 'app-v4');
  const withGateway = await json('router', 'show', 'edge');
  assert.equal(withGateway.id, router.id);
  assert.ok(withGateway.external_gateway_info.network_id);
  const ports = await json('port', 'list', '--router', 'edge');
  assert.equal(ports.length, 1);
  await os('router', 'remove', 'subnet', 'edge', 'app-v4');
  await os('router', 'unset', '--external-gateway', 'edge');
  await os('router', 'delete', 'edge');
  await os('network', 'delete', 'app');
  assert.equal(await os('network', 'list', '--name', 'app', '-f', 'value'), '');
});
