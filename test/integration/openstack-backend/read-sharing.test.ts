// Shared reads: identical concurrent lists cost one upstream request, a repeated list within two seconds costs
// none, a write through oaktree drops what was kept, and `fresh` asks the cloud again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FloatingIPMode } from '../../../src/gen/oaktree/v1/compute.ts';
import { collect } from '../../support/node.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ clouds: [{ name: 'shared', regions: ['RegionOne'], bootDelayMs: 50 }] });
});
after(() => h?.close());

const flavorLists = () =>
  Object.entries(h.sim.stats().byRoute)
    .filter(([route]) => /GET \/flavors/.test(route))
    .reduce((n, [, c]) => n + (c as number), 0);
const serverLists = () =>
  Object.entries(h.sim.stats().byRoute)
    .filter(([route]) => /GET \/servers\/detail/.test(route))
    .reduce((n, [, c]) => n + (c as number), 0);

test('50 identical concurrent lists cost one upstream request; a repeat within the TTL costs none', async () => {
  h.sim.stats().reset();
  const results = await Promise.all(
    Array.from({ length: 50 }, () => collect(h.clients.compute.listFlavors({ location: { cloud: 'shared' } }))),
  );
  assert.ok(results.every((r) => r.length === results[0].length && r.length > 0));
  assert.equal(flavorLists(), 1);
  await collect(h.clients.compute.listFlavors({ location: { cloud: 'shared' } }));
  assert.equal(flavorLists(), 1, 'answered from the short-lived cache');
  await collect(h.clients.compute.listFlavors({ location: { cloud: 'shared' }, fresh: true }));
  assert.equal(flavorLists(), 2, 'fresh asks the cloud');
});

test('a write through oaktree drops what was kept, so the next list shows it', async () => {
  const before = await collect(h.clients.compute.listServers({ location: { cloud: 'shared' } }));
  for await (const _ of h.clients.compute.createServer({
    location: { cloud: 'shared' },
    name: 'new-one',
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
    floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
  })) {
    // accepted
  }
  h.sim.stats().reset();
  const after = await collect(h.clients.compute.listServers({ location: { cloud: 'shared' } }));
  assert.equal(after.length, before.length + 1);
  assert.ok(serverLists() >= 1, 'the list went to the cloud again after the create');
});
