// The mesh with in-process nodes: routing, exactly-once, deadlines, cancellation, partial results, writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { Keypair } from '../../../src/gen/oaktree/v1/compute.ts';
import { clients, collect, listWithDeadline } from '../../support/node.ts';
import { Methods } from '../../../src/core/methods.ts';
import { ListFlavorsRequest } from '../../../src/gen/oaktree/v1/compute.ts';
import { CallCounters, fixedBackend } from '../../support/fixed-backend.ts';
import { eventually, within } from '../../support/wait.ts';
import { startMesh } from '../../support/mesh.ts';
import type { ListRoutesResponse } from '../../../src/gen/oaktree/mesh/v1/mesh.ts';

const routesOf = (items: ListRoutesResponse[]) =>
  items.flatMap((i) => (i.item?.$case === 'route' ? [i.item.value] : []));

const flavorClouds = (items: any[]) =>
  items
    .filter((i) => i.item?.$case === 'flavor')
    .map((i) => `${i.item.value.location.cloud}/${i.item.value.location.region}/${i.item.value.name}`)
    .sort();

test('an edge chain of depth 3: the edge reaches every cloud, each object once, with hop counts and paths', async (t) => {
  const keypairs: string[] = [];
  const mesh = await startMesh([
    {
      id: 'central',
      backends: [
        fixedBackend({
          cloud: 'central-cloud',
          regions: ['R1', 'R2'],
          flavors: 2,
          handlers: {
            async createKeypair(request, target) {
              keypairs.push(`${target.cloud}/${target.region}/${request.name}`);
              return { keypair: Keypair.fromPartial({ location: target, name: request.name }), privateKey: '' };
            },
          },
        }),
      ],
    },
    { id: 'region', backends: [fixedBackend({ cloud: 'region-cloud', flavors: 2 })], peers: ['central'] },
    { id: 'site', backends: [fixedBackend({ cloud: 'site-cloud', flavors: 2 })], peers: ['region'] },
    { id: 'edge', backends: [fixedBackend({ cloud: 'edge-cloud', flavors: 2 })], peers: ['site'] },
  ]);
  const api = clients(mesh.address('edge'));
  t.after(async () => {
    api.close();
    await mesh.close();
  });

  const items = await collect(api.compute.listFlavors({}));
  const got = flavorClouds(items);
  assert.equal(got.length, 10);
  assert.equal(new Set(got).size, 10, 'no object twice');
  assert.ok(got.includes('central-cloud/R2/f-1'));

  const routes = routesOf(await collect(api.mesh.listRoutes({})));
  const hops = Object.fromEntries(routes.map((r) => [`${r.location!.cloud}/${r.location!.region}`, r.hops]));
  assert.deepEqual(hops, {
    'edge-cloud/RegionOne': 0,
    'site-cloud/RegionOne': 1,
    'region-cloud/RegionOne': 2,
    'central-cloud/R1': 3,
    'central-cloud/R2': 3,
  });
  const central = routes.find((r) => r.location!.region === 'R2')!;
  assert.deepEqual(central.path, ['edge', 'site', 'region', 'central']);

  // A write through three hops lands in the one cloud it names.
  const created = await api.compute.createKeypair({ location: { cloud: 'central-cloud', region: 'R2' }, name: 'k1' });
  assert.equal(created.keypair?.location?.cloud, 'central-cloud');
  assert.deepEqual(keypairs, ['central-cloud/R2/k1']);
});

test('a mesh with a cycle answers once per object at every node', async (t) => {
  const mesh = await startMesh([
    { id: 'a', backends: [fixedBackend({ cloud: 'cloud-a', flavors: 2 })], peers: ['b', 'c'] },
    { id: 'b', backends: [fixedBackend({ cloud: 'cloud-b', flavors: 2 })], peers: ['c'] },
    { id: 'c', backends: [fixedBackend({ cloud: 'cloud-c', regions: ['R1', 'R2'], flavors: 2 })], peers: ['a'] },
  ]);
  t.after(() => mesh.close());
  for (const id of ['a', 'b', 'c']) {
    const api = clients(mesh.address(id));
    const got = flavorClouds(await collect(api.compute.listFlavors({})));
    api.close();
    assert.equal(got.length, 8, `node ${id}: ${got.join(', ')}`);
    assert.equal(new Set(got).size, 8, `node ${id} returned an object twice`);
  }
});

test('a peer slower than the deadline gives DEADLINE_EXCEEDED for its locations only; the call ends in time', async (t) => {
  const counters = new CallCounters();
  const mesh = await startMesh([
    { id: 'far', backends: [fixedBackend({ cloud: 'slow-cloud', flavors: 20, itemDelayMs: 250, counters })] },
    { id: 'near', backends: [fixedBackend({ cloud: 'fast-cloud', flavors: 3 })], peers: ['far'] },
  ]);
  const api = clients(mesh.address('near'));
  t.after(async () => {
    api.close();
    await mesh.close();
  });
  const started = Date.now();
  const items: any[] = await listWithDeadline(
    mesh.address('near'),
    Methods.listFlavors,
    ListFlavorsRequest.fromPartial({}),
    new Date(Date.now() + 2000),
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 2000, `ended before the deadline (${elapsed} ms)`);
  const errors = items.filter((i) => i.item?.$case === 'error').map((i) => (i.item as any).value);
  assert.deepEqual(
    errors.map((e) => [e.location.cloud, Status[e.code]]),
    [['slow-cloud', 'DEADLINE_EXCEEDED']],
  );
  assert.equal(items.filter((i) => (i.item as any).value.location.cloud === 'fast-cloud').length, 3);
  await within(counters.ended(), 5000, 'the far node ends its call');
  assert.equal(counters.aborted, 1, 'the far node stopped its work when its (shorter) deadline passed');
  assert.equal(counters.finished, 0);
});

test('cancelling at the edge stops the work at the far end', async (t) => {
  const counters = new CallCounters();
  const mesh = await startMesh([
    { id: 'far', backends: [fixedBackend({ cloud: 'far-cloud', flavors: 1000, itemDelayMs: 20, counters })] },
    { id: 'mid', peers: ['far'] },
    { id: 'edge', peers: ['mid'] },
  ]);
  const api = clients(mesh.address('edge'));
  t.after(async () => {
    api.close();
    await mesh.close();
  });
  const controller = new AbortController();
  let received = 0;
  await assert.rejects(
    async () => {
      for await (const _ of api.compute.listFlavors({}, { signal: controller.signal })) {
        if (++received === 5) controller.abort();
      }
    },
    (error: Error) => error.name === 'AbortError',
  );
  await within(counters.ended(), 5000, 'the far cloud ends its call');
  assert.equal(counters.started, 1);
  assert.equal(counters.aborted, 1, "the far cloud's handler saw its signal fire");
  assert.equal(counters.finished, 0);
});

test('a peer killed mid-stream gives an error item for its locations while the rest completes', async (t) => {
  const mesh = await startMesh([
    { id: 'doomed', backends: [fixedBackend({ cloud: 'doomed-cloud', flavors: 1000, itemDelayMs: 10 })] },
    {
      id: 'near',
      backends: [fixedBackend({ cloud: 'steady-cloud', flavors: 5, itemDelayMs: 100 })],
      peers: ['doomed'],
    },
  ]);
  const api = clients(mesh.address('near'));
  t.after(async () => {
    api.close();
    await mesh.close();
  });
  const items: any[] = [];
  let killed = false;
  for await (const item of api.compute.listFlavors({})) {
    items.push(item);
    if (!killed && items.length === 3) {
      killed = true;
      void mesh.nodes.get('doomed')!.close(0);
    }
  }
  const errors = items.filter((i) => i.item?.$case === 'error').map((i) => i.item.value);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].location.cloud, 'doomed-cloud');
  assert.ok([Status.UNAVAILABLE, Status.CANCELLED].includes(errors[0].code), Status[errors[0].code]);
  assert.equal(
    items.filter((i) => i.item?.value?.location?.cloud === 'steady-cloud' && i.item.$case === 'flavor').length,
    5,
  );
});

test('strict mode through the mesh: one failing location fails the call with its location in the message', async (t) => {
  const mesh = await startMesh([
    { id: 'up', backends: [fixedBackend({ cloud: 'broken', failRegions: { RegionOne: Status.UNAUTHENTICATED } })] },
    { id: 'down', backends: [fixedBackend({ cloud: 'fine' })], peers: ['up'] },
  ]);
  const api = clients(mesh.address('down'));
  t.after(async () => {
    api.close();
    await mesh.close();
  });
  await assert.rejects(
    collect(api.compute.listFlavors({ strict: true })),
    (error: ServerError) => error.code === Status.UNAUTHENTICATED && /broken\/RegionOne/.test(error.details),
  );
});

test('a peer that restarts is relearned on reconnect, and its locations answer again', async (t) => {
  const { startNode } = await import('../../../src/node/server.ts');
  const { silentLogger } = await import('../../../src/observability/logger.ts');
  const mesh = await startMesh([
    { id: 'up', backends: [fixedBackend({ cloud: 'phoenix', flavors: 2 })] },
    { id: 'down', backends: [fixedBackend({ cloud: 'home', flavors: 1 })], peers: ['up'] },
  ]);
  const api = clients(mesh.address('down'));
  let reborn: Awaited<ReturnType<typeof startNode>> | undefined;
  t.after(async () => {
    api.close();
    await reborn?.close(50);
    await mesh.close();
  });
  const upAddress = mesh.address('up');
  await mesh.nodes.get('up')!.close(0);
  const whileDown = await collect(api.compute.listFlavors({}));
  const downErrors = whileDown.filter((i) => i.item?.$case === 'error').map((i) => (i.item as any).value);
  assert.deepEqual(
    downErrors.map((e) => [e.location.cloud, Status[e.code]]),
    [['phoenix', 'UNAVAILABLE']],
    'its locations fail in-band, not silently',
  );

  // The same address on purpose: a restarted peer is found where it was (the one port a test reuses).
  reborn = await startNode({
    nodeId: 'up',
    listen: upAddress,
    backends: [fixedBackend({ cloud: 'phoenix', regions: ['RegionOne', 'RegionTwo'], flavors: 2 })],
    logger: silentLogger(),
  });
  // The reconnect triggers a refresh; nothing tells the client when it has happened, so ask until it has.
  const regions = await eventually(async () => {
    const routes = routesOf(await collect(api.mesh.listRoutes({ location: { cloud: 'phoenix' } })));
    const found = routes.map((r) => r.location!.region).sort();
    return found.length === 2 && found;
  }, 'phoenix relearned with both regions').catch(() => []);
  assert.deepEqual(
    regions,
    ['RegionOne', 'RegionTwo'],
    'the new routes were learned without restarting the downstream node',
  );
  const items = await collect(api.compute.listFlavors({ location: { cloud: 'phoenix' }, strict: true }));
  assert.equal(items.length, 4);
});
