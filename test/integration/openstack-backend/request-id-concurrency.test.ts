// request_id under concurrency, through real gRPC to the simulator over HTTP: a client that retries while its first
// call still runs sends the same request_id several times at once. Each create below is sent N times in parallel
// with one request_id; the cloud must hold one object afterwards and every caller must get that object.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { UploadImageHeader, type UploadImageRequest } from '../../../src/gen/oaktree/v1/image.ts';
import { collect } from '../../support/node.ts';
import { openSimulatedTarget, type SimulatedTarget } from '../../scenarios/simulated-target.ts';

const N = 4;
let http: Server;
let port: number;
let t: SimulatedTarget;

before(async () => {
  http = createServer((_req, res) => void res.writeHead(200, { 'content-length': '4' }).end('data'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  t = await openSimulatedTarget({
    name: 'sim-rid',
    regions: ['RegionOne'],
    bootDelayMs: 0,
    importAllowedPorts: [80, 443, port],
  });
});

after(async () => {
  await t?.close();
  http?.close();
});

/** N parallel calls; the ids every caller got, which must all be one. */
async function sameObject(create: () => Promise<string>): Promise<string> {
  const ids = await Promise.all(Array.from({ length: N }, create));
  assert.equal(new Set(ids).size, 1, `every caller gets the same object: ${ids.join(', ')}`);
  assert.ok(ids[0]);
  return ids[0];
}

const ids = (items: any[]) => items.map((i) => i.item?.value?.id);

test('networks, subnets, routers, ports and security groups: one each per request_id', {
  timeout: 60_000,
}, async () => {
  const where = t.where;
  const network = await sameObject(
    async () =>
      (await t.api.network.createNetwork({ location: where, name: 'rid-net', requestId: 'rid-net-1' })).network!.id,
  );
  assert.deepEqual(ids(await collect(t.api.network.listNetworks({ location: where, nameOrId: 'rid-net' }))), [network]);

  const subnet = await sameObject(
    async () =>
      (
        await t.api.network.createSubnet({
          location: where,
          network,
          name: 'rid-subnet',
          cidr: '10.77.0.0/24',
          requestId: 'rid-subnet-1',
        })
      ).subnet!.id,
  );
  assert.deepEqual(ids(await collect(t.api.network.listSubnets({ location: where, nameOrId: 'rid-subnet' }))), [
    subnet,
  ]);

  const router = await sameObject(
    async () =>
      (await t.api.network.createRouter({ location: where, name: 'rid-router', requestId: 'rid-router-1' })).router!.id,
  );
  assert.deepEqual(ids(await collect(t.api.network.listRouters({ location: where, nameOrId: 'rid-router' }))), [
    router,
  ]);

  await sameObject(
    async () =>
      (await t.api.network.createPort({ location: where, network, name: 'rid-port', requestId: 'rid-port-1' })).port!
        .id,
  );
  const ports = await collect(t.api.network.listPorts({ location: where, nameOrId: 'rid-port' }));
  assert.equal(ports.length, 1);

  const group = await sameObject(
    async () =>
      (await t.api.network.createSecurityGroup({ location: where, name: 'rid-sg', requestId: 'rid-sg-1' }))
        .securityGroup!.id,
  );
  assert.deepEqual(ids(await collect(t.api.network.listSecurityGroups({ location: where, nameOrId: 'rid-sg' }))), [
    group,
  ]);
});

test('floating IPs: one per request_id', { timeout: 60_000 }, async () => {
  const before = (await collect(t.api.network.listFloatingIPs({ location: t.where }))).length;
  await sameObject(
    async () => (await t.api.network.createFloatingIP({ location: t.where, requestId: 'rid-fip-1' })).floatingIp!.id,
  );
  assert.equal((await collect(t.api.network.listFloatingIPs({ location: t.where }))).length, before + 1);
});

test('volumes, snapshots and backups: one each per request_id', { timeout: 60_000 }, async () => {
  const where = t.where;
  const volume = await sameObject(
    async () =>
      (await t.api.volume.createVolume({ location: where, name: 'rid-vol', sizeGb: 1, requestId: 'rid-vol-1' })).volume!
        .id,
  );
  assert.deepEqual(ids(await collect(t.api.volume.listVolumes({ location: where, nameOrId: 'rid-vol' }))), [volume]);
  await collect(t.api.volume.waitForVolume({ location: where, nameOrId: volume }));

  const snapshot = await sameObject(
    async () =>
      (
        await t.api.volume.createVolumeSnapshot({
          location: where,
          volume,
          name: 'rid-snap',
          requestId: 'rid-snap-1',
        })
      ).snapshot!.id,
  );
  assert.deepEqual(ids(await collect(t.api.volume.listVolumeSnapshots({ location: where, volumeId: volume }))), [
    snapshot,
  ]);

  const backup = await sameObject(
    async () =>
      (await t.api.volume.createVolumeBackup({ location: where, volume, name: 'rid-bk', requestId: 'rid-bk-1' }))
        .backup!.id,
  );
  assert.deepEqual(ids(await collect(t.api.volume.listVolumeBackups({ location: where, volumeId: volume }))), [backup]);
});

test('ImportImage: one image per request_id, every stream follows it', { timeout: 60_000 }, async () => {
  const request = {
    location: t.where,
    name: 'rid-import',
    diskFormat: 'raw',
    containerFormat: 'bare',
    uri: `http://127.0.0.1:${port}/disk.raw`,
    requestId: 'rid-import-1',
  };
  const image = await sameObject(async () => (await collect(t.api.image.importImage(request))).at(-1)!.image!.id);
  assert.deepEqual(ids(await collect(t.api.image.listImages({ location: t.where, nameOrId: 'rid-import' }))), [image]);
});

test('UploadImage: one image per request_id, every upload answers with it', { timeout: 60_000 }, async () => {
  const data = randomBytes(300_000);
  async function* upload(): AsyncGenerator<UploadImageRequest> {
    const header = UploadImageHeader.fromPartial({ location: t.where, name: 'rid-upload', requestId: 'rid-upload-1' });
    yield { part: { $case: 'header', value: header } };
    for (let i = 0; i < data.length; i += 64 * 1024)
      yield { part: { $case: 'chunk', value: data.subarray(i, i + 64 * 1024) } };
  }
  const image = await sameObject(async () => {
    const [result] = (await t.api.image.uploadImage(upload())).results;
    assert.equal(result.error, undefined, result.error?.message);
    return result.image!.id;
  });
  assert.deepEqual(ids(await collect(t.api.image.listImages({ location: t.where, nameOrId: 'rid-upload' }))), [image]);
});
