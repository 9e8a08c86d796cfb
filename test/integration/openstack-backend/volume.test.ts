// VolumeService through a real node and gRPC client against the simulator: create (from an image, waiting),
// list and filter, attach/detach through Nova with waits, delete refused while attached, and a cloud that is down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import { randomBytes } from 'node:crypto';
import { UploadImageHeader } from '../../../src/gen/oaktree/v1/image.ts';
import { VolumeStatus } from '../../../src/gen/oaktree/v1/volume.ts';
import { startHarness, collect, type Harness } from './harness.ts';
import { Direct } from './network-helpers.ts';

let h: Harness;
let direct: Direct;
const alpha1 = { cloud: 'alpha', region: 'RegionOne' };

before(async () => {
  h = await startHarness({
    clouds: [
      { name: 'alpha', regions: ['RegionOne', 'RegionTwo'], volumeDelayMs: 200, bootDelayMs: 100 },
      { name: 'beta', regions: ['RegionOne'] },
    ],
  });
  direct = new Direct(h, 'alpha', 'RegionOne');
});
after(async () => {
  direct?.close();
  await h?.close();
});

function items<T>(responses: { item?: { $case: string; value: any } }[], kase: string): T[] {
  return responses.filter((r) => r.item?.$case === kase).map((r) => r.item!.value as T);
}

test('create from an image by name, waiting until available; request_id makes a retry return the same volume', async () => {
  const started = Date.now();
  const { volume } = await h.clients.volume.createVolume({
    location: alpha1,
    name: 'data-1',
    sizeGb: 2,
    image: 'cirros-0.6.2-x86_64-disk',
    wait: true,
    metadata: { team: 'infra' },
    requestId: 'req-vol-1',
  });
  assert.ok(Date.now() - started >= 150, 'waited for the creating delay');
  assert.equal(volume?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
  assert.equal(volume?.cloudStatus, 'available');
  assert.equal(volume?.sizeGb, 2);
  assert.equal(volume?.isBootable, true);
  assert.ok(volume?.sourceImageId);
  assert.equal(volume?.metadata.team, 'infra');
  assert.equal(volume?.location?.zone, 'nova');
  assert.ok(volume?.createTime instanceof Date);
  const again = await h.clients.volume.createVolume({
    location: alpha1,
    name: 'data-1',
    sizeGb: 2,
    requestId: 'req-vol-1',
  });
  assert.equal(again.volume?.id, volume?.id);
  const named = items<any>(
    await collect(h.clients.volume.listVolumes({ location: alpha1, nameOrId: 'data-1' })),
    'volume',
  );
  assert.equal(named.length, 1);
});

test("create from an image without size_gb: the image's minimum disk sizes it", async () => {
  async function* upload() {
    yield {
      part: {
        $case: 'header' as const,
        value: UploadImageHeader.fromPartial({ location: alpha1, name: 'min-disk-3', minDiskGb: 3 }),
      },
    };
    yield { part: { $case: 'chunk' as const, value: randomBytes(4096) } };
  }
  const uploaded = await h.clients.image.uploadImage(upload());
  const image = uploaded.results[0].image!;
  assert.equal(image.minDiskGb, 3);
  const { volume } = await h.clients.volume.createVolume({
    location: alpha1,
    name: 'sized-by-image',
    image: 'min-disk-3',
    wait: true,
  });
  assert.equal(volume?.sizeGb, 3);
  assert.equal(volume?.sourceImageId, image.id);
  assert.equal(volume?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
});

test('without wait the volume comes back creating; list filters by status', async () => {
  const { volume } = await h.clients.volume.createVolume({ location: alpha1, name: 'quick', sizeGb: 1 });
  assert.equal(volume?.status, VolumeStatus.VOLUME_STATUS_CREATING);
  const creating = items<any>(
    await collect(h.clients.volume.listVolumes({ location: alpha1, status: VolumeStatus.VOLUME_STATUS_CREATING })),
    'volume',
  );
  assert.ok(creating.some((v) => v.id === volume?.id));
  const byId = items<any>(await collect(h.clients.volume.listVolumes({ nameOrId: volume!.id })), 'volume');
  assert.deepEqual(
    byId.map((v) => v.id),
    [volume!.id],
  );
  await assert.rejects(
    h.clients.volume.createVolume({ location: alpha1, name: 'no-size' }),
    (e: any) =>
      e.code === Status.INVALID_ARGUMENT &&
      /one of size_gb, image, snapshot, source_volume is required/.test(e.details),
  );
});

test('attach and detach through Nova with waits; delete refused while attached, then delete and wait', async () => {
  const server = await direct.server('vol-host');
  const { volume } = await h.clients.volume.createVolume({ location: alpha1, name: 'disk-a', sizeGb: 1, wait: true });
  const attached = await h.clients.volume.attachVolume({
    location: alpha1,
    volume: 'disk-a',
    server: 'vol-host',
    wait: true,
  });
  assert.equal(attached.volume?.status, VolumeStatus.VOLUME_STATUS_IN_USE);
  assert.equal(attached.volume?.attachments[0].serverId, server.id);
  assert.ok(attached.volume?.attachments[0].device.startsWith('/dev/'));

  await assert.rejects(
    h.clients.volume.deleteVolume({ location: alpha1, nameOrId: volume!.id }),
    (e: any) => e.code === Status.FAILED_PRECONDITION && /detach it first/.test(e.details),
  );
  await assert.rejects(
    h.clients.volume.attachVolume({ location: alpha1, volume: 'quick-nonexistent', server: 'vol-host' }),
    (e: any) => e.code === Status.NOT_FOUND,
  );

  const detached = await h.clients.volume.detachVolume({
    location: alpha1,
    volume: volume!.id,
    server: server.id,
    wait: true,
  });
  assert.equal(detached.volume?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
  assert.equal(detached.volume?.attachments.length, 0);
  await assert.rejects(
    h.clients.volume.detachVolume({ location: alpha1, volume: volume!.id, server: server.id }),
    (e: any) => e.code === Status.FAILED_PRECONDITION,
  );

  const deleted = await h.clients.volume.deleteVolume({ location: alpha1, nameOrId: 'disk-a', wait: true });
  assert.equal(deleted.id, volume!.id);
  assert.equal(deleted.location?.zone, 'nova');
  assert.equal(
    items(await collect(h.clients.volume.listVolumes({ location: alpha1, nameOrId: volume!.id })), 'volume').length,
    0,
  );
});

test('a cloud whose block storage is down: in-band error, the others answer', async () => {
  const fault = h.sim.faults.add({ kind: 'status', cloud: 'beta', service: 'volume', status: 503, fraction: 1 });
  try {
    const all = await collect(h.clients.volume.listVolumes({}));
    const errors = items<any>(all, 'error');
    assert.deepEqual(
      errors.map((e) => [e.location.cloud, e.code]),
      [['beta', Status.UNAVAILABLE]],
    );
    assert.ok(items(all, 'volume').length >= 2);
  } finally {
    h.sim.faults.remove(fault.id);
  }
});

test('volumeLimits reads Cinder quotas and usage; undefined without block storage', async () => {
  const { volumeLimits } = await import('../../../src/backends/openstack/volume/limits.ts');
  const { silentLogger } = await import('../../../src/observability/logger.ts');
  const { localServices } = await import('../../../src/backends/openstack/services.ts');
  const cloud = h.clouds.find((c) => c.name === 'alpha')!;
  const ctx = {
    cloud,
    regionConfig: cloud.regions[0],
    region: 'RegionOne',
    session: direct.session,
    logger: silentLogger(),
    location: { cloud: 'alpha', region: 'RegionOne', zone: '', project: undefined },
    credentialKey: await direct.session.credentialKey('RegionOne'),
    services: localServices(),
  };
  const used = items<any>(await collect(h.clients.volume.listVolumes({ location: alpha1 })), 'volume');
  const limits = await volumeLimits(ctx);
  assert.equal(limits?.maxVolumes, 1000);
  assert.equal(limits?.usedVolumes, used.length);
  assert.equal(
    limits?.usedGigabytes,
    used.reduce((sum, v) => sum + v.sizeGb, 0),
  );
  // The simulator always offers Cinder: a session stand-in answers like the transport does for a catalog without it.
  const noCinder = {
    ...ctx,
    session: {
      request: async () => {
        const { EndpointNotFoundError } = await import('../../../src/backends/openstack/transport/index.ts');
        throw new EndpointNotFoundError('no block-storage', {});
      },
    },
  } as any;
  assert.equal(await volumeLimits(noCinder), undefined);
});
