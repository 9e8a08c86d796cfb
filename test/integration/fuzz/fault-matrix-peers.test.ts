// The fault matrix, peers: a peer killed mid-stream and a peer restarted under a watch, seen from the edge node
// that also serves a cloud of its own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Status } from 'nice-grpc-common';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { FloatingIPMode, ServerEventType, type WatchServersResponse } from '../../../src/gen/oaktree/v1/compute.ts';
import { startNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator } from '../../../src/simulator/index.ts';
import { startMesh } from '../../support/mesh.ts';
import { clients } from '../../support/node.ts';
import { StreamRecorder } from '../../support/stream-recorder.ts';
import { eventually } from '../../support/wait.ts';
import { clientCodes, idsOf, type Listing, listServers } from './listing.ts';

describe('fault matrix: a peer misbehaves', () => {
  const start = async () => {
    const sim = await startSimulator({
      clouds: [
        { name: 'far', regions: ['RegionOne'], bootDelayMs: 100, seedServers: 300, latencyMs: 2 },
        { name: 'near', regions: ['RegionOne'], bootDelayMs: 100, seedServers: 3 },
      ],
    });
    const dir = await mkdtemp(join(tmpdir(), 'oaktree-faults-'));
    await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
    const backend = (name: string) =>
      createOpenStackBackend(clouds.find((c) => c.name === name)!, { logger: silentLogger() });
    const mesh = await startMesh([
      { id: 'owner', backends: [backend('far')] },
      { id: 'edge', backends: [backend('near')], peers: ['owner'] },
    ]);
    const edge = clients(mesh.address('edge'));
    /** Stops the owner (if it still runs) and starts it again on the same port, as a restarted process would. */
    const restartOwner = async () => {
      await mesh.nodes.get('owner')!.close(0);
      const again = await startNode({
        nodeId: 'owner',
        listen: mesh.address('owner'),
        backends: [backend('far')],
        logger: silentLogger(),
      });
      mesh.nodes.set('owner', again);
    };
    return {
      sim,
      mesh,
      edge,
      restartOwner,
      close: async () => {
        edge.close();
        await mesh.close();
        await sim.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };

  test('the peer is killed mid-stream: its location reports in band, the local one is complete; it recovers', {
    timeout: 60_000,
  }, async () => {
    const m = await start();
    try {
      const baseline = await listServers(m.edge.compute.listServers({ fresh: true }));
      assert.equal(idsOf(baseline, 'far').length, 300);
      let killed = false;
      const during: Listing = { ids: new Map(), errors: new Map() };
      try {
        for await (const res of m.edge.compute.listServers({ fresh: true })) {
          if (res.item?.$case === 'server') {
            const cloud = res.item.value.location!.cloud;
            if (!during.ids.has(cloud)) during.ids.set(cloud, new Set());
            during.ids.get(cloud)!.add(res.item.value.id);
            if (cloud === 'far' && !killed) {
              killed = true;
              void m.mesh.nodes.get('owner')!.close(0);
            }
          } else if (res.item?.$case === 'error')
            during.errors.set(res.item.value.location!.cloud, res.item.value.code);
        }
      } catch (error) {
        during.failed = { code: (error as { code: number }).code, message: (error as Error).message };
      }
      assert.ok(killed);
      assert.equal(during.failed, undefined, `the call failed instead of reporting in band: ${during.failed?.message}`);
      assert.deepEqual(idsOf(during, 'near'), idsOf(baseline, 'near'));
      if (idsOf(during, 'far').length < 300)
        assert.ok(clientCodes([during.errors.get('far') ?? Status.OK]), 'a cut stream reports in band');
      await m.restartOwner();
      await eventually(
        async () => idsOf(await listServers(m.edge.compute.listServers({ fresh: true })), 'far').length === 300,
        'the edge reaches the restarted owner with every server',
        { timeoutMs: 20_000, everyMs: 250 },
      );
    } finally {
      await m.close();
    }
  });

  test('the peer restarts under a watch: a server created after the restart is reported', {
    timeout: 60_000,
  }, async () => {
    const m = await start();
    const watch = new StreamRecorder<WatchServersResponse>((signal) => m.edge.compute.watchServers({}, { signal }));
    try {
      // The owner's location synced, so the edge holds a resume token of the owner's when the owner restarts.
      const synced = (cloud: string) => (ms: readonly WatchServersResponse[]) =>
        ms.some(
          (x) =>
            x.item?.$case === 'checkpoint' &&
            x.item.value.initialStateComplete &&
            x.item.value.location?.cloud === cloud,
        );
      await watch.until(synced('far'), 'the watch syncs the owner', 20_000);
      await m.restartOwner();
      const owner = clients(m.mesh.address('owner'));
      try {
        for await (const _ of owner.compute.createServer({
          location: { cloud: 'far' },
          name: 'after-restart',
          image: 'cirros-0.6.2-x86_64-disk',
          flavor: 'm1.tiny',
          floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
        })) {
          // accepted
        }
      } finally {
        owner.close();
      }
      // ADDED when the edge was already following the restarted owner; EXISTING when it arrives in the snapshot the
      // edge takes to sync the owner's locations again (the owner's change log restarted with it).
      const reported = [ServerEventType.SERVER_EVENT_TYPE_ADDED, ServerEventType.SERVER_EVENT_TYPE_EXISTING];
      await watch.until(
        (ms) =>
          ms.some(
            (x) =>
              x.item?.$case === 'event' &&
              reported.includes(x.item.value.type) &&
              x.item.value.server?.name === 'after-restart',
          ),
        'the server made after the restart arrives',
        20_000,
      );
    } finally {
      await watch.stop();
      await m.close();
    }
  });
});
