// A simulated cloud on loopback and a RegionContext built from a real CloudSession, for the poller and the
// watch handlers; plus small helpers to create and delete servers through nova's REST API.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import type { RegionContext } from '../../../src/backends/openstack/region.ts';
import { localServices } from '../../../src/backends/openstack/services.ts';
import type { WatchHub } from '../../../src/backends/openstack/watch/hub.ts';
import { CloudSession } from '../../../src/backends/openstack/transport/index.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type SimCloudOptions, type Simulator } from '../../../src/simulator/index.ts';

export interface SimRegion {
  sim: Simulator;
  ctx: RegionContext;
  cloudsFile: string;
  /** Creates a server (BUILD, ACTIVE after the cloud's boot delay); returns its id. */
  createServer(name: string): Promise<string>;
  deleteServer(id: string): Promise<void>;
  /** The server's status as nova's REST API shows it (for waiting on the cloud, where no event exists). */
  serverStatus(id: string): Promise<string>;
  /** GET /servers/detail calls the cloud answered so far (every page, with or without changes-since). */
  listCalls(): number;
  /** GET /servers/{id} calls. */
  getCalls(): number;
  close(): Promise<void>;
}

export async function startSimRegion(cloud: Partial<SimCloudOptions> = {}): Promise<SimRegion> {
  const options: SimCloudOptions = { name: 'wcloud', regions: ['RegionOne'], bootDelayMs: 600, ...cloud };
  const sim = await startSimulator({ clouds: [options] });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-watch-'));
  const cloudsFile = join(dir, 'clouds.yaml');
  await writeFile(cloudsFile, sim.cloudsYaml(), 'utf8');
  const region = options.regions![0];
  const ctx = await regionContextFrom(cloudsFile, region);
  const session = ctx.session;
  const images = (await session.request('image', region, { method: 'GET', path: '/images' })).body as {
    images: { id: string }[];
  };
  const imageRef = images.images[0].id;
  const count = (route: string) =>
    sim
      .stats()
      .entries.filter((e) => e.service === 'compute' && e.route === route)
      .reduce((n, e) => n + e.count, 0);
  return {
    sim,
    ctx,
    cloudsFile,
    async createServer(name) {
      const res = await session.request('compute', region, {
        method: 'POST',
        path: '/servers',
        body: { server: { name, flavorRef: '1', imageRef, networks: 'none' } },
      });
      return (res.body as { server: { id: string } }).server.id;
    },
    async deleteServer(id) {
      await session.request('compute', region, { method: 'DELETE', path: `/servers/${id}` });
    },
    async serverStatus(id) {
      const res = await session.request('compute', region, { method: 'GET', path: `/servers/${id}` });
      return (res.body as { server: { status: string } }).server.status;
    },
    listCalls: () => count('GET /servers/detail'),
    getCalls: () => count('GET /servers/{id}'),
    async close() {
      session.close();
      await ctx.services.watch.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The region as seen through another hub (each test picks its poller timing). */
export function onHub(ctx: RegionContext, hub: WatchHub): RegionContext {
  return { ...ctx, services: { ...ctx.services, watch: hub } };
}

/** A RegionContext for the first cloud of a clouds.yaml, with an authenticated CloudSession and its own services. */
export async function regionContextFrom(cloudsFile: string, region: string): Promise<RegionContext> {
  const dir = dirname(cloudsFile);
  const loaded = await loadCloudsConfig({ file: cloudsFile, env: {}, homeDir: dir, cwd: dir, systemDirs: [] });
  const config = loaded.clouds[0];
  const session = new CloudSession(config, {
    retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50, maxRetryAfterMs: 50 },
  });
  await session.authenticate();
  const p = session.project();
  return {
    cloud: config,
    regionConfig: config.regions.find((r) => r.region === region) ?? config.regions[0],
    region,
    session,
    location: {
      cloud: config.name,
      region,
      zone: '',
      project: { id: p.id, name: p.name, domainId: p.domainId, domainName: p.domainName },
    },
    credentialKey: await session.credentialKey(region),
    services: localServices(),
    logger: silentLogger(),
  };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
