// `npm run soak -- --minutes N [--workers 6]`: mixed load (lists, watches, creates/deletes, image uploads) through a
// 3-node chain of node processes for N minutes. Every minute it prints each node's RSS and open file handles and
// the calls done with their latency; at the end a verdict per node: RSS and handles flat or growing (slope).
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFleet, type FleetNodeSpec } from '../chaos/fleet.ts';
import { Prng, randomSeed } from '../chaos/prng.ts';
import { openHandles, rssMiB } from '../chaos/proc.ts';
import type { UploadImageRequest } from '../../src/gen/oaktree/v1/image.ts';
import { clients } from '../support/node.ts';
import { FloatingIPMode as ServerFip } from '../../src/gen/oaktree/v1/compute.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    workers: { type: 'string', default: '6' },
    seed: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const seed = values.seed !== undefined ? Number(values.seed) : randomSeed();

// edge → middle → core: a request at the edge reaches the core's cloud through two hops.
const SPECS: FleetNodeSpec[] = [
  { id: 'core', clouds: { 'soak-core': ['RegionOne', 'RegionTwo'] }, seedServers: 20 },
  { id: 'middle', clouds: { 'soak-middle': ['RegionOne'] }, peers: ['core'], seedServers: 10 },
  { id: 'edge', clouds: { 'soak-edge': ['RegionOne'] }, peers: ['middle'], seedServers: 10 },
];
/** The clouds a node reaches: its own and those of the nodes up its chain of peers. */
const reaches = (id: string): string[] => {
  const spec = SPECS.find((s) => s.id === id)!;
  return [...Object.keys(spec.clouds), ...(spec.peers ?? []).flatMap(reaches)];
};

console.log(`soak: ${minutes} min, ${values.workers} workers, seed ${seed}`);
const fleet = await startFleet(SPECS);
const apis = new Map(fleet.nodes.map((n) => [n.id, clients(n.address)]));
const latencies: number[] = [];
let calls = 0;
let failures = 0;
const errors = new Map<string, number>();
const stop = new AbortController();
setMaxListeners(0, stop.signal); // every worker's call and watch listens for the stop

/**
 * A signal that fires when the soak stops or after `ms`. Not `AbortSignal.any([stop, AbortSignal.timeout(ms)])`:
 * on Node 20 that combination never fires once the timeout signal is garbage collected (seen: every worker stuck in
 * a watch that should have ended after seconds, minute 6 of a 30-minute soak).
 */
function within(ms: number): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('the soak call timed out', 'TimeoutError')), ms);
  const onStop = () => controller.abort(stop.signal.reason);
  stop.signal.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      stop.signal.removeEventListener('abort', onStop);
    },
  };
}

async function timed(what: string, op: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  try {
    await op();
    latencies.push(performance.now() - started);
  } catch (error) {
    if (stop.signal.aborted) return;
    failures++;
    const key = `${what}: ${(error as Error).message.slice(0, 120)}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  calls++;
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of stream) n++;
  return n;
}

async function* upload(cloud: string, name: string, bytes: number): AsyncGenerator<UploadImageRequest> {
  yield {
    part: {
      $case: 'header',
      value: {
        location: { cloud, region: 'RegionOne', zone: '', project: undefined },
        allMatchingLocations: false,
        name,
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        visibility: 0,
        minDiskGb: 0,
        minRamMb: 0,
        tags: [],
        properties: {},
        sizeBytes: BigInt(bytes),
        md5: '',
        sha256: '',
        requestId: '',
      },
    },
  };
  for (let sent = 0; sent < bytes; sent += 64 * 1024)
    yield { part: { $case: 'chunk', value: Buffer.alloc(Math.min(64 * 1024, bytes - sent), 7) } };
}

async function worker(index: number): Promise<void> {
  const rng = new Prng(seed).fork(index);
  let n = 0;
  while (!stop.signal.aborted) {
    const node = rng.pick([...apis.keys()]);
    const api = apis.get(node)!;
    const cloud = rng.pick(reaches(node));
    const name = `soak-${index}-${n++}`;
    const call = within(30_000);
    const signal = call.signal;
    await rng
      .weighted<() => Promise<void>>([
        [40, () => timed('list servers', () => drain(api.compute.listServers({}, { signal })))],
        [
          15,
          () =>
            timed('list images', () =>
              drain(api.image.listImages({ location: { cloud, region: '', zone: '' } }, { signal })),
            ),
        ],
        [10, () => timed('list limits', () => drain(api.limits.listLimits({}, { signal })))],
        [
          10,
          async () => {
            // A watch that stays a few seconds, then leaves: its resources must go with it.
            const watch = within(rng.int(2000, 8000));
            await drain(api.compute.watchServers({}, { signal: watch.signal }))
              .catch(() => {})
              .finally(watch.done);
            calls++;
          },
        ],
        [
          15,
          () =>
            timed('create + delete server', async () => {
              await drain(
                api.compute.createServer(
                  {
                    location: { cloud, region: 'RegionOne', zone: '' },
                    name,
                    image: 'cirros-0.6.2-x86_64-disk',
                    flavor: 'm1.tiny',
                    floatingIp: ServerFip.FLOATING_IP_MODE_NONE,
                    wait: true,
                  },
                  { signal },
                ),
              );
              await api.compute.deleteServer(
                { location: { cloud, region: 'RegionOne', zone: '' }, nameOrId: name, wait: true },
                { signal },
              );
            }),
        ],
        [
          10,
          () =>
            timed('upload + delete image', async () => {
              await api.image.uploadImage(upload(cloud, name, rng.int(64, 512) * 1024), { signal });
              await api.image.deleteImage(
                { location: { cloud, region: 'RegionOne', zone: '' }, nameOrId: name },
                { signal },
              );
            }),
        ],
      ])()
      .finally(call.done);
  }
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;
const samples = new Map(fleet.nodes.map((n) => [n.id, [] as Array<{ minute: number; rss: number; fds: number }>]));
const sample = (minute: number) => {
  for (const node of fleet.nodes)
    samples
      .get(node.id)!
      .push({ minute, rss: rssMiB(node.pid) ?? Number.NaN, fds: openHandles(node.pid) ?? Number.NaN });
};

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const started = performance.now();
const workers = Array.from({ length: Number(values.workers) }, (_, i) => worker(i));
sample(0);
console.log(
  `| minute | ${fleet.nodes.map((n) => `${n.id} RSS MiB | ${n.id} fds`).join(' | ')} | calls | failed | p50 ms | p99 ms |`,
);
console.log(`| ------ | ${fleet.nodes.map(() => '--- | ---').join(' | ')} | ----- | ------ | ------ | ------ |`);
for (let minute = 1; minute <= minutes; minute++) {
  await sleep(Math.max(0, started + minute * 60_000 - performance.now())); // the reporting interval itself
  sample(minute);
  const window = latencies.splice(0).sort((a, b) => a - b);
  const row = fleet.nodes.map((n) => {
    const last = samples.get(n.id)!.at(-1)!;
    return `${last.rss.toFixed(1)} | ${last.fds}`;
  });
  console.log(
    `| ${minute} | ${row.join(' | ')} | ${calls} | ${failures} | ${pct(window, 50).toFixed(0)} | ${pct(window, 99).toFixed(0)} |`,
  );
  if (fleet.nodes.some((n) => n.crashed)) break;
}
stop.abort();
await Promise.all(workers);

// The first minute is warm-up (caches, pools, JIT): the slope is taken from minute 1 on.
console.log('\nverdict (slope from minute 1):');
let flat = true;
for (const node of fleet.nodes) {
  const points = samples.get(node.id)!.filter((s) => s.minute >= 1);
  const rssSlope = slope(points.map((s) => [s.minute, s.rss]));
  const fdSlope = slope(points.map((s) => [s.minute, s.fds]));
  const rssFlat = points.length < 2 || rssSlope < 2;
  const fdFlat = points.length < 2 || fdSlope < 1;
  flat &&= rssFlat && fdFlat && !node.crashed;
  console.log(
    `- ${node.id}: RSS ${rssSlope >= 0 ? '+' : ''}${rssSlope.toFixed(2)} MiB/min (${rssFlat ? 'flat' : 'growing'}), handles ${fdSlope >= 0 ? '+' : ''}${fdSlope.toFixed(2)}/min (${fdFlat ? 'flat' : 'growing'})${node.crashed ? `, CRASHED: ${node.crashed}` : ''}`,
  );
}
if (errors.size)
  console.log('\nfailed calls:', Object.fromEntries([...errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)));
console.log(`\n${calls} calls, ${failures} failed; ${flat ? 'FLAT' : 'GROWING'}`);
for (const api of apis.values()) api.close();
await fleet.close();
process.exitCode = flat ? 0 : 1;
