// The fault matrix: one cloud (or one peer) misbehaves while the node serves several locations. Each case asserts
// the faulty location's in-band error, the other locations' full answers, recovery once the fault clears, and
// that nothing is lost (the same servers as before the fault).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientCodes, idsOf, type Listing, listServers } from './listing.ts';
import type { FaultSpec } from '../../../src/simulator/index.ts';
import { startHarness, type Harness } from '../openstack-backend/harness.ts';
import { eventually, within } from '../../support/wait.ts';

describe('fault matrix: one cloud misbehaves', () => {
  const clouds = [
    { name: 'alpha', regions: ['RegionOne', 'RegionTwo'], bootDelayMs: 100, seedServers: 4 },
    { name: 'beta', regions: ['RegionOne'], bootDelayMs: 100, seedServers: 3 },
  ];
  const withHarness = async (body: (h: Harness, baseline: Listing) => Promise<void>) => {
    const h = await startHarness({ clouds });
    try {
      const baseline = await listServers(h.clients.compute.listServers({ fresh: true }));
      assert.equal(baseline.errors.size, 0);
      assert.equal(idsOf(baseline, 'alpha').length, 8);
      assert.equal(idsOf(baseline, 'beta').length, 3);
      await body(h, baseline);
    } finally {
      await h.close();
    }
  };
  /** The fault hits alpha: alpha's two regions report in band, beta's servers all arrive; then it recovers. */
  const inBandThenRecovers = async (h: Harness, baseline: Listing, spec: FaultSpec, deadlineMs = 20_000) => {
    const fault = h.sim.faults.add(spec);
    const during = await listServers(
      h.clients.compute.listServers({ fresh: true }, { signal: AbortSignal.timeout(deadlineMs) }),
    );
    assert.equal(during.failed, undefined, `the call itself failed: ${during.failed?.message}`);
    assert.deepEqual([...during.errors.keys()].sort(), ['alpha/RegionOne', 'alpha/RegionTwo']);
    assert.ok(clientCodes([...during.errors.values()]), `in-band codes ${[...during.errors.values()]}`);
    assert.deepEqual(idsOf(during, 'beta'), idsOf(baseline, 'beta'), "beta's servers all arrive");
    h.sim.faults.remove(fault.id);
    const after = await listServers(h.clients.compute.listServers({ fresh: true }));
    assert.equal(after.errors.size, 0, `still failing after the fault cleared: ${[...after.errors.entries()]}`);
    assert.deepEqual(idsOf(after, 'alpha'), idsOf(baseline, 'alpha'), 'nothing lost');
  };

  for (const status of [429, 503, 500]) {
    test(`compute answers ${status} every time: in-band for alpha, beta complete, recovers`, { timeout: 60_000 }, () =>
      withHarness((h, baseline) =>
        inBandThenRecovers(h, baseline, { kind: 'status', cloud: 'alpha', service: 'compute', status, fraction: 1 }),
      ),
    );
  }

  test('one 503 is retried away: the full list, no error', { timeout: 60_000 }, () =>
    withHarness(async (h, baseline) => {
      h.sim.faults.add({ kind: 'status', cloud: 'alpha', service: 'compute', status: 503, count: 1 });
      const during = await listServers(h.clients.compute.listServers({ fresh: true }));
      assert.equal(during.errors.size, 0);
      assert.deepEqual(idsOf(during, 'alpha'), idsOf(baseline, 'alpha'));
    }),
  );

  test('latency on alpha: slower, complete, no error', { timeout: 60_000 }, () =>
    withHarness(async (h, baseline) => {
      h.sim.faults.add({ kind: 'latency', cloud: 'alpha', ms: 300 });
      const during = await listServers(h.clients.compute.listServers({ fresh: true }));
      assert.equal(during.errors.size, 0);
      assert.deepEqual(idsOf(during, 'alpha'), idsOf(baseline, 'alpha'));
      assert.deepEqual(idsOf(during, 'beta'), idsOf(baseline, 'beta'));
    }),
  );

  test(
    'alpha hangs: beta complete before the deadline, alpha in band or the deadline; recovers at once when it clears',
    { timeout: 60_000 },
    () =>
      withHarness(async (h, baseline) => {
        const fault = h.sim.faults.add({ kind: 'hang', cloud: 'alpha', service: 'compute' });
        const during = await listServers(
          h.clients.compute.listServers({ fresh: true }, { signal: AbortSignal.timeout(2000) }),
        );
        assert.deepEqual(
          idsOf(during, 'beta'),
          idsOf(baseline, 'beta'),
          "beta's servers all arrive before the deadline",
        );
        assert.equal(idsOf(during, 'alpha').length, 0);
        h.sim.faults.remove(fault.id);
        const after = await within(
          listServers(h.clients.compute.listServers({ fresh: true })),
          5000,
          'a list after the hang cleared',
        );
        assert.equal(
          after.errors.size,
          0,
          `a fresh list after the hang cleared still fails: ${[...after.errors.entries()]}`,
        );
        assert.deepEqual(idsOf(after, 'alpha'), idsOf(baseline, 'alpha'));
      }),
  );

  test('the token expires mid-list: re-authenticated once, every server arrives', { timeout: 60_000 }, () =>
    withHarness(async (h, baseline) => {
      h.sim.faults.expireTokens('alpha', 2);
      const during = await listServers(h.clients.compute.listServers({ fresh: true }));
      assert.equal(during.errors.size, 0, `${[...during.errors.entries()]}`);
      assert.deepEqual(idsOf(during, 'alpha'), idsOf(baseline, 'alpha'));
    }),
  );

  test(
    "Keystone down and tokens revoked: alpha's error stays alpha's, other calls answer, it recovers on its own",
    { timeout: 60_000 },
    () =>
      withHarness(async (h, baseline) => {
        const down = h.sim.faults.add({ kind: 'keystone-down', cloud: 'alpha', mode: '503' });
        h.sim.faults.expireTokens('alpha');
        // The first call after the revocation meets the 401 and a Keystone that does not answer.
        const during = await listServers(h.clients.compute.listServers({ fresh: true }));
        assert.equal(during.failed, undefined, `the call itself failed: ${during.failed?.message}`);
        assert.deepEqual([...during.errors.keys()].sort(), ['alpha/RegionOne', 'alpha/RegionTwo']);
        assert.deepEqual(idsOf(during, 'beta'), idsOf(baseline, 'beta'));
        const betaOnly = await listServers(h.clients.compute.listServers({ location: { cloud: 'beta' }, fresh: true }));
        assert.equal(betaOnly.failed, undefined, `a beta-only list failed: ${betaOnly.failed?.message}`);
        assert.deepEqual(idsOf(betaOnly, 'beta'), idsOf(baseline, 'beta'));
        const locations = [];
        for await (const res of h.clients.location.listLocations({})) locations.push(res);
        assert.ok(locations.length >= 3);
        h.sim.faults.remove(down.id);
        await eventually(
          async () => (await listServers(h.clients.compute.listServers({ fresh: true }))).errors.size === 0,
          'alpha recovers once Keystone answers',
          { timeoutMs: 10_000, everyMs: 200 },
        );
      }),
  );
});
