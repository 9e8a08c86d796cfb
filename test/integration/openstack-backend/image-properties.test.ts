// Image properties that pose as typed fields or Glance's reserved names, through real gRPC to the simulator over
// HTTP: ImportImage and UpdateImage refuse them with INVALID_ARGUMENT naming the key, before anything is created or
// changed; ordinary properties still reach Glance.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { refusal } from '../../support/refusal.ts';
import { Status } from 'nice-grpc-common';
import { ImageVisibility } from '../../../src/gen/oaktree/v1/image.ts';
import { collect } from '../../support/node.ts';
import { openSimulatedTarget, type SimulatedTarget } from '../../scenarios/simulated-target.ts';

let http: Server;
let port: number;
let t: SimulatedTarget;

before(async () => {
  http = createServer((_req, res) => void res.writeHead(200, { 'content-length': '4' }).end('data'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  t = await openSimulatedTarget({
    name: 'sim-props',
    regions: ['RegionOne'],
    bootDelayMs: 0,
    importAllowedPorts: [80, 443, port],
  });
});

after(async () => {
  await t?.close();
  http?.close();
});

const importing = (name: string, properties: Record<string, string>) =>
  collect(
    t.api.image.importImage({
      location: t.where,
      name,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: ImageVisibility.IMAGE_VISIBILITY_PRIVATE,
      uri: `http://127.0.0.1:${port}/disk.raw`,
      properties,
    }),
  );
const imagesNamed = async (name: string) =>
  (await collect(t.api.image.listImages({ location: t.where, nameOrId: name }))).map((i: any) => i.item?.value);

test('ImportImage: a property named like a typed or reserved field is INVALID_ARGUMENT naming it; nothing is made', {
  timeout: 60_000,
}, async () => {
  for (const key of ['visibility', 'name', 'disk_format', 'status', 'id', 'oaktree_request_id']) {
    const refused = await refusal(importing('props-bad', { [key]: 'bogus' }));
    assert.equal(refused.code, Status.INVALID_ARGUMENT, `${key}: ${refused.message}`);
    assert.match(refused.message, new RegExp(`properties key "${key}"`));
  }
  const glance = await refusal(importing('props-bad', { os_glance_import_task: 'x' }));
  assert.equal(glance.code, Status.INVALID_ARGUMENT, glance.message);
  assert.match(glance.message, /os_glance_/);
  assert.deepEqual(await imagesNamed('props-bad'), [], 'no image was created');

  const states = await importing('props-good', { os_distro: 'cirros' });
  const image = states.at(-1)!.image!;
  assert.equal(image.visibility, ImageVisibility.IMAGE_VISIBILITY_PRIVATE);
  assert.equal(image.properties.os_distro, 'cirros');
  await t.api.image.deleteImage({ location: t.where, nameOrId: image.id });
});

test('UpdateImage: setting or removing a reserved property is INVALID_ARGUMENT naming it; others change', {
  timeout: 60_000,
}, async () => {
  const image = (await importing('props-update', {})).at(-1)!.image!.id;
  const set = await refusal(t.api.image.updateImage({ location: t.where, nameOrId: image, properties: { id: 'x' } }));
  assert.equal(set.code, Status.INVALID_ARGUMENT, set.message);
  assert.match(set.message, /properties key "id"/);
  const removed = await refusal(
    t.api.image.updateImage({ location: t.where, nameOrId: image, removeProperties: ['status'] }),
  );
  assert.equal(removed.code, Status.INVALID_ARGUMENT, removed.message);
  assert.match(removed.message, /remove_properties\[0\] "status"/);

  const { image: changed } = await t.api.image.updateImage({
    location: t.where,
    nameOrId: image,
    properties: { os_distro: 'cirros' },
  });
  assert.equal(changed?.properties.os_distro, 'cirros');
  assert.equal(changed?.name, 'props-update');
  await t.api.image.deleteImage({ location: t.where, nameOrId: image });
});
