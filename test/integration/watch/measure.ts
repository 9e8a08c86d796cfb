// Numbers for the issue: upstream calls per minute for N waiters (oaktree's shared poller vs openstacksdk's
// wait_for_server, measured with Debian's python3-openstacksdk against the same simulator), and the notify
// latency from ACTIVE at the cloud to a gRPC client. Run: node --import tsx test/integration/watch/measure.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createChannel, createClient } from 'nice-grpc';
import { ComputeServiceDefinition, ServerStatus } from '../../../src/gen/oaktree/v1/compute.ts';
import { HandlerBackend } from '../../../src/backends/handler-backend.ts';
import { WatchHub } from '../../../src/backends/openstack/watch/hub.ts';
import { watchHandlers } from '../../../src/backends/openstack/watch/handlers.ts';
import { serverChanges } from '../../../src/backends/openstack/watch/server-changes.ts';
import { startNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { onHub, percentile, startSimRegion } from './helpers.ts';

const WINDOW_S = Number(process.env.WINDOW_S ?? 20);
const counts = (sim: Awaited<ReturnType<typeof startSimRegion>>) => {
  const byRoute: Record<string, number> = {};
  for (const e of sim.sim.stats().entries)
    if (e.service !== 'identity')
      byRoute[`${e.service} ${e.route}`] = (byRoute[`${e.service} ${e.route}`] ?? 0) + e.count;
  return byRoute;
};
const diff = (a: Record<string, number>, b: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) if (v - (a[k] ?? 0) > 0) out[k] = v - (a[k] ?? 0);
  return out;
};
const total = (d: Record<string, number>) => Object.values(d).reduce((x, y) => x + y, 0);

async function oaktreeCalls(n: number): Promise<{ perMinute: number; routes: Record<string, number> }> {
  const sim = await startSimRegion({ bootDelayMs: 3_600_000 });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await sim.createServer(`w${i}`));
  const hub = new WatchHub(); // production defaults: 1 s fast, 15 s slow, 2 s overlap, 60 s resync
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const before = counts(sim);
  const waiters = ids.map(async (id) => {
    for await (const _ of serverChanges(hub, sim.ctx, id, abort.signal)) {
      /* BUILD for the whole window */
    }
  });
  await sleep(WINDOW_S * 1000);
  const d = diff(before, counts(sim));
  abort.abort();
  await Promise.allSettled(waiters);
  await hub.close();
  await sim.close();
  return { perMinute: (total(d) * 60) / WINDOW_S, routes: d };
}

async function sdkCalls(
  n: number,
  mode: 'shared' | 'separate',
): Promise<{ perMinute: number; routes: Record<string, number> }> {
  const sim = await startSimRegion({ bootDelayMs: 3_600_000 });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await sim.createServer(`s${i}`));
  const script = fileURLToPath(new URL('./sdk-waiters.py', import.meta.url));
  const py = spawn('/usr/bin/python3', [script, 'wcloud', String(WINDOW_S), mode, ...ids], {
    env: { ...process.env, OS_CLIENT_CONFIG_FILE: sim.cloudsFile },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    py.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY')) resolve();
    });
    py.once('exit', (code) => reject(new Error(`sdk-waiters.py exited with ${code} before READY`)));
  });
  const before = counts(sim);
  py.stdin!.write('go\n');
  await once(py, 'exit');
  const d = diff(before, counts(sim));
  await sim.close();
  return { perMinute: (total(d) * 60) / WINDOW_S, routes: d };
}

async function latency(): Promise<{ median: number; p99: number; samples: number }> {
  const boot = 2_000;
  const sim = await startSimRegion({ bootDelayMs: boot });
  const hub = new WatchHub();
  // concurrency: HandlerBackend holds a slot per open watch stream (see the report); 16 by default.
  const backend = new HandlerBackend({
    id: 'cloud:wcloud',
    concurrency: 1000,
    locations: () => [sim.ctx.location],
    handlers: watchHandlers(async () => onHub(sim.ctx, hub)),
  });
  const node = await startNode({
    nodeId: 'measure',
    listen: '127.0.0.1:0',
    backends: [backend],
    logger: silentLogger(),
  });
  const channel = createChannel(node.address);
  const client = createClient(ComputeServiceDefinition, channel);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const readyAt = new Map<string, number>();
  const latencies: number[] = [];
  const CLIENTS = 20;
  const SERVERS = 40;
  const watchers = Array.from({ length: CLIENTS }, async () => {
    const seen = new Set<string>();
    try {
      for await (const msg of client.watchServers({ location: { cloud: 'wcloud' } }, { signal: abort.signal })) {
        if (msg.item?.$case !== 'event') continue;
        const s = msg.item.value.server!;
        if (s.status === ServerStatus.SERVER_STATUS_ACTIVE && readyAt.has(s.id) && !seen.has(s.id)) {
          seen.add(s.id);
          latencies.push(Date.now() - readyAt.get(s.id)!);
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) console.error('watch failed', error);
    }
  });
  await sleep(500);
  for (let i = 0; i < SERVERS; i++) {
    const t0 = Date.now();
    const id = await sim.createServer(`lat${i}`);
    hub.serverWritten(sim.ctx); // what CreateServer through oaktree does (notifyServerWrite)
    readyAt.set(id, t0 + boot); // the simulator's readyAt is set at create time + boot delay (t0 is a lower bound)
    await sleep(137); // spread creations over the poll interval
  }
  while (latencies.length < CLIENTS * SERVERS && Date.now() < [...readyAt.values()].at(-1)! + 5_000) await sleep(100);
  abort.abort();
  await Promise.allSettled(watchers);
  channel.close();
  await node.close(200);
  await hub.close();
  await sim.close();
  return { median: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length };
}

if (process.env.ONLY_LATENCY) {
  const l = await latency();
  console.log(`notify latency: median ${l.median} ms, p99 ${l.p99} ms (${l.samples})`);
  process.exit(0);
}
const rows: string[] = [];
for (const n of [1, 10, 100, 1000]) {
  const o = await oaktreeCalls(n);
  let sdk = '(not measured)';
  if (n <= 10) {
    const shared = await sdkCalls(n, 'shared');
    const separate = await sdkCalls(n, 'separate');
    sdk = `one Connection: ${shared.perMinute.toFixed(0)}/min ${JSON.stringify(shared.routes)}; one Connection per waiter: ${separate.perMinute.toFixed(0)}/min ${JSON.stringify(separate.routes)}`;
  }
  rows.push(`waiters=${n}: oaktree ${o.perMinute.toFixed(0)}/min ${JSON.stringify(o.routes)} | openstacksdk ${sdk}`);
  console.log(rows.at(-1));
}
const l = await latency();
console.log(
  `notify latency ACTIVE at cloud -> gRPC client (1 s poll interval, ${l.samples} samples): median ${l.median} ms, p99 ${l.p99} ms`,
);
