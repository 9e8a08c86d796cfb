// Which backends a node has: the clouds it serves itself (from clouds.yaml, or built-in simulated clouds when
// there is none) and the peers it forwards to.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../backends/backend.ts';
import { createOpenStackBackend } from '../backends/openstack/backend.ts';
import { createPeerBackend } from '../backends/peer/peer-backend.ts';
import { loadCloudsConfig } from '../config/clouds/index.ts';
import type { CloudConfig } from '../config/clouds/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Simulator } from '../simulator/index.ts';
import type { NodeConfig, SimulatedCloudConfig } from './config.ts';
import { peerDial } from './peer-credentials.ts';
import { startNodeServices, type NodeServices, type NodeServicesOptions } from './services.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { NodeTracing } from '../observability/tracing.ts';
import { buildLimiters, warnUnserved } from './limits.ts';
import type { CloudLimiter } from '../backends/openstack/transport/limits.ts';

export interface BuiltBackends {
  backends: Backend[];
  /** Where the clouds came from, for the startup log line. */
  source: string;
  /** This node's services, shared by its clouds (and only by them). */
  services: NodeServices;
  /** Each served cloud's limiter (a reload changes their limits in place). */
  limiters: Map<string, CloudLimiter>;
  /** Stops what was started for them (the embedded simulator, the services). */
  close(): Promise<void>;
}

/** The embedded default: two clouds, one with two regions, a few servers and images to look at. */
const DEFAULT_SIMULATED: SimulatedCloudConfig[] = [
  { name: 'sim-alpha', regions: ['RegionOne', 'RegionTwo'], seedServers: 3, seedImages: 2 },
  { name: 'sim-beta', regions: ['RegionOne'], seedServers: 2, seedImages: 2 },
];

export async function buildBackends(
  config: NodeConfig,
  nodeId: string,
  logger: Logger,
  options: Pick<NodeServicesOptions, 'watch'> & { metrics?: NodeMetrics; tracing?: NodeTracing } = {},
): Promise<BuiltBackends> {
  const peerDials = config.peers.map(peerDial); // unreadable TLS files fail here, before anything starts
  const cleanups: Array<() => Promise<void>> = [];
  // Shared state for pollers, caches and create locks: in memory, or in Redis shared with replicas.
  const services = await startNodeServices({
    redis: config.redis,
    nodeId,
    logger,
    watch: options.watch,
    watchTokenSecretFile: config.watchTokens?.secretFile,
  });
  cleanups.push(() => services.close());
  let clouds: CloudConfig[] = [];
  let source = 'no clouds';

  // `clouds: { only: [] }` serves no clouds.yaml entry at all (a pure gateway, or simulated clouds only).
  const noCloudsYaml = config.clouds.only?.length === 0;
  if (config.simulate === undefined && !noCloudsYaml) {
    const loaded = await loadCloudsConfig({ file: config.clouds.file });
    clouds = loaded.clouds;
    if (config.clouds.only) {
      const missing = config.clouds.only.filter((name) => !clouds.some((cloud) => cloud.name === name));
      if (missing.length) {
        const { NodeConfigError } = await import('./config.ts');
        throw new NodeConfigError(
          `clouds.only names ${missing.join(', ')}, which ${loaded.files.join(', ') || 'no clouds.yaml'} does not define`,
        );
      }
      clouds = clouds.filter((cloud) => config.clouds.only!.includes(cloud.name));
    }
    if (clouds.length) source = loaded.files.join(', ') || 'OS_* environment variables';
  }

  const wantSimulator =
    config.simulate !== undefined || (clouds.length === 0 && config.peers.length === 0 && !noCloudsYaml);
  if (wantSimulator) {
    const simulated = config.simulate?.length ? config.simulate : DEFAULT_SIMULATED;
    const { simulator, clouds: simClouds, dir } = await startEmbeddedSimulator(simulated);
    cleanups.push(async () => {
      await simulator.close();
      await rm(dir, { recursive: true, force: true });
    });
    clouds = [...clouds, ...simClouds];
    source = `built-in simulated clouds (${simulated.map((c) => `${c.name}: ${c.regions.join(', ')}`).join('; ')})`;
    logger.info(
      { clouds: simulated.map((c) => c.name), cloudsYaml: join(dir, 'clouds.yaml') },
      config.simulate === undefined
        ? 'no clouds.yaml found: serving built-in simulated clouds (see README: "Your own clouds")'
        : 'serving simulated clouds',
    );
  }

  options.metrics?.observePollers(() => services.watch.pollers());
  warnUnserved(
    config.limits,
    clouds.map((cloud) => cloud.name),
    logger,
  );
  const limiters = buildLimiters(
    config.limits,
    clouds.map((cloud) => cloud.name),
    logger,
    options.metrics,
    services.limits,
  );
  const backends: Backend[] = clouds.map((cloud) =>
    createOpenStackBackend(cloud, {
      logger,
      services,
      session: { observer: options.metrics, limiter: limiters.get(cloud.name), tracer: options.tracing?.tracer },
    }),
  );
  config.peers.forEach((peer, index) =>
    backends.push(createPeerBackend({ address: peer.address, nodeId, logger, ...peerDials[index] })),
  );
  logger.info(
    { nodeId, source, clouds: clouds.map((c) => c.name), peers: config.peers.map((p) => p.address) },
    'backends',
  );
  return {
    backends,
    source,
    services,
    limiters,
    close: async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

async function startEmbeddedSimulator(
  simulated: SimulatedCloudConfig[],
): Promise<{ simulator: Simulator; clouds: CloudConfig[]; dir: string }> {
  const { startSimulator } = await import('../simulator/index.ts'); // only nodes that simulate load it
  const simulator = await startSimulator({
    clouds: simulated.map((cloud) => ({
      name: cloud.name,
      regions: cloud.regions,
      seedServers: cloud.seedServers,
      seedImages: cloud.seedImages,
      bootDelayMs: cloud.bootDelayMs,
      latencyMs: cloud.latencyMs,
      projects: cloud.projects,
      users: cloud.users,
    })),
  });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-sim-'));
  const file = join(dir, 'clouds.yaml');
  await simulator.writeCloudsYaml(file);
  const loaded = await loadCloudsConfig({ file });
  // clouds.yaml also has an entry per configured user ("<cloud>-<user>"); the node serves each cloud once.
  const names = new Set(simulated.map((c) => c.name));
  return { simulator, clouds: loaded.clouds.filter((c) => names.has(c.name)), dir };
}
