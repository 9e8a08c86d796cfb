// The simulator's entry point: start simulated OpenStack clouds, each on its own port.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cinderService } from './cinder.ts';
import { CloudRuntime } from './cloud-runtime.ts';
import { renderCloudsYaml } from './clouds-yaml.ts';
import { startControlServer } from './control.ts';
import { FaultRegistry } from './faults.ts';
import { glanceService } from './glance.ts';
import { swiftService } from './swift.ts';
import { keystoneService } from './keystone.ts';
import { neutronService } from './neutron.ts';
import { novaService } from './nova/index.ts';
import { seedRegion } from './seed.ts';
import { StatsRecorder } from './stats.ts';
import { DEFAULT_DOMAIN, resolveCloudOptions, type CloudData, type Project, type User } from './store.ts';
import type { SimCloudInfo, SimCloudOptions, Simulator, SimulatorOptions } from './types.ts';

export type * from './types.ts';

export const DEFAULT_CLOUDS: SimCloudOptions[] = [
  { name: 'sim-alpha', regions: ['RegionOne', 'RegionTwo'] },
  { name: 'sim-beta', regions: ['RegionOne'] },
];

const SERVICES = [keystoneService, novaService, glanceService, neutronService, cinderService, swiftService];

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const cloudOptions = opts.clouds?.length ? opts.clouds : DEFAULT_CLOUDS;
  const names = new Set<string>();
  for (const c of cloudOptions) {
    if (!c.name || names.has(c.name))
      throw new Error(`simulator: cloud names must be unique and non-empty (${c.name})`);
    names.add(c.name);
  }
  const runtimes: CloudRuntime[] = [];
  const faults = new FaultRegistry((cloud) => {
    for (const rt of runtimes) if (!cloud || rt.name === cloud) rt.invalidateTokens();
  });
  const stats = new StatsRecorder();
  const tempRoot = await mkdtemp(join(tmpdir(), 'oaktree-sim-'));
  let control: { url: string; close: () => Promise<void> } | undefined;
  try {
    for (const c of cloudOptions) {
      const resolved = resolveCloudOptions(c);
      const runtime = new CloudRuntime(resolved, host, faults, stats, SERVICES, tempRoot);
      for (const region of runtime.data.regions.values()) seedRegion(runtime.data, region);
      runtimes.push(runtime);
      await runtime.listen();
    }
    const infos = (): SimCloudInfo[] => runtimes.map(cloudInfo);
    const cloudsYaml = () => renderCloudsYaml(infos());
    if (opts.controlPort !== undefined)
      control = await startControlServer(host, opts.controlPort, { faults, stats, clouds: infos, cloudsYaml });
    let closed = false;
    return {
      clouds: infos(),
      controlUrl: control?.url,
      cloudsYaml,
      writeCloudsYaml: (path: string) => writeFile(path, cloudsYaml(), 'utf8'),
      faults,
      stats: () => stats.snapshot(),
      onRequest: (listener) => stats.listen(listener),
      async close() {
        if (closed) return;
        closed = true;
        await control?.close();
        await Promise.all(runtimes.map((rt) => rt.close()));
        await rm(tempRoot, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await control?.close();
    await Promise.all(runtimes.map((rt) => rt.close()));
    await rm(tempRoot, { recursive: true, force: true });
    throw err;
  }
}

function cloudInfo(rt: CloudRuntime): SimCloudInfo {
  const data = rt.data;
  return {
    name: rt.name,
    authUrl: rt.authUrl,
    port: rt.port,
    regions: [...rt.opts.regions],
    projects: data
      .memberProjects()
      .map((p) => ({ id: p.id, name: p.name, domainId: DEFAULT_DOMAIN.id, domainName: DEFAULT_DOMAIN.name })),
    username: data.demoUser.name,
    password: data.demoUser.password,
    adminUsername: data.adminUser.name,
    adminPassword: data.adminUser.password,
    applicationCredential: {
      id: data.demoAppCredential.id,
      name: data.demoAppCredential.name,
      secret: data.demoAppCredential.secret,
    },
    secondUser: userInfo(data, data.secondUser),
    serviceUser: userInfo(data, data.serviceUser),
    users: rt.opts.users.map((spec) => {
      const user = [...data.users.values()].find((u) => u.name === spec.name) as User;
      const first = spec.projects?.[0];
      const project = first ? [...data.projects.values()].find((p) => p.name === first) : undefined;
      return { ...userInfo(data, user, project), roles: [...user.roles] };
    }),
  };
}

function userInfo(data: CloudData, user: User, scope?: Project): SimCloudInfo['secondUser'] {
  const project = scope ?? (data.projects.get(user.defaultProjectId) as Project);
  return {
    username: user.name,
    password: user.password,
    project: { id: project.id, name: project.name, domainId: DEFAULT_DOMAIN.id, domainName: DEFAULT_DOMAIN.name },
  };
}
