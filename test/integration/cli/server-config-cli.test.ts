// oaktree server set|unset, server group create|list|show|delete, the new server create options, server list
// filters and flavor list sorts, run in-process against a node on a simulated cloud.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { runCli } from './run-cli.ts';

const at = ['--cloud', 'cli-sim', '--region', 'RegionOne'];

describe('oaktree CLI: server groups, properties, tags and server options', { timeout: 60_000 }, () => {
  let simulator: Simulator;
  let node: RunningNode;
  let dir: string;
  let env: Record<string, string>;
  const oaktree = (args: string[]) => runCli(args, env);
  const json = async (args: string[]) => {
    const run = await oaktree([...args, '-f', 'json']);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout);
  };

  before(async () => {
    simulator = await startSimulator({ clouds: [{ name: 'cli-sim', bootDelayMs: 50 }] });
    dir = await mkdtemp(join(tmpdir(), 'oaktree-cli-server-config-'));
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
    const logger = silentLogger();
    node = await startNode({
      nodeId: 'cli-server-config',
      listen: '127.0.0.1:0',
      backends: clouds.map((cloud) => createOpenStackBackend(cloud, { logger })),
      logger,
    });
    env = { OAKTREE_ENDPOINT: node.address };
  });
  after(async () => {
    await node?.close(100);
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('server group create / list / show / delete', async () => {
    const created = await json([
      'server',
      'group',
      'create',
      'spread',
      '--policy',
      'anti-affinity',
      '--max-server-per-host',
      '2',
      ...at,
    ]);
    assert.equal(created.policy, 'SERVER_GROUP_POLICY_ANTI_AFFINITY');
    assert.equal(created.maxServerPerHost, 2);
    const table = await oaktree(['server', 'group', 'list', ...at]);
    assert.match(table.stdout, /spread\s+anti-affinity\s+2\s+0/);
    assert.equal((await json(['server', 'group', 'show', 'spread', ...at])).id, created.id);
    const deleted = await oaktree(['server', 'group', 'delete', 'spread', ...at]);
    assert.match(deleted.stdout, new RegExp(`deleted spread \\(${created.id}\\) in cli-sim/RegionOne`));
    const missing = await oaktree(['server', 'group', 'show', 'spread', ...at]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_FOUND/);
  });

  it('server create with tags, description, group, hint, nic and a volume; set, list filters, unset', async () => {
    await json(['server', 'group', 'create', 'near', '--policy', 'soft-affinity', ...at]);
    const passwordFile = join(dir, 'admin-password');
    await writeFile(passwordFile, 'Never-Printed-42\n');
    const create = await oaktree([
      'server',
      'create',
      'cli-web',
      '--image',
      'cirros-0.6.2-x86_64-disk',
      '--flavor',
      'm1.tiny',
      '--nic',
      'net=private',
      '--server-group',
      'near',
      '--hint',
      'rack=r1',
      '--tag',
      'front',
      '--description',
      'from the CLI',
      '--block-device',
      'size=1,delete-on-termination',
      '--admin-password-file',
      passwordFile,
      '--floating-ip',
      'none',
      '--wait',
      '-f',
      'json',
      ...at,
    ]);
    assert.equal(create.code, 0, create.stderr);
    assert.ok(!create.stdout.includes('Never-Printed-42'));
    const server = JSON.parse(create.stdout);
    assert.deepEqual(server.tags, ['front']);
    assert.equal(server.description, 'from the CLI');
    assert.equal(server.volumes.length, 1);

    const set = await json(['server', 'set', 'cli-web', '--property', 'role=web', '--tag', 'blue', ...at]);
    assert.equal(set.metadata.role, 'web');
    assert.deepEqual([...set.tags].sort(), ['blue', 'front']);
    const listed = await json(['server', 'list', '--tag', 'blue', '--tag', 'front', '--property', 'role', ...at]);
    assert.deepEqual(
      listed.map((s: any) => s.name),
      ['cli-web'],
    );
    assert.deepEqual(await json(['server', 'list', '--any-tag', 'green', ...at]), []);
    assert.deepEqual(
      (await json(['server', 'list', '--name-regex', 'CLI-W', ...at])).map((s: any) => s.name),
      ['cli-web'],
    );
    const unset = await json(['server', 'unset', 'cli-web', '--property', 'role', '--all-tags', ...at]);
    assert.equal('role' in unset.metadata, false);
    assert.deepEqual(unset.tags ?? [], []);
    assert.equal((await oaktree(['server', 'delete', 'cli-web', '--wait', ...at])).code, 0);
    assert.equal((await oaktree(['server', 'group', 'delete', 'near', ...at])).code, 0);
  });

  it('usage mistakes exit 2; a bad tag is refused by the node with INVALID_ARGUMENT', async () => {
    const badNic = await oaktree(['server', 'create', 'x', '--image', 'i', '--flavor', 'f', '--nic', 'bogus', ...at]);
    assert.equal(badNic.code, 2);
    assert.match(badNic.stderr, /port=<id> or net=<name-or-id>/);
    const badPolicy = await oaktree(['server', 'group', 'create', 'g', '--policy', 'together', ...at]);
    assert.equal(badPolicy.code, 2);
    const nothing = await oaktree(['server', 'set', 'x', ...at]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /--property and\/or --tag/);
    const badTag = await oaktree(['server', 'set', 'x', '--tag', 'a/b', ...at]);
    assert.equal(badTag.code, 1);
    assert.match(badTag.stderr, /INVALID_ARGUMENT.*not a valid tag/);
  });

  it('flavor list sorts by ram, largest first, and filters by name', async () => {
    const sorted = await json(['flavor', 'list', '--sort', 'ram', '--descending', ...at]);
    const ram = sorted.map((f: any) => f.ramMb);
    assert.deepEqual(
      ram,
      [...ram].sort((a: number, b: number) => b - a),
    );
    const small = await json(['flavor', 'list', '--name-contains', 'SMALL', ...at]);
    assert.ok(small.length > 0 && small.every((f: any) => f.name.includes('small')));
  });
});
