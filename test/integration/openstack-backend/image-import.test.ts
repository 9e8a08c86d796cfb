// web-download import end to end on the simulator, from a real HTTP server on loopback (the real cloud's Glance
// filters loopback ports other than 80/443, which the storage scenarios check): the stream ends ACTIVE with the
// served bytes; a URL that answers 404 ends FAILED_PRECONDITION and deletes the image.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Status } from 'nice-grpc-common';
import { ImageStatus } from '../../../src/gen/oaktree/v1/image.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { collect } from '../../support/node.ts';
import { openTarget, type ScenarioTarget } from '../../scenarios/target.ts';

const data = randomBytes(256 * 1024 + 3);
let http: Server;
let port: number;
let simulator: Simulator;
let t: ScenarioTarget;
let dir: string;

before(async () => {
  http = createServer((req, res) => {
    if (req.url !== '/disk.raw') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': String(data.length) }).end(data);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  simulator = await startSimulator({
    clouds: [{ name: 'sim-import', regions: ['RegionOne'], bootDelayMs: 0, importAllowedPorts: [80, 443, port] }],
  });
  dir = await mkdtemp(join(tmpdir(), 's3-storage-import-'));
  await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
  t = await openTarget({
    label: 'simulator',
    cloudsYaml: join(dir, 'clouds.yaml'),
    cloud: 'sim-import',
    region: 'RegionOne',
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
    network: 'private',
    externalNetwork: 'public',
  });
});

after(async () => {
  await t?.close();
  await simulator?.close();
  http?.close();
  await rm(dir, { recursive: true, force: true });
});

test('web-download streams the image until ACTIVE; a retried request_id follows the same image', {
  timeout: 60_000,
}, async () => {
  const request = {
    location: t.where,
    name: 'imported',
    diskFormat: 'raw',
    containerFormat: 'bare',
    uri: `http://127.0.0.1:${port}/disk.raw`,
    requestId: 'import-1',
  };
  const states = await collect(t.api.image.importImage(request));
  const last = states.at(-1)!;
  assert.equal(last.done, true);
  assert.equal(last.image?.status, ImageStatus.IMAGE_STATUS_ACTIVE);
  assert.equal(last.image?.sizeBytes, BigInt(data.length));
  assert.equal(last.image?.md5, createHash('md5').update(data).digest('hex'));
  const again = await collect(t.api.image.importImage(request));
  assert.equal(again.at(-1)?.image?.id, last.image?.id);
  await t.api.image.deleteImage({ location: t.where, nameOrId: last.image!.id });
});

test('a URL that passes filtering but cannot be fetched: FAILED_PRECONDITION, the image is deleted', {
  timeout: 60_000,
}, async () => {
  await assert.rejects(
    collect(
      t.api.image.importImage({
        location: t.where,
        name: 'not-fetched',
        diskFormat: 'raw',
        containerFormat: 'bare',
        uri: `http://127.0.0.1:${port}/missing`,
      }),
    ),
    (e: any) =>
      e.code === Status.FAILED_PRECONDITION &&
      /could not import image .* is the URL reachable from the cloud\? The image was deleted/.test(e.details),
  );
  const left = await collect(t.api.image.listImages({ location: t.where, nameOrId: 'not-fetched' }));
  assert.equal(left.length, 0);
});
