import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import type { ServerError } from 'nice-grpc';
import { Methods } from '../../../src/core/methods.ts';
import type { Backend, CallContext, Route } from '../../../src/backends/backend.ts';
import { ListFlavorsRequest, type ListFlavorsResponse } from '../../../src/gen/oaktree/v1/compute.ts';
import type { Location } from '../../../src/gen/oaktree/v1/location.ts';
import { Router } from '../../../src/mesh/router.ts';
import { routeKey } from '../../../src/core/location.ts';
import { errorItem } from '../../../src/core/error-item.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { CallCounters, fixedBackend, location } from '../../support/fixed-backend.ts';
import { within } from '../../support/wait.ts';

function ctx(via: string[] = ['me'], deadline?: Date): CallContext {
  return { signal: new AbortController().signal, via, deadline };
}

/** A backend that claims routes like a peer and answers from a list of flavors per location. */
function peerLike(id: string, routes: Route[], extra: Location[] = []): Backend & { asked: Location[][] } {
  const asked: Location[][] = [];
  return {
    id,
    local: false,
    asked,
    routes: () => routes,
    async *list(_method, _request, targets) {
      asked.push([...targets]);
      // A stale peer also answers for locations it was not asked for, in the same batch: the router must drop those.
      yield [...targets, ...extra].map(
        (target) =>
          ({ item: { $case: 'flavor', value: { location: target, id: `${id}-${target.cloud}`, name: 'x' } } }) as any,
      );
    },
    unary: async () => ({}) as any,
    serverStream: () => (async function* () {})(),
    clientStream: async () => ({}) as any,
    close: async () => {},
  };
}

async function collect(iterable: AsyncIterable<ListFlavorsResponse>) {
  const items: ListFlavorsResponse[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

test('a local route wins over a peer route to the same location, and each location is asked once', async () => {
  const local = fixedBackend({ cloud: 'a', flavors: 2 });
  const peer = peerLike('peer:p', [
    { location: location('a'), hops: 1, path: ['p'] },
    { location: location('b'), hops: 1, path: ['p'] },
  ]);
  const router = new Router({ nodeId: 'me', backends: [peer, local], logger: silentLogger() });
  const items = await collect(router.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), ctx()));
  const clouds = items.map((i) => (i.item as any).value.location.cloud).sort();
  assert.deepEqual(clouds, ['a', 'a', 'b']);
  assert.deepEqual(peer.asked, [[location('b')]], 'the peer is only asked for the location it is the best route to');
});

test('fewest hops wins between two peers; routes through a node already on the path are skipped', () => {
  const far = peerLike('peer:far', [{ location: location('c'), hops: 3, path: ['far', 'x', 'y'] }]);
  const near = peerLike('peer:near', [{ location: location('c'), hops: 2, path: ['near', 'z'] }]);
  const loop = peerLike('peer:loop', [{ location: location('d'), hops: 1, path: ['loop', 'upstream'] }]);
  const router = new Router({ nodeId: 'me', backends: [far, near, loop], logger: silentLogger() });
  const table = router.routeTable(['upstream', 'me']);
  assert.equal(table.get(routeKey(location('c')))?.backend.id, 'peer:near');
  assert.equal(table.has(routeKey(location('d'))), false, 'a route back through the caller is a loop');
});

test('items from locations a backend was not asked for are dropped: every object comes back exactly once', async () => {
  const local = fixedBackend({ cloud: 'a', flavors: 1 });
  const stale = peerLike('peer:stale', [{ location: location('b'), hops: 1, path: ['stale'] }], [location('a')]);
  const router = new Router({ nodeId: 'me', backends: [local, stale], logger: silentLogger() });
  const items = await collect(router.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), ctx()));
  assert.equal(items.length, 2);
  assert.deepEqual(items.map((i) => (i.item as any).value.location.cloud).sort(), ['a', 'b']);
});

test('a failing location yields an in-band error and the others still answer; strict fails the call', async () => {
  const backend = fixedBackend({
    cloud: 'a',
    regions: ['R1', 'R2'],
    flavors: 2,
    failRegions: { R2: Status.UNAVAILABLE },
  });
  const router = new Router({ nodeId: 'me', backends: [backend], logger: silentLogger() });
  const items = await collect(router.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), ctx()));
  const errors = items.filter((i) => i.item?.$case === 'error');
  assert.equal(items.length - errors.length, 2);
  assert.equal(errors.length, 1);
  assert.equal((errors[0].item as any).value.code, Status.UNAVAILABLE);
  assert.equal((errors[0].item as any).value.location.region, 'R2');

  await assert.rejects(
    collect(router.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), ctx(), { strict: true })),
    (error: ServerError) => error.code === Status.UNAVAILABLE && /R2/.test(error.details),
  );
});

test('strict mode passes on what a batch held before its error item, then fails the call', async () => {
  const flavor = (id: string) =>
    ({ item: { $case: 'flavor', value: { location: location('a'), id, name: id } } }) as any;
  const batched: Backend = {
    ...peerLike('peer:p', [{ location: location('a'), hops: 1, path: ['p'] }]),
    async *list() {
      // As a peer's batch carries it: items, then a location's failure, then items no strict caller may see.
      yield [flavor('1'), flavor('2'), errorItem(location('a'), Status.PERMISSION_DENIED, 'no'), flavor('3')];
    },
  };
  const router = new Router({ nodeId: 'me', backends: [batched], logger: silentLogger() });
  const seen: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const batch of router.listBatches(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), ctx(), {
        strict: true,
      }))
        for (const response of batch) seen.push((response.item as any).value.id);
    })(),
    (error: ServerError) => error.code === Status.PERMISSION_DENIED,
  );
  assert.deepEqual(seen, ['1', '2']);
});

test("a fast cloud's first item does not wait for a slow cloud", async () => {
  const fast = fixedBackend({ cloud: 'fast', flavors: 1 });
  const slow = fixedBackend({ cloud: 'slow', flavors: 1, itemDelayMs: 300 });
  const router = new Router({ nodeId: 'me', backends: [slow, fast], logger: silentLogger() });
  const started = Date.now();
  for await (const item of router.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), ctx())) {
    assert.equal((item.item as any).value.location.cloud, 'fast');
    assert.ok(Date.now() - started < 200, 'first item arrived before the slow cloud answered');
    break;
  }
});

test('a backend slower than the deadline becomes DEADLINE_EXCEEDED for its locations only, in time', async () => {
  const counters = new CallCounters();
  const fast = fixedBackend({ cloud: 'fast', flavors: 2 });
  const slow = fixedBackend({ cloud: 'slow', flavors: 5, itemDelayMs: 600, counters });
  const router = new Router({ nodeId: 'me', backends: [fast, slow], logger: silentLogger() });
  // A deadline long enough that the 10 % margin (200 ms) absorbs timer lateness on a busy machine.
  const deadline = new Date(Date.now() + 2000);
  const items = await collect(
    router.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), ctx(['me'], deadline)),
  );
  assert.ok(Date.now() < deadline.getTime(), "the stream ended before the caller's deadline");
  const errors = items.filter((i) => i.item?.$case === 'error').map((i) => (i.item as any).value);
  assert.deepEqual(
    errors.map((e) => [e.location.cloud, e.code]),
    [['slow', Status.DEADLINE_EXCEEDED]],
  );
  assert.equal(items.filter((i) => (i.item as any).value.location?.cloud === 'fast').length, 2);
  await within(counters.ended(), 5000, 'the slow cloud ends its call');
  assert.equal(counters.aborted, 1, "the slow cloud's work was cancelled, not left running");
});

test('a write needs exactly one location: ambiguity names the candidates, no match names what is reachable', () => {
  const router = new Router({
    nodeId: 'me',
    backends: [fixedBackend({ cloud: 'a', regions: ['R1', 'R2'] }), fixedBackend({ cloud: 'b' })],
    logger: silentLogger(),
  });
  assert.throws(
    () => router.resolveOne({ cloud: 'a', region: '', zone: '', project: undefined }, ctx()),
    (error: ServerError) =>
      error.code === Status.INVALID_ARGUMENT && /a\/R1/.test(error.details) && /a\/R2/.test(error.details),
  );
  assert.throws(
    () => router.resolveOne({ cloud: 'nope', region: '', zone: '', project: undefined }, ctx()),
    (error: ServerError) => error.code === Status.NOT_FOUND && /b\/RegionOne/.test(error.details),
  );
  const { target } = router.resolveOne({ cloud: 'a', region: 'R2', zone: '', project: undefined }, ctx());
  assert.equal(target.region, 'R2');
});

test("an upstream node's assignment restricts which locations are asked", async () => {
  const backend = fixedBackend({ cloud: 'a', regions: ['R1', 'R2'], flavors: 1 });
  const router = new Router({ nodeId: 'me', backends: [backend], logger: silentLogger() });
  const restrictTo = new Set([routeKey(location('a', 'R2'))]);
  const items = await collect(
    router.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), ctx(), { restrictTo }),
  );
  assert.deepEqual(
    items.map((i) => (i.item as any).value.location.region),
    ['R2'],
  );
});
