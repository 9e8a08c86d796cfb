// Topology files (topology/*.yaml): a mesh of nodes on loopback, each with simulated clouds and peers.
// Used by `oaktree topology up|down`, the mesh tests, the examples and the benchmarks.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { NodeConfigError } from './config.ts';

export interface TopologyCloud {
  name: string;
  regions: string[];
  seedServers: number;
  seedImages: number;
  latencyMs?: number;
  bootDelayMs?: number;
}

export interface TopologyNode {
  id: string;
  port: number;
  address: string;
  peers: string[];
  clouds: TopologyCloud[];
}

export interface Topology {
  name: string;
  file: string;
  nodes: TopologyNode[];
  /** `tls: mtls`: every node serves mTLS and dials its peers with a client certificate (a throwaway CA). */
  mtls: boolean;
}

/** The PEM files one node of an mTLS topology uses (see topology-pki.ts). */
export interface TopologyNodeCerts {
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
}

export async function loadTopology(file: string, options: { basePort?: number } = {}): Promise<Topology> {
  const text = await readFile(file, 'utf8').catch((error) => {
    throw new NodeConfigError(`${file}: cannot read the topology: ${error.message}`);
  });
  return parseTopology(text, file, options);
}

export function parseTopology(text: string, file: string, options: { basePort?: number } = {}): Topology {
  const fail = (message: string): never => {
    throw new NodeConfigError(`${file}: ${message}`);
  };
  let doc: any;
  try {
    doc = parse(text);
  } catch (error) {
    return fail(`not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object') return fail('expected a mapping with name, base_port and nodes');
  const name = typeof doc.name === 'string' && doc.name ? doc.name : fail('name: expected a non-empty string');
  const basePort = options.basePort ?? doc.base_port;
  // 0: every node listens on a port the system picks, and learns its peers' real ports after start (tests).
  const anyPort = basePort === 0;
  if (!anyPort && (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65000)) {
    fail('base_port: expected 0 (any free port) or a port between 1024 and 65000');
  }
  if (!Array.isArray(doc.nodes) || doc.nodes.length === 0) fail('nodes: expected a non-empty list');
  if (doc.tls !== undefined && doc.tls !== 'mtls')
    fail(`tls: expected "mtls" (or no tls key for plaintext), got ${JSON.stringify(doc.tls)}`);
  const ids = new Set<string>();
  const cloudNames = new Set<string>();
  const nodes: TopologyNode[] = doc.nodes.map((raw: any, index: number) => {
    const where = `nodes[${index}]`;
    const id =
      typeof raw?.id === 'string' && /^[A-Za-z0-9._-]+$/.test(raw.id)
        ? raw.id
        : fail(`${where}.id: expected a node id (letters, digits, . _ -)`);
    if (ids.has(id)) fail(`${where}.id: "${id}" is used twice`);
    ids.add(id);
    const clouds: TopologyCloud[] = (raw.clouds ?? []).map((cloud: any, c: number) => {
      const cwhere = `${where}.clouds[${c}]`;
      const cname =
        typeof cloud?.name === 'string' && cloud.name ? cloud.name : fail(`${cwhere}.name: expected a cloud name`);
      if (cloudNames.has(cname))
        fail(`${cwhere}.name: cloud "${cname}" is defined twice; cloud names identify locations and must be unique`);
      cloudNames.add(cname);
      return {
        name: cname,
        regions: Array.isArray(cloud.regions) && cloud.regions.length ? cloud.regions.map(String) : ['RegionOne'],
        seedServers: Number(cloud.seed_servers ?? 0),
        seedImages: Number(cloud.seed_images ?? 1),
        latencyMs: cloud.latency_ms,
        bootDelayMs: cloud.boot_delay_ms,
      };
    });
    const port = anyPort ? 0 : basePort + index;
    return { id, port, address: `127.0.0.1:${port}`, peers: (raw.peers ?? []).map(String), clouds };
  });
  for (const node of nodes) {
    for (const peer of node.peers) {
      if (!ids.has(peer)) fail(`node ${node.id}: peer "${peer}" is not a node of this topology`);
      if (peer === node.id) fail(`node ${node.id}: a node cannot peer with itself`);
    }
  }
  return { name, file, nodes, mtls: doc.tls === 'mtls' };
}

/** Every cloud/region a node can reach: its own, and what its peers reach, transitively. */
export function reachableLocations(topology: Topology, nodeId: string): Set<string> {
  const byId = new Map(topology.nodes.map((node) => [node.id, node]));
  const seen = new Set<string>();
  const reach = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const node = byId.get(id)!;
    for (const cloud of node.clouds) for (const region of cloud.regions) reach.add(`${cloud.name}/${region}`);
    node.peers.forEach(visit);
  };
  visit(nodeId);
  return reach;
}

/** The addresses of a node's peers that are known: fixed ports, or real ones in `addresses` once they listen. */
export function knownPeerAddresses(
  topology: Topology,
  node: TopologyNode,
  addresses: ReadonlyMap<string, string>,
): string[] {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const addressOf = (id: string) => addresses.get(id) ?? (byId.get(id)!.port ? byId.get(id)!.address : undefined);
  return node.peers.map(addressOf).filter((address) => address !== undefined);
}

/**
 * The node config file (YAML) for one node of a topology; a peer whose address is not known yet is left out;
 * `certs` for an mTLS topology.
 */
export function nodeConfigYaml(
  topology: Topology,
  node: TopologyNode,
  addresses: ReadonlyMap<string, string> = new Map(),
  certs?: TopologyNodeCerts,
): string {
  const q = JSON.stringify; // paths quoted: a temp folder may hold anything
  const lines = [`node_id: ${node.id}`, `listen: ${addresses.get(node.id) ?? node.address}`, 'clouds:', '  only: []'];
  if (certs) {
    lines.push('tls:', `  cert: ${q(certs.server.cert)}`, `  key: ${q(certs.server.key)}`);
    lines.push(`  client_ca: ${q(certs.ca)}`, '  require_client_cert: true');
  }
  const peers = knownPeerAddresses(topology, node, addresses);
  if (peers.length) {
    lines.push('peers:');
    for (const address of peers) {
      lines.push(`  - address: ${address}`);
      if (certs)
        lines.push(`    tls: { ca: ${q(certs.ca)}, cert: ${q(certs.client.cert)}, key: ${q(certs.client.key)} }`);
    }
  }
  if (node.clouds.length) {
    lines.push('simulate:');
    for (const cloud of node.clouds) {
      lines.push(`  - name: ${cloud.name}`, `    regions: [${cloud.regions.join(', ')}]`);
      lines.push(`    seed_servers: ${cloud.seedServers}`, `    seed_images: ${cloud.seedImages}`);
      if (cloud.latencyMs !== undefined) lines.push(`    latency_ms: ${cloud.latencyMs}`);
      if (cloud.bootDelayMs !== undefined) lines.push(`    boot_delay_ms: ${cloud.bootDelayMs}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
