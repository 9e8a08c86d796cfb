// Backups end to end on the simulator (the real cloud has no backup service: the storage scenarios check its
// refusal there), and the shared block-storage poller: many concurrent waits cost one list call per interval.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { VolumeBackupStatus, VolumeStatus } from '../../../src/gen/oaktree/v1/volume.ts';
import { collect } from '../../support/node.ts';
import { openSimulatedTarget, type SimulatedTarget } from '../../scenarios/simulated-target.ts';

let t: SimulatedTarget;

before(async () => {
  t = await openSimulatedTarget({ name: 'sim-backups', regions: ['RegionOne'], bootDelayMs: 0, volumeDelayMs: 1500 });
});

after(async () => {
  await t?.close();
});

test('backup a volume, restore it to a new volume, delete the backup', { timeout: 60_000 }, async () => {
  const { volume } = await t.api.volume.createVolume({ location: t.where, name: 'bk-src', sizeGb: 2, wait: true });
  const { backup } = await t.api.volume.createVolumeBackup({
    location: t.where,
    volume: volume!.id,
    name: 'bk-1',
    wait: true,
    requestId: 'bk-request-1',
  });
  assert.equal(backup?.status, VolumeBackupStatus.VOLUME_BACKUP_STATUS_AVAILABLE);
  assert.equal(backup?.volumeId, volume!.id);
  assert.equal(backup?.sizeGb, 2);
  const again = await t.api.volume.createVolumeBackup({
    location: t.where,
    volume: volume!.id,
    requestId: 'bk-request-1',
  });
  assert.equal(again.backup?.id, backup?.id, 'a retried request_id returns the first backup');

  const listed = await collect(t.api.volume.listVolumeBackups({ location: t.where, volumeId: volume!.id }));
  assert.deepEqual(
    listed.map((i: any) => i.item?.value?.id),
    [backup!.id],
  );
  const { volume: restored } = await t.api.volume.restoreVolumeBackup({
    location: t.where,
    nameOrId: 'bk-1',
    name: 'bk-restored',
    wait: true,
  });
  assert.equal(restored?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
  assert.equal(restored?.sizeGb, 2);
  assert.notEqual(restored?.id, volume!.id);

  await t.api.volume.deleteVolumeBackup({ location: t.where, nameOrId: backup!.id, wait: true });
  const left = await collect(t.api.volume.listVolumeBackups({ location: t.where, volumeId: volume!.id }));
  assert.equal(left.length, 0);
  for (const id of [volume!.id, restored!.id])
    await t.api.volume.deleteVolume({ location: t.where, nameOrId: id, wait: true });
});

test('20 concurrent waits on one region share one poller: list calls per interval, not per waiter', {
  timeout: 60_000,
}, async () => {
  const volumes = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      t.api.volume.createVolume({ location: t.where, name: `shared-${i}`, sizeGb: 1 }),
    ),
  );
  const before = t.simulator.stats();
  const started = Date.now();
  const waits = await Promise.all(
    volumes.map((v) => collect(t.api.volume.waitForVolume({ location: t.where, nameOrId: v.volume!.id }))),
  );
  const seconds = (Date.now() - started) / 1000;
  const after = t.simulator.stats();
  for (const states of waits) assert.equal(states.at(-1)?.volume?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
  const route = (s: any) =>
    Object.entries(s.byRoute as Record<string, number>)
      .filter(([key]) => key.endsWith(' /volumes/detail'))
      .reduce((sum, [, n]) => sum + n, 0);
  const lists = route(after) - route(before);
  // The 20 follow-ups each look their volume up once (by id: GET /volumes/{id}); the waiting itself is the
  // shared poller's full lists, about one per second however many wait.
  assert.ok(lists >= 1, 'the waits were fed by list calls');
  assert.ok(lists <= Math.ceil(seconds) + 2, `${lists} list calls in ${seconds.toFixed(1)} s for 20 waiters`);
  console.log(`# 20 waiters: ${lists} /volumes/detail calls in ${seconds.toFixed(1)} s`);
  await Promise.all(volumes.map((v) => t.api.volume.deleteVolume({ location: t.where, nameOrId: v.volume!.id })));
});
