// Table 2: what one mesh hop adds. GetFlavor and GetServer sent to the node that owns the cloud (0 hops) or to
// the end of a chain of 1, 2, 3 relay nodes (each its own process, on loopback). Simulator latency 0.
import { computeClient } from './lib/grpc.ts';
import { closeAll, startChain, startSimProcess } from './lib/procs.ts';
import { fmt, markdownTable, median, p99, verdict } from './lib/stats.ts';

const MAX_HOPS = 3;
const WARMUP = 30;
const CALLS = 300;
const ROUNDS = 10;

export interface HopsRow { hops: number; method: string; medianMs: number; p99Ms: number; samplesMs: number[] }

export async function runHops(dir: string) {
  const sim = await startSimProcess([{ name: 'hop-cloud', regions: ['RegionOne'], seedServers: 10 }], dir);
  const rows: HopsRow[] = [];
  try {
    const nodes = await startChain({ id: 'owner', dir, cloudsYaml: sim.cloudsYaml, only: ['hop-cloud'] }, MAX_HOPS, 1);
    try {
      const owner = computeClient(nodes[0].address);
      let serverId = '';
      for await (const res of owner.compute.listServers({})) if (res.item?.$case === 'server') serverId ||= res.item.value.id;
      owner.close();
      const calls: Record<string, (c: ReturnType<typeof computeClient>) => Promise<unknown>> = {
        GetFlavor: (c) => c.compute.getFlavor({ nameOrId: 'm1.tiny' }),
        GetServer: (c) => c.compute.getServer({ nameOrId: serverId }),
      };
      // Rounds interleave the hop counts, so load from other processes on this shared machine hits each alike.
      const clients = nodes.map((n) => computeClient(n.address));
      const samples = new Map<string, number[]>();
      for (const client of clients) for (const call of Object.values(calls)) for (let i = 0; i < WARMUP; i++) await call(client);
      for (let round = 0; round < ROUNDS; round++) {
        for (let hops = 0; hops <= MAX_HOPS; hops++) {
          for (const [method, call] of Object.entries(calls)) {
            const list = samples.get(`${method}/${hops}`) ?? [];
            for (let i = 0; i < CALLS / ROUNDS; i++) {
              const t0 = performance.now();
              await call(clients[hops]);
              list.push(performance.now() - t0);
            }
            samples.set(`${method}/${hops}`, list);
          }
        }
      }
      for (const client of clients) client.close();
      for (let hops = 0; hops <= MAX_HOPS; hops++) {
        for (const method of Object.keys(calls)) {
          const list = samples.get(`${method}/${hops}`)!;
          rows.push({ hops, method, medianMs: median(list), p99Ms: p99(list), samplesMs: list.map((s) => Math.round(s * 1000) / 1000) });
        }
      }
    } finally {
      await closeAll(nodes);
    }
  } finally {
    await sim.close();
  }
  const base = (method: string) => rows.find((r) => r.hops === 0 && r.method === method)!.medianMs;
  const perHop = (r: HopsRow) => (r.hops ? (r.medianMs - base(r.method)) / r.hops : 0);
  const worst = Math.max(...rows.filter((r) => r.hops).map(perHop));
  const table = markdownTable(
    ['method', 'hops', 'median ms', 'p99 ms', 'added per hop (median) ms'],
    rows.map((r) => [r.method, String(r.hops), fmt(r.medianMs, 2), fmt(r.p99Ms, 2), r.hops ? fmt(perHop(r), 2) : '–']),
  );
  return {
    name: 'hops',
    title: 'Per-hop overhead: GetFlavor and GetServer through 0–3 hops',
    table,
    targets: [`≤ 1 ms median added per hop: ${verdict(worst <= 1, `worst ${fmt(worst, 2)} ms per hop`)}`],
    notes: [
      `${CALLS} sequential calls per row after ${WARMUP} warm-up calls, in ${ROUNDS} rounds that interleave the hop counts; every node is its own process (compiled) on loopback; the cloud (simulator, own process) adds no latency. 0 hops = the client talks to the node that owns the cloud; n hops = n relay nodes in front of it.`,
      'GetFlavor by name ("m1.tiny"), GetServer by id: both are lists with name_or_id inside the node, so each call also reaches the simulator.',
    ],
    raw: rows,
  };
}
