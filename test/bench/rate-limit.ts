// Table: a cloud limited to 10 requests per second under 200 concurrent callers. One node (in this process) serves
// a simulated cloud with `limits: {cloud: {rate: 10}}`; 200 clients each ask GetServer for a different server at
// once (one upstream GET each: single objects are never shared). The cloud's own request counter is sampled every
// 50 ms, so the rate is what the cloud received; the same run without the limit is the baseline. A third row runs
// three replicas of the node sharing one redis-server, the callers split across them: the limit is the cloud's total.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAll, startNodeProcess, startSimProcess, type SimProcess } from './lib/procs.ts';
import { clients, collect } from '../support/node.ts';
import { fmt, markdownTable, quantile, verdict } from './lib/stats.ts';
import { startRedis } from '../integration/watch/redis-server.ts';

const CLOUD = 'rl-cloud';
const CALLERS = 200;
const RATE = 10;
const REPLICAS = 3;

interface Run {
  limit: string;
  finished: number;
  failed: number;
  seconds: number;
  upstream: number;
  peakPerSecond: number;
  meanPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** One read of the simulator's counter: asked at `sent` ms, answered at `received` ms. */
interface CountRead {
  sent: number;
  received: number;
  total: number;
}

/**
 * The most requests the cloud counted within one second: between two reads whose counts were taken at most 1 s
 * apart for sure (the later answered no more than 1 s after the earlier was asked).
 */
function peakPerSecond(reads: CountRead[]): number {
  let peak = 0;
  for (let i = 0; i < reads.length; i++)
    for (let j = i + 1; j < reads.length && reads[j].received - reads[i].sent <= 1000; j++)
      peak = Math.max(peak, reads[j].total - reads[i].total);
  return peak;
}

async function runOnce(
  sim: SimProcess,
  dir: string,
  rate: number | undefined,
  shared?: { replicas: number; redis: string },
): Promise<Run> {
  const nodes = [];
  for (let i = 0; i < (shared?.replicas ?? 1); i++)
    nodes.push(
      await startNodeProcess({
        id: `rate-${rate ?? 'none'}${shared ? `-replica-${i}` : ''}`,
        dir,
        cloudsYaml: sim.cloudsYaml,
        only: [CLOUD],
        config: { ...(rate ? { limits: { [CLOUD]: { rate } } } : {}), ...(shared ? { redis: shared.redis } : {}) },
      }),
    );
  const apis = nodes.map((node) => clients(node.address));
  const api = apis[0];
  try {
    const ids: string[] = [];
    for (const item of await collect(api.compute.listServers({ location: { cloud: CLOUD } })))
      if (item.item?.$case === 'server') ids.push(item.item.value.id);
    // Flavors and images of the answers are looked up once here, so the measured calls are the GETs themselves.
    for (const each of apis) await each.compute.getServer({ location: { cloud: CLOUD }, nameOrId: ids[0] });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the warm-up's turns have passed
    await sim.resetStats();
    const t0 = performance.now();
    const reads: CountRead[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const sent = performance.now() - t0;
        const { total } = await sim.stats();
        reads.push({ sent, received: performance.now() - t0, total });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const latencies: number[] = [];
    let failed = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, i) => {
        const started = performance.now();
        try {
          await apis[i % apis.length].compute.getServer({ location: { cloud: CLOUD }, nameOrId: ids[i % ids.length] });
          latencies.push(performance.now() - started);
        } catch {
          failed++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    const upstream = (await sim.stats()).total;
    return {
      limit: `${rate ? `${rate} req/s` : 'none'}${shared ? `, ${shared.replicas} replicas sharing Redis` : ''}`,
      finished: latencies.length,
      failed,
      seconds,
      upstream,
      peakPerSecond: peakPerSecond(reads),
      meanPerSecond: upstream / seconds,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
    };
  } finally {
    for (const each of apis) each.close();
    await closeAll(nodes);
  }
}

export async function runRateLimit(dir: string) {
  const sim = await startSimProcess(
    [{ name: CLOUD, regions: ['RegionOne'], seedServers: CALLERS, seedImages: 1 }],
    dir,
  );
  const redis = await startRedis();
  try {
    const runs = [
      await runOnce(sim, dir, undefined),
      await runOnce(sim, dir, RATE),
      await runOnce(sim, dir, RATE, { replicas: REPLICAS, redis: redis.url }),
    ];
    const [, limited, shared] = runs;
    return {
      name: 'rate-limit',
      title: `Per-cloud rate limit: ${CALLERS} concurrent GetServer callers, cloud limited to ${RATE} req/s`,
      table: markdownTable(
        [
          'limit',
          'finished',
          'failed',
          'upstream requests',
          'peak req/s at the cloud',
          'mean req/s',
          'wall s',
          'p50 ms',
          'p99 ms',
        ],
        runs.map((r) => [
          r.limit,
          String(r.finished),
          String(r.failed),
          String(r.upstream),
          String(r.peakPerSecond),
          fmt(r.meanPerSecond, 1),
          fmt(r.seconds, 1),
          fmt(r.p50Ms, 0),
          fmt(r.p99Ms, 0),
        ]),
      ),
      targets: [
        `the cloud receives ≤ ${RATE} req/s in every one-second window: ${verdict(limited.peakPerSecond <= RATE, `peak ${limited.peakPerSecond}`)}`,
        `all ${CALLERS} callers finish: ${verdict(limited.finished === CALLERS, `${limited.finished} finished, ${limited.failed} failed`)}`,
        `${REPLICAS} replicas sharing Redis, ${CALLERS} callers split across them: the cloud receives ≤ ${RATE} req/s in every one-second window: ${verdict(shared.peakPerSecond <= RATE, `peak ${shared.peakPerSecond}`)}`,
        `${REPLICAS} replicas sharing Redis: all ${CALLERS} callers finish: ${verdict(shared.finished === CALLERS, `${shared.finished} finished, ${shared.failed} failed`)}`,
      ],
      notes: [
        'The simulator and the node each run in their own process; the callers share one channel from this process. Peak: the most requests the simulator counted between two reads of its counter (read every 20 ms) that were surely at most 1 s apart (the later read answered within 1 s of the earlier one being asked). The limiter lets one request through every 1.1/rate s (no burst; the 10 % absorb jitter on the way to the cloud), shared by every caller of the node.',
        `Shared row: ${REPLICAS} node processes with \`redis:\` on one redis-server (unix socket), the ${CALLERS} callers spread round-robin over one channel per replica; each turn comes from a script in Redis.`,
      ],
      raw: { runs },
    };
  } finally {
    await redis.close();
    await sim.close();
  }
}

// `node --import tsx test/bench/rate-limit.ts` runs this table alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-bench-'));
  const result = await runRateLimit(dir);
  console.log(result.table, '\n', result.targets.join('\n'));
  await rm(dir, { recursive: true, force: true });
}
