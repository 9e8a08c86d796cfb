// A watch at an edge node is served by the node that owns the location: a chain still costs the cloud one poller,
// and the one resume token the edge hands out resumes through the chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { FloatingIPMode, ServerEventType, type WatchServersResponse } from '../../../src/gen/oaktree/v1/compute.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator } from '../../../src/simulator/index.ts';
import { clients } from '../../support/node.ts';
import { startMesh } from '../../support/mesh.ts';
import { StreamRecorder } from '../../support/stream-recorder.ts';

test('watches at the edge and at the owner share one poller; the edge token resumes through the chain', {
  timeout: 60_000,
}, async (t) => {
  const sim = await startSimulator({
    clouds: [{ name: 'owned', regions: ['RegionOne'], bootDelayMs: 200, seedServers: 2 }],
  });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-watch-mesh-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  const mesh = await startMesh([
    { id: 'owner', backends: [createOpenStackBackend(clouds[0], { logger: silentLogger() })] },
    { id: 'middle', peers: ['owner'] },
    { id: 'edge', peers: ['middle'] },
  ]);
  const edge = clients(mesh.address('edge'));
  const owner = clients(mesh.address('owner'));
  t.after(async () => {
    await Promise.all(recorders.map((r) => r.stop()));
    edge.close();
    owner.close();
    await mesh.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  const recorders: StreamRecorder<WatchServersResponse>[] = [];
  const watch = (api: ReturnType<typeof clients>, resumeToken = '') => {
    const recorder = new StreamRecorder((signal) =>
      api.compute.watchServers({ location: { cloud: 'owned' }, resumeToken }, { signal }),
    );
    recorders.push(recorder);
    return recorder;
  };
  const synced = (messages: readonly WatchServersResponse[]) =>
    messages.some((m) => m.item?.$case === 'checkpoint' && m.item.value.initialStateComplete);

  const watchers = [watch(edge), watch(edge), watch(owner)];
  await Promise.all(watchers.map((w) => w.until(synced, 'a watcher gets its snapshot')));
  for (const w of watchers) {
    const existing = w.messages.filter(
      (m) => m.item?.$case === 'event' && m.item.value.type === ServerEventType.SERVER_EVENT_TYPE_EXISTING,
    );
    assert.equal(existing.length, 2);
  }

  // Watch for a few seconds of quiet: the cloud sees one poller's calls, not one per watcher or per hop.
  sim.stats().reset();
  await sleep(3000); // the measurement window itself: calls per 3 s of quiet
  const lists = Object.entries(sim.stats().byRoute)
    .filter(([route]) => route.includes('GET /servers'))
    .reduce((n, [, count]) => n + (count as number), 0);
  assert.ok(lists <= 4, `${lists} server list calls in 3 s for 3 watchers through up to 2 hops`);

  // Stop an edge watcher, make a change, and resume from its last token through the chain: the change, once.
  const first = watchers[0];
  await first.stop();
  const token = first.messages.at(-1)!.resumeToken;
  assert.ok(token);
  for await (const _ of owner.compute.createServer({
    location: { cloud: 'owned' },
    name: 'late',
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
    floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
  })) {
    // accepted
  }
  const resumed = watch(edge, token);
  const lateEvents = () =>
    resumed.messages.filter((m) => m.item?.$case === 'event' && m.item.value.server?.name === 'late');
  await resumed.until(() => lateEvents().length > 0, 'the resumed watcher gets the late server');
  await sleep(1500); // a quiet window: a duplicate, if any, would arrive in it
  const types = lateEvents().map((m) => (m.item as any).value.type);
  assert.ok(types.length >= 1, 'the server made while disconnected arrives');
  assert.equal(types[0], ServerEventType.SERVER_EVENT_TYPE_ADDED);
  assert.equal(
    resumed.messages.filter(
      (m) => m.item?.$case === 'event' && m.item.value.type === ServerEventType.SERVER_EVENT_TYPE_EXISTING,
    ).length,
    0,
    'no snapshot again',
  );
  assert.equal(
    new Set(lateEvents().map((m) => JSON.stringify((m.item as any).value))).size,
    types.length,
    'no duplicate event',
  );
});
