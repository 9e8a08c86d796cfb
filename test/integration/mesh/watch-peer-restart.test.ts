// Issue 22, defect 4: a watch through a gateway survives the restart of the peer that owns its locations. The
// owner restarts on the same address (its simulated cloud keeps its state); a server made afterwards reaches the
// edge's watcher once, whether every watched location is behind the peer or some are the edge's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { createPeerBackend } from '../../../src/backends/peer/peer-backend.ts';
import { connect } from '../../../src/client/index.ts';
import type { WatchEvent } from '../../../src/client/watch.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { startNodeServices, type NodeServices } from '../../../src/node/services.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator } from '../../../src/simulator/index.ts';
import { eventually } from '../../support/wait.ts';

/** Collects a watch's events as they come; `until` waits for a condition on them. */
function record(events: AsyncIterable<WatchEvent>) {
  const seen: WatchEvent[] = [];
  let ended: string | undefined;
  const done = (async () => {
    try {
      for await (const event of events) seen.push(event);
      ended = 'ended';
    } catch (error) {
      ended = (error as Error).message;
    }
  })();
  return { seen, done, ended: () => ended };
}

const named = (name: string) => (e: WatchEvent) => 'server' in e && e.server.name === name;
/** What the watcher learned about a server since its last restart: one appearance, never two. */
function appearances(seen: readonly WatchEvent[], name: string): number {
  const since = seen.findLastIndex((e) => e.type === 'restarted') + 1;
  return seen.slice(since).filter((e) => named(name)(e) && (e.type === 'added' || e.type === 'existing')).length;
}

test('a watch through the edge resumes when the owner node restarts: nothing missed, nothing repeated', {
  timeout: 60_000,
}, async (t) => {
  const sim = await startSimulator({
    clouds: [
      { name: 'owned', regions: ['RegionOne'], bootDelayMs: 100, seedServers: 1 },
      { name: 'mine', regions: ['RegionOne'], bootDelayMs: 100, seedServers: 1 },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-peer-restart-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  const cloud = (name: string) => clouds.find((c) => c.name === name)!;
  const fast = { watch: { poller: { fastIntervalMs: 100, slowIntervalMs: 300 }, checkpointIntervalMs: 300 } };
  const services: NodeServices[] = [];
  const backendFor = async (name: string) => {
    services.push(await startNodeServices(fast));
    return createOpenStackBackend(cloud(name), { logger: silentLogger(), services: services.at(-1) });
  };
  const startOwner = async (listen: string) =>
    startNode({ nodeId: 'owner', listen, backends: [await backendFor('owned')], logger: silentLogger() });

  let owner: RunningNode = await startOwner('127.0.0.1:0');
  const peer = createPeerBackend({ address: owner.address, nodeId: 'edge', logger: silentLogger(), refreshMs: 200 });
  const edge = await startNode({
    nodeId: 'edge',
    listen: '127.0.0.1:0',
    backends: [await backendFor('mine'), peer],
    logger: silentLogger(),
  });
  const client = connect(edge.address);
  const ownerClient = () => connect(owner.address);
  const stop = new AbortController();
  t.after(async () => {
    stop.abort();
    client.close();
    await edge.close(100);
    await owner.close(100);
    await Promise.all(services.map((s) => s.close()));
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  const behindPeer = record(client.watchServers({ cloud: 'owned' }, { signal: stop.signal }));
  const mixed = record(client.watchServers({}, { signal: stop.signal }));
  const syncedFor = (w: ReturnType<typeof record>, clouds: string[]) => () =>
    clouds.every((c) => w.seen.some((e) => e.type === 'synced' && e.initialStateComplete && e.location.cloud === c));
  await eventually(
    () => syncedFor(behindPeer, ['owned'])() && syncedFor(mixed, ['owned', 'mine'])(),
    'both watchers have their snapshots',
    { timeoutMs: 15_000 },
  );

  // Restart the owner on the same address; the simulator keeps its servers.
  const address = owner.address;
  await owner.close(100);
  owner = await startOwner(address);

  const made = ownerClient();
  await made.createServer({
    location: { cloud: 'owned' },
    name: 'after-restart',
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
  });
  made.close();
  for (const w of [behindPeer, mixed]) {
    await eventually(
      () => w.seen.some(named('after-restart')) || w.ended() !== undefined,
      'the server made after the restart arrives',
      { timeoutMs: 20_000 },
    );
    assert.equal(w.ended(), undefined, 'the watch is still open');
    // Wait for the owner's location to be in sync after the server arrived: a repeat would have come before it.
    const at = w.seen.findIndex(named('after-restart'));
    await eventually(
      () => w.seen.slice(at).some((e) => e.type === 'synced' && e.location.cloud === 'owned'),
      'a checkpoint after the new server',
    );
    assert.equal(appearances(w.seen, 'after-restart'), 1, 'the new server appears once');
  }
  // The edge's own location still delivers on the mixed watch.
  const mine = connect(edge.address);
  await mine.createServer({
    location: { cloud: 'mine' },
    name: 'local-after',
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
  });
  mine.close();
  await eventually(() => mixed.seen.some(named('local-after')), "the edge's own new server arrives");
  const at = mixed.seen.findIndex(named('local-after'));
  await eventually(
    () => mixed.seen.slice(at).some((e) => e.type === 'synced' && e.location.cloud === 'mine'),
    'a checkpoint after it',
  );
  assert.equal(appearances(mixed.seen, 'local-after'), 1);
});
