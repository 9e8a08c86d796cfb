// Live reload (SIGHUP): re-reads the node config file and clouds.yaml and applies the difference. Clouds and peers
// that appear are started and routed to; those that are gone (or whose settings changed) are removed, their open
// calls ending UNAVAILABLE with a message; unchanged ones keep their streams, pollers and caches. A config that
// does not load (file:line:key) or a clouds.yaml that does not, changes nothing. Simulated clouds, listen, TLS,
// auth, metrics, tracing and the limits of unchanged clouds are not reloaded (restart for those).
import { createHash } from 'node:crypto';
import type { Backend } from '../backends/backend.ts';
import { createOpenStackBackend } from '../backends/openstack/backend.ts';
import { createPeerBackend } from '../backends/peer/peer-backend.ts';
import { loadCloudsConfig } from '../config/clouds/index.ts';
import { Secret } from '../config/clouds/secret.ts';
import type { CloudConfig } from '../config/clouds/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { NodeTracing } from '../observability/tracing.ts';
import { loadNodeConfig, NodeConfigError, type NodeConfig, type PeerConfig } from './config.ts';
import { buildLimiters } from './limits.ts';
import { peerDial } from './peer-credentials.ts';
import type { RunningNode } from './server.ts';
import type { NodeServices } from './services.ts';

export interface ReloadResult {
  ok: boolean;
  /** The file:line:key message of a config that was refused. */
  error?: string;
  added: string[];
  removed: string[];
}

interface Served {
  fingerprint: string;
  backend: Backend;
}

export interface ReloaderOptions {
  node: RunningNode;
  configFile: string;
  /** The config the node started with and the backends built from it. */
  config: NodeConfig;
  backends: readonly Backend[];
  services: NodeServices;
  logger: Logger;
  metrics?: NodeMetrics;
  tracing?: NodeTracing;
}

/** A cloud's settings with every secret hashed: a changed password is a changed cloud, and none is kept in clear. */
function cloudFingerprint(cloud: CloudConfig): string {
  return JSON.stringify(cloud, (_key, value) =>
    value instanceof Secret ? createHash('sha256').update(value.reveal()).digest('hex') : value,
  );
}

const peerFingerprint = (peer: PeerConfig) => JSON.stringify(peer);

/** The clouds.yaml entries the config serves (none when it simulates clouds: those are not reloaded). */
async function servedClouds(config: NodeConfig): Promise<CloudConfig[] | undefined> {
  if (config.simulate !== undefined) return undefined;
  if (config.clouds.only?.length === 0) return [];
  const loaded = await loadCloudsConfig({ file: config.clouds.file });
  const only = config.clouds.only;
  if (only) {
    const missing = only.filter((name) => !loaded.clouds.some((cloud) => cloud.name === name));
    if (missing.length)
      throw new NodeConfigError(
        `clouds.only names ${missing.join(', ')}, which ${loaded.files.join(', ') || 'no clouds.yaml'} does not define`,
      );
  }
  return loaded.clouds.filter((cloud) => !only || only.includes(cloud.name));
}

export class NodeReloader {
  readonly #options: ReloaderOptions;
  readonly #clouds = new Map<string, Served>();
  readonly #peers = new Map<string, Served>();
  #running: Promise<ReloadResult> = Promise.resolve({ ok: true, added: [], removed: [] });
  #started?: Promise<void>;

  constructor(options: ReloaderOptions) {
    this.#options = options;
  }

  /** Learns which running backend serves which cloud and peer (call once, after the node started). */
  start(): Promise<void> {
    this.#started ??= (async () => {
      const { config, backends } = this.#options;
      for (const cloud of (await servedClouds(config).catch(() => undefined)) ?? []) {
        const backend = backends.find((b) => b.id === `cloud:${cloud.name}`);
        if (backend) this.#clouds.set(cloud.name, { fingerprint: cloudFingerprint(cloud), backend });
      }
      const peerBackends = backends.filter((b) => !b.local);
      config.peers.forEach((peer, index) => {
        const backend = peerBackends[index];
        if (backend) this.#peers.set(peer.address, { fingerprint: peerFingerprint(peer), backend });
      });
    })();
    return this.#started;
  }

  /** Re-reads the files and applies the difference; reloads run one at a time. */
  reload(): Promise<ReloadResult> {
    this.#running = this.#running.then(() => this.#reload());
    return this.#running;
  }

  async #reload(): Promise<ReloadResult> {
    await this.start();
    const { node, configFile, logger } = this.#options;
    let config: NodeConfig;
    let clouds: CloudConfig[] | undefined;
    let dials: Map<string, ReturnType<typeof peerDial>>;
    try {
      config = await loadNodeConfig(configFile);
      clouds = await servedClouds(config);
      dials = new Map(config.peers.map((peer) => [peer.address, peerDial(peer)])); // unreadable TLS files fail here
    } catch (error) {
      const message = (error as Error).message;
      logger.warn({ err: message }, 'reload refused: the running configuration stays');
      return { ok: false, error: message, added: [], removed: [] };
    }
    const added: string[] = [];
    const removed: string[] = [];
    const apply = async (
      current: Map<string, Served>,
      wanted: Map<string, { fingerprint: string; make: () => Backend }>,
      what: string,
    ) => {
      for (const [name, served] of [...current]) {
        const next = wanted.get(name);
        if (next?.fingerprint === served.fingerprint) continue;
        current.delete(name);
        removed.push(served.backend.id);
        const why = next ? 'its settings changed' : 'it is no longer configured';
        await node.removeBackend(served.backend, `${what} ${name} was removed from this node by a reload (${why})`);
      }
      for (const [name, next] of wanted) {
        if (current.has(name)) continue;
        const backend = next.make();
        await node.addBackend(backend);
        current.set(name, { fingerprint: next.fingerprint, backend });
        added.push(backend.id);
      }
    };
    if (clouds) {
      const { services, metrics, tracing } = this.#options;
      const limiters = buildLimiters(
        config.limits,
        clouds.map((c) => c.name),
        logger,
        metrics,
        services.limits,
      );
      const wanted = new Map(
        clouds.map((cloud) => [
          cloud.name,
          {
            fingerprint: cloudFingerprint(cloud),
            make: () =>
              createOpenStackBackend(cloud, {
                logger,
                services,
                session: { observer: metrics, limiter: limiters.get(cloud.name), tracer: tracing?.tracer },
              }),
          },
        ]),
      );
      await apply(this.#clouds, wanted, 'cloud');
    }
    const peers = new Map(
      config.peers.map((peer) => [
        peer.address,
        {
          fingerprint: peerFingerprint(peer),
          make: () =>
            createPeerBackend({ address: peer.address, nodeId: node.nodeId, logger, ...dials.get(peer.address)! }),
        },
      ]),
    );
    await apply(this.#peers, peers, 'peer');
    logger.info({ added, removed }, 'reload applied');
    return { ok: true, added, removed };
  }
}
