// Which locations a cloud serves, and how a cloud that cannot be reached or refuses the credentials shows up:
// as in-band errors for its locations while the other clouds answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import { collect, startHarness } from './harness.ts';

test('each cloud region is a location with the scoped project', async () => {
  const h = await startHarness();
  try {
    const items = await collect(h.clients.location.listLocations({}));
    const locations = items.map((i) => (i.item?.$case === 'location' ? i.item.value : assert.fail(JSON.stringify(i))));
    assert.deepEqual(locations.map((l) => `${l.cloud}/${l.region}`).sort(), [
      'alpha/RegionOne',
      'alpha/RegionTwo',
      'beta/RegionOne',
    ]);
    for (const l of locations) {
      assert.equal(l.project?.name, 'demo');
      assert.match(l.project?.id ?? '', /^[0-9a-f]{32}$/);
      assert.equal(l.project?.domainName, 'Default');
    }
  } finally {
    await h.close();
  }
});

test('a wrong password: in-band UNAUTHENTICATED for that cloud only, and the password is not in the message', async () => {
  const h = await startHarness({
    editCloudsYaml(yaml) {
      yaml.clouds.beta.auth.password = 'Wr0ng-Passw0rd-xyzzy';
    },
  });
  try {
    const locations = await collect(h.clients.location.listLocations({}));
    assert.equal(locations.length, 3, 'the cloud still registers its configured regions');
    const items = await collect(h.clients.compute.listFlavors({}));
    const errors = items.flatMap((i) => (i.item?.$case === 'error' ? [i.item.value] : []));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, Status.UNAUTHENTICATED, errors[0].message);
    assert.equal(errors[0].location?.cloud, 'beta');
    assert.doesNotMatch(errors[0].message, /xyzzy|Wr0ng/);
    assert.match(errors[0].message, /demo/, 'the message says who failed to authenticate');
    assert.ok(items.filter((i) => i.item?.$case === 'flavor').every((i) => i.item?.value.location?.cloud === 'alpha'));
    assert.ok(items.some((i) => i.item?.$case === 'flavor'));
  } finally {
    await h.close();
  }
});

test('a cloud that is down at start answers UNAVAILABLE in-band, the other answers, and it recovers once up', async () => {
  let faultId = '';
  const h = await startHarness({
    beforeNode(sim) {
      faultId = sim.faults.add({ kind: 'keystone-down', cloud: 'alpha', mode: 'refuse' }).id;
    },
  });
  try {
    const items = await collect(h.clients.compute.listServers({}));
    const errors = items.flatMap((i) => (i.item?.$case === 'error' ? [i.item.value] : []));
    assert.deepEqual(errors.map((e) => e.location?.region).sort(), ['RegionOne', 'RegionTwo']);
    for (const e of errors) {
      assert.equal(e.code, Status.UNAVAILABLE, e.message);
      assert.equal(e.location?.cloud, 'alpha');
    }
    const zones = await collect(
      h.clients.compute.listAvailabilityZones({
        location: { cloud: 'beta', region: '', zone: '', project: undefined },
      }),
    );
    assert.equal(zones[0].item?.$case, 'availabilityZone');

    h.sim.faults.remove(faultId);
    const later = await collect(h.clients.compute.listAvailabilityZones({}));
    assert.equal(later.filter((i) => i.item?.$case === 'availabilityZone').length, 3, JSON.stringify(later));
    const locations = await collect(
      h.clients.location.listLocations({ location: { cloud: 'alpha', region: '', zone: '', project: undefined } }),
    );
    assert.ok(
      locations.every((l) => l.item?.$case === 'location' && /^[0-9a-f]{32}$/.test(l.item.value.project?.id ?? '')),
      'the project id is known after the late authentication',
    );
  } finally {
    await h.close();
  }
});

test('a service answering 503 after authentication is UNAVAILABLE in-band for its locations', async () => {
  const h = await startHarness();
  try {
    h.sim.faults.add({
      kind: 'status',
      status: 503,
      cloud: 'alpha',
      service: 'compute',
      region: 'RegionTwo',
      fraction: 1,
    });
    const items = await collect(h.clients.compute.listServers({}));
    const errors = items.flatMap((i) => (i.item?.$case === 'error' ? [i.item.value] : []));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, Status.UNAVAILABLE);
    assert.equal(errors[0].location?.region, 'RegionTwo');
  } finally {
    await h.close();
  }
});
