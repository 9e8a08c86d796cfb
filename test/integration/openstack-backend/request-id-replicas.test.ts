// request_id across replicas: two nodes serving one cloud share a real redis-server, so a retry that lands on the
// other replica while the first call still runs waits for it and finds its object (real gRPC, the simulator over
// HTTP). Without the shared lock each replica would make its own network and volume.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { startNodeServices, type NodeServices } from '../../../src/node/services.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { clients, collect } from '../../support/node.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';
import { REDIS_SERVER, startRedis, type TestRedis } from '../watch/redis-server.ts';

const skip = skipUnlessInstalled([REDIS_SERVER], 'apt-get install -y redis-server');

describe('request_id through two replicas sharing Redis', { skip }, () => {
  let redis: TestRedis;
  let simulator: Simulator;
  let dir: string;
  const replicas: Array<{ services: NodeServices; node: RunningNode; api: ReturnType<typeof clients> }> = [];
  const where = { cloud: 'sim-replicas', region: 'RegionOne', zone: '', project: undefined };

  before(async () => {
    redis = await startRedis();
    simulator = await startSimulator({ clouds: [{ name: 'sim-replicas', regions: ['RegionOne'], bootDelayMs: 0 }] });
    dir = await mkdtemp(join(tmpdir(), 's5-request-id-replicas-'));
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const loaded = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
    const logger = silentLogger();
    for (const id of ['a', 'b']) {
      const services = await startNodeServices({ redis: redis.url, nodeId: 'replicas' });
      const node = await startNode({
        nodeId: `replica-${id}`,
        listen: '127.0.0.1:0',
        backends: loaded.clouds.map((cloud) => createOpenStackBackend(cloud, { logger, services })),
        logger,
      });
      replicas.push({ services, node, api: clients(node.address) });
    }
  });

  after(async () => {
    for (const r of replicas) {
      r.api.close();
      await r.node.close(100);
      await r.services.close();
    }
    await simulator?.close();
    await redis?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Two calls on each replica at once; every caller must get the same id. */
  async function onBoth(create: (api: ReturnType<typeof clients>) => Promise<string>): Promise<string> {
    const ids = await Promise.all(replicas.flatMap((r) => [create(r.api), create(r.api)]));
    assert.equal(new Set(ids).size, 1, `every caller gets the same object: ${ids.join(', ')}`);
    return ids[0];
  }

  test('CreateNetwork and CreateVolume: one object per request_id across replicas', { timeout: 60_000 }, async () => {
    const network = await onBoth(
      async (api) =>
        (await api.network.createNetwork({ location: where, name: 'rep-net', requestId: 'rep-net-1' })).network!.id,
    );
    const networks = await collect(replicas[0].api.network.listNetworks({ location: where, nameOrId: 'rep-net' }));
    assert.deepEqual(
      networks.map((i: any) => i.item?.value?.id),
      [network],
    );
    const volume = await onBoth(
      async (api) =>
        (await api.volume.createVolume({ location: where, name: 'rep-vol', sizeGb: 1, requestId: 'rep-vol-1' })).volume!
          .id,
    );
    const volumes = await collect(replicas[1].api.volume.listVolumes({ location: where, nameOrId: 'rep-vol' }));
    assert.deepEqual(
      volumes.map((i: any) => i.item?.value?.id),
      [volume],
    );
  });
});
