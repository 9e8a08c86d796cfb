// Image bytes through the mesh: one upload fanned out to clouds behind different nodes, and a 1 GiB upload
// through a 2-hop chain of node processes with every node's memory sampled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Status } from 'nice-grpc-common';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { createPeerBackend } from '../../../src/backends/peer/peer-backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import type { UploadImageRequest } from '../../../src/gen/oaktree/v1/image.ts';
import { startNode } from '../../../src/node/server.ts';
import { topologyDown, topologyUp } from '../../../src/node/topology-runner.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator } from '../../../src/simulator/index.ts';
import { eventually } from '../../support/wait.ts';
import { clients, collect, ROOT } from '../../support/node.ts';

function header(location: object, name: string, extra: object = {}): UploadImageRequest {
  return {
    part: { $case: 'header', value: { location, name, diskFormat: 'raw', containerFormat: 'bare', ...extra } as any },
  };
}

test('one upload to every matching location across nodes: each location reports its own result', async (t) => {
  const simulator = await startSimulator({
    clouds: [
      { name: 'up-a', regions: ['RegionOne', 'RegionTwo'] },
      { name: 'up-b', regions: ['RegionOne'], diskFormats: ['qcow2'] },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-upload-'));
  t.after(async () => {
    await simulator.close();
    await rm(dir, { recursive: true, force: true });
  });
  await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  const logger = silentLogger();
  // up-b sits behind a peer node, up-a is local: the stream is teed to two backends.
  const upstream = await startNode({
    nodeId: 'upstream',
    listen: '127.0.0.1:0',
    backends: [createOpenStackBackend(clouds.find((c) => c.name === 'up-b')!, { logger })],
    logger,
  });
  const peer = createPeerBackend({ address: upstream.address, nodeId: 'front', logger, refreshMs: 100 });
  const front = await startNode({
    nodeId: 'front',
    listen: '127.0.0.1:0',
    backends: [createOpenStackBackend(clouds.find((c) => c.name === 'up-a')!, { logger }), peer],
    logger,
  });
  await peer.refresh();
  const api = clients(front.address);
  t.after(async () => {
    api.close();
    await front.close(100);
    await upstream.close(100);
  });

  const data = Buffer.alloc(5 * 1024 * 1024 + 3, 7);
  const sha256 = createHash('sha256').update(data).digest('hex');
  async function* upload(): AsyncGenerator<UploadImageRequest> {
    yield header({}, 'everywhere', { allMatchingLocations: true, sha256 });
    for (let offset = 0; offset < data.length; offset += 1 << 20)
      yield { part: { $case: 'chunk', value: data.subarray(offset, offset + (1 << 20)) } };
  }
  const response = await api.image.uploadImage(upload());
  assert.equal(response.bytesReceived, BigInt(data.length));
  const byLocation = Object.fromEntries(response.results.map((r) => [`${r.location!.cloud}/${r.location!.region}`, r]));
  assert.deepEqual(Object.keys(byLocation).sort(), ['up-a/RegionOne', 'up-a/RegionTwo', 'up-b/RegionOne']);
  for (const key of ['up-a/RegionOne', 'up-a/RegionTwo']) {
    assert.ok(byLocation[key].image?.id, `${key}: ${JSON.stringify(byLocation[key].error)}`);
    assert.equal(byLocation[key].bytesStored, BigInt(data.length));
  }
  // up-b only takes qcow2: refused before any byte is stored, with the accepted formats named.
  assert.equal(byLocation['up-b/RegionOne'].error?.code, Status.FAILED_PRECONDITION);
  assert.match(byLocation['up-b/RegionOne'].error!.message, /qcow2/);
  const leftovers = (
    await collect(api.image.listImages({ location: { cloud: 'up-b' }, nameOrId: 'everywhere' }))
  ).filter((i) => i.item?.$case === 'image');
  assert.equal(leftovers.length, 0, 'no half image where the upload was refused');
});

/** Peak resident memory of a process so far, in MiB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
}

test("a 1 GiB upload through a 2-hop chain keeps every node's memory bounded", { timeout: 240_000 }, async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'oaktree-1gib-'));
  const file = join(ROOT, 'topology/edge-chain.yaml');
  const state = await topologyUp(file, { basePort: 0, stateDir });
  t.after(async () => {
    await topologyDown(file, { basePort: 0, stateDir });
  });
  const edge = state.nodes.find((n) => n.id === 'edge')!;
  const before = Object.fromEntries(state.nodes.map((n) => [n.id, peakRssMb(n.pid)]));
  const api = clients(edge.address);
  t.after(() => api.close());

  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  const blocks = 1024;
  const hash = createHash('sha256');
  for (let i = 0; i < blocks; i++) hash.update(block);
  const sha256 = hash.digest('hex');
  async function* upload(): AsyncGenerator<UploadImageRequest> {
    yield header({ cloud: 'region-cloud' }, 'one-gib', { sha256, sizeBytes: BigInt(blocks * block.length) });
    for (let i = 0; i < blocks; i++) yield { part: { $case: 'chunk', value: block } };
  }
  const started = Date.now();
  const response = await api.image.uploadImage(upload());
  const seconds = (Date.now() - started) / 1000;
  const result = response.results[0];
  assert.ok(result?.image?.id, JSON.stringify(result?.error));
  assert.equal(result.bytesStored, BigInt(blocks * block.length));
  const growth = Object.fromEntries(state.nodes.map((n) => [n.id, Math.round(peakRssMb(n.pid) - before[n.id])]));
  t.diagnostic(
    `1 GiB through edge → site → region in ${seconds.toFixed(1)} s (${(1024 / seconds).toFixed(0)} MiB/s); peak RSS growth MiB: ${JSON.stringify(growth)}`,
  );
  for (const id of ['edge', 'site']) assert.ok(growth[id] < 128, `${id} grew ${growth[id]} MiB while forwarding 1 GiB`);
  assert.ok(growth.region < 256, `region (owner, with its simulator) grew ${growth.region} MiB`);
  await api.image.deleteImage({ location: { cloud: 'region-cloud' }, nameOrId: result.image.id });
});

test('an upload abandoned by the client two hops away leaves no image behind', async (t) => {
  const simulator = await startSimulator({ clouds: [{ name: 'far-images', regions: ['RegionOne'] }] });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-abandon-'));
  await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  const logger = silentLogger();
  const owner = await startNode({
    nodeId: 'owner',
    listen: '127.0.0.1:0',
    backends: [createOpenStackBackend(clouds[0], { logger })],
    logger,
  });
  const toOwner = createPeerBackend({ address: owner.address, nodeId: 'middle', logger, refreshMs: 100 });
  const middle = await startNode({ nodeId: 'middle', listen: '127.0.0.1:0', backends: [toOwner], logger });
  const toMiddle = createPeerBackend({ address: middle.address, nodeId: 'edge', logger, refreshMs: 100 });
  const edge = await startNode({ nodeId: 'edge', listen: '127.0.0.1:0', backends: [toMiddle], logger });
  await toOwner.refresh();
  await toMiddle.refresh();
  const api = clients(edge.address);
  t.after(async () => {
    api.close();
    await edge.close(100);
    await middle.close(100);
    await owner.close(100);
    await simulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  const controller = new AbortController();
  async function* stalled(): AsyncGenerator<UploadImageRequest> {
    yield header({ cloud: 'far-images' }, 'abandoned-far');
    for (let i = 0; i < 4; i++) yield { part: { $case: 'chunk', value: Buffer.alloc(256 * 1024, i) } };
    // Stall until the half image exists at the owner's cloud, then abandon the upload.
    await eventually(async () => (await named()).length > 0, 'the half image exists two hops away');
    controller.abort();
  }
  const named = async () =>
    (
      await collect(api.image.listImages({ location: { cloud: 'far-images' }, nameOrId: 'abandoned-far', fresh: true }))
    ).filter((i) => i.item?.$case === 'image');
  await assert.rejects(api.image.uploadImage(stalled(), { signal: controller.signal }));
  await eventually(
    async () => (await named()).length === 0,
    'the owner deletes the half image when the cancel reaches it',
    { timeoutMs: 5000 },
  );
});
