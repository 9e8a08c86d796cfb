// Starts and stops a whole topology on loopback: one `oaktree serve` process per node, detached, with its
// config and log in a state folder; `down` stops exactly the processes `up` started (checked by pid and command).
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelCredentials, createChannel, createClient } from 'nice-grpc';
import { MeshServiceDefinition } from '../gen/oaktree/mesh/v1/mesh.ts';
import { knownPeerAddresses, loadTopology, nodeConfigYaml, reachableLocations, type Topology } from './topology.ts';
import { issueTopologyCerts, type TopologyCerts } from './topology-pki.ts';

export interface RunningTopologyNode {
  id: string;
  address: string;
  pid: number;
  config: string;
  log: string;
}

export interface TopologyState {
  name: string;
  file: string;
  nodes: RunningTopologyNode[];
  /** For an mTLS topology: what a client needs (--ca, --cert, --key). */
  tls?: { ca: string; cert: string; key: string };
}

export interface TopologyRunOptions {
  /** Overrides the file's base_port; 0 lets every node pick a free port (tests). */
  basePort?: number;
  /** Where configs, logs and the pid list go (default: $TMPDIR/oaktree-topology-<name>). */
  stateDir?: string;
  /** Seconds to wait for every node to serve and learn its routes (default 60). */
  timeoutS?: number;
}

function defaultStateDir(topology: Topology): string {
  return join(tmpdir(), `oaktree-topology-${topology.name}`);
}

/** How to run the oaktree CLI the same way this process runs (from source with tsx, or compiled). */
function cliCommand(): string[] {
  const ext = extname(new URL(import.meta.url).pathname);
  const main = new URL(`../cli/main${ext}`, import.meta.url).pathname;
  return ext === '.ts' ? ['--import', 'tsx', main] : [main];
}

export async function topologyUp(file: string, options: TopologyRunOptions = {}): Promise<TopologyState> {
  const topology = await loadTopology(file, { basePort: options.basePort });
  const stateDir = options.stateDir ?? defaultStateDir(topology);
  if (existsSync(join(stateDir, 'state.json'))) {
    throw new Error(
      `${topology.name} seems to be up already (${join(stateDir, 'state.json')}); run \`oaktree topology down ${file}\` first`,
    );
  }
  await mkdir(stateDir, { recursive: true });
  const state: TopologyState = { name: topology.name, file: resolve(file), nodes: [] };
  // Real addresses as each node reports them: with base_port 0 every node listens on a port the system picks.
  const addresses = new Map<string, string>();
  const upstreamFirst = [...topology.nodes].reverse();
  try {
    const certs = topology.mtls ? await issueTopologyCerts(topology, resolve(stateDir)) : undefined;
    if (certs) state.tls = { ca: certs.ca, ...certs.operator };
    for (const node of upstreamFirst) {
      const config = join(stateDir, `${node.id}.yaml`);
      const log = join(stateDir, `${node.id}.log`);
      await writeFile(config, nodeConfigYaml(topology, node, new Map(), certs?.nodes.get(node.id)));
      const out = openSync(log, 'w');
      const child = spawn(process.execPath, [...cliCommand(), 'serve', '--config', config], {
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, OAKTREE_LOG_LEVEL: process.env.OAKTREE_LOG_LEVEL ?? 'info' },
      });
      child.unref();
      state.nodes.push({ id: node.id, address: node.address, pid: child.pid!, config, log });
      await writeFile(join(stateDir, 'state.json'), JSON.stringify(state, null, 2));
    }
    const until = Date.now() + (options.timeoutS ?? 60) * 1000;
    for (const running of state.nodes) {
      running.address = await servingAddress(running, until);
      addresses.set(running.id, running.address);
    }
    await writeFile(join(stateDir, 'state.json'), JSON.stringify(state, null, 2));
    // Peers that were not listening yet when a node started: rewrite its config and tell it to reread it.
    for (const node of upstreamFirst) {
      if (knownPeerAddresses(topology, node, new Map()).length === node.peers.length) continue;
      const running = state.nodes.find((n) => n.id === node.id)!;
      await writeFile(running.config, nodeConfigYaml(topology, node, addresses, certs?.nodes.get(node.id)));
      process.kill(running.pid, 'SIGHUP');
    }
    await waitUntilConverged(topology, state, (options.timeoutS ?? 60) * 1000, certs);
    return state;
  } catch (error) {
    await stopNodes(state);
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/** The address a node prints once it serves (`serving on host:port`); the log is read until it appears. */
async function servingAddress(node: RunningTopologyNode, until: number): Promise<string> {
  while (true) {
    const match = /serving on (\S+)/.exec(readFileSync(node.log, 'utf8'));
    if (match) return match[1];
    if (!isAlive(node.pid))
      throw new Error(`node ${node.id} exited during start-up; its log (${node.log}):\n${tail(node.log)}`);
    if (Date.now() > until) throw new Error(`node ${node.id} did not start in time; its log: ${node.log}`);
    await sleep(50);
  }
}

/** Waits until every node serves and reaches every location its peers lead to. */
async function waitUntilConverged(
  topology: Topology,
  state: TopologyState,
  timeoutMs: number,
  certs?: TopologyCerts,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  const credentials = certs
    ? ChannelCredentials.createSsl(
        readFileSync(certs.ca),
        readFileSync(certs.operator.key),
        readFileSync(certs.operator.cert),
      )
    : undefined;
  for (const node of state.nodes) {
    const expected = reachableLocations(topology, node.id);
    const channel = createChannel(node.address, credentials);
    const mesh = createClient(MeshServiceDefinition, channel);
    let seen = new Set<string>();
    try {
      while (true) {
        if (!isAlive(node.pid)) {
          throw new Error(`node ${node.id} exited during start-up; its log (${node.log}):\n${tail(node.log)}`);
        }
        try {
          seen = new Set<string>();
          for await (const response of mesh.listRoutes({}, { signal: AbortSignal.timeout(2000) })) {
            const location = response.item?.$case === 'route' ? response.item.value.location : undefined;
            if (location) seen.add(`${location.cloud}/${location.region}`);
          }
          if ([...expected].every((key) => seen.has(key))) break;
        } catch {
          // not serving yet
        }
        if (Date.now() > until) {
          const missing = [...expected].filter((key) => !seen.has(key));
          throw new Error(`node ${node.id} did not reach ${missing.join(', ')} in time; its log: ${node.log}`);
        }
        await sleep(200);
      }
    } finally {
      channel.close();
    }
  }
}

export async function topologyDown(file: string, options: TopologyRunOptions = {}): Promise<RunningTopologyNode[]> {
  const topology = await loadTopology(file, { basePort: options.basePort });
  const stateDir = options.stateDir ?? defaultStateDir(topology);
  const stateFile = join(stateDir, 'state.json');
  if (!existsSync(stateFile)) return [];
  const state: TopologyState = JSON.parse(await readFile(stateFile, 'utf8'));
  const stopped = await stopNodes(state);
  await rm(stateDir, { recursive: true, force: true });
  return stopped;
}

/** Stops exactly our processes: a pid is only signalled while its command line still names our config file. */
async function stopNodes(state: TopologyState): Promise<RunningTopologyNode[]> {
  const ours = state.nodes.filter((node) => isAlive(node.pid) && commandLine(node.pid).includes(node.config));
  for (const node of ours) process.kill(node.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (ours.some((node) => isAlive(node.pid)) && Date.now() < deadline) await sleep(100);
  for (const node of ours) if (isAlive(node.pid)) process.kill(node.pid, 'SIGKILL');
  return ours;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
