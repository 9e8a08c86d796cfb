// WaitForServer end to end over gRPC: the API layer finds the server with the compute handlers' ListServers,
// then the watch handlers' WaitForServer (merged after computeHandlers, as the lead will in backend.ts) streams
// it from the shared poller. Many clients waiting cost one list call per interval, not one GET each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChannel, createClient, type Channel } from 'nice-grpc';
import { ComputeServiceDefinition, ServerStatus } from '../../../src/gen/oaktree/v1/compute.ts';
import { HandlerBackend } from '../../../src/backends/handler-backend.ts';
import { computeHandlers } from '../../../src/backends/openstack/compute/handlers.ts';
import { WatchHub } from '../../../src/backends/openstack/watch/hub.ts';
import { watchHandlers } from '../../../src/backends/openstack/watch/handlers.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimRegion, type SimRegion } from './helpers.ts';

describe('WaitForServer over gRPC with the shared poller', () => {
  let sim: SimRegion;
  let node: RunningNode;
  let channel: Channel;
  let hub: WatchHub;

  before(async () => {
    sim = await startSimRegion({ bootDelayMs: 1_000 });
    hub = new WatchHub({ poller: { fastIntervalMs: 250, lingerMs: 300 } });
    const resolve = async () => sim.ctx;
    const backend = new HandlerBackend({
      id: 'cloud:wcloud',
      locations: () => [sim.ctx.location],
      handlers: { ...computeHandlers(resolve), ...watchHandlers(resolve, { hub }) },
    });
    node = await startNode({ nodeId: 'wait-test', listen: '127.0.0.1:0', backends: [backend], logger: silentLogger() });
    channel = createChannel(node.address);
  });
  after(async () => {
    channel.close();
    await node.close(200);
    await hub.close();
    await sim.close();
  });

  test('watchHandlers can leave WaitForServer to the compute handlers (backend.ts refuses duplicates)', async () => {
    const { mergeHandlers } = await import('../../../src/backends/openstack/backend.ts');
    const resolve = async () => sim.ctx;
    const merged = mergeHandlers(['compute', computeHandlers(resolve)], ['watch', watchHandlers(resolve, { hub, waitForServer: false })]);
    assert.ok(merged.watchServers && merged.waitForServer);
  });

  test('50 clients wait for one server by name: all end at ACTIVE; polling costs one list per interval', async () => {
    const client = createClient(ComputeServiceDefinition, channel);
    await sim.createServer('awaited');
    const listBefore = sim.listCalls();
    const getBefore = sim.getCalls();
    const started = Date.now();
    const finals = await Promise.all(
      Array.from({ length: 50 }, async () => {
        let last = ServerStatus.SERVER_STATUS_UNSPECIFIED;
        for await (const msg of client.waitForServer({ location: { cloud: 'wcloud' }, nameOrId: 'awaited' })) last = msg.server!.status;
        return last;
      }),
    );
    const elapsed = Date.now() - started;
    assert.ok(finals.every((s) => s === ServerStatus.SERVER_STATUS_ACTIVE));
    // The API layer's lookup (ListServers by name, once per client) is the compute handlers' business; the
    // waiting itself adds at most one poller list call per 250 ms interval and no per-server GET.
    const lookups = 50;
    const pollerCalls = sim.listCalls() - listBefore - lookups;
    console.log(`# ${sim.listCalls() - listBefore} list calls (${lookups} name lookups), ${sim.getCalls() - getBefore} GETs, ${elapsed} ms`);
    assert.ok(pollerCalls <= Math.ceil(elapsed / 250) + 1, `${pollerCalls} poller calls in ${elapsed} ms`);
    assert.ok(sim.getCalls() - getBefore <= 50, 'no GET per client per interval');
  });
});
