// Table 3: ListServers items/s for 10k and 100k servers in one region (simulator latency 0), straight from the
// node that owns the cloud and through 3 relay hops; each node's peak RSS (VmHWM) and CPU seconds.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { computeClient } from './lib/grpc.ts';
import { cpuSeconds, topSelfTime, type HotFunction } from './lib/profile.ts';
import {
  closeAll,
  procStatusMiB,
  startChain,
  startSimProcess,
  type NodeProcess,
  type SimProcess,
} from './lib/procs.ts';
import { fmt, fmtInt, markdownTable, median, verdict } from './lib/stats.ts';

const SIZES = [10_000, 100_000];
const RELAYS = 3;

export interface ThroughputRow {
  servers: number;
  hops: number;
  runsMs: number[];
  itemsPerSecond: number;
  idleRssMiB: number[];
  peakRssMiB: number[];
  cpuSecondsPerRun: { sim: number; nodes: number[]; client: number };
}

async function listAll(address: string, expected: number): Promise<number> {
  const client = computeClient(address);
  try {
    let count = 0;
    for await (const res of client.compute.listServers({})) {
      if (res.item?.$case === 'error') throw new Error(`in-band error: ${res.item.value.message}`);
      count++;
    }
    if (count !== expected) throw new Error(`listed ${count} servers, expected ${expected}`);
    return count;
  } finally {
    client.close();
  }
}

async function measure(
  sim: SimProcess,
  nodes: NodeProcess[],
  servers: number,
  hops: number,
  runs: number,
): Promise<ThroughputRow> {
  const front = nodes[nodes.length - 1].address;
  const idleRssMiB = nodes.map((n) => procStatusMiB(n.pid, 'VmRSS'));
  await listAll(front, servers); // warm-up: JIT, the region's network and flavor lookups
  const runsMs: number[] = [];
  const cpu0 = { sim: cpuSeconds(sim.pid), nodes: nodes.map((n) => cpuSeconds(n.pid)), client: process.cpuUsage() };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await listAll(front, servers);
    runsMs.push(performance.now() - t0);
  }
  const clientCpu = process.cpuUsage(cpu0.client);
  const per = (x: number) => Math.round((x / runs) * 100) / 100;
  return {
    servers,
    hops,
    runsMs,
    itemsPerSecond: servers / (median(runsMs) / 1000),
    idleRssMiB,
    peakRssMiB: nodes.map((n) => n.peakRssMiB()),
    cpuSecondsPerRun: {
      sim: per(cpuSeconds(sim.pid) - cpu0.sim),
      nodes: nodes.map((n, i) => per(cpuSeconds(n.pid) - cpu0.nodes[i])),
      client: per((clientCpu.user + clientCpu.system) / 1e6),
    },
  };
}

export async function runThroughput(dir: string, options: { profile?: boolean } = {}) {
  const sim = await startSimProcess(
    SIZES.map((n) => ({ name: `tp-${n / 1000}k`, regions: ['RegionOne'], seedServers: n })),
    dir,
  );
  const rows: ThroughputRow[] = [];
  let profile: {
    node: string;
    totalMs: number;
    functions: HotFunction[];
    areas: { area: string; percent: number }[];
  }[] = [];
  try {
    for (const servers of SIZES) {
      const cloud = `tp-${servers / 1000}k`;
      const runs = servers >= 100_000 ? 2 : 3;
      for (const relays of [0, RELAYS]) {
        process.stderr.write(`throughput: ${servers} servers, ${relays} hops\n`);
        const nodes = await startChain({ id: 'owner', dir, cloudsYaml: sim.cloudsYaml, only: [cloud] }, relays, 1);
        try {
          rows.push(await measure(sim, nodes, servers, relays, runs));
        } finally {
          await closeAll(nodes);
        }
      }
    }
    const big = rows.filter((r) => r.servers === SIZES[SIZES.length - 1]);
    const missed = big[0].itemsPerSecond < 50_000 || big[1].itemsPerSecond < 0.8 * big[0].itemsPerSecond;
    if (missed || options.profile) profile = await profileRun(sim, dir, SIZES[SIZES.length - 1]);
  } finally {
    await sim.close();
  }
  const direct = (n: number) => rows.find((r) => r.servers === n && r.hops === 0)!;
  const via = (n: number) => rows.find((r) => r.servers === n && r.hops === RELAYS)!;
  const bigN = SIZES[SIZES.length - 1];
  const ratio = via(bigN).itemsPerSecond / direct(bigN).itemsPerSecond;
  const rssGrowth = Math.max(...direct(bigN).peakRssMiB) / Math.max(...direct(SIZES[0]).peakRssMiB);
  const table = markdownTable(
    [
      'servers',
      'hops',
      'median s',
      'servers/s',
      'node idle RSS MiB',
      'node peak RSS MiB (VmHWM)',
      'CPU s per run: sim · nodes · client',
    ],
    rows.map((r) => [
      fmtInt(r.servers),
      String(r.hops),
      fmt(median(r.runsMs) / 1000, 2),
      fmtInt(r.itemsPerSecond),
      r.idleRssMiB.map((x) => fmt(x, 0)).join(' · '),
      r.peakRssMiB.map((x) => fmt(x, 0)).join(' · '),
      `${fmt(r.cpuSecondsPerRun.sim, 2)} · ${r.cpuSecondsPerRun.nodes.map((x) => fmt(x, 2)).join(' + ')} · ${fmt(r.cpuSecondsPerRun.client, 2)}`,
    ]),
  );
  const targets = [
    `≥ 50,000 servers/s through one node (${fmtInt(bigN)}): ${verdict(direct(bigN).itemsPerSecond >= 50_000, `${fmtInt(direct(bigN).itemsPerSecond)}/s`)}`,
    `3 hops ≥ 80 % of direct (${fmtInt(bigN)}): ${verdict(ratio >= 0.8, `${fmt(ratio * 100, 0)} %`)}`,
    `RSS flat as the list grows (peak at ${fmtInt(bigN)} vs ${fmtInt(SIZES[0])}, direct): ${verdict(rssGrowth <= 1.25, `${fmt(rssGrowth, 2)}×`)}`,
  ];
  const notes = [
    'One region, simulator latency 0, nova pages of 1,000; each configuration starts fresh node processes (compiled), one warm-up list, then the median of the timed runs. Node columns list the owner first, then the relays.',
    'CPU seconds per run come from /proc/<pid>/stat (simulator, each node) and process.cpuUsage() (the benchmark client): with 2 cores, a row whose CPU sum is near 2 × its wall time is CPU-bound, not waiting.',
  ];
  if (profile.length) {
    for (const p of profile) {
      notes.push(
        `Profile of ${p.node} (node --cpu-prof, one ${fmtInt(bigN)}-server list, ${fmtInt(p.totalMs)} ms sampled), top self time: ` +
          p.functions
            .slice(0, 8)
            .map((f) => `${f.name} ${f.where} ${fmt(f.percent, 1)} %`)
            .join('; ') +
          `. By package/folder: ${p.areas.map((a) => `${a.area} ${fmt(a.percent, 1)} %`).join('; ')}.`,
      );
    }
  }
  return {
    name: 'throughput',
    title: 'Stream throughput: ListServers items/s and node memory',
    table,
    targets,
    notes,
    raw: { rows, profile },
  };
}

/** One list of `servers` through owner + 1 relay, both under --cpu-prof: where the node's time goes. */
async function profileRun(sim: SimProcess, dir: string, servers: number) {
  process.stderr.write('throughput: profiling\n');
  const profDir = join(dir, `prof-${Date.now()}`);
  const out: { node: string; totalMs: number; functions: HotFunction[]; areas: { area: string; percent: number }[] }[] =
    [];
  const dirs = [join(profDir, 'owner'), join(profDir, 'relay')];
  for (const d of dirs) await mkdir(d, { recursive: true });
  const cloud = `tp-${servers / 1000}k`;
  const owner = await startChain(
    {
      id: 'owner',
      dir,
      cloudsYaml: sim.cloudsYaml,
      only: [cloud],
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dirs[0]],
    },
    0,
    1,
  );
  const { startNodeProcess, waitForLocations } = await import('./lib/procs.ts');
  const relay = await startNodeProcess({
    id: 'relay-prof',
    dir,
    only: [],
    peers: [owner[0].address],
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dirs[1]],
  });
  await waitForLocations(relay.address, 1);
  try {
    await listAll(relay.address, servers); // warm-up
    await listAll(relay.address, servers);
  } finally {
    await closeAll([...owner, relay]);
  }
  out.push({ node: 'the owner node', ...topSelfTime(dirs[0]) });
  out.push({ node: 'a relay node', ...topSelfTime(dirs[1]) });
  return out;
}
