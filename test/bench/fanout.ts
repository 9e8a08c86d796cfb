// Table 1: list 1,000 servers per cloud over 1, 2, 4, 8 clouds with 50 ms added to every request.
// oaktree: one ListServers stream over every cloud. openstacksdk: list_servers() per cloud in a loop, and in a
// thread pool (its best case). Same simulator process, same page size, same run.
import type { SimCloudOptions } from '../../src/simulator/index.ts';
import { computeClient, timeMs } from './lib/grpc.ts';
import { runSdkScript } from './lib/python.ts';
import { cpuSeconds } from './lib/profile.ts';
import { closeAll, startNodeProcess, startSimProcess, waitForLocations } from './lib/procs.ts';
import { fmt, fmtInt, markdownTable, median, verdict } from './lib/stats.ts';

const CLOUD_COUNTS = [1, 2, 4, 8];
const SERVERS_PER_CLOUD = 1000;
const LATENCY_MS = 50;
const PAGE_SIZE = 1000; // the simulator's default, like nova's osapi_max_limit
const RUNS = 15;
/**
 * A node in service has listed many times: its hot path is optimized by V8. After one warm-up list it is not yet
 * (measured on one cloud: 224 ms and 238 ms of node CPU per list after 1 warm-up, 138 ms and 88 ms after 30).
 */
const WARM_UP_LISTS = 10;
/** openstacksdk's runs take seconds each: one timed run after a warm-up of every connection. */
const SDK_RUNS = 1;
/** openstacksdk's default list_servers() costs two Neutron calls per server: measured on a smaller cloud, then scaled. */
const FULL_SERVERS = 100;

interface SdkRun {
  connect_s: number;
  times_s: number[];
  counts: number[];
}

export interface FanoutRow {
  clouds: number;
  servers: number;
  oaktreeMs: number[];
  /** Call → first item, same runs. */
  oaktreeFirstItemMs: number[];
  oaktreeUpstreamRequests: number;
  /** CPU time per oaktree run: the node, the simulator, the benchmark's gRPC client. */
  oaktreeCpuMsPerRun: { node: number; sim: number; client: number };
  sdkLoopMs: number[];
  sdkLoopUpstreamRequests: number;
  sdkThreadsMs: number[];
  sdkThreadsUpstreamRequests: number;
}

export async function runFanout(dir: string) {
  const clouds: SimCloudOptions[] = Array.from({ length: Math.max(...CLOUD_COUNTS) }, (_, i) => ({
    name: `fan-${i + 1}`,
    regions: ['RegionOne'],
    seedServers: SERVERS_PER_CLOUD,
    latencyMs: LATENCY_MS,
    maxPageSize: PAGE_SIZE,
  }));
  clouds.push({
    name: 'fan-full',
    regions: ['RegionOne'],
    seedServers: FULL_SERVERS,
    latencyMs: LATENCY_MS,
    maxPageSize: PAGE_SIZE,
  });
  const sim = await startSimProcess(clouds, dir);
  const rows: FanoutRow[] = [];
  let full: { servers: number; ms: number; upstreamRequests: number; byRoute: Record<string, number> } | undefined;
  try {
    for (const n of CLOUD_COUNTS) {
      const names = clouds.slice(0, n).map((c) => c.name);
      process.stderr.write(`fanout: ${n} cloud(s)\n`);
      const node = await startNodeProcess({ id: `fan-${n}`, dir, cloudsYaml: sim.cloudsYaml, only: names });
      await waitForLocations(node.address, n);
      const client = computeClient(node.address);
      const list = async () => {
        const start = performance.now();
        let count = 0;
        let firstMs = 0;
        for await (const res of client.compute.listServers({})) {
          if (res.item?.$case === 'error') throw new Error(`in-band error: ${res.item.value.message}`);
          if (count++ === 0) firstMs = performance.now() - start;
        }
        return { count, firstMs };
      };
      for (let i = 0; i < WARM_UP_LISTS; i++) await list(); // also where the node learns each region's networks
      const oaktreeMs: number[] = [];
      const oaktreeFirstItemMs: number[] = [];
      await sim.resetStats();
      const cpu0 = { node: cpuSeconds(node.pid), sim: cpuSeconds(sim.pid), client: process.cpuUsage() };
      for (let i = 0; i < RUNS; i++) {
        const { ms, value } = await timeMs(list);
        if (value.count !== n * SERVERS_PER_CLOUD)
          throw new Error(`oaktree listed ${value.count} servers, expected ${n * SERVERS_PER_CLOUD}`);
        oaktreeMs.push(ms);
        oaktreeFirstItemMs.push(value.firstMs);
      }
      const oaktreeReq = (await sim.stats()).total / RUNS;
      const clientCpu = process.cpuUsage(cpu0.client);
      const oaktreeCpuMsPerRun = {
        node: ((cpuSeconds(node.pid) - cpu0.node) * 1000) / RUNS,
        sim: ((cpuSeconds(sim.pid) - cpu0.sim) * 1000) / RUNS,
        client: (clientCpu.user + clientCpu.system) / 1000 / RUNS,
      };
      client.close();
      await closeAll([node]);

      const sdk = async (mode: 'loop' | 'threads') => {
        await sim.resetStats();
        const r = await runSdkScript<SdkRun>(
          'fanout.py',
          [mode, 'bare', String(SDK_RUNS), '1', ...names],
          sim.cloudsYaml,
        );
        const requests = (await sim.stats()).total;
        if (r.counts.some((c) => c !== n * SERVERS_PER_CLOUD))
          throw new Error(`openstacksdk ${mode} listed ${r.counts}, expected ${n * SERVERS_PER_CLOUD}`);
        // requests include connect + the warm-up run: report per timed run by subtracting neither; see note.
        return { ms: r.times_s.map((s) => s * 1000), requests: requests / SDK_RUNS };
      };
      const loop = await sdk('loop');
      const threads = await sdk('threads');
      rows.push({
        clouds: n,
        servers: n * SERVERS_PER_CLOUD,
        oaktreeMs,
        oaktreeFirstItemMs,
        oaktreeUpstreamRequests: oaktreeReq,
        oaktreeCpuMsPerRun,
        sdkLoopMs: loop.ms,
        sdkLoopUpstreamRequests: loop.requests,
        sdkThreadsMs: threads.ms,
        sdkThreadsUpstreamRequests: threads.requests,
      });
    }
    process.stderr.write(`fanout: openstacksdk list_servers() with its per-server lookups, ${FULL_SERVERS} servers\n`);
    await sim.resetStats();
    const r = await runSdkScript<SdkRun>('fanout.py', ['loop', 'full', '1', '0', 'fan-full'], sim.cloudsYaml);
    const stats = await sim.stats();
    full = { servers: FULL_SERVERS, ms: r.times_s[0] * 1000, upstreamRequests: stats.total, byRoute: stats.byRoute };
  } finally {
    await sim.close();
  }
  const fullPerServerMs = full ? full.ms / full.servers : NaN;
  const one = median(rows[0].oaktreeMs);
  const eight = rows[rows.length - 1];
  const scaling = median(eight.oaktreeMs) / one;
  const vsLoop = median(eight.sdkLoopMs) / median(eight.oaktreeMs);
  const vsThreads = median(eight.sdkThreadsMs) / median(eight.oaktreeMs);
  const targets = [
    `oaktree over 8 clouds within 1.5× of its single-cloud time: ${verdict(scaling <= 1.5, `${fmt(scaling, 2)}×`)}`,
    `1 cloud × ${fmtInt(SERVERS_PER_CLOUD)} servers at ${LATENCY_MS} ms latency, call → last item ≤ 100 ms: ${verdict(one <= 100, `${fmt(one)} ms`)}`,
    `oaktree at least 6× faster than the openstacksdk loop at 8 clouds: ${verdict(vsLoop >= 6, `${fmt(vsLoop, 1)}×`)}`,
    `(not a target) oaktree vs openstacksdk thread pool at 8 clouds: ${fmt(vsThreads, 2)}× faster`,
  ];
  // What the two timing targets ask of the CPU, from this run's own numbers (see the note that uses them).
  const nodeUsPerServer = (eight.oaktreeCpuMsPerRun.node * 1000) / eight.servers;
  const spreadUsPerServer = (0.5 * LATENCY_MS * 1000) / (eight.servers - 1.5 * SERVERS_PER_CLOUD);
  const oneCpu = rows[0].oaktreeCpuMsPerRun;
  const boundNote = `Where the two timing targets meet the CPU (this run's numbers): one node is one process, so the 8-cloud list takes at least the ${LATENCY_MS} ms latency plus the node's CPU (${fmt(eight.oaktreeCpuMsPerRun.node, 0)} ms per run, ${fmt(nodeUsPerServer, 1)} µs per server). Within 1.5× of the 1-cloud time needs at most ${fmt(spreadUsPerServer, 1)} µs per server, less than JSON.parse and protobuf encoding alone cost on this machine (the throughput table's floor). For 1 cloud, 100 ms leaves ${100 - LATENCY_MS} ms after the latency for the simulator to build the page (${fmt(oneCpu.sim, 0)} ms of its CPU), the node (${fmt(oneCpu.node, 0)} ms) and the client (${fmt(oneCpu.client, 0)} ms) on 2 cores.`;
  const fullNote = full
    ? `openstacksdk's default \`list_servers()\` (not bare) asks Neutron twice per ACTIVE server (GET /ports, GET /floatingips) to find public addresses: measured on ${full.servers} servers, one cloud: ${fmt(full.ms)} ms, ${full.upstreamRequests} upstream requests (${fmt(fullPerServerMs, 1)} ms per server). Scaled linearly, 1,000 servers × 8 clouds in a loop would take about ${fmt((fullPerServerMs * SERVERS_PER_CLOUD * 8) / 1000, 0)} s (extrapolated, not measured); oaktree gets the same addresses with one floating-IP list per page.`
    : '';
  const table = markdownTable(
    [
      'clouds',
      'servers',
      'oaktree ms (median)',
      'oaktree first item ms',
      'sdk loop ms',
      'sdk threads ms',
      'loop / oaktree',
      'threads / oaktree',
      'upstream req/run oaktree · loop · threads',
      'oaktree run CPU ms: node · sim · client',
    ],
    rows.map((r) => [
      String(r.clouds),
      fmtInt(r.servers),
      fmt(median(r.oaktreeMs)),
      fmt(median(r.oaktreeFirstItemMs)),
      fmt(median(r.sdkLoopMs)),
      fmt(median(r.sdkThreadsMs)),
      `${fmt(median(r.sdkLoopMs) / median(r.oaktreeMs), 2)}×`,
      `${fmt(median(r.sdkThreadsMs) / median(r.oaktreeMs), 2)}×`,
      `${fmt(r.oaktreeUpstreamRequests)} · ${fmt(r.sdkLoopUpstreamRequests)} · ${fmt(r.sdkThreadsUpstreamRequests)}`,
      `${fmt(r.oaktreeCpuMsPerRun.node, 0)} · ${fmt(r.oaktreeCpuMsPerRun.sim, 0)} · ${fmt(r.oaktreeCpuMsPerRun.client, 0)}`,
    ]),
  );
  const notes = [
    `${SERVERS_PER_CLOUD} servers per cloud, ${LATENCY_MS} ms added to every request (Keystone included), page size ${PAGE_SIZE} for both (nova's default osapi_max_limit); oaktree: median of ${RUNS} runs after ${WARM_UP_LISTS} warm-up lists (a node in service is warm; after one warm-up the 1-cloud list took 224 ms instead of 138 ms in a separate measurement); openstacksdk: ${SDK_RUNS} timed run after warming every connection (its runs take seconds, so noise matters less).`,
    'oaktree: one node process (compiled), one ListServers stream over all clouds, timed from the call to the last item at the client (and to the first item, same runs). openstacksdk: `connect(cloud=...)` + `authorize()` before timing, then `list_servers()` per cloud.',
    'openstacksdk columns use `list_servers(bare=True)`, its fastest form (no per-server Neutron lookups, so no floating-IP discovery): the comparison is conservative for oaktree, which returns normalized servers with addresses.',
    fullNote,
    'The oaktree CPU column shows where its time goes: the upstream latency is paid once per cloud in parallel, but decoding, normalizing and re-encoding every server is CPU work that grows with the number of servers, on 2 cores shared by the simulator, the node and the client (see the throughput table and its profile).',
    boundNote,
    'Upstream requests per run (simulator counts): oaktree counts timed runs only; openstacksdk counts include its authorize and warm-up requests.',
  ];
  return {
    name: 'fanout',
    title: 'Fan-out: list servers over N clouds',
    table,
    targets,
    notes,
    raw: { rows, openstacksdkFullListServers: full },
  };
}
