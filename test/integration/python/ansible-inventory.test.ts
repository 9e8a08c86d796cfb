// The Ansible inventory plugin (ansible/ansible_collections/oaktree/cloud) run by Debian's ansible-inventory
// against a live node serving the simulated clouds: one ListServers makes hosts, groups and host variables; a
// failing location is a warning, or fatal with fail_on_errors.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clients, ROOT } from '../../support/node.ts';
import { run, startPythonWorld, type PythonWorld, pythonSkip } from '../../support/python.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';

const skip = pythonSkip || skipUnlessInstalled(['/usr/bin/ansible-inventory'], 'sudo apt-get install -y ansible-core');
let world: PythonWorld;
let serverId = '';
before(async () => {
  if (skip) return;
  world = await startPythonWorld();
  // One server with metadata and tags, for the meta-, group and tag- groups.
  const grpc = clients(world.endpoint);
  for await (const message of grpc.compute.createServer({
    location: { cloud: 'sim-beta' },
    name: 's3-python-web',
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
    metadata: { role: 'web', groups: 'frontend,canary' },
    tags: ['blue', 'tier.web'],
    wait: true,
  })) {
    serverId = message.server?.id ?? serverId;
  }
  grpc.close();
});
after(async () => world?.close());

async function inventory(config: string) {
  const file = join(world.dir, `${Math.random().toString(36).slice(2)}.oaktree.yml`);
  await writeFile(file, `plugin: oaktree.cloud.oaktree\nendpoint: ${world.endpoint}\n${config}`);
  return run('ansible-inventory', ['-i', file, '--list'], {
    PYTHONPATH: world.sitePackages,
    ANSIBLE_COLLECTIONS_PATH: join(ROOT, 'ansible'),
    ANSIBLE_INVENTORY_ENABLED: 'oaktree.cloud.oaktree',
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    ANSIBLE_LOCAL_TEMP: join(world.dir, 'ansible-tmp'),
    ANSIBLE_NOCOLOR: '1',
  });
}

// ansible wraps its messages at 79 columns whatever the environment says, also inside words at a dash.
const failed = /oaktree:\s+PERMISSION_DENIED\s+\[sim-\s*alpha\/Region(One|Two)\]/;

const hostsOf = (list: Record<string, { hosts?: string[] }>, group: string) => (list[group]?.hosts ?? []).sort();

test('ansible-inventory --list: every server of every cloud, grouped like openstack.cloud.openstack', {
  timeout: 120_000,
  skip,
}, async () => {
  const result = await inventory('keyed_groups:\n  - key: openstack.status\n    prefix: status\n');
  assert.equal(result.code, 0, result.stderr);
  const list = JSON.parse(result.stdout);
  const all = Object.keys(list._meta.hostvars);
  assert.equal(all.length, 3 * 2 + 2 + 1, 'seed servers of 3 regions plus ours');
  assert.equal(hostsOf(list, 'sim-alpha').length, 6);
  assert.equal(hostsOf(list, 'sim-alpha_RegionTwo').length, 3);
  assert.equal(hostsOf(list, 'RegionOne').length, 6);
  assert.equal(hostsOf(list, 'sim-beta_RegionOne_nova').length, 3);
  assert.equal(hostsOf(list, 'project_demo').length, 9);
  assert.deepEqual(hostsOf(list, 'meta-role_web'), ['s3-python-web']);
  assert.deepEqual(hostsOf(list, 'frontend'), ['s3-python-web']);
  assert.deepEqual(hostsOf(list, 'canary'), ['s3-python-web']);
  assert.deepEqual(hostsOf(list, 'tag-blue'), ['s3-python-web'], 'a group per server tag');
  assert.deepEqual(hostsOf(list, 'tag-tier_web'), ['s3-python-web'], 'tags become valid group names');
  assert.deepEqual(list._meta.hostvars['s3-python-web'].openstack.tags, ['blue', 'tier.web']);
  assert.deepEqual(hostsOf(list, `instance-${serverId}`), ['s3-python-web']);
  assert.equal(hostsOf(list, 'status_ACTIVE').length, 9, 'constructed keyed_groups work on the hostvars');
  const web = list._meta.hostvars['s3-python-web'];
  assert.match(web.ansible_host, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(web.openstack.id, serverId);
  assert.deepEqual([web.oaktree_location.cloud, web.oaktree_location.region], ['sim-beta', 'RegionOne']);
  assert.ok(
    all.every((host) => host !== 'seed-0'),
    'a name several servers share is replaced by their ids',
  );
});

test('a failing location is a warning, or fatal with fail_on_errors', { timeout: 120_000, skip }, async () => {
  const fault = world.simulator.faults.add({
    kind: 'status',
    status: 403,
    fraction: 1,
    cloud: 'sim-alpha',
    service: 'compute',
  });
  try {
    const [lenient, strict, narrowed] = await Promise.all([
      inventory('fresh: true\n'),
      inventory('fresh: true\nfail_on_errors: true\n'),
      inventory('fresh: true\nonly_clouds: [sim-beta]\n'),
    ]);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(lenient.stderr, new RegExp(`\\[WARNING\\]:\\s+${failed.source}`));
    assert.equal(Object.keys(JSON.parse(lenient.stdout)._meta.hostvars).length, 3);
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, failed);
    assert.equal(narrowed.code, 0, narrowed.stderr);
    assert.doesNotMatch(narrowed.stderr, /oaktree:/, 'only_clouds asks only that cloud');
  } finally {
    world.simulator.faults.remove(fault.id);
  }
});
