// Table 2: what one mesh hop adds. GetFlavor and GetServer sent to the node that owns the cloud (0 hops) or to
// the end of a chain of 1, 2, 3 relay nodes (each its own process, on loopback). Simulator latency 0.
import { computeClient } from './lib/grpc.ts';
import { cpuSeconds, topSelfTime } from './lib/profile.ts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BARE_RESPONSE_BYTES, type BareServer, startBareServer } from './lib/bare-grpc.ts';
import { startNodeProcess, waitForLocations } from './lib/procs.ts';
import { closeAll, startChain, startSimProcess } from './lib/procs.ts';
import { fmt, markdownTable, median, p99, verdict } from './lib/stats.ts';

const MAX_HOPS = 3;
const WARMUP = 500;
const CALLS = 300;
const ROUNDS = 10;

export interface HopsRow {
  hops: number;
  method: string;
  medianMs: number;
  p99Ms: number;
  cpuMsPerCall: number[];
  samplesMs: number[];
}

export async function runHops(dir: string) {
  const sim = await startSimProcess([{ name: 'hop-cloud', regions: ['RegionOne'], seedServers: 10 }], dir);
  const rows: HopsRow[] = [];
  const bare = { samplesMs: [] as number[], serverCpuSeconds: 0 };
  const bareHop = { samplesMs: [] as number[], relayCpuSeconds: 0 };
  try {
    const nodes = await startChain({ id: 'owner', dir, cloudsYaml: sim.cloudsYaml, only: ['hop-cloud'] }, MAX_HOPS, 1);
    let floor: BareServer | undefined;
    let bareRelay: BareServer | undefined;
    try {
      floor = await startBareServer();
      bareRelay = await startBareServer(floor.port);
      const owner = computeClient(nodes[0].address);
      let serverId = '';
      for await (const res of owner.compute.listServers({}))
        if (res.item?.$case === 'server') serverId ||= res.item.value.id;
      owner.close();
      const calls: Record<string, (c: ReturnType<typeof computeClient>) => Promise<unknown>> = {
        GetFlavor: (c) => c.compute.getFlavor({ nameOrId: 'm1.tiny' }),
        GetServer: (c) => c.compute.getServer({ nameOrId: serverId }),
      };
      // Rounds interleave the hop counts, so load from other processes on this shared machine hits each alike.
      const clients = nodes.map((n) => computeClient(n.address));
      const samples = new Map<string, number[]>();
      const cpu = new Map<string, number[]>(); // CPU seconds per node, summed over a row's calls
      for (const client of clients)
        for (const call of Object.values(calls)) for (let i = 0; i < WARMUP; i++) await call(client);
      for (let i = 0; i < WARMUP; i++) await floor.call();
      for (let i = 0; i < WARMUP; i++) await bareRelay.call();
      for (let round = 0; round < ROUNDS; round++) {
        bare.serverCpuSeconds += await timedCalls(floor, bare.samplesMs);
        bareHop.relayCpuSeconds += await timedCalls(bareRelay, bareHop.samplesMs);
        for (let hops = 0; hops <= MAX_HOPS; hops++) {
          for (const [method, call] of Object.entries(calls)) {
            const list = samples.get(`${method}/${hops}`) ?? [];
            const before = nodes.map((n) => cpuSeconds(n.pid));
            for (let i = 0; i < CALLS / ROUNDS; i++) {
              const t0 = performance.now();
              await call(clients[hops]);
              list.push(performance.now() - t0);
            }
            samples.set(`${method}/${hops}`, list);
            const used = cpu.get(`${method}/${hops}`) ?? nodes.map(() => 0);
            nodes.forEach((n, i) => (used[i] += cpuSeconds(n.pid) - before[i]));
            cpu.set(`${method}/${hops}`, used);
          }
        }
      }
      for (const client of clients) client.close();
      for (let hops = 0; hops <= MAX_HOPS; hops++) {
        for (const method of Object.keys(calls)) {
          const list = samples.get(`${method}/${hops}`)!;
          const cpuMsPerCall = cpu
            .get(`${method}/${hops}`)!
            .slice(0, hops + 1)
            .map((s) => Math.round(((s * 1000) / list.length) * 100) / 100);
          rows.push({
            hops,
            method,
            medianMs: median(list),
            p99Ms: p99(list),
            cpuMsPerCall,
            samplesMs: list.map((s) => Math.round(s * 1000) / 1000),
          });
        }
      }
    } finally {
      await bareRelay?.close();
      await floor?.close();
      await closeAll(nodes);
    }
  } finally {
    await sim.close();
  }
  const worstSoFar = Math.max(
    ...rows
      .filter((r) => r.hops)
      .map((r) => (r.medianMs - rows.find((b) => b.hops === 0 && b.method === r.method)!.medianMs) / r.hops),
  );
  let profile: Awaited<ReturnType<typeof profileRelay>> | undefined;
  if (worstSoFar > 1) {
    const sim2 = await startSimProcess([{ name: 'hop-cloud', regions: ['RegionOne'], seedServers: 10 }], dir);
    try {
      profile = await profileRelay(dir, sim2.cloudsYaml);
    } finally {
      await sim2.close();
    }
  }
  const base = (method: string) => rows.find((r) => r.hops === 0 && r.method === method)!.medianMs;
  const perHop = (r: HopsRow) => (r.hops ? (r.medianMs - base(r.method)) / r.hops : 0);
  const worst = Math.max(...rows.filter((r) => r.hops).map(perHop));
  const table = markdownTable(
    ['method', 'hops', 'median ms', 'p99 ms', 'added per hop (median) ms', 'CPU ms per call: owner · relays'],
    rows.map((r) => [
      r.method,
      String(r.hops),
      fmt(r.medianMs, 2),
      fmt(r.p99Ms, 2),
      r.hops ? fmt(perHop(r), 2) : '–',
      r.cpuMsPerCall.map((c) => fmt(c, 2)).join(' · '),
    ]),
  );
  return {
    name: 'hops',
    title: 'Per-hop overhead: GetFlavor and GetServer through 0–3 hops',
    table,
    targets: [`≤ 1 ms median added per hop: ${verdict(worst <= 1, `worst ${fmt(worst, 2)} ms per hop`)}`],
    notes: [
      `Floor (same rounds): a bare grpc-js unary call to another process on this machine, with nothing of oaktree in it (${BARE_RESPONSE_BYTES}-byte answer, no protobuf, no routing, no middleware): median ${fmt(median(bare.samplesMs), 2)} ms, p99 ${fmt(p99(bare.samplesMs), 2)} ms, the server's CPU ${fmt((bare.serverCpuSeconds * 1000) / bare.samplesMs.length, 2)} ms per call. A hop adds at least one such call, and the relay is its client as well as the server of the call in front of it.`,
      `Hop floor (same rounds): a bare grpc-js relay in front of that server (its process forwards each call's bytes through one kept client) adds ${fmt(median(bareHop.samplesMs) - median(bare.samplesMs), 2)} ms median (p99 through it ${fmt(p99(bareHop.samplesMs), 2)} ms) and spends ${fmt((bareHop.relayCpuSeconds * 1000) / bareHop.samplesMs.length, 2)} ms of CPU per call: what any relay on this machine adds before it does anything of its own. oaktree's worst hop adds ${fmt(worst, 2)} ms, ${fmt(worst / Math.max(0.01, median(bareHop.samplesMs) - median(bare.samplesMs)), 1)}× the bare relay's.`,
      `${CALLS} sequential calls per row after ${WARMUP} warm-up calls per node and method (a node in service is warm: after 30 the relays were still compiling their hot paths and a hop measured 2.0–2.7 ms), in ${ROUNDS} rounds that interleave the hop counts; every node is its own process (compiled) on loopback; the cloud (simulator, own process) adds no latency. 0 hops = the client talks to the node that owns the cloud; n hops = n relay nodes in front of it.`,
      'GetFlavor by name ("m1.tiny"), GetServer by id: both are lists with name_or_id inside the node, so each call also reaches the simulator.',
      ...(profile
        ? [
            `Profile of a relay (node --cpu-prof, ${PROFILE_CALLS} GetServer calls through it, ${profile.totalMs} ms sampled), top self time: ` +
              profile.functions
                .slice(0, 8)
                .map((f) => `${f.name} ${f.where} ${fmt(f.percent, 1)} %`)
                .join('; ') +
              `. By package/folder: ${profile.areas.map((a) => `${a.area} ${fmt(a.percent, 1)} %`).join('; ')}.`,
          ]
        : []),
      'CPU ms per call (from /proc/<pid>/stat, 10 ms ticks summed over the row): what each node on the path spends per call; a relay that spends about as much as the time a hop adds is CPU-bound, the rest is waiting for the next process to be scheduled on 2 shared cores.',
    ],
    raw: { rows, floor: bare, bareHop, relayProfile: profile },
  };
}

/** One round's calls to a bare process, each timed into `samplesMs`; returns the CPU seconds that process spent. */
async function timedCalls(bare: BareServer, samplesMs: number[]): Promise<number> {
  const before = cpuSeconds(bare.pid);
  for (let i = 0; i < CALLS / ROUNDS; i++) {
    const t0 = performance.now();
    await bare.call();
    samplesMs.push(performance.now() - t0);
  }
  return cpuSeconds(bare.pid) - before;
}

const PROFILE_CALLS = 1000;

/** Owner + one relay under --cpu-prof; PROFILE_CALLS GetServer calls through the relay: where a hop's time goes. */
async function profileRelay(dir: string, cloudsYaml: string) {
  process.stderr.write('hops: profiling a relay\n');
  const profDir = join(dir, `hop-prof-${Date.now()}`);
  await mkdir(profDir, { recursive: true });
  const [owner] = await startChain({ id: 'owner', dir, cloudsYaml, only: ['hop-cloud'] }, 0, 1);
  const relay = await startNodeProcess({
    id: 'relay-prof',
    dir,
    only: [],
    peers: [owner.address],
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir],
  });
  try {
    await waitForLocations(relay.address, 1);
    const client = computeClient(relay.address);
    let serverId = '';
    for await (const res of client.compute.listServers({}))
      if (res.item?.$case === 'server') serverId ||= res.item.value.id;
    for (let i = 0; i < PROFILE_CALLS; i++) await client.compute.getServer({ nameOrId: serverId });
    client.close();
  } finally {
    await closeAll([owner, relay]);
  }
  return topSelfTime(profDir);
}
