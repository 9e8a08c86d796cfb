// The network write calls through a mesh: an edge node reaches a simulated cloud two hops away (edge → hub → leaf),
// and creates, follow-ups (found by name, then pinned to the route they were found through) and in-band codes travel
// back unchanged.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Status } from 'nice-grpc-common';
import type { ServerError } from 'nice-grpc';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { startMesh, type Mesh } from '../../support/mesh.ts';
import { clients, collect } from '../../support/node.ts';

let simulator: Simulator;
let mesh: Mesh;
let api: ReturnType<typeof clients>;
let dir: string;
const where = { cloud: 'sim-mesh-net', region: 'RegionOne', zone: '', project: undefined };

before(async () => {
  simulator = await startSimulator({ clouds: [{ name: 'sim-mesh-net', regions: ['RegionOne'], bootDelayMs: 0 }] });
  dir = await mkdtemp(join(tmpdir(), 'oaktree-mesh-net-'));
  await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const loaded = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  const backends = loaded.clouds.map((cloud) => createOpenStackBackend(cloud, { logger: silentLogger() }));
  mesh = await startMesh([
    { id: 'leaf', backends },
    { id: 'hub', peers: ['leaf'] },
    { id: 'edge', peers: ['hub'] },
  ]);
  api = clients(mesh.address('edge'));
});

after(async () => {
  api?.close();
  await mesh?.close();
  await simulator?.close();
  await rm(dir, { recursive: true, force: true });
});

test('two hops away: network, subnet and router created, found by name, refused and deleted', {
  timeout: 60_000,
}, async () => {
  const net = api.network;
  const { network } = await net.createNetwork({ location: where, name: 'far', requestId: 'mesh-far-1' });
  assert.equal(network?.location?.cloud, 'sim-mesh-net');
  const again = await net.createNetwork({ location: where, name: 'far', requestId: 'mesh-far-1' });
  assert.equal(again.network?.id, network!.id, 'the request_id survives two hops');
  await net.createSubnet({ location: where, network: 'far', name: 'far-v4', cidr: '10.60.0.0/24' });
  const { router } = await net.createRouter({
    location: where,
    name: 'far-router',
    externalGateway: { network: 'public', externalFixedIps: [] },
    interfaces: [{ subnet: 'far-v4', port: '' }],
  });
  assert.equal(router?.interfaces.length, 1);

  // A follow-up with no location at all: found by name across the mesh, then routed to where it was found.
  const busy = await net.deleteRouter({ nameOrId: 'far-router' }).catch((error: ServerError) => error);
  assert.equal((busy as ServerError).code, Status.FAILED_PRECONDITION);
  const removed = await net.removeRouterInterface({ nameOrId: 'far-router', subnet: 'far-v4' });
  assert.equal(removed.router?.interfaces.length, 0);
  await net.deleteRouter({ nameOrId: 'far-router' });
  const listed = await collect(net.listRouters({ location: where, nameOrId: 'far-router' }));
  assert.deepEqual(listed, []);
  const deleted = await net.deleteNetwork({ nameOrId: 'far' });
  assert.equal(deleted.id, network!.id);
  assert.equal(deleted.location?.cloud, 'sim-mesh-net');
});
