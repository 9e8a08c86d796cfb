// A whole oaktree stack on loopback for OpenStack backend tests: the simulator, a clouds.yaml written from it
// (optionally edited), one OpenStack backend per cloud, a real gRPC node and nice-grpc clients for every service.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel } from 'nice-grpc';
import { clients as nodeClients } from '../../support/node.ts';
import { parse, stringify } from 'yaml';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import type { CloudConfig } from '../../../src/config/clouds/types.ts';
import { createOpenStackBackend, type OpenStackBackendOptions } from '../../../src/backends/openstack/backend.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger, type Logger } from '../../../src/observability/logger.ts';
import { startSimulator, type SimCloudOptions, type Simulator } from '../../../src/simulator/index.ts';

/** clouds.yaml as a plain object: `{ clouds: { name: {...} } }`. */
export type CloudsYaml = { clouds: Record<string, Record<string, any>> };

export interface HarnessOptions {
  /** Simulated clouds; default: "alpha" with RegionOne and RegionTwo, "beta" with RegionOne (fast boots). */
  clouds?: SimCloudOptions[];
  /** Changes to clouds.yaml before it is loaded (wrong password, networks:, image_format ...). */
  editCloudsYaml?: (yaml: CloudsYaml) => void;
  /** Backend options (default: a fast retry policy so faults do not slow tests down). */
  backend?: Partial<OpenStackBackendOptions>;
  logger?: Logger;
  /** Runs after the simulator is up and before the node starts (e.g. faults that must hit the first auth). */
  beforeNode?: (sim: Simulator) => void | Promise<void>;
}

/** The gRPC clients of a node: the same set every integration test uses (test/support/node.ts). */
export type Clients = ReturnType<typeof nodeClients>;

export interface Harness {
  sim: Simulator;
  clouds: CloudConfig[];
  node: RunningNode;
  channel: Channel;
  clients: Clients;
  /** Path of the clouds.yaml used. */
  cloudsFile: string;
  close(): Promise<void>;
}

export const DEFAULT_HARNESS_CLOUDS: SimCloudOptions[] = [
  { name: 'alpha', regions: ['RegionOne', 'RegionTwo'], bootDelayMs: 150 },
  { name: 'beta', regions: ['RegionOne'], bootDelayMs: 150 },
];

/** Collects a server stream (or any async iterable) into an array. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const logger = options.logger ?? silentLogger();
  const sim = await startSimulator({ clouds: options.clouds ?? DEFAULT_HARNESS_CLOUDS });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-osb-'));
  let node: RunningNode | undefined;
  try {
    const yaml = parse(sim.cloudsYaml()) as CloudsYaml;
    options.editCloudsYaml?.(yaml);
    const cloudsFile = join(dir, 'clouds.yaml');
    await writeFile(cloudsFile, stringify(yaml), 'utf8');
    const loaded = await loadCloudsConfig({ file: cloudsFile, env: {}, homeDir: dir, cwd: dir, systemDirs: [] });
    const backends = loaded.clouds.map((cloud) =>
      createOpenStackBackend(cloud, {
        logger,
        ...options.backend,
        session: {
          retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 200 },
          ...options.backend?.session,
        },
      }),
    );
    await options.beforeNode?.(sim);
    node = await startNode({ nodeId: 'osb-test', listen: '127.0.0.1:0', backends, logger });
    const clients = nodeClients(node.address);
    const channel = clients.channel;
    const started = node;
    return {
      sim,
      clouds: loaded.clouds,
      node: started,
      channel,
      clients,
      cloudsFile,
      async close() {
        channel.close();
        await started.close(500);
        await sim.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await node?.close(100);
    await sim.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
