// The node's Prometheus metrics, end to end: a node on a simulated cloud with a /metrics listener, real gRPC calls,
// the exposition checked by promtool and scraped by a real Prometheus server, and values that move with the calls.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { parseNodeConfig } from '../../../src/node/config.ts';
import { buildBackends, type BuiltBackends } from '../../../src/node/backends.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { NodeMetrics } from '../../../src/observability/metrics.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { createClient } from 'nice-grpc';
import { ObjectStoreServiceDefinition, type UploadObjectRequest } from '../../../src/gen/oaktree/v1/object_store.ts';
import type { UploadImageRequest } from '../../../src/gen/oaktree/v1/image.ts';
import { clients, collect } from '../../support/node.ts';
import { eventually } from '../../support/wait.ts';
import { promtoolCheck, samples, scrape, sum } from './exposition.ts';
import { startPrometheus, type PrometheusServer } from './prometheus.ts';
import { REDIS_SERVER, startRedis, type TestRedis } from '../watch/redis-server.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';

const redisMissing = skipUnlessInstalled([REDIS_SERVER], 'apt-get install -y redis-server');

const CLOUD = 'sim-metrics';
const LIST_SERVERS = '/oaktree.v1.ComputeService/ListServers';
let sim: Simulator;
let dir: string;
let built: BuiltBackends;
let node: RunningNode;
let api: ReturnType<typeof clients>;

before(async () => {
  sim = await startSimulator({ clouds: [{ name: CLOUD, regions: ['RegionOne'], seedServers: 3, seedImages: 1 }] });
  dir = await mkdtemp(join(tmpdir(), 'oaktree-metrics-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  const config = parseNodeConfig(
    [
      `clouds: { file: ${join(dir, 'clouds.yaml')} }`,
      'metrics: { listen: "127.0.0.1:0" }',
      `limits: { ${CLOUD}: { rate: 200, regions: { RegionOne: { concurrency: 4 } } } }`,
    ].join('\n'),
  );
  const metrics = new NodeMetrics({ nodeId: 'metrics-node' });
  built = await buildBackends(config, 'metrics-node', silentLogger(), { metrics });
  node = await startNode({
    nodeId: 'metrics-node',
    listen: '127.0.0.1:0',
    backends: built.backends,
    logger: silentLogger(),
    metrics,
    metricsListen: config.metrics!.listen,
  });
  api = clients(node.address);
});

after(async () => {
  api?.close();
  await node?.close(100);
  await built?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Prometheus metrics', { timeout: 60_000 }, () => {
  it('serves an exposition that promtool accepts, with every documented metric family', async () => {
    const text = await scrape(node.metricsAddress!);
    const check = await promtoolCheck(text);
    assert.equal(check.code, 0, check.output);
    for (const family of [
      'oaktree_rpc_requests_total',
      'oaktree_rpc_duration_seconds',
      'oaktree_rpc_in_flight',
      'oaktree_upstream_requests_total',
      'oaktree_upstream_duration_seconds',
      'oaktree_upstream_retries_total',
      'oaktree_upstream_throttled_total',
      'oaktree_shared_reads_total',
      'oaktree_backend_in_flight',
      'oaktree_peer_up',
      'oaktree_routes_known',
      'oaktree_rate_limit_requests_per_second',
      'oaktree_rate_limit_wait_seconds',
      'oaktree_rate_limit_lowered_total',
      'oaktree_rate_limit_shared',
      'oaktree_bytes_total',
      'oaktree_poller_interval_seconds',
      'oaktree_poller_lag_seconds',
      'oaktree_poller_servers_tracked',
      'oaktree_poller_subscribers',
      'oaktree_poller_leader',
    ])
      assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), family);
    assert.equal(sum(text, 'oaktree_routes_known'), 1);
    assert.equal(sum(text, 'oaktree_rate_limit_requests_per_second', { cloud: CLOUD, region: '' }), 200);
  });

  it('counts calls by method and code, upstream requests by cloud and status, and shared reads', async () => {
    const before = await scrape(node.metricsAddress!);
    // Five identical lists at once: they share upstream requests (coalesced) or kept answers (hits).
    await Promise.all(
      Array.from({ length: 5 }, () => collect(api.compute.listServers({ location: { cloud: CLOUD } }))),
    );
    await assert.rejects(collect(api.compute.listServers({ location: { cloud: 'no-such-cloud' } })));
    const after = await scrape(node.metricsAddress!);
    const delta = (name: string, match: Record<string, string>) => sum(after, name, match) - sum(before, name, match);

    assert.equal(delta('oaktree_rpc_requests_total', { method: LIST_SERVERS, code: 'OK' }), 5);
    assert.equal(delta('oaktree_rpc_requests_total', { method: LIST_SERVERS, code: 'NOT_FOUND' }), 1);
    assert.equal(delta('oaktree_rpc_duration_seconds_count', { method: LIST_SERVERS }), 6);
    assert.ok(
      delta('oaktree_upstream_requests_total', {
        cloud: CLOUD,
        region: 'RegionOne',
        service: 'compute',
        status: '200',
      }) >= 1,
    );
    const reads = ['hit', 'miss', 'coalesced'].map((result) =>
      delta('oaktree_shared_reads_total', { cloud: CLOUD, region: 'RegionOne', result }),
    );
    assert.ok(reads[0] + reads[2] >= 1, `some lists shared a read (hit, miss, coalesced = ${reads})`);
    assert.ok(delta('oaktree_rate_limit_wait_seconds_count', { cloud: CLOUD, region: 'RegionOne' }) >= 1);
    assert.equal(sum(after, 'oaktree_backend_in_flight', { backend: `cloud:${CLOUD}` }), 0);
    assert.equal(sum(after, 'oaktree_rpc_in_flight', { method: LIST_SERVERS }), 0);
    // Labels stay bounded: no server id or name appears anywhere in the exposition.
    const servers = await collect(api.compute.listServers({ location: { cloud: CLOUD } }));
    for (const item of servers) {
      if (item.item?.$case !== 'server') continue;
      assert.ok(!after.includes(item.item.value.id) && !after.includes(item.item.value.name), 'no object ids or names');
    }
  });

  it('counts 429s and retries, and a 429 lowers the rate and says so', async () => {
    const before = await scrape(node.metricsAddress!);
    sim.faults.add({ kind: 'status', status: 429, cloud: CLOUD, service: 'compute', count: 1, retryAfterSeconds: 0 });
    await collect(api.compute.listFlavors({ location: { cloud: CLOUD } }));
    const after = await scrape(node.metricsAddress!);
    const delta = (name: string, match: Record<string, string>) => sum(after, name, match) - sum(before, name, match);
    assert.equal(delta('oaktree_upstream_throttled_total', { cloud: CLOUD, region: 'RegionOne' }), 1);
    assert.equal(delta('oaktree_upstream_retries_total', { cloud: CLOUD, service: 'compute', reason: 'HTTP 429' }), 1);
    assert.equal(delta('oaktree_rate_limit_lowered_total', { cloud: CLOUD }), 1);
    assert.equal(sum(after, 'oaktree_rate_limit_requests_per_second', { cloud: CLOUD, region: '' }), 100);
  });

  it('counts image and object bytes by cloud, kind and direction where they pass', async () => {
    const before = await scrape(node.metricsAddress!);
    const data = Buffer.alloc(600 * 1024 + 5, 3); // more than one 256 KiB chunk each way
    const chunks = function* () {
      for (let offset = 0; offset < data.length; offset += 200 * 1024) yield data.subarray(offset, offset + 200 * 1024);
    };
    async function* image(): AsyncGenerator<UploadImageRequest> {
      yield {
        part: {
          $case: 'header',
          value: { location: { cloud: CLOUD }, name: 'bytes-image', diskFormat: 'raw', containerFormat: 'bare' } as any,
        },
      };
      for (const chunk of chunks()) yield { part: { $case: 'chunk', value: chunk } };
    }
    const uploaded = await api.image.uploadImage(image());
    const imageId = uploaded.results[0].image!.id;
    await collect(api.image.downloadImage({ location: { cloud: CLOUD }, nameOrId: imageId }));
    const objects = createClient(ObjectStoreServiceDefinition, api.channel);
    await objects.createContainer({ location: { cloud: CLOUD }, name: 'bytes' });
    async function* object(): AsyncGenerator<UploadObjectRequest> {
      yield { part: { $case: 'header', value: { location: { cloud: CLOUD }, container: 'bytes', name: 'o' } as any } };
      for (const chunk of chunks()) yield { part: { $case: 'chunk', value: chunk } };
    }
    await objects.uploadObject(object());
    await collect(objects.downloadObject({ location: { cloud: CLOUD }, container: 'bytes', name: 'o' }));
    const after = await scrape(node.metricsAddress!);
    for (const kind of ['image', 'object'])
      for (const direction of ['upload', 'download'])
        assert.equal(
          sum(after, 'oaktree_bytes_total', { cloud: CLOUD, kind, direction }) -
            sum(before, 'oaktree_bytes_total', { cloud: CLOUD, kind, direction }),
          data.length,
          `${kind} ${direction}`,
        );
  });

  it("shows a watched cloud-region's poller: interval, lag, servers tracked and listeners", async () => {
    const region = { cloud: CLOUD, region: 'RegionOne' };
    const watching = new AbortController();
    const stream = api.compute.watchServers({ location: { cloud: CLOUD } }, { signal: watching.signal });
    try {
      for await (const message of stream) if (message.item?.$case === 'checkpoint') break;
      const text = await scrape(node.metricsAddress!);
      assert.ok(sum(text, 'oaktree_poller_servers_tracked', region) >= 3, 'the seeded servers are tracked');
      assert.ok(sum(text, 'oaktree_poller_interval_seconds', region) > 0, 'an interval is in force');
      assert.ok(
        samples(text).some((s) => s.name === 'oaktree_poller_lag_seconds' && s.labels.cloud === CLOUD),
        'the lag is shown once a poll is in',
      );
      assert.equal(sum(text, 'oaktree_poller_subscribers', region), 1, 'the open watch stream listens');
      assert.ok(!/oaktree_poller_leader\{/.test(text), 'no leadership without Redis');
    } finally {
      watching.abort();
    }
  });

  describe('scraped by a real Prometheus server', () => {
    let prometheus: PrometheusServer;
    before(async () => {
      prometheus = await startPrometheus(node.metricsAddress!);
    });
    after(async () => {
      await prometheus?.close();
    });

    it('sees the target up and the call counter move', async () => {
      await eventually(
        async () => (await prometheus.query('up{job="oaktree"}'))[0]?.value === 1,
        'Prometheus scraped the node',
        { timeoutMs: 30_000, everyMs: 200 },
      );
      const counted = async () =>
        (await prometheus.query(`sum(oaktree_rpc_requests_total{method="${LIST_SERVERS}"})`))[0]?.value ?? 0;
      const first = await counted();
      await collect(api.compute.listServers({ location: { cloud: CLOUD } }));
      await eventually(async () => (await counted()) === first + 1, 'Prometheus saw one more ListServers', {
        timeoutMs: 30_000,
        everyMs: 200,
      });
    });
  });
});

describe('Redis leadership in the metrics', { skip: redisMissing, timeout: 60_000 }, () => {
  let redis: TestRedis;
  const replicas: Array<{ built: BuiltBackends; node: RunningNode; metrics: NodeMetrics }> = [];
  before(async () => {
    redis = await startRedis();
    for (const id of ['lead-a', 'lead-b']) {
      const config = parseNodeConfig(`clouds: { file: ${join(dir, 'clouds.yaml')} }`);
      config.redis = redis.url;
      const metrics = new NodeMetrics({ nodeId: id });
      const built = await buildBackends(config, 'leader-node', silentLogger(), { metrics });
      const replica = await startNode({
        nodeId: 'leader-node',
        listen: '127.0.0.1:0',
        backends: built.backends,
        logger: silentLogger(),
        metrics,
      });
      replicas.push({ built, node: replica, metrics });
    }
  });
  after(async () => {
    for (const r of replicas) {
      await r.node.close(100);
      await r.built.close();
    }
    await redis?.close();
  });

  it('one replica leads the poller of a watched cloud-region: its gauge is 1, the other is 0', async () => {
    const watching = new AbortController();
    const streams = replicas.map((r) => {
      const replicaApi = clients(r.node.address);
      return {
        replicaApi,
        stream: replicaApi.compute.watchServers({ location: { cloud: CLOUD } }, { signal: watching.signal }),
      };
    });
    try {
      for (const { stream } of streams) for await (const m of stream) if (m.item?.$case === 'checkpoint') break;
      const region = { cloud: CLOUD, region: 'RegionOne' };
      const leaders = async () =>
        Promise.all(
          replicas.map(async (r) => {
            const text = await r.metrics.registry.metrics();
            return samples(text).find((s) => s.name === 'oaktree_poller_leader' && s.labels.region === region.region)
              ?.value;
          }),
        );
      // Leadership settles within a lock renewal: until then both may still be following.
      const settled = await eventually(
        async () => {
          const values = await leaders();
          const all = values.every((v) => v !== undefined);
          return all && values.reduce((a, b) => a! + b!, 0) === 1 ? (values as number[]) : undefined;
        },
        'exactly one replica leads',
        { timeoutMs: 15_000, everyMs: 100 },
      );
      assert.deepEqual([...settled!].sort(), [0, 1]);
    } finally {
      watching.abort();
      for (const { replicaApi } of streams) replicaApi.close();
    }
  });
});
