// Per-cloud limits shared by replicas through a real redis-server: three nodes on one Redis hold the cloud's rate
// and concurrency in total (counted where the requests arrive: at the simulator), the slots of a replica that
// died come back after the lease TTL, and with Redis gone every node keeps to its local limit and calls still
// succeed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { parseNodeConfig } from '../../../src/node/config.ts';
import { buildBackends, type BuiltBackends } from '../../../src/node/backends.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { NodeMetrics } from '../../../src/observability/metrics.ts';
import { createLogger, silentLogger } from '../../../src/observability/logger.ts';
import { Writable } from 'node:stream';
import { connectRedis, type RedisConnection } from '../../../src/cache/redis/connection.ts';
import { SharedLimits } from '../../../src/cache/redis/shared-limits.ts';
import { clients, collect, ROOT } from '../../support/node.ts';
import { within } from '../../support/wait.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';
import { REDIS_SERVER, startRedis, type TestRedis } from '../watch/redis-server.ts';
import { sum } from './exposition.ts';

const CLOUD = 'sim-shared';
const skip = skipUnlessInstalled([REDIS_SERVER], 'apt-get install -y redis-server');

interface Replica {
  built: BuiltBackends;
  node: RunningNode;
  api: ReturnType<typeof clients>;
  metrics: NodeMetrics;
}

/** The most requests that arrived within any one second. */
function peakPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= 1000) i++;
    peak = Math.max(peak, j - i + 1);
  }
  return peak;
}

describe('limits shared by replicas through Redis', { skip, timeout: 120_000 }, () => {
  let sim: Simulator;
  let redis: TestRedis;
  let dir: string;
  const serverIds: string[] = [];
  const replicas: Replica[] = [];

  /** `logs`: each replica's warnings, one array of JSON lines per replica. */
  const startReplicas = async (count: number, limits: string, redisUrl: string, logs?: string[][]) => {
    const started: Replica[] = [];
    for (let i = 0; i < count; i++) {
      const config = parseNodeConfig(
        [`clouds: { file: ${join(dir, 'clouds.yaml')} }`, `limits: { ${CLOUD}: ${limits} }`].join('\n'),
      );
      config.redis = redisUrl; // a unix:// socket: the config file takes redis:// URLs
      const metrics = new NodeMetrics({ nodeId: `replica-${i}` });
      const lines: string[] = [];
      logs?.push(lines);
      const logger = logs
        ? createLogger({
            level: 'warn',
            destination: new Writable({ write: (c, _e, done) => done(void lines.push(String(c))) }),
          })
        : silentLogger();
      const built = await buildBackends(config, 'shared-node', logger, { metrics });
      const node = await startNode({
        nodeId: 'shared-node',
        listen: '127.0.0.1:0',
        backends: built.backends,
        logger: silentLogger(),
        metrics,
      });
      const replica = { built, node, api: clients(node.address), metrics };
      replicas.push(replica);
      started.push(replica);
    }
    // Each replica signs in and learns the catalog before the measured calls.
    if (serverIds.length)
      for (const r of started) await r.api.compute.getServer({ location: { cloud: CLOUD }, nameOrId: serverIds[0] });
    return started;
  };

  const stopReplicas = async (stopping: Replica[]) => {
    for (const r of stopping) {
      r.api.close();
      await r.node.close(100);
      await r.built.close();
      replicas.splice(replicas.indexOf(r), 1);
    }
  };

  /**
   * `calls` GetServer calls split over the replicas, all at once; the cloud's requests (identity aside) as they
   * arrived: one compute GET per call, and now and then a network GET for the addresses.
   */
  const burst = async (over: Replica[], calls: number) => {
    const arrivals: Array<{ service: string; at: number }> = [];
    const stop = sim.onRequest((request) => {
      if (request.cloud === CLOUD && request.service !== 'identity') arrivals.push(request);
    });
    const started = Date.now();
    try {
      await Promise.all(
        Array.from({ length: calls }, (_, i) =>
          over[i % over.length].api.compute.getServer({
            location: { cloud: CLOUD },
            nameOrId: serverIds[i % serverIds.length],
          }),
        ),
      );
    } finally {
      stop();
    }
    return { arrivals, seconds: (Date.now() - started) / 1000 };
  };

  before(async () => {
    redis = await startRedis();
    sim = await startSimulator({ clouds: [{ name: CLOUD, regions: ['RegionOne'], seedServers: 30, seedImages: 1 }] });
    dir = await mkdtemp(join(tmpdir(), 'oaktree-shared-limits-'));
    await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const [one] = await startReplicas(1, '{}', redis.url);
    for (const item of await collect(one.api.compute.listServers({ location: { cloud: CLOUD } })))
      if (item.item?.$case === 'server') serverIds.push(item.item.value.id);
    await stopReplicas([one]);
  });

  after(async () => {
    await stopReplicas([...replicas]);
    await sim?.close();
    await redis?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('three replicas hold the cloud rate in total', async () => {
    const three = await startReplicas(3, '{ rate: 20 }', redis.url);
    const { arrivals } = await burst(three, 60);
    assert.equal(arrivals.filter((r) => r.service === 'compute').length, 60, 'one compute GET per call');
    const peak = peakPerSecond(arrivals.map((r) => r.at));
    assert.ok(peak <= 20, `the cloud saw ${peak} requests in one second (limit 20 for all replicas)`);
    for (const r of three)
      assert.equal(
        sum(await r.metrics.registry.metrics(), 'oaktree_rate_limit_shared', { cloud: CLOUD, region: '' }),
        1,
      );
    await stopReplicas(three);
  });

  it('three replicas hold the cloud concurrency in total', async () => {
    const three = await startReplicas(3, '{ concurrency: 1 }', redis.url);
    const fault = sim.faults.add({ kind: 'latency', cloud: CLOUD, service: 'compute', ms: 150 });
    try {
      const { arrivals } = await burst(three, 6);
      const sorted = arrivals
        .filter((r) => r.service === 'compute')
        .map((r) => r.at)
        .sort((a, b) => a - b);
      const gaps = sorted.slice(1).map((at, i) => at - sorted[i]);
      // One request at a time across the replicas: the next arrives only after the 150 ms answer of the last.
      assert.ok(
        gaps.every((gap) => gap >= 140),
        `gaps between requests ${gaps.join(', ')} ms`,
      );
    } finally {
      sim.faults.remove(fault.id);
    }
    await stopReplicas(three);
  });

  it('a replica that died without giving its slots back: they return after the lease TTL', async () => {
    const namespace = `t-dead-${process.pid}:`;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'test/integration/operability/lease-holder.ts'),
        redis.url,
        namespace,
        '2',
        '1500',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let connection: RedisConnection | undefined;
    try {
      await within(
        new Promise<void>((resolve) =>
          createInterface({ input: child.stdout! }).on('line', (line) => line === 'held' && resolve()),
        ),
        30_000,
        'the other replica took both slots',
      );
      connection = await connectRedis(redis.url);
      const gate = new SharedLimits({ redis: connection, namespace, leaseTtlMs: 1500, retryEveryMs: 100 }).gate(
        'cloud',
        '',
      );
      const pastDeadline = () => new Error('no slot before the deadline');
      // While it lives (and renews), no slot is free.
      await assert.rejects(gate.lease(2, undefined, Date.now() + 1_000, pastDeadline), /no slot/);
      child.kill('SIGKILL');
      await exited;
      const killed = Date.now();
      const release = await gate.lease(2, undefined, Date.now() + 5_000, pastDeadline);
      assert.ok(release, 'Redis answered');
      const waited = Date.now() - killed;
      assert.ok(waited <= 1_500 + 500, `a slot came back ${waited} ms after the replica died (TTL 1500 ms)`);
      release();
    } finally {
      child.kill('SIGKILL');
      await connection?.close();
    }
  });

  it('with Redis gone, every replica keeps to its local limit and calls still succeed', async () => {
    const own = await startRedis();
    const logs: string[][] = [];
    const two = await startReplicas(2, '{ rate: 20, regions: { RegionOne: { rate: 30 } } }', own.url, logs);
    await own.close(); // Redis dies under the running replicas
    const { arrivals, seconds } = await within(burst(two, 20), 30_000, 'calls with Redis down');
    assert.equal(arrivals.filter((r) => r.service === 'compute').length, 20, 'every call reached the cloud');
    assert.ok(peakPerSecond(arrivals.map((r) => r.at)) <= 40, 'each replica still keeps to 20 req/s');
    assert.ok(seconds < 10, `the calls took ${seconds} s`);
    for (const r of two)
      assert.equal(
        sum(await r.metrics.registry.metrics(), 'oaktree_rate_limit_shared', { cloud: CLOUD, region: '' }),
        0,
        'the gauge shows the limit is local only',
      );
    // Two gates per replica (the cloud's and the region's) lost Redis; each replica says so once.
    for (const lines of logs)
      assert.equal(lines.filter((line) => line.includes('Redis is out of reach')).length, 1, lines.join(''));
    await stopReplicas(two);
  });
});
