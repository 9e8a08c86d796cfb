// Issue 22, defect 1: one cloud's Keystone outage with revoked tokens stays that cloud's in-band error, the rest of
// the node keeps answering, and the cloud comes back by itself as soon as Keystone answers again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Status } from 'nice-grpc-common';
import { collect, startHarness } from '../openstack-backend/harness.ts';

const ANY = { cloud: '', region: '', zone: '', project: undefined };
const BETA = { ...ANY, cloud: 'beta' };

test("a Keystone outage with revoked tokens is the cloud's in-band error and heals on its own", {
  timeout: 60_000,
}, async () => {
  const lines: Array<{ msg: string; cloud?: string }> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const h = await startHarness({ logger: pino({ level: 'info' }, sink) });
  try {
    const down = h.sim.faults.add({ kind: 'keystone-down', cloud: 'alpha', mode: 'refuse' }).id;
    h.sim.faults.expireTokens('alpha');

    // The first call meets the revoked token and cannot re-authenticate: alpha's regions fail in-band.
    for (let round = 0; round < 2; round++) {
      const items = await collect(h.clients.compute.listServers({ location: ANY }));
      const errors = items.flatMap((i) => (i.item?.$case === 'error' ? [i.item.value] : []));
      assert.deepEqual(errors.map((e) => `${e.location?.cloud}/${e.location?.region}`).sort(), [
        'alpha/RegionOne',
        'alpha/RegionTwo',
      ]);
      for (const e of errors) assert.equal(e.code, Status.UNAVAILABLE, e.message);
    }
    // Route selection still works for everything: all locations listed (alpha's known project kept), beta served.
    const locations = await collect(h.clients.location.listLocations({ location: ANY }));
    assert.equal(locations.filter((l) => l.item?.$case === 'location').length, 3, JSON.stringify(locations));
    assert.ok(
      locations.every((l) => l.item?.$case !== 'location' || /^[0-9a-f]{32}$/.test(l.item.value.project?.id ?? '')),
    );
    const routes = await collect(h.clients.mesh.listRoutes({}));
    assert.ok(routes.length >= 3, JSON.stringify(routes));
    const zones = await collect(h.clients.compute.listAvailabilityZones({ location: BETA }));
    assert.equal(zones[0].item?.$case, 'availabilityZone', JSON.stringify(zones));

    h.sim.faults.remove(down);
    const later = await collect(h.clients.compute.listServers({ location: ANY }));
    assert.equal(later.filter((i) => i.item?.$case === 'error').length, 0, JSON.stringify(later));

    const alphaLogs = lines.filter((l) => l.cloud === 'alpha').map((l) => l.msg);
    assert.equal(alphaLogs.filter((m) => m.startsWith('cloud authentication failing')).length, 1, alphaLogs.join('\n'));
    assert.equal(alphaLogs.filter((m) => m === 'cloud authentication recovered').length, 1, alphaLogs.join('\n'));
  } finally {
    await h.close();
  }
});
