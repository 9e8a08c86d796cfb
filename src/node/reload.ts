// Live reload (SIGHUP): re-reads the node config file and clouds.yaml and applies the difference. Clouds and peers
// that appear are started and routed to; those that are gone (or whose settings changed) are removed, their open
// calls ending UNAVAILABLE with a message; unchanged ones keep their streams, pollers and caches, and take new
// `limits` in place. A changed `metrics.listen` moves the listener. A config that does not load (file:line:key) or
// a clouds.yaml that does not, changes nothing. Keys that only a restart applies (RESTART_KEYS) are logged as such.
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
import type { CloudLimiter } from '../backends/openstack/transport/limits.ts';
import { applyLimits, buildLimiters, warnUnserved } from './limits.ts';
import { peerDial } from './peer-credentials.ts';
import type { RunningNode } from './server.ts';
import type { NodeServices } from './services.ts';

export interface ReloadResult {
  ok: boolean;
  /** The file:line:key message of a config that was refused. */
  error?: string;
  added: string[];
  removed: string[];
  /** Clouds whose limits changed in place. */
  limited?: string[];
  /** Config keys that changed but apply only at a restart. */
  needRestart?: string[];
}

/** Settings a running node cannot change: a reload that changes them says so and leaves them as they are. */
const RESTART_KEYS: Array<[keyof NodeConfig, string]> = [
  ['nodeId', 'node_id'],
  ['listen', 'listen'],
  ['tls', 'tls (other than re-reading its files)'],
  ['insecure', 'insecure'],
  ['auth', 'auth'],
  ['connections', 'connections'],
  ['redis', 'redis'],
  ['watchTokens', 'watch_tokens'],
  ['tracing', 'tracing'],
  ['simulate', 'simulate'],
  ['maxHops', 'max_hops'],
  ['logLevel', 'log_level'],
  ['reload', 'reload'],
];

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
  /** The running clouds' limiters (from buildBackends): new limits are applied to them in place. */
  limiters?: Map<string, CloudLimiter>;
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
  readonly #limiters = new Map<string, CloudLimiter>();
  /** The file as it was at start: what restart-only keys are compared with (flags may have overridden it). */
  #startFile?: NodeConfig;
  #metricsListen?: string;
  #running: Promise<ReloadResult> = Promise.resolve({ ok: true, added: [], removed: [] });
  #started?: Promise<void>;

  constructor(options: ReloaderOptions) {
    this.#options = options;
  }

  /** Learns which running backend serves which cloud and peer (call once, after the node started). */
  start(): Promise<void> {
    this.#started ??= (async () => {
      const { config, backends, configFile } = this.#options;
      this.#startFile = await loadNodeConfig(configFile).catch(() => undefined);
      this.#metricsListen = config.metrics?.listen;
      for (const [name, limiter] of this.#options.limiters ?? []) this.#limiters.set(name, limiter);
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
    const limited: string[] = [];
    const needRestart = this.#restartOnly(config);
    if (needRestart.length)
      logger.warn({ keys: needRestart }, 'reload: these settings change only with a restart; the running values stay');
    const apply = async (
      current: Map<string, Served>,
      wanted: Map<string, { fingerprint: string; make: () => Backend }>,
      what: string,
    ) => {
      for (const [name, served] of [...current]) {
        const next = wanted.get(name);
        if (next?.fingerprint === served.fingerprint) continue;
        current.delete(name);
        if (what === 'cloud') this.#limiters.delete(name);
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
      warnUnserved(
        config.limits,
        clouds.map((c) => c.name),
        logger,
      );
      const wanted = new Map(
        clouds.map((cloud) => [
          cloud.name,
          {
            fingerprint: cloudFingerprint(cloud),
            make: () => {
              const [limiter] = buildLimiters(config.limits, [cloud.name], logger, metrics, services.limits).values();
              this.#limiters.set(cloud.name, limiter);
              return createOpenStackBackend(cloud, {
                logger,
                services,
                session: { observer: metrics, limiter, tracer: tracing?.tracer },
              });
            },
          },
        ]),
      );
      await apply(this.#clouds, wanted, 'cloud');
      // Clouds that stayed take their new limits in place: their streams, pollers and caches are untouched.
      for (const cloud of clouds) {
        const limiter = this.#limiters.get(cloud.name);
        const settings = config.limits?.[cloud.name] ?? {};
        if (!limiter || added.includes(`cloud:${cloud.name}`)) continue;
        if (JSON.stringify(limiter.settings) === JSON.stringify(settings)) continue;
        applyLimits(limiter, settings, metrics);
        limited.push(cloud.name);
        logger.info({ cloud: cloud.name, limits: settings }, 'reload: new limits in force for the cloud');
      }
    }
    await this.#moveMetrics(config);
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
    logger.info({ added, removed, limited }, 'reload applied');
    return { ok: true, added, removed, limited, needRestart };
  }

  /** The restart-only keys whose value in the file changed since the node started. */
  #restartOnly(config: NodeConfig): string[] {
    const before = this.#startFile;
    if (!before) return [];
    return RESTART_KEYS.filter(([key]) => JSON.stringify(before[key]) !== JSON.stringify(config[key])).map(
      ([, name]) => name,
    );
  }

  /** A changed `metrics.listen` moves the listener; a node started without metrics needs a restart for them. */
  async #moveMetrics(config: NodeConfig): Promise<void> {
    const { node, metrics, logger } = this.#options;
    const listen = config.metrics?.listen;
    if (listen === this.#metricsListen) return;
    if (!metrics) {
      logger.warn({ key: 'metrics' }, 'reload: metrics were off at start; they come on only with a restart');
      return;
    }
    try {
      await node.moveMetricsListener(listen);
      this.#metricsListen = listen;
      logger.info({ address: node.metricsAddress ?? 'none' }, 'reload: the metrics listener moved');
    } catch (error) {
      logger.warn({ listen, err: (error as Error).message }, 'reload: cannot listen there; the metrics listener stays');
    }
  }
}
