// Fidelity: Debian's openstackclient and openstacksdk (written by others) drive the simulator unchanged.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';

const run = promisify(execFile);
const OPENSTACK = '/usr/bin/openstack';
const PYTHON = '/usr/bin/python3';
const skipRequested = process.env.OAKTREE_SKIP_OPENSTACK_CLIENT_TESTS === '1';
const missing = [OPENSTACK, PYTHON].filter((p) => !existsSync(p));
const missingMessage =
  'needs Debian packages: apt-get install -y --no-install-recommends python3-openstacksdk python3-openstackclient';
const skip = skipRequested
  ? `OAKTREE_SKIP_OPENSTACK_CLIENT_TESTS=1 (${missingMessage})`
  : skipUnlessInstalled([OPENSTACK, PYTHON], missingMessage);

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;

async function os(...args: string[]): Promise<string> {
  const { stdout } = await run(OPENSTACK, args, { env, timeout: 60_000, maxBuffer: 1 << 24 });
  return stdout.trim();
}

before(async () => {
  if (skip) return;
  if (missing.length)
    throw new Error(`${missing.join(', ')} missing: ${missingMessage} (or set OAKTREE_SKIP_OPENSTACK_CLIENT_TESTS=1)`);
  sim = await startSimulator({ clouds: [{ name: 'fid', bootDelayMs: 300 }] });
  dir = await mkdtemp(join(tmpdir(), 'sim-clients-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  env = { ...process.env, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'), OS_CLOUD: 'fid', HOME: dir };
});
after(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('openstack CLI: flavors, keypairs, server lifecycle, image up/download, floating IP, volume', {
  skip,
}, async () => {
  assert.match(await os('flavor', 'list', '-f', 'value', '-c', 'Name'), /m1\.tiny/);
  await os('keypair', 'create', 'k1');
  assert.match(await os('keypair', 'list', '-f', 'value', '-c', 'Name'), /^k1$/m);
  const created = JSON.parse(
    await os(
      'server',
      'create',
      '--wait',
      '--image',
      'cirros-0.6.2-x86_64-disk',
      '--flavor',
      'm1.tiny',
      '--network',
      'private',
      '--key-name',
      'k1',
      'vm1',
      '-f',
      'json',
    ),
  );
  assert.equal(created.status, 'ACTIVE');
  assert.equal(JSON.parse(await os('server', 'show', 'vm1', '-f', 'json')).key_name, 'k1');

  const file = join(dir, 'img.bin');
  const data = Buffer.alloc(2_000_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  await writeFile(file, data);
  await os('image', 'create', '--file', file, '--disk-format', 'qcow2', '--container-format', 'bare', 'up1');
  await os('image', 'save', '--file', join(dir, 'out.bin'), 'up1');
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  assert.equal(md5(await readFile(join(dir, 'out.bin'))), md5(data));

  const fip = await os('floating', 'ip', 'create', 'public', '-f', 'value', '-c', 'floating_ip_address');
  await os('server', 'add', 'floating', 'ip', 'vm1', fip);
  assert.ok(JSON.stringify(JSON.parse(await os('server', 'show', 'vm1', '-f', 'json')).addresses).includes(fip));
  await os('floating', 'ip', 'delete', fip);

  await os('volume', 'create', '--size', '1', 'vol1');
  for (let i = 0; i < 20 && (await os('volume', 'show', 'vol1', '-f', 'value', '-c', 'status')) !== 'available'; i++)
    await new Promise((r) => setTimeout(r, 200));
  await os('server', 'add', 'volume', 'vm1', 'vol1');
  assert.equal(await os('volume', 'show', 'vol1', '-f', 'value', '-c', 'status'), 'in-use');
  await os('server', 'remove', 'volume', 'vm1', 'vol1');
  await os('volume', 'delete', 'vol1');

  await os('server', 'delete', '--wait', 'vm1');
  assert.equal(await os('server', 'list', '-f', 'value'), '');
  await os('keypair', 'delete', 'k1');
  assert.equal(await os('keypair', 'list', '-f', 'value'), '');
});

test('python openstacksdk: connect, list, create_server(wait) and delete', { skip }, async () => {
  const script = `
import openstack
c = openstack.connect(cloud='fid')
assert any(f.name == 'm1.tiny' for f in c.compute.flavors())
img = c.image.find_image('cirros-0.6.2-x86_64-disk')
net = c.network.find_network('private')
s = c.compute.create_server(name='sdk-vm', image_id=img.id, flavor_id='1', networks=[{'uuid': net.id}])
s = c.compute.wait_for_server(s, wait=30, interval=0.2)
assert s.status == 'ACTIVE', s.status
ports = list(c.network.ports(device_id=s.id))
assert len(ports) == 1 and ports[0].status == 'ACTIVE'
c.compute.delete_server(s)
c.compute.wait_for_delete(s, wait=30, interval=0.2)
print('OK', len(list(c.image.images())), len(list(c.network.networks())))
`;
  const { stdout } = await run(PYTHON, ['-c', script], { env, timeout: 60_000 });
  assert.match(stdout, /^OK \d+ 2/m);
});
