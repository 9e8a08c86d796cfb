// Two nodes in one process are isolated: each builds its own services (cache, request locks, watch hub), so a
// write through one drops only its own cache, a lock held in one does not block the other, their pollers are
// distinct, and closing one leaves the other serving. And cache keys carry the credential: two users of the
// same cloud never share a kept answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { FloatingIPMode, WatchServersRequest } from '../../../src/gen/oaktree/v1/compute.ts';
import { buildBackends, type BuiltBackends } from '../../../src/node/backends.ts';
import type { NodeConfig } from '../../../src/node/config.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { CloudSession } from '../../../src/backends/openstack/transport/index.ts';
import { cachedReads } from '../../../src/cache/read-sharing.ts';
import { memorySharedServices } from '../../../src/cache/node-shared.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { clients, collect } from '../../support/node.ts';

type Clients = ReturnType<typeof clients>;
interface TestNode {
  built: BuiltBackends;
  node: RunningNode;
  clients: Clients;
  close(): Promise<void>;
}

const LOCATION = { cloud: 'iso' };

describe('two nodes in one process', () => {
  let sim: Simulator;
  let dir: string;
  let cloudsFile: string;
  let a: TestNode;
  let b: TestNode;

  const startTestNode = async (nodeId: string): Promise<TestNode> => {
    const config: NodeConfig = {
      listen: '127.0.0.1:0',
      clouds: { file: cloudsFile, only: ['iso'] },
      peers: [],
      logLevel: 'silent',
    };
    const logger = silentLogger();
    const built = await buildBackends(config, nodeId, logger, {
      watch: { poller: { fastIntervalMs: 200, lingerMs: 300 } },
    });
    const node = await startNode({ nodeId, listen: '127.0.0.1:0', backends: built.backends, logger });
    const c = clients(node.address);
    let closed = false;
    return {
      built,
      node,
      clients: c,
      async close() {
        if (closed) return;
        closed = true;
        c.close();
        await node.close(200);
        await built.close();
      },
    };
  };
  const serverLists = () =>
    Object.entries(sim.stats().byRoute)
      .filter(([route]) => /GET \/servers\/detail/.test(route))
      .reduce((n, [, count]) => n + (count as number), 0);
  const serverNames = async (n: TestNode) =>
    (await collect(n.clients.compute.listServers({ location: LOCATION }))).map((i) =>
      i.item?.$case === 'server' ? i.item.value.name : '',
    );

  before(async () => {
    sim = await startSimulator({ clouds: [{ name: 'iso', regions: ['RegionOne'], bootDelayMs: 100, seedServers: 1 }] });
    dir = await mkdtemp(join(tmpdir(), 'oaktree-iso-'));
    cloudsFile = join(dir, 'clouds.yaml');
    // A second entry for the same cloud: same endpoints and project, the simulator's other user.
    const yaml = parse(sim.cloudsYaml()) as { clouds: Record<string, { auth: Record<string, string> }> };
    yaml.clouds['iso-admin'] = { ...yaml.clouds.iso, auth: { ...yaml.clouds.iso.auth, username: 'admin' } };
    await writeFile(cloudsFile, stringify(yaml), 'utf8');
    a = await startTestNode('node-a');
    b = await startTestNode('node-b');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('each node has its own services', () => {
    assert.notEqual(a.built.services, b.built.services);
    assert.notEqual(a.built.services.cache, b.built.services.cache);
    assert.notEqual(a.built.services.requestLocks, b.built.services.requestLocks);
    assert.notEqual(a.built.services.watch, b.built.services.watch);
  });

  test("a write through node A drops A's kept answers but not B's", async () => {
    const before = await serverNames(a);
    assert.deepEqual(await serverNames(b), before);
    const lists = serverLists();
    await serverNames(a);
    await serverNames(b);
    assert.equal(serverLists(), lists, 'both answered from their own kept lists');
    await collect(
      a.clients.compute.createServer({
        location: LOCATION,
        name: 'made-by-a',
        image: 'cirros-0.6.2-x86_64-disk',
        flavor: 'm1.tiny',
        floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
      }),
    );
    assert.ok(!(await serverNames(b)).includes('made-by-a'), "B's kept list is untouched by A's write");
    assert.equal(serverLists(), lists, 'B did not ask the cloud');
    assert.ok((await serverNames(a)).includes('made-by-a'), "A's write dropped A's kept list");
    assert.equal(serverLists(), lists + 1);
  });

  test('a request lock held in node A does not block node B', async () => {
    const session = new CloudSession(
      (await loadCloudsConfig({ file: cloudsFile, env: {} })).clouds.find((c) => c.name === 'iso')!,
    );
    const key = `create-server:${await session.credentialKey('RegionOne')}:req-iso-1`;
    session.close();
    let release!: () => void;
    const held = a.built.services.requestLocks.lockByRequestId(
      key,
      () => new Promise<{ id: string }>((r) => (release = () => r({ id: 'held' }))),
    );
    try {
      // The same request_id through B: its own lock table, so the create runs now.
      const [accepted] = await collect(
        b.clients.compute.createServer({
          location: LOCATION,
          name: 'made-by-b',
          image: 'cirros-0.6.2-x86_64-disk',
          flavor: 'm1.tiny',
          floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
          requestId: 'req-iso-1',
        }),
      );
      assert.equal(accepted.server?.name, 'made-by-b');
    } finally {
      release();
      assert.deepEqual(await held, { id: 'held' });
    }
  });

  test('their watch hubs run distinct feeds', async () => {
    const abort = new AbortController();
    try {
      for await (const msg of a.clients.compute.watchServers(WatchServersRequest.fromPartial({ location: LOCATION }), {
        signal: abort.signal,
      })) {
        if (msg.item?.$case === 'checkpoint') break;
      }
    } finally {
      abort.abort();
    }
    const session = new CloudSession(
      (await loadCloudsConfig({ file: cloudsFile, env: {} })).clouds.find((c) => c.name === 'iso')!,
    );
    const key = await session.credentialKey('RegionOne');
    session.close();
    assert.ok(a.built.services.watch.registry.get(key), 'A polls the region for its watcher');
    assert.equal(b.built.services.watch.registry.get(key), undefined, 'B has no feed: nobody watched through it');
  });

  test('closing node A leaves node B serving', async () => {
    await a.close();
    const names = await serverNames(b);
    assert.ok(names.includes('made-by-b'));
    const abort = new AbortController();
    let checkpoint = false;
    try {
      for await (const msg of b.clients.compute.watchServers(WatchServersRequest.fromPartial({ location: LOCATION }), {
        signal: abort.signal,
      })) {
        if (msg.item?.$case === 'checkpoint') {
          checkpoint = true;
          break;
        }
      }
    } finally {
      abort.abort();
    }
    assert.ok(checkpoint, "B's watch still delivers its snapshot");
  });

  test('two users of one cloud never share a kept answer, even under one cloud name and one cache', async () => {
    const loaded = await loadCloudsConfig({ file: cloudsFile, env: {} });
    const demo = loaded.clouds.find((c) => c.name === 'iso')!;
    // The admin entry under the demo entry's name: only the user tells their keys apart.
    const admin = { ...loaded.clouds.find((c) => c.name === 'iso-admin')!, name: 'iso' };
    const shared = memorySharedServices();
    const reads = cachedReads(shared.cache);
    const sessions = [
      new CloudSession(demo, { reads }),
      new CloudSession(admin, { reads }),
      new CloudSession(demo, { reads }),
    ];
    try {
      const [demoKey, adminKey] = await Promise.all(sessions.slice(0, 2).map((s) => s.credentialKey('RegionOne')));
      assert.notEqual(demoKey, adminKey);
      const flavorList = (s: CloudSession) => s.request('compute', 'RegionOne', { method: 'GET', path: '/flavors' });
      await flavorList(sessions[0]);
      assert.equal(shared.cache.loads, 1);
      await flavorList(sessions[1]);
      assert.equal(shared.cache.loads, 2, "the admin's list is not the demo user's kept answer");
      await flavorList(sessions[2]);
      assert.equal(shared.cache.loads, 2, 'the same credential shares it');
    } finally {
      for (const s of sessions) s.close();
      await shared.close();
    }
  });
});
