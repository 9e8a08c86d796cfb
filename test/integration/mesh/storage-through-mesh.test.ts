// The new storage, image and identity calls two hops away: edge -> middle -> leaf (which owns a simulated
// cloud). Follow-ups find their object through the mesh and run where it lives; streams (WaitForVolume) and lists
// (snapshots, projects, whoami) come back with the leaf's locations.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClient } from 'nice-grpc';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { IdentityServiceDefinition } from '../../../src/gen/oaktree/v1/identity.ts';
import { VolumeSnapshotStatus, VolumeStatus } from '../../../src/gen/oaktree/v1/volume.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { startMesh, type Mesh } from '../../support/mesh.ts';
import { clients, collect } from '../../support/node.ts';

let simulator: Simulator;
let mesh: Mesh;
let dir: string;
let api: ReturnType<typeof clients>;
const where = { cloud: 'sim-mesh', region: 'RegionOne', zone: '', project: undefined };

before(async () => {
  simulator = await startSimulator({ clouds: [{ name: 'sim-mesh', regions: ['RegionOne'], bootDelayMs: 0 }] });
  dir = await mkdtemp(join(tmpdir(), 's3-storage-mesh-'));
  await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  mesh = await startMesh([
    { id: 'leaf', backends: [createOpenStackBackend(clouds[0], { logger: silentLogger() })] },
    { id: 'middle', peers: ['leaf'] },
    { id: 'edge', peers: ['middle'] },
  ]);
  api = clients(mesh.address('edge'));
});

after(async () => {
  api?.close();
  await mesh?.close();
  await simulator?.close();
  await rm(dir, { recursive: true, force: true });
});

test('volume update, wait, snapshot and delete two hops away', { timeout: 60_000 }, async () => {
  const { volume } = await api.volume.createVolume({ location: where, name: 'mesh-vol', sizeGb: 1 });
  const states = await collect(api.volume.waitForVolume({ location: where, nameOrId: 'mesh-vol' }));
  assert.equal(states.at(-1)?.volume?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
  const { volume: updated } = await api.volume.updateVolume({
    location: {},
    nameOrId: 'mesh-vol',
    description: 'via mesh',
  });
  assert.equal(updated?.description, 'via mesh');
  assert.equal(updated?.location?.cloud, 'sim-mesh');
  const { snapshot } = await api.volume.createVolumeSnapshot({
    location: where,
    volume: 'mesh-vol',
    name: 'mesh-snap',
    wait: true,
  });
  assert.equal(snapshot?.status, VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_AVAILABLE);
  const snaps = await collect(api.volume.listVolumeSnapshots({ location: {}, volumeId: volume!.id }));
  assert.deepEqual(
    snaps.map((s: any) => s.item?.value?.name),
    ['mesh-snap'],
  );
  await api.volume.deleteVolumeSnapshot({ location: {}, nameOrId: 'mesh-snap', wait: true });
  await api.volume.deleteVolume({ location: where, nameOrId: volume!.id, wait: true });
});

test('whoami and projects two hops away carry the leaf cloud location', { timeout: 60_000 }, async () => {
  const identity = createClient(IdentityServiceDefinition, api.channel);
  const callers = await collect(identity.whoAmI({ location: {} }));
  assert.equal(callers.length, 1);
  assert.equal((callers[0] as any).item?.value?.location?.cloud, 'sim-mesh');
  assert.equal((callers[0] as any).item?.value?.userName, 'demo');
  const projects = await collect(identity.listProjects({ location: {} }));
  assert.ok(projects.some((p: any) => p.item?.value?.isCurrent));
});
