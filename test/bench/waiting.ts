// Table 4: the cost of waiting for servers to boot. Upstream requests per minute while N servers stay in BUILD,
// and time-to-notice (ACTIVE at the cloud → the client told): a real `oaktree serve` node (its shared per-region
// poller) vs openstacksdk's wait_for_server in threads, on one Connection and on one Connection each.
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServerStatus } from '../../src/gen/oaktree/v1/compute.ts';
import { startSimRegion, type SimRegion } from '../integration/watch/helpers.ts';
import { computeClient } from './lib/grpc.ts';
import { PYTHON } from './lib/python.ts';
import { closeAll, ROOT, startNodeProcess, waitForLocations } from './lib/procs.ts';
import { fmt, fmtInt, markdownTable, median, p99, verdict } from './lib/stats.ts';

const WAITERS = [1, 10, 100, 1000];
const SDK_SHARED_MEASURED = [1, 10, 100, 1000];
const SDK_SEPARATE_MEASURED = [1, 10];
const WINDOW_S = 20;
/** Issue 17's "same window": the first seconds of new waiters, their start included. */
const SAME_WINDOW_S = 12;
/** The node's production fast poll interval: the most a region's poller lists while anyone waits. */
const POLL_INTERVAL_MS = 1_000;
const BOOT_MS = 4000;
const NOTICE_SERVERS = 10;

type Routes = Record<string, number>;
const routes = (sim: SimRegion): Routes => {
  const out: Routes = {};
  for (const e of sim.sim.stats().entries)
    if (e.service !== 'identity') out[`${e.service} ${e.route}`] = (out[`${e.service} ${e.route}`] ?? 0) + e.count;
  return out;
};
const diff = (a: Routes, b: Routes): Routes =>
  Object.fromEntries(
    Object.entries(b)
      .map(([k, v]) => [k, v - (a[k] ?? 0)])
      .filter(([, v]) => (v as number) > 0),
  );
const total = (r: Routes) => Object.values(r).reduce((x, y) => x + y, 0);

/** One WaitForServer stream per server, as a waiter would hold (fed by the region's shared poller). */
function waitStream(
  client: ReturnType<typeof computeClient>,
  id: string,
  signal?: AbortSignal,
): AsyncIterable<ServerStatus | undefined> {
  const location = { cloud: 'wcloud' };
  return (async function* () {
    for await (const res of client.compute.waitForServer({ nameOrId: id, location }, { signal }))
      yield res.server?.status;
  })();
}

async function oaktreeNode(sim: SimRegion, dir: string) {
  const node = await startNodeProcess({ id: 'wait-node', dir, cloudsYaml: sim.cloudsFile, only: ['wcloud'] });
  await waitForLocations(node.address, 1);
  return node;
}

async function oaktreePerMinute(
  n: number,
  dir: string,
): Promise<{ perMinute: number; startRequests: number; sameWindow: number; routes: Routes }> {
  const sim = await startSimRegion({ bootDelayMs: 3_600_000 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await sim.createServer(`w${i}`));
    const node = await oaktreeNode(sim, dir);
    const client = computeClient(node.address);
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const before = routes(sim);
    const t0 = Date.now();
    const failures: unknown[] = [];
    const started: Promise<void>[] = [];
    const waiters = ids.map(async (id, i) => {
      let first!: () => void;
      started[i] = new Promise<void>((resolve) => (first = resolve));
      try {
        for await (const _ of waitStream(client, id, abort.signal)) first(); // BUILD all window long
      } catch (error) {
        if (!abort.signal.aborted) failures.push(error);
      } finally {
        first();
      }
    });
    await Promise.all(started); // every waiter has its first message
    const start = routes(sim);
    const windowStart = Date.now();
    await sleep(Math.max(0, t0 + SAME_WINDOW_S * 1000 - Date.now()));
    const sameWindow = total(diff(before, routes(sim)));
    await sleep(Math.max(0, windowStart + WINDOW_S * 1000 - Date.now()));
    const window = diff(start, routes(sim));
    abort.abort();
    await Promise.allSettled(waiters);
    client.close();
    await closeAll([node]);
    if (failures.length)
      throw new Error(`${failures.length} of ${n} oaktree waiters failed: ${(failures[0] as Error).message}`);
    return {
      perMinute: (total(window) * 60) / WINDOW_S,
      startRequests: total(diff(before, start)),
      sameWindow,
      routes: window,
    };
  } finally {
    await sim.close();
  }
}

function sdkWaiters(
  sim: SimRegion,
  mode: 'shared' | 'separate',
  timeoutS: number,
  ids: string[],
  onReady: () => void,
  onCpu: (s: number) => void = () => {},
): Promise<Record<string, number | null>> {
  return new Promise((resolve, reject) => {
    const py = spawn(PYTHON, [join(ROOT, 'test/bench/sdk/waiters.py'), mode, 'wcloud', String(timeoutS), ...ids], {
      env: { ...process.env, OS_CLIENT_CONFIG_FILE: sim.cloudsFile, PYTHONWARNINGS: 'ignore' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let result: Record<string, number | null> | undefined;
    createInterface({ input: py.stdout! }).on('line', (line) => {
      if (line === 'READY') {
        onReady();
        py.stdin!.write('go\n');
      } else if (line.startsWith('CPU ')) onCpu(Number(line.slice(4)));
      else if (line.startsWith('{')) result = JSON.parse(line);
    });
    py.once('exit', (code) => (result ? resolve(result) : reject(new Error(`waiters.py exited with ${code}`))));
  });
}

async function sdkPerMinute(
  n: number,
  mode: 'shared' | 'separate',
): Promise<{ perMinute: number; routes: Routes; pythonCpuSeconds: number }> {
  const sim = await startSimRegion({ bootDelayMs: 3_600_000 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await sim.createServer(`s${i}`));
    let start: Routes = {};
    let pythonCpuSeconds = NaN;
    await sdkWaiters(
      sim,
      mode,
      WINDOW_S,
      ids,
      () => (start = routes(sim)),
      (s) => (pythonCpuSeconds = s),
    );
    const window = diff(start, routes(sim));
    return { perMinute: (total(window) * 60) / WINDOW_S, routes: window, pythonCpuSeconds };
  } finally {
    await sim.close();
  }
}

/**
 * Creates servers that turn ACTIVE BOOT_MS later, spread over one poll interval so their ACTIVE moments fall at
 * every phase of a poller's cycle (created back to back, one lucky or unlucky phase would decide every sample);
 * returns id → when the cloud made it ACTIVE (epoch ms, ± the create call).
 */
async function bootServers(sim: SimRegion, count: number): Promise<Map<string, number>> {
  const readyAt = new Map<string, number>();
  const first = Date.now();
  for (let i = 0; i < count; i++) {
    await sleep(Math.max(0, first + (i * POLL_INTERVAL_MS) / count - Date.now()));
    const t0 = Date.now();
    const id = await sim.createServer(`n${i}`);
    readyAt.set(id, (t0 + Date.now()) / 2 + BOOT_MS);
  }
  return readyAt;
}

async function oaktreeNotice(dir: string): Promise<number[]> {
  const sim = await startSimRegion({ bootDelayMs: BOOT_MS });
  try {
    const node = await oaktreeNode(sim, dir);
    const client = computeClient(node.address);
    const readyAt = await bootServers(sim, NOTICE_SERVERS);
    const latencies = await Promise.all(
      [...readyAt].map(async ([id, ready]) => {
        for await (const status of waitStream(client, id, AbortSignal.timeout(60_000))) {
          if (status === ServerStatus.SERVER_STATUS_ACTIVE) return Date.now() - ready;
        }
        return NaN;
      }),
    );
    client.close();
    await closeAll([node]);
    return latencies;
  } finally {
    await sim.close();
  }
}

async function sdkNotice(): Promise<number[]> {
  const sim = await startSimRegion({ bootDelayMs: BOOT_MS });
  try {
    // Created before openstacksdk starts; BOOT_MS leaves it time to connect and begin waiting.
    const readyAt = await bootServers(sim, NOTICE_SERVERS);
    const done = await sdkWaiters(sim, 'shared', 60, [...readyAt.keys()], () => {});
    return [...readyAt].map(([id, ready]) => (done[id] ?? NaN) - ready);
  } finally {
    await sim.close();
  }
}

export async function runWaiting(dir: string) {
  const oaktree = new Map<number, Awaited<ReturnType<typeof oaktreePerMinute>>>();
  const shared = new Map<number, Awaited<ReturnType<typeof sdkPerMinute>>>();
  const separate = new Map<number, Awaited<ReturnType<typeof sdkPerMinute>>>();
  for (const n of WAITERS) {
    process.stderr.write(`waiting: oaktree, ${n} waiter(s)\n`);
    oaktree.set(n, await oaktreePerMinute(n, dir));
  }
  for (const n of SDK_SHARED_MEASURED) {
    process.stderr.write(`waiting: openstacksdk one Connection, ${n} waiter(s)\n`);
    shared.set(n, await sdkPerMinute(n, 'shared'));
  }
  for (const n of SDK_SEPARATE_MEASURED) {
    process.stderr.write(`waiting: openstacksdk one Connection per waiter, ${n} waiter(s)\n`);
    separate.set(n, await sdkPerMinute(n, 'separate'));
  }
  process.stderr.write('waiting: time to notice\n');
  const oNotice = await oaktreeNotice(dir);
  const sNotice = await sdkNotice();

  // Extrapolation (Connection per waiter only: independent pollers add up): the largest measured N's rate per waiter, times N.
  const extrapolate = (m: Map<number, { perMinute: number }>, n: number) => {
    if (m.has(n)) return { value: m.get(n)!.perMinute, measured: true };
    const largest = Math.max(...m.keys());
    return { value: (m.get(largest)!.perMinute / largest) * n, measured: false };
  };
  const cell = (x: { value: number; measured: boolean }) => `${fmt(x.value, 0)}${x.measured ? '' : ' (extrapolated)'}`;
  const rows = WAITERS.map((n) => ({
    n,
    o: oaktree.get(n)!,
    shared: extrapolate(shared, n),
    separate: extrapolate(separate, n),
  }));
  const at1000 = rows[rows.length - 1];
  const one = oaktree.get(1)!;
  const hundred = oaktree.get(100)!;
  const newWaiters = hundred.sameWindow / Math.max(one.sameWindow, 1);
  const listsPerMinute = 60_000 / POLL_INTERVAL_MS;
  const ratio = (x: number, o: number) => x / Math.max(o, 1e-9);
  const table = `${markdownTable(
    [
      'servers booting (waiters)',
      'oaktree req/min',
      'sdk, one Connection req/min',
      'sdk, Connection per waiter req/min',
      'sdk shared / oaktree',
      'sdk separate / oaktree',
      'oaktree one-off requests to start',
    ],
    rows.map((r) => [
      fmtInt(r.n),
      fmt(r.o.perMinute, 0),
      cell(r.shared),
      cell(r.separate),
      `${fmt(ratio(r.shared.value, r.o.perMinute), 1)}×`,
      `${fmt(ratio(r.separate.value, r.o.perMinute), 1)}×`,
      fmtInt(r.o.startRequests),
    ]),
  )}\n\n${markdownTable(
    ['time to notice (ACTIVE at the cloud → client told)', 'median ms', 'p99 ms', 'samples'],
    [
      [
        'oaktree WaitForServer (shared poller)',
        fmt(median(oNotice), 0),
        fmt(p99(oNotice), 0),
        String(oNotice.filter((x) => !Number.isNaN(x)).length),
      ],
      [
        'openstacksdk wait_for_server (one Connection)',
        fmt(median(sNotice), 0),
        fmt(p99(sNotice), 0),
        String(sNotice.filter((x) => !Number.isNaN(x)).length),
      ],
    ],
  )}`;
  const topRoutes = (r: Routes) =>
    Object.entries(r)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${k} ${fmt((v * 60) / WINDOW_S, 0)}/min`)
      .join(', ');
  const notes = [
    'oaktree: a real `oaktree serve` node (compiled), one WaitForServer stream per server.',
    `Same window: every request the simulator answered (identity excluded) in the first ${SAME_WINDOW_S} s after the waiters were opened on a node that just started (their lookups, the first full list and the polls): 1 waiter ${fmtInt(one.sameWindow)}, 100 waiters ${fmtInt(hundred.sameWindow)}.`,
    `Requests per minute: servers that stay in BUILD for a ${WINDOW_S} s window, counted at the simulator (identity excluded) after every waiter has started; oaktree's poller runs with its production defaults. openstacksdk: one thread per wait_for_server (its interval is 2 s); on one Connection the threads share openstacksdk's list_servers cache (one GET /servers/detail per cache age for all of them), so its cost barely grows with N; on one Connection each (like separate scripts) it grows with N. Measured for ${SDK_SHARED_MEASURED.join(', ')} (one Connection) and ${SDK_SEPARATE_MEASURED.join(', ')} (Connection per waiter) waiters; other cells are the largest measured rate per waiter times N (extrapolated, not measured).`,
    `Where the requests go at 1,000 waiters — oaktree: ${topRoutes(at1000.o.routes)}; openstacksdk one Connection at ${Math.max(...shared.keys())}: ${topRoutes(shared.get(Math.max(...shared.keys()))!.routes)}.`,
    `openstacksdk's CPU (python process, start included, ${WINDOW_S} s window) on one Connection: ${[...shared].map(([n, r]) => `${fmtInt(n)} waiters ${fmt(r.pythonCpuSeconds, 1)} s`).join(', ')}. Its threads coalesce into one list_servers at a time, so its request rate is bounded by how fast python turns a list of N servers into objects: at 1,000 servers that is CPU-bound, and it asks less often because it is busy.`,
    `Time to notice: ${NOTICE_SERVERS} servers created at the simulator over ${fmtInt(POLL_INTERVAL_MS)} ms (every phase of a poll cycle) with a ${BOOT_MS} ms boot, the waits started right after; ACTIVE is the simulator's instant (create time + boot, ± the create call). The simulator's servers have no network, so openstacksdk raises "ACTIVE without an IP address" once it sees ACTIVE: that moment is its notice time.`,
  ];
  return {
    name: 'waiting',
    title: 'Waiting cost: servers booting',
    table,
    targets: [
      `Cloud requests for 100 new waiters vs 1, the same ${SAME_WINDOW_S} s from their start: ${verdict(newWaiters <= 1.2, `${fmtInt(hundred.sameWindow)} vs ${fmtInt(one.sameWindow)}, ${fmt(newWaiters, 2)}× (target ≤ 1.2×)`)}`,
      `1,000 waiters: ≤ 1 list per poll interval per cloud-region: ${verdict(at1000.o.perMinute <= listsPerMinute, `${fmt(at1000.o.perMinute, 0)} requests/min on one region, ${fmtInt(listsPerMinute)}/min at the ${fmtInt(POLL_INTERVAL_MS)} ms fast interval`)}`,
      `≥ 100× fewer upstream calls at 1,000 waiters: vs openstacksdk with a Connection per waiter ${verdict(ratio(at1000.separate.value, at1000.o.perMinute) >= 100, `${fmt(ratio(at1000.separate.value, at1000.o.perMinute), 0)}× fewer`)}; vs one shared Connection ${verdict(ratio(at1000.shared.value, at1000.o.perMinute) >= 100, `${fmt(ratio(at1000.shared.value, at1000.o.perMinute), 1)}×`)}`,
    ],
    notes,
    raw: {
      oaktree: Object.fromEntries(oaktree),
      sdkShared: Object.fromEntries(shared),
      sdkSeparate: Object.fromEntries(separate),
      oaktreeNoticeMs: oNotice,
      sdkNoticeMs: sNotice,
    },
  };
}
