// WaitForServer end to end over gRPC: compute's handler (the one backend.ts serves) finds the server in the
// region's shared poller view, then streams it from there. Many clients waiting cost one list call per interval,
// not one GET each; ERROR, delete, a deadline and an unknown id each end the wait with their own code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientError, createChannel, createClient, Status, type Channel } from 'nice-grpc';
import {
  ComputeServiceDefinition,
  ServerStatus,
  WaitForServerRequest,
  type WaitForServerResponse,
} from '../../../src/gen/oaktree/v1/compute.ts';
import { Methods } from '../../../src/core/methods.ts';
import { listWithDeadline } from '../../support/node.ts';
import { HandlerBackend } from '../../../src/backends/handler-backend.ts';
import { computeHandlers } from '../../../src/backends/openstack/compute/handlers.ts';
import { WatchHub } from '../../../src/backends/openstack/watch/hub.ts';
import { watchHandlers } from '../../../src/backends/openstack/watch/handlers.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { onHub, startSimRegion, type SimRegion } from './helpers.ts';

describe('WaitForServer over gRPC with the shared poller', () => {
  let sim: SimRegion;
  let node: RunningNode;
  let channel: Channel;
  let hub: WatchHub;

  before(async () => {
    sim = await startSimRegion({ bootDelayMs: 1_000 });
    hub = new WatchHub({ poller: { fastIntervalMs: 250, lingerMs: 300 } });
    const resolve = async () => onHub(sim.ctx, hub);
    const { mergeHandlers } = await import('../../../src/backends/openstack/backend.ts');
    const backend = new HandlerBackend({
      id: 'cloud:wcloud',
      locations: () => [sim.ctx.location],
      handlers: mergeHandlers(['compute', computeHandlers(resolve)], ['watch', watchHandlers(resolve)]),
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

  test("WaitForServer is compute's alone: the watch handlers serve WatchServers only", () => {
    const resolve = async () => sim.ctx;
    assert.deepEqual(Object.keys(watchHandlers(resolve)), ['watchServers']);
    assert.ok(computeHandlers(resolve).waitForServer);
  });

  const expectCode = async (stream: AsyncIterable<WaitForServerResponse>, code: Status, seen: ServerStatus[] = []) => {
    const error = await (async () => {
      try {
        for await (const msg of stream) seen.push(msg.server!.status);
      } catch (e) {
        return e;
      }
      assert.fail('the wait ended without an error');
    })();
    assert.ok(error instanceof ClientError, String(error));
    assert.equal(error.code, code, error.details);
    return error.details;
  };

  test('ERROR ends a wait with ABORTED and the fault', async () => {
    const client = createClient(ComputeServiceDefinition, channel);
    sim.sim.faults.add({ kind: 'server-error', namePattern: '^doomed', message: 'No valid host was found.' });
    const doomed = await sim.createServer('doomed-1');
    const seen: ServerStatus[] = [];
    const message = await expectCode(
      client.waitForServer({ location: { cloud: 'wcloud' }, nameOrId: doomed }),
      Status.ABORTED,
      seen,
    );
    assert.match(message, /No valid host was found/);
    assert.equal(seen.at(-1), ServerStatus.SERVER_STATUS_ERROR);
  });

  test('a server deleted while waited for ends the wait with NOT_FOUND', async () => {
    const client = createClient(ComputeServiceDefinition, channel);
    const victim = await sim.createServer('victim');
    const stream = client.waitForServer({
      location: { cloud: 'wcloud' },
      nameOrId: victim,
      until: [ServerStatus.SERVER_STATUS_STOPPED],
    });
    const iterator = stream[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false, 'the first message: the server as it is now');
    await sim.deleteServer(victim);
    await expectCode({ [Symbol.asyncIterator]: () => iterator }, Status.NOT_FOUND);
  });

  test('a wait past its gRPC deadline ends DEADLINE_EXCEEDED; an unknown id NOT_FOUND', async () => {
    const id = await sim.createServer('slowpoke');
    const request = WaitForServerRequest.fromPartial({
      location: { cloud: 'wcloud' },
      nameOrId: id,
      until: [ServerStatus.SERVER_STATUS_STOPPED],
    });
    await assert.rejects(
      listWithDeadline(node.address, Methods.waitForServer, request, new Date(Date.now() + 300)),
      (e: unknown) => (e as { code?: number }).code === Status.DEADLINE_EXCEEDED,
    );
    const client = createClient(ComputeServiceDefinition, channel);
    await expectCode(
      client.waitForServer({ location: { cloud: 'wcloud' }, nameOrId: '00000000-0000-0000-0000-000000000000' }),
      Status.NOT_FOUND,
    );
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
        for await (const msg of client.waitForServer({ location: { cloud: 'wcloud' }, nameOrId: 'awaited' }))
          last = msg.server!.status;
        return last;
      }),
    );
    const elapsed = Date.now() - started;
    assert.ok(finals.every((s) => s === ServerStatus.SERVER_STATUS_ACTIVE));
    // Found by name in the poller's view (one location selected: no lookup of their own), then waiting: at most
    // one list call per 250 ms interval for all 50, and no GET at all.
    const lists = sim.listCalls() - listBefore;
    console.log(`# ${lists} list calls, ${sim.getCalls() - getBefore} GETs, ${elapsed} ms`);
    assert.ok(lists <= Math.ceil(elapsed / 250) + 1, `${lists} list calls in ${elapsed} ms`);
    assert.equal(sim.getCalls() - getBefore, 0, 'no GET per client');
  });
});
