// A scenario target on one freshly started simulated cloud: the simulator, its clouds.yaml and a node serving it,
// stopped together by close(). Tier-2 tests that drive one simulated cloud through real gRPC start here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/simulator/index.ts';
import type { SimCloudOptions, Simulator } from '../../src/simulator/types.ts';
import { openTarget, type ScenarioTarget } from './target.ts';

export interface SimulatedTarget extends ScenarioTarget {
  simulator: Simulator;
}

export async function openSimulatedTarget(cloud: SimCloudOptions): Promise<SimulatedTarget> {
  const simulator = await startSimulator({ clouds: [cloud] });
  const dir = await mkdtemp(join(tmpdir(), `oaktree-${cloud.name}-`));
  const cleanUp = async () => {
    await simulator.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Scenarios read this clouds.yaml too (e.g. to start a second node), so it lives as long as the target.
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const target = await openTarget({
      label: 'simulator',
      cloudsYaml: join(dir, 'clouds.yaml'),
      cloud: cloud.name,
      region: cloud.regions?.[0] ?? 'RegionOne',
      image: 'cirros-0.6.2-x86_64-disk',
      flavor: 'm1.tiny',
      network: 'private',
      externalNetwork: 'public',
    });
    return {
      ...target,
      simulator,
      close: async () => {
        await target.close();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
