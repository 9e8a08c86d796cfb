// The node config file: which address to listen on, which clouds to serve, which peers to forward to.
// Every mistake is reported with the file, the line and the key, e.g.
//   node.yaml:7: peers[1].address: expected host:port, got "hub"
import { readFile } from 'node:fs/promises';
import { isMap, isSeq } from 'yaml';
import { parseAuthSection, type AuthConfig } from '../auth/config.ts';
import { redactRedisUrl } from '../cache/redis/url.ts';
import { describe, parseYamlFile, readers, type YamlNode } from '../config/yaml-file.ts';
import type { ConnectionLimits } from './connection-limits.ts';
import {
  parseLimitsSection,
  parseMetricsSection,
  parseReloadSection,
  parseTracingSection,
  type LimitsConfig,
  type MetricsConfig,
  type ReloadConfig,
  type TracingConfig,
} from './operability-config.ts';

export interface PeerConfig {
  /** host:port of the upstream oaktree node. */
  address: string;
  /** Dial it with TLS; absent: plaintext. */
  tls?: PeerTlsConfig;
}

/** Files (PEM) for dialing a peer with TLS; without `ca` the system's CAs are trusted. */
export interface PeerTlsConfig {
  ca?: string;
  /** This node's client certificate and key, for a peer that asks for one (mTLS). */
  cert?: string;
  key?: string;
  /** The name the peer's certificate must carry, when it differs from the address's host. */
  serverName?: string;
}

/** Files (PEM) the node serves TLS with. */
export interface NodeTlsConfig {
  cert: string;
  key: string;
  /** Verify client certificates signed by this CA (mTLS). */
  clientCa?: string;
  /** Refuse clients without such a certificate at the handshake. */
  requireClientCert?: boolean;
}

export interface SimulatedCloudConfig {
  name: string;
  regions: string[];
  seedServers: number;
  seedImages: number;
  bootDelayMs?: number;
  latencyMs?: number;
  /** The demo user's projects (default ["demo"]). */
  projects?: string[];
  /** More simulated users (docs/simulator.md): name, password, projects, roles, admin. */
  users?: SimulatedUserConfig[];
}

export interface SimulatedUserConfig {
  name: string;
  password?: string;
  projects?: string[];
  roles?: string[];
  admin?: boolean;
}

export interface NodeConfig {
  /** A unique id in the mesh; default: oaktree-<listen port>-<random>. */
  nodeId?: string;
  listen: string;
  clouds: {
    /** An explicit clouds.yaml; default: openstacksdk's search (OS_CLIENT_CONFIG_FILE, cwd, ~/.config/openstack, /etc/openstack). */
    file?: string;
    /** Serve only these clouds.yaml entries; default: every entry. */
    only?: string[];
  };
  /** Simulated clouds to start in this process (the embedded default when there is no clouds.yaml). */
  simulate?: SimulatedCloudConfig[];
  peers: PeerConfig[];
  /** redis://host:port to share caches, pollers and locks with replicas; default: none. */
  redis?: string;
  logLevel: string;
  maxHops?: number;
  tls?: NodeTlsConfig;
  /** Allow listening beyond loopback without TLS and auth (warned about on every start). */
  insecure?: boolean;
  /** Caller authentication and the policy file (src/auth/config.ts); absent: no auth. */
  auth?: AuthConfig;
  /** Bounds on client connections; absent fields take DEFAULT_CONNECTION_LIMITS. */
  connections?: Partial<ConnectionLimits>;
  /** The watch resume-token key: a secret file shared by replicas (else from Redis, else per run). */
  watchTokens?: { secretFile?: string };
  /** The Prometheus /metrics and status-page listener; absent: none. */
  metrics?: MetricsConfig;
  /** OTLP trace export; absent: off. */
  tracing?: TracingConfig;
  /** Request rate and concurrency per cloud (and region) from clouds.yaml; absent: unlimited. */
  limits?: LimitsConfig;
  /** Reload on file changes too (SIGHUP always reloads); absent: SIGHUP only. */
  reload?: ReloadConfig;
}

export const DEFAULT_LISTEN = '127.0.0.1:50051';

export class NodeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeConfigError';
  }
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function checkHostPort(value: string): boolean {
  const match = HOST_PORT.exec(value);
  return !!match && Number(match[2]) <= 65535;
}

/** Reads and validates a node config file. */
export async function loadNodeConfig(file: string): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new NodeConfigError(`${file}: cannot read the node config: ${(error as Error).message}`);
  }
  return parseNodeConfig(text, file);
}

export function parseNodeConfig(text: string, file = 'node config'): NodeConfig {
  const { root, fail } = parseYamlFile(text, file, (message) => new NodeConfigError(message));
  const config: NodeConfig = { listen: DEFAULT_LISTEN, clouds: {}, peers: [], logLevel: 'info' };
  if (root === null) return config;
  if (!isMap(root)) return fail(root, '(top level)', 'expected a mapping of settings');
  const { str, int, bool, strList, entries } = readers(fail);
  const simulatedUsers = (value: YamlNode | null, path: string): SimulatedUserConfig[] => {
    if (!isSeq(value)) fail(value, path, `expected a list of users, got ${describe(value)}`);
    return (value as any).items.map((item: YamlNode, index: number) => {
      const user: SimulatedUserConfig = { name: '' };
      for (const e of entries(item, `${path}[${index}]`, ['name', 'password', 'projects', 'roles', 'admin'])) {
        if (e.name === 'name') user.name = str(e.value, e.path);
        else if (e.name === 'password') user.password = str(e.value, e.path);
        else if (e.name === 'projects') user.projects = strList(e.value, e.path);
        else if (e.name === 'roles') user.roles = strList(e.value, e.path);
        else user.admin = bool(e.value, e.path);
      }
      if (!user.name) fail(item, `${path}[${index}].name`, 'every simulated user needs a name');
      return user;
    });
  };
  const peerTls = (node: YamlNode | null | undefined, key: string): PeerTlsConfig => {
    const tls: PeerTlsConfig = {};
    for (const entry of entries(node, key, ['ca', 'cert', 'key', 'server_name'])) {
      if (entry.name === 'ca') tls.ca = str(entry.value, entry.path);
      else if (entry.name === 'cert') tls.cert = str(entry.value, entry.path);
      else if (entry.name === 'key') tls.key = str(entry.value, entry.path);
      else tls.serverName = str(entry.value, entry.path);
    }
    if (!tls.cert !== !tls.key) fail(node, key, 'cert and key go together (a client certificate needs its key)');
    return tls;
  };

  for (const { name, path, value } of entries(root, '', [
    'node_id',
    'listen',
    'clouds',
    'simulate',
    'peers',
    'redis',
    'log_level',
    'max_hops',
    'tls',
    'insecure',
    'auth',
    'connections',
    'watch_tokens',
    'metrics',
    'tracing',
    'limits',
    'reload',
  ])) {
    switch (name) {
      case 'node_id': {
        const id = str(value, path);
        if (!/^[A-Za-z0-9._:-]+$/.test(id)) fail(value, path, `"${id}" may only use letters, digits and . _ : -`);
        config.nodeId = id;
        break;
      }
      case 'listen': {
        const listen = str(value, path);
        if (!checkHostPort(listen)) fail(value, path, `expected host:port (e.g. ${DEFAULT_LISTEN}), got "${listen}"`);
        config.listen = listen;
        break;
      }
      case 'clouds':
        for (const entry of entries(value, path, ['file', 'only'])) {
          if (entry.name === 'file') config.clouds.file = str(entry.value, entry.path);
          else config.clouds.only = strList(entry.value, entry.path);
        }
        break;
      case 'simulate': {
        if (!isSeq(value)) fail(value, path, `expected a list of clouds, got ${describe(value)}`);
        config.simulate = (value as any).items.map((item: YamlNode, index: number) => {
          const cloud: SimulatedCloudConfig = { name: '', regions: ['RegionOne'], seedServers: 0, seedImages: 2 };
          for (const entry of entries(item, `${path}[${index}]`, [
            'name',
            'regions',
            'seed_servers',
            'seed_images',
            'boot_delay_ms',
            'latency_ms',
            'projects',
            'users',
          ])) {
            if (entry.name === 'name') cloud.name = str(entry.value, entry.path);
            else if (entry.name === 'regions') cloud.regions = strList(entry.value, entry.path);
            else if (entry.name === 'seed_servers') cloud.seedServers = int(entry.value, entry.path);
            else if (entry.name === 'seed_images') cloud.seedImages = int(entry.value, entry.path);
            else if (entry.name === 'boot_delay_ms') cloud.bootDelayMs = int(entry.value, entry.path);
            else if (entry.name === 'projects') cloud.projects = strList(entry.value, entry.path);
            else if (entry.name === 'users') cloud.users = simulatedUsers(entry.value, entry.path);
            else cloud.latencyMs = int(entry.value, entry.path);
          }
          if (!cloud.name) fail(item, `${path}[${index}].name`, 'every simulated cloud needs a name');
          return cloud;
        });
        break;
      }
      case 'peers': {
        if (!isSeq(value)) fail(value, path, `expected a list of peers, got ${describe(value)}`);
        config.peers = (value as any).items.map((item: YamlNode, index: number) => {
          const key = `${path}[${index}]`;
          const peer: PeerConfig = { address: '' };
          for (const entry of entries(item, key, ['address', 'tls'])) {
            if (entry.name === 'address') peer.address = str(entry.value, entry.path);
            else peer.tls = peerTls(entry.value, entry.path);
          }
          if (!peer.address) fail(item, `${key}.address`, 'every peer needs an address');
          if (!checkHostPort(peer.address)) fail(item, `${key}.address`, `expected host:port, got "${peer.address}"`);
          return peer;
        });
        break;
      }
      case 'redis': {
        const url = str(value, path);
        if (!/^(rediss?|unix):\/\//.test(url))
          fail(value, path, `expected a redis:// URL (or rediss://, unix://), got "${redactRedisUrl(url)}"`);
        config.redis = url;
        break;
      }
      case 'log_level': {
        const level = str(value, path);
        const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
        if (!levels.includes(level)) fail(value, path, `expected one of ${levels.join(', ')}, got "${level}"`);
        config.logLevel = level;
        break;
      }
      case 'max_hops':
        config.maxHops = int(value, path, 1);
        break;
      case 'tls': {
        const tls: Partial<NodeTlsConfig> = {};
        for (const entry of entries(value, path, ['cert', 'key', 'client_ca', 'require_client_cert'])) {
          if (entry.name === 'cert') tls.cert = str(entry.value, entry.path);
          else if (entry.name === 'key') tls.key = str(entry.value, entry.path);
          else if (entry.name === 'client_ca') tls.clientCa = str(entry.value, entry.path);
          else tls.requireClientCert = bool(entry.value, entry.path);
        }
        if (!tls.cert || !tls.key) fail(value, path, 'needs both cert and key (PEM files)');
        if (tls.requireClientCert && !tls.clientCa)
          fail(value, `${path}.require_client_cert`, 'needs client_ca: the CA that signs client certificates');
        config.tls = tls as NodeTlsConfig;
        break;
      }
      case 'insecure':
        config.insecure = bool(value, path);
        break;
      case 'auth':
        config.auth = parseAuthSection(value, path, fail);
        break;
      case 'connections': {
        const limits: Partial<ConnectionLimits> = {};
        for (const entry of entries(value, path, [
          'max_total',
          'max_per_source',
          'idle_timeout_s',
          'handshake_timeout_s',
        ])) {
          const n = int(entry.value, entry.path, 1);
          if (entry.name === 'max_total') limits.maxTotal = n;
          else if (entry.name === 'max_per_source') limits.maxPerSource = n;
          else if (entry.name === 'idle_timeout_s') limits.idleTimeoutMs = n * 1000;
          else limits.handshakeTimeoutMs = n * 1000;
        }
        config.connections = limits;
        break;
      }
      case 'watch_tokens':
        config.watchTokens = {};
        for (const entry of entries(value, path, ['secret_file']))
          config.watchTokens.secretFile = str(entry.value, entry.path);
        break;
      case 'metrics':
        config.metrics = parseMetricsSection(value, path, fail, checkHostPort);
        break;
      case 'tracing':
        config.tracing = parseTracingSection(value, path, fail);
        break;
      case 'limits':
        config.limits = parseLimitsSection(value, path, fail);
        break;
      case 'reload':
        config.reload = parseReloadSection(value, path, fail);
        break;
    }
  }
  return config;
}
