// `oaktree simulate`: start simulated clouds, write a clouds.yaml, run until SIGINT/SIGTERM.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator } from './index.ts';
import type { SimCloudOptions, SimUserSpec } from './types.ts';

const USAGE = `usage: oaktree simulate [--clouds N | --cloud NAME[:REGION,REGION][@PORT]]... [--seed-servers N] [--seed-images N]
                        [--latency-ms N] [--boot-delay-ms N] [--control-port N] [--out FILE]
                        [--project NAME]... [--user NAME[:PASSWORD[:PROJECT,PROJECT[:ROLE,ROLE]]]]...

Run simulated OpenStack clouds (Keystone, Nova, Glance, Neutron, Cinder, Swift over HTTP on 127.0.0.1), write a
clouds.yaml for any OpenStack client (the openstack CLI, openstacksdk, oaktree serve --clouds-yaml) and run until
Ctrl-C. Default: sim-alpha (RegionOne, RegionTwo) and sim-beta (RegionOne), each on a free port. The APIs it speaks:
docs/simulator.md.

  --clouds N             N clouds named sim-1 .. sim-N, one region each
  --cloud SPEC           one cloud (repeatable): NAME, its regions after ":" (comma separated, default RegionOne),
                         its port after "@" (default: a free port), e.g. --cloud prod:East,West@5000
  --seed-servers N       ACTIVE servers created up front, per region and project (default 0)
  --seed-images N        public images created up front, per region
  --latency-ms N         added to every request
  --boot-delay-ms N      how long a new server stays BUILD before ACTIVE (default 1500)
  --control-port N       serve the control endpoint (GET /stats, POST /faults ...) on this port (0: a free one)
  --out FILE             where to write the clouds.yaml (default: a new temporary directory)
  --project NAME         the demo user's projects instead of "demo" (repeatable; seeded servers go to each)
  --user SPEC            another user, or more roles for one below (repeatable): NAME, its PASSWORD, the PROJECTs it
                         gets its ROLEs on (default: the first project; created when missing) and the ROLEs (default
                         member,reader; "admin" makes it a cloud admin). clouds.yaml gets an entry "<cloud>-<NAME>",
                         e.g. --user alice:pw:team-a,team-b --user ops:pw:admin:admin
  -h, --help             this help

Users (password "secret" unless given):
  demo             member of every --project (default: one project "demo"); clouds.yaml's entry per cloud
  admin            admin everywhere (project "admin")
  demo2            member of "project2" only (a second tenant)
  oaktree-service  Keystone's "service" role (validates other users' tokens)`;

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${flag} needs a non-negative integer, got "${value}"\n${USAGE}`);
  return Number(value);
}

function nonEmpty(value: string, flag: string): string {
  if (!value.trim() || value.length > 64) throw new Error(`${flag} needs a name of 1 to 64 characters\n${USAGE}`);
  return value;
}

/** NAME[:PASSWORD[:PROJECT,PROJECT[:ROLE,ROLE]]] */
export function parseUserSpec(spec: string): SimUserSpec {
  const [name, password, projects, roles, ...rest] = spec.split(':');
  if (!name || rest.length)
    throw new Error(`--user needs NAME[:PASSWORD[:PROJECTS[:ROLES]]], got "${spec.slice(0, 80)}"`);
  const list = (value: string | undefined) => value?.split(',').filter(Boolean);
  return {
    name: nonEmpty(name, '--user'),
    ...(password ? { password } : {}),
    ...(list(projects)?.length ? { projects: list(projects) } : {}),
    ...(list(roles)?.length ? { roles: list(roles) } : {}),
  };
}

export function parseSimulateArgs(argv: string[]): { clouds: SimCloudOptions[]; controlPort?: number; out?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      clouds: { type: 'string' },
      cloud: { type: 'string', multiple: true },
      'seed-servers': { type: 'string' },
      'seed-images': { type: 'string' },
      'latency-ms': { type: 'string' },
      'boot-delay-ms': { type: 'string' },
      'control-port': { type: 'string' },
      project: { type: 'string', multiple: true },
      user: { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw Object.assign(new Error(USAGE), { help: true });
  if (values.clouds !== undefined && values.cloud?.length)
    throw new Error(`use --clouds or --cloud, not both\n${USAGE}`);
  const common: Partial<SimCloudOptions> = {
    seedServers: count(values['seed-servers'], 'seed-servers'),
    seedImages: count(values['seed-images'], 'seed-images'),
    latencyMs: count(values['latency-ms'], 'latency-ms'),
    bootDelayMs: count(values['boot-delay-ms'], 'boot-delay-ms'),
    projects: values.project?.length ? values.project.map((p) => nonEmpty(p, '--project')) : undefined,
    users: values.user?.length ? values.user.map(parseUserSpec) : undefined,
  };
  for (const key of Object.keys(common) as Array<keyof SimCloudOptions>)
    if (common[key] === undefined) delete common[key];
  let clouds: SimCloudOptions[];
  if (values.cloud?.length) {
    clouds = values.cloud.map((spec) => {
      const at = spec.lastIndexOf('@');
      const port = at >= 0 ? count(spec.slice(at + 1), 'cloud … @PORT') : undefined;
      const [name, regions] = (at >= 0 ? spec.slice(0, at) : spec).split(':');
      if (!name) throw new Error(`--cloud needs NAME[:REGION,REGION][@PORT], got "${spec}"`);
      if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`--cloud: no port ${port} in "${spec}"`);
      return {
        ...common,
        name,
        regions: regions ? regions.split(',').filter(Boolean) : undefined,
        ...(port !== undefined ? { port } : {}),
      };
    });
  } else if (values.clouds !== undefined) {
    const n = count(values.clouds, 'clouds') as number;
    if (n < 1) throw new Error('--clouds must be at least 1');
    clouds = Array.from({ length: n }, (_, i) => ({ ...common, name: `sim-${i + 1}` }));
  } else {
    clouds = [
      { ...common, name: 'sim-alpha', regions: ['RegionOne', 'RegionTwo'] },
      { ...common, name: 'sim-beta', regions: ['RegionOne'] },
    ];
  }
  return { clouds, controlPort: count(values['control-port'], 'control-port'), out: values.out };
}

export async function runSimulate(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseSimulateArgs>;
  try {
    parsed = parseSimulateArgs(argv);
  } catch (err) {
    const e = err as Error & { help?: boolean };
    (e.help ? console.log : console.error)(e.message);
    if (!e.help) process.exitCode = 2;
    return;
  }
  const sim = await startSimulator({ clouds: parsed.clouds, controlPort: parsed.controlPort });
  const out = resolve(parsed.out ?? join(await mkdtemp(join(tmpdir(), 'oaktree-simulate-')), 'clouds.yaml'));
  await sim.writeCloudsYaml(out);
  for (const c of sim.clouds)
    console.log(`cloud ${c.name}: ${c.authUrl} regions ${c.regions.join(',')} user ${c.username}/${c.password}`);
  if (sim.controlUrl) console.log(`control: ${sim.controlUrl}`);
  console.log(`clouds.yaml: ${out}`);
  console.log(`export OS_CLIENT_CONFIG_FILE=${out}`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
  process.exitCode = 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runSimulate(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
