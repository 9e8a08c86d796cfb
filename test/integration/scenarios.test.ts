// The contract scenarios against simulated clouds (the same list runs against a real OpenStack in test/real).
import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { defineNetworkWriteScenarios } from '../scenarios/network-writes.ts';
import { defineScenarios } from '../scenarios/scenarios.ts';
import { defineServerConfigScenarios } from '../scenarios/server-config.ts';
import { defineStorageScenarios } from '../scenarios/storage-writes.ts';
import { defineServerActionScenarios } from '../scenarios/server-actions.ts';
import { defineObjectStoreScenarios } from '../scenarios/object-store.ts';
import { openTarget, type ScenarioTarget } from '../scenarios/target.ts';

let simulator: Simulator;
let target: ScenarioTarget;
let dir: string;

before(async () => {
  simulator = await startSimulator({ clouds: [{ name: 'sim-scenario', regions: ['RegionOne'], bootDelayMs: 300 }] });
  dir = await mkdtemp(join(tmpdir(), 'oaktree-sim-scenarios-'));
  await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
  target = await openTarget({
    label: 'simulator',
    cloudsYaml: join(dir, 'clouds.yaml'),
    cloud: 'sim-scenario',
    region: 'RegionOne',
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
    network: 'private',
    externalNetwork: 'public',
  });
});

after(async () => {
  await target?.close();
  await simulator?.close();
  await rm(dir, { recursive: true, force: true });
});

defineScenarios('the simulator', () => target);
defineServerConfigScenarios('the simulator', () => target);
defineNetworkWriteScenarios('the simulator', () => target);
defineStorageScenarios('the simulator', () => target);
defineServerActionScenarios('the simulator', () => target);
defineObjectStoreScenarios('the simulator', () => target);
