// Object bytes through the mesh and the failures the real cloud cannot be made to show on demand: one upload to
// several clouds behind different nodes, a download two hops away, a cloud without TempURL, bit rot under a
// stored object, and 256 MiB through a 2-hop chain with every node's memory
// sampled.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createClient, type ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { createPeerBackend } from '../../../src/backends/peer/peer-backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import {
  ObjectStoreServiceDefinition,
  ObjectUrlMethod,
  type UploadObjectRequest,
} from '../../../src/gen/oaktree/v1/object_store.ts';
import { startNode } from '../../../src/node/server.ts';
import { topologyDown, topologyUp } from '../../../src/node/topology-runner.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator } from '../../../src/simulator/index.ts';
import type { SimCloudOptions } from '../../../src/simulator/types.ts';
import { clients, collect, ROOT } from '../../support/node.ts';

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

async function* uploadOf(header: object, data: Buffer, chunk = 256 * 1024): AsyncGenerator<UploadObjectRequest> {
  yield { part: { $case: 'header', value: header as any } };
  for (let offset = 0; offset < data.length; offset += chunk)
    yield { part: { $case: 'chunk', value: data.subarray(offset, offset + chunk) } };
}

/** Two nodes: `front` serves `local` clouds itself and reaches `remote` clouds through `upstream`. */
async function twoNodes(t: any, local: SimCloudOptions[], remote: SimCloudOptions[]) {
  const simulator = await startSimulator({ clouds: [...local, ...remote] });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-objects-'));
  await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  const logger = silentLogger();
  const backendsFor = (names: SimCloudOptions[]) =>
    names.map((n) => createOpenStackBackend(clouds.find((c) => c.name === n.name)!, { logger }));
  const upstream = await startNode({
    nodeId: 'upstream',
    listen: '127.0.0.1:0',
    backends: backendsFor(remote),
    logger,
  });
  const peer = createPeerBackend({ address: upstream.address, nodeId: 'front', logger, refreshMs: 100 });
  const front = await startNode({
    nodeId: 'front',
    listen: '127.0.0.1:0',
    backends: [...backendsFor(local), peer],
    logger,
  });
  await peer.refresh();
  const api = clients(front.address);
  const objects = createClient(ObjectStoreServiceDefinition, api.channel);
  t.after(async () => {
    api.close();
    await front.close(100);
    await upstream.close(100);
    await simulator.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { simulator, objects, api };
}

async function rejects(promise: Promise<unknown>, code: Status, pattern?: RegExp) {
  await assert.rejects(promise, (error: ServerError) => {
    assert.equal(error.code, code, `${Status[error.code]}: ${error.details}`);
    if (pattern) assert.match(error.details, pattern);
    return true;
  });
}

test('one upload to every matching location across nodes, each with its own result; a download one hop away', async (t) => {
  const { objects } = await twoNodes(t, [{ name: 'obj-a', regions: ['RegionOne', 'RegionTwo'] }], [{ name: 'obj-b' }]);
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const response = await objects.uploadObject(
    uploadOf(
      {
        location: {},
        allMatchingLocations: true,
        container: 'fanout',
        name: 'logs/run.tar',
        md5: md5(data),
        segmentSizeBytes: BigInt(1024 * 1024),
      },
      data,
    ),
  );
  assert.equal(response.bytesReceived, BigInt(data.length));
  const results = Object.fromEntries(response.results.map((r) => [`${r.location!.cloud}/${r.location!.region}`, r]));
  assert.deepEqual(Object.keys(results).sort(), ['obj-a/RegionOne', 'obj-a/RegionTwo', 'obj-b/RegionOne']);
  for (const [where, result] of Object.entries(results)) {
    assert.equal(result.error, undefined, `${where}: ${result.error?.message}`);
    assert.equal(result.segments, 4, where);
    assert.equal(result.bytesStored, BigInt(data.length), where);
  }
  const chunks: Buffer[] = [];
  let trailer: any;
  for await (const m of objects.downloadObject({
    location: { cloud: 'obj-b' },
    container: 'fanout',
    name: 'logs/run.tar',
  })) {
    if (m.part?.$case === 'chunk') chunks.push(Buffer.from(m.part.value));
    if (m.part?.$case === 'trailer') trailer = m.part.value;
  }
  assert.ok(Buffer.concat(chunks).equals(data), 'the bytes come back whole through the hop');
  assert.ok(
    chunks.every((c) => c.length <= 256 * 1024),
    'in bounded chunks',
  );
  assert.equal(trailer.md5, md5(data));

  // Object calls route to where the container is: only obj-b has "only-b".
  await objects.createContainer({ location: { cloud: 'obj-b' }, name: 'only-b' });
  const got = await objects.getContainer({ location: {}, nameOrId: 'only-b' });
  assert.equal(got.container?.location?.cloud, 'obj-b');
  const url = await objects.createObjectUrl({ location: {}, container: 'only-b', name: 'x' });
  assert.match(url.url, /temp_url_sig=/);
});

test('a cloud without TempURL answers FAILED_PRECONDITION and its capabilities say so', async (t) => {
  const { objects, api } = await twoNodes(t, [{ name: 'plain-swift', objectStore: { tempUrl: false } }], []);
  const caps = await collect(api.capabilities.listCapabilities({ location: { cloud: 'plain-swift' }, strict: true }));
  const objectStore = (caps[0].item!.value as any).objectStore;
  assert.equal(objectStore.available, true);
  assert.equal(objectStore.tempUrl, false);
  assert.deepEqual(objectStore.tempUrlMethods, []);
  await objects.createContainer({ location: { cloud: 'plain-swift' }, name: 'c' });
  await rejects(
    objects.createObjectUrl({
      location: { cloud: 'plain-swift' },
      container: 'c',
      name: 'o',
      method: ObjectUrlMethod.OBJECT_URL_METHOD_PUT,
    }),
    Status.FAILED_PRECONDITION,
    /no TempURL/,
  );
});

/** The simulator's file that holds exactly these bytes (object data lives in files in its temp dir). */
async function storedFileOf(data: Buffer): Promise<string> {
  for (const dir of (await readdir(tmpdir())).filter((d) => d.startsWith('oaktree-sim-'))) {
    const files = await readdir(join(tmpdir(), dir)).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.startsWith('swift-') && !f.endsWith('.partial'))) {
      const path = join(tmpdir(), dir, file);
      if ((await stat(path)).size === data.length && readFileSync(path).equals(data)) return path;
    }
  }
  throw new Error('the stored object file was not found');
}

test('bytes that rotted under the stored object end the download with DATA_LOSS', async (t) => {
  const { objects } = await twoNodes(t, [{ name: 'rot-cloud' }], []);
  const where = { cloud: 'rot-cloud' };
  const data = randomBytes(300_000);
  await objects.uploadObject(
    uploadOf({ location: where, container: 'r', name: 'precious', sizeBytes: BigInt(data.length) }, data),
  );
  const file = await open(await storedFileOf(data), 'r+');
  await file.write(Buffer.from([data[1234] ^ 0xff]), 0, 1, 1234);
  await file.close();
  await rejects(
    collect(objects.downloadObject({ location: where, container: 'r', name: 'precious' })),
    Status.DATA_LOSS,
    /etag/,
  );
});

/** Peak resident memory of a process so far, in MiB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
}

test("256 MiB up and down through a 2-hop chain keeps every relay's memory bounded", {
  timeout: 240_000,
}, async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'oaktree-objects-chain-'));
  const file = join(ROOT, 'topology/edge-chain.yaml');
  const state = await topologyUp(file, { basePort: 0, stateDir });
  t.after(async () => {
    await topologyDown(file, { basePort: 0, stateDir });
    await rm(stateDir, { recursive: true, force: true });
  });
  const edge = state.nodes.find((n) => n.id === 'edge')!;
  const before = Object.fromEntries(state.nodes.map((n) => [n.id, peakRssMb(n.pid)]));
  const api = clients(edge.address);
  const objects = createClient(ObjectStoreServiceDefinition, api.channel);
  t.after(() => api.close());
  const where = { cloud: 'region-cloud' };

  const block = randomBytes(1 << 20);
  const blocks = 256;
  const hash = createHash('md5');
  for (let i = 0; i < blocks; i++) hash.update(block);
  async function* upload(): AsyncGenerator<UploadObjectRequest> {
    yield {
      part: {
        $case: 'header',
        value: {
          location: where,
          container: 'chain',
          name: 'quarter-gib',
          sizeBytes: BigInt(blocks << 20),
          segmentSizeBytes: BigInt(64 << 20),
        } as any,
      },
    };
    for (let i = 0; i < blocks; i++) yield { part: { $case: 'chunk', value: block } };
  }
  let started = Date.now();
  const response = await objects.uploadObject(upload());
  const upSeconds = (Date.now() - started) / 1000;
  assert.equal(response.results[0].bytesStored, BigInt(blocks << 20));
  assert.equal(response.results[0].segments, 4);

  started = Date.now();
  const down = createHash('md5');
  for await (const m of objects.downloadObject({ location: where, container: 'chain', name: 'quarter-gib' }))
    if (m.part?.$case === 'chunk') down.update(m.part.value);
  const downSeconds = (Date.now() - started) / 1000;
  assert.equal(down.digest('hex'), hash.digest('hex'));

  const growth = Object.fromEntries(state.nodes.map((n) => [n.id, Math.round(peakRssMb(n.pid) - before[n.id])]));
  t.diagnostic(
    `256 MiB edge → site → region: up ${(256 / upSeconds).toFixed(0)} MiB/s, down ${(256 / downSeconds).toFixed(0)} MiB/s; peak RSS growth MiB: ${JSON.stringify(growth)}`,
  );
  for (const id of ['edge', 'site']) assert.ok(growth[id] < 100, `${id} grew ${growth[id]} MiB while relaying 256 MiB`);
  assert.ok(growth.region < 200, `region (owner, with its simulator) grew ${growth.region} MiB`);
  await collect(objects.deleteContainer({ location: where, container: 'chain', emptyFirst: true }));
});
