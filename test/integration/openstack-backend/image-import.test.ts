// web-download import end to end on the simulator, from a real HTTP server on loopback (the real cloud's Glance
// filters loopback ports other than 80/443, which the storage scenarios check): the stream ends ACTIVE with the
// served bytes; a URL that answers 404 ends FAILED_PRECONDITION and deletes the image. Also: a cloud that
// requires the task API (image_api_use_tasks) gets its uploads as glance-direct (stage, then import).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Status } from 'nice-grpc-common';
import { parse, stringify } from 'yaml';
import { ImageStatus, type UploadImageRequest } from '../../../src/gen/oaktree/v1/image.ts';
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

test('image_api_use_tasks: UploadImage stages the bytes and imports them (glance-direct), never PUT /file', {
  timeout: 60_000,
}, async () => {
  const doc = parse(await readFile(join(dir, 'clouds.yaml'), 'utf8'));
  doc.clouds['sim-import'].image_api_use_tasks = true;
  await writeFile(join(dir, 'tasks.yaml'), stringify(doc));
  const tasks = await openTarget({ ...t, label: 'tasks', cloudsYaml: join(dir, 'tasks.yaml') });
  try {
    const before = simulator.stats().byRoute;
    async function* parts(): AsyncGenerator<UploadImageRequest> {
      yield {
        part: {
          $case: 'header',
          value: { location: tasks.where, name: 'staged', diskFormat: 'raw', containerFormat: 'bare' } as any,
        },
      };
      yield { part: { $case: 'chunk', value: data } };
    }
    const result = await tasks.api.image.uploadImage(parts());
    const image = result.results[0]?.image;
    assert.equal(image?.status, ImageStatus.IMAGE_STATUS_ACTIVE, JSON.stringify(result.results[0]?.error));
    assert.equal(image?.md5, createHash('md5').update(data).digest('hex'));
    const after = simulator.stats().byRoute;
    const calls = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    assert.equal(calls('sim-import/image PUT /images/{id}/stage'), 1);
    assert.equal(calls('sim-import/image POST /images/{id}/import'), 1);
    assert.equal(calls('sim-import/image PUT /images/{id}/file'), 0);
    await tasks.api.image.deleteImage({ location: tasks.where, nameOrId: image!.id });
  } finally {
    await tasks.close();
  }
});
