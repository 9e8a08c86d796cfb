// Real nodes as child processes (`oaktree serve` from source, port 0), each with its own simulated clouds, peered
// in the order given so every peer address is known when a node starts. A node that exits unasked is a crash.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { cliNode, type CliNode } from '../support/node.ts';

export interface FleetNodeSpec {
  id: string;
  /** Simulated clouds this node serves: name → regions. */
  clouds: Record<string, string[]>;
  /** Ids of nodes started before this one that it peers with. */
  peers?: string[];
  seedServers?: number;
}

export interface FleetNode {
  id: string;
  address: string;
  pid: number;
  cli: CliNode;
  /** Set when the process exited without being asked to. */
  crashed?: string;
}

export interface Fleet {
  nodes: FleetNode[];
  node(id: string): FleetNode;
  /** SERVING, or what health answered instead. */
  health(id: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFleet(specs: FleetNodeSpec[], logLevel = 'warn'): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-chaos-'));
  const nodes: FleetNode[] = [];
  let closing = false;
  const close = async () => {
    closing = true;
    await Promise.all(
      nodes.map(async (node) => {
        if (node.cli.child.exitCode === null) node.cli.child.kill('SIGTERM');
        await node.cli.exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const spec of specs) {
      const config = [
        `node_id: ${spec.id}`,
        'listen: 127.0.0.1:0',
        `log_level: ${logLevel}`,
        'simulate:',
        ...Object.entries(spec.clouds).map(
          ([name, regions]) =>
            `  - { name: ${name}, regions: [${regions.join(', ')}], seed_servers: ${spec.seedServers ?? 3}, boot_delay_ms: 200 }`,
        ),
        ...(spec.peers?.length
          ? ['peers:', ...spec.peers.map((id) => `  - { address: "${nodes.find((n) => n.id === id)!.address}" }`)]
          : []),
      ].join('\n');
      const file = join(dir, `${spec.id}.yaml`);
      await writeFile(file, `${config}\n`);
      const cli = await cliNode(['--config', file]);
      const node: FleetNode = { id: spec.id, address: cli.address, pid: cli.child.pid!, cli };
      void cli.exited.then((code) => {
        if (!closing) node.crashed = `exited with ${code}: ${cli.stderr.slice(-5).join(' | ')}`;
      });
      nodes.push(node);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    nodes,
    node: (id) => nodes.find((n) => n.id === id)!,
    async health(id) {
      const channel = createChannel(nodes.find((n) => n.id === id)!.address);
      try {
        const answer = await createClient(HealthDefinition, channel).check(
          { service: '' },
          { signal: AbortSignal.timeout(5000) },
        );
        return answer.status === 1 ? 'SERVING' : `status ${answer.status}`;
      } catch (error) {
        return `health failed: ${(error as Error).message}`;
      } finally {
        channel.close();
      }
    },
    close,
  };
}

/** The fuzzer's default target: an owner with two clouds and an edge with its own cloud that peers with it. */
export const CHAIN: FleetNodeSpec[] = [
  { id: 'owner', clouds: { 'chaos-alpha': ['RegionOne', 'RegionTwo'], 'chaos-beta': ['RegionOne'] } },
  { id: 'edge', clouds: { 'chaos-edge': ['RegionOne'] }, peers: ['owner'] },
];
