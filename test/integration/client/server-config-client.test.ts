// The SDK's server groups, metadata, tags, ListServers filters, CreateServer extras and ListFlavors sorts, against
// a node on a simulated cloud over real gRPC.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { connect, type OaktreeError, Status, type OaktreeClient } from '../../../src/client/index.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';

const where = { cloud: 'sdk-sim', region: 'RegionOne' };
const image = 'cirros-0.6.2-x86_64-disk';

describe('oaktree/client: server groups, metadata, tags and server options', { timeout: 60_000 }, () => {
  let simulator: Simulator;
  let node: RunningNode;
  let client: OaktreeClient;
  let dir: string;

  before(async () => {
    simulator = await startSimulator({ clouds: [{ name: 'sdk-sim', bootDelayMs: 50 }] });
    dir = await mkdtemp(join(tmpdir(), 'oaktree-sdk-server-config-'));
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
    const logger = silentLogger();
    node = await startNode({
      nodeId: 'sdk-server-config',
      listen: '127.0.0.1:0',
      backends: clouds.map((cloud) => createOpenStackBackend(cloud, { logger })),
      logger,
    });
    client = connect(node.address);
  });
  after(async () => {
    client?.close();
    await node?.close(100);
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a group and a server in it with tags, description and an extra volume; filters find it', async () => {
    const group = await client.createServerGroup('web', 'anti-affinity', where, { maxServerPerHost: 3 });
    assert.equal(group.maxServerPerHost, 3);
    const server = await client.createServer({
      location: where,
      name: 'web-1',
      image,
      flavor: 'm1.tiny',
      floatingIp: 'none',
      wait: true,
      serverGroup: 'web',
      schedulerHints: { build_near: 'rack-1' },
      tags: ['front'],
      description: 'the first web server',
      blockDevices: [{ sizeGb: 2, deleteOnTermination: true }],
      nics: [{ network: 'private' }],
    });
    assert.deepEqual(server.tags, ['front']);
    assert.equal(server.description, 'the first web server');
    assert.equal(server.volumes.length, 1);
    assert.deepEqual((await client.getServerGroup('web', where)).memberIds, [server.id]);

    await client.setServerMetadata('web-1', { role: 'web' }, where);
    const tagged = await client.setServerTags('web-1', ['blue'], where);
    assert.deepEqual([...tagged.tags].sort(), ['blue', 'front']);
    const found = await client.listServers(where, { tags: ['front', 'blue'], metadata: { role: 'web' } }).toArray();
    assert.deepEqual(
      found.map((s) => s.name),
      ['web-1'],
    );
    assert.equal((await client.listServers(where, { tagsAny: ['green'] }).toArray()).length, 0);

    assert.deepEqual((await client.deleteServerTags('web-1', [], where, { all: true })).tags, []);
    // The SDK gives every create a request id, which the server keeps in its metadata.
    const left = (await client.deleteServerMetadata('web-1', ['role'], where)).metadata;
    assert.deepEqual(Object.keys(left), ['oaktree_request_id']);
    await client.deleteServer('web-1', where, { wait: true });
    await client.deleteServerGroup('web', where);
    assert.equal((await client.listServerGroups(where).toArray()).length, 0);
  });

  it('refuses a bad tag with INVALID_ARGUMENT before any call to the cloud', async () => {
    await assert.rejects(client.setServerTags('anything', ['a,b'], where), (error: OaktreeError) => {
      assert.equal(error.code, Status.INVALID_ARGUMENT);
      assert.match(error.message, /tags\[0\] is not a valid tag/);
      return true;
    });
  });

  it('sorts flavors by ram, largest first, and filters them by name', async () => {
    const flavors = await client.listFlavors(where, { sortBy: 'ram', descending: true }).toArray();
    const ram = flavors.map((f) => f.ramMb);
    assert.deepEqual(
      ram,
      [...ram].sort((a, b) => b - a),
    );
    const small = await client.listFlavors(where, { nameContains: 'SMALL' }).toArray();
    assert.ok(small.length > 0 && small.every((f) => f.name.includes('small')));
  });
});
