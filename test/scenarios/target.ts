// A target for the contract scenarios: a real oaktree node in this process, serving one cloud under test
// (simulated or real) plus a copy of it with a wrong password, reached by a real gRPC client.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createOpenStackBackend } from '../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../src/config/clouds/index.ts';
import type { LocationSelector } from '../../src/gen/oaktree/v1/location.ts';
import { startNode, type RunningNode } from '../../src/node/server.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { clients } from '../support/node.ts';

export const WRONG_PASSWORD = 'not-the-password-7f3a';

export interface TargetSpec {
  /** Human name of the target, e.g. "simulator" or "devcloud". */
  label: string;
  cloudsYaml: string;
  cloud: string;
  region: string;
  image: string;
  flavor: string;
  network: string;
  externalNetwork: string;
}

export interface ScenarioTarget extends TargetSpec {
  node: RunningNode;
  api: ReturnType<typeof clients>;
  /** The selector for the cloud under test. */
  where: LocationSelector;
  /** The cloud entry that has the wrong password. */
  badCloud: string;
  /** A unique prefix for names this run creates. */
  prefix: string;
  close(): Promise<void>;
}

export async function openTarget(spec: TargetSpec): Promise<ScenarioTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-scenarios-'));
  const doc = parse(await readFile(spec.cloudsYaml, 'utf8'));
  const entry = doc.clouds[spec.cloud];
  if (!entry) throw new Error(`${spec.cloudsYaml} has no cloud "${spec.cloud}"`);
  const badCloud = `${spec.cloud}-wrong-password`;
  const clouds = {
    [spec.cloud]: entry,
    [badCloud]: { ...entry, auth: { ...entry.auth, password: WRONG_PASSWORD } },
  };
  const file = join(dir, 'clouds.yaml');
  await writeFile(file, stringify({ clouds }));
  const loaded = await loadCloudsConfig({ file, env: {} });
  const logger = silentLogger();
  const node = await startNode({
    nodeId: `scenarios-${spec.label}`,
    listen: '127.0.0.1:0',
    backends: loaded.clouds.map((cloud) => createOpenStackBackend(cloud, { logger })),
    logger,
  });
  const api = clients(node.address);
  return {
    ...spec,
    node,
    api,
    where: { cloud: spec.cloud, region: spec.region, zone: '', project: undefined },
    badCloud,
    prefix: `oaktree-scn-${Date.now().toString(36)}`,
    close: async () => {
      api.close();
      await node.close(100);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
