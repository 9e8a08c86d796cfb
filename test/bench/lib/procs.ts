// Child processes of a benchmark: the simulator, oaktree nodes (compiled when dist/ is current), memory sampling.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { createChannel, createClient } from 'nice-grpc';
import { stringify } from 'yaml';
import type { SimCloudOptions } from '../../../src/simulator/index.ts';
import { LocationServiceDefinition } from '../../../src/gen/oaktree/v1/location.ts';

export const ROOT = new URL('../../../', import.meta.url).pathname;

export function firstLine(child: ChildProcess, what: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no output within ${timeoutMs} ms`)), timeoutMs);
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready`));
    });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface SimProcess {
  pid: number;
  cloudsYaml: string;
  controlUrl: string;
  stats(): Promise<{ total: number; byCloud: Record<string, number>; byRoute: Record<string, number> }>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

export async function startSimProcess(clouds: SimCloudOptions[], dir: string): Promise<SimProcess> {
  const cloudsYaml = join(dir, `clouds-${clouds[0].name}.yaml`);
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=8192',
      '--import',
      'tsx',
      join(ROOT, 'test/bench/sim-process.ts'),
      JSON.stringify(clouds),
      cloudsYaml,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const info = JSON.parse(await firstLine(child, 'simulator')) as { controlUrl: string };
  return {
    pid: child.pid!,
    cloudsYaml,
    controlUrl: info.controlUrl,
    stats: async () => (await fetch(`${info.controlUrl}/stats`)).json() as never,
    resetStats: async () => void (await fetch(`${info.controlUrl}/stats/reset`, { method: 'POST' })),
    close: () => stopChild(child),
  };
}

/** The compiled CLI when dist/ is newer than every source file, else the sources through tsx. */
let nodeCommandCache: { args: string[]; compiled: boolean } | undefined;
export function nodeCommand(): { args: string[]; compiled: boolean } {
  if (nodeCommandCache) return nodeCommandCache;
  const compiledMain = join(ROOT, 'dist/cli/main.js');
  const newestSource = (dir: string): number => {
    let newest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
    }
    return newest;
  };
  let fresh = existsSync(compiledMain) && statSync(compiledMain).mtimeMs >= newestSource(join(ROOT, 'src'));
  if (!fresh) {
    try {
      process.stderr.write('bench: dist/ is older than src/: npm run build\n');
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      fresh = existsSync(compiledMain);
    } catch {
      process.stderr.write('bench: build failed; nodes run from source through tsx\n');
      fresh = false;
    }
  }
  nodeCommandCache = fresh
    ? { args: [compiledMain], compiled: true }
    : { args: ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')], compiled: false };
  return nodeCommandCache;
}

export interface NodeProcess {
  id: string;
  pid: number;
  address: string;
  /** Peak resident set (VmHWM) so far, in MiB. */
  peakRssMiB(): number;
  close(): Promise<void>;
}

export interface NodeProcessOptions {
  id: string;
  dir: string;
  cloudsYaml?: string;
  /** Clouds of cloudsYaml to serve; [] for a pure relay. */
  only: string[];
  peers?: string[];
  nodeArgs?: string[];
  /** More node config (e.g. tls, auth), merged over the defaults. */
  config?: Record<string, unknown>;
}

export async function startNodeProcess(o: NodeProcessOptions): Promise<NodeProcess> {
  const configFile = join(o.dir, `node-${o.id}.yaml`);
  const config: Record<string, unknown> = {
    node_id: o.id,
    listen: '127.0.0.1:0', // the node picks a free port and prints it
    log_level: 'warn',
    clouds: o.only.length ? { file: o.cloudsYaml, only: o.only } : { only: [] },
    peers: (o.peers ?? []).map((a) => ({ address: a })),
    ...o.config,
  };
  await writeFile(configFile, stringify(config), 'utf8');
  const child = spawn(
    process.execPath,
    [...(o.nodeArgs ?? []), ...nodeCommand().args, 'serve', '--config', configFile],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const address = servingAddress(await firstLine(child, `node ${o.id}`));
  return {
    id: o.id,
    pid: child.pid!,
    address,
    peakRssMiB: () => procStatusMiB(child.pid!, 'VmHWM'),
    close: () => stopChild(child),
  };
}

/** The address in `oaktree serve`'s first line: "oaktree <id> serving on <host:port>". */
export function servingAddress(line: string): string {
  const match = /serving on (\S+)/.exec(line);
  if (!match) throw new Error(`expected "serving on <address>", got: ${line}`);
  return match[1];
}

export function procStatusMiB(pid: number, field: 'VmHWM' | 'VmRSS' | 'RssAnon' | 'RssFile'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Waits until a node lists `count` locations (routes through peers take a refresh or two). */
export async function waitForLocations(address: string, count: number, timeoutMs = 30_000): Promise<void> {
  const channel = createChannel(address);
  const client = createClient(LocationServiceDefinition, channel);
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      let seen = 0;
      try {
        for await (const res of client.listLocations({})) if (res.item?.$case === 'location') seen++;
      } catch {
        /* not up yet */
      }
      if (seen >= count) return;
      if (Date.now() > until)
        throw new Error(`node ${address} lists ${seen} of ${count} locations after ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    channel.close();
  }
}

/** A relay chain in front of `owner`: returns [owner, relay1, ... relayN], each peering with the previous one. */
export async function startChain(
  owner: NodeProcessOptions,
  relays: number,
  locations: number,
  nodeArgs?: string[],
): Promise<NodeProcess[]> {
  const nodes = [await startNodeProcess(owner)];
  await waitForLocations(nodes[0].address, locations);
  for (let i = 1; i <= relays; i++) {
    nodes.push(
      await startNodeProcess({ id: `relay-${i}`, dir: owner.dir, only: [], peers: [nodes[i - 1].address], nodeArgs }),
    );
    await waitForLocations(nodes[i].address, locations);
  }
  return nodes;
}

export async function closeAll(nodes: NodeProcess[]): Promise<void> {
  for (const node of [...nodes].reverse()) await node.close();
}
