// The contract scenarios against simulated clouds (the same list runs against a real OpenStack in test/real).
import { after, before } from 'node:test';
import { defineNetworkWriteScenarios } from '../scenarios/network-writes.ts';
import { defineScenarios } from '../scenarios/scenarios.ts';
import { defineServerConfigScenarios } from '../scenarios/server-config.ts';
import { defineStorageScenarios } from '../scenarios/storage-writes.ts';
import { defineServerActionScenarios } from '../scenarios/server-actions.ts';
import { defineObjectStoreScenarios } from '../scenarios/object-store.ts';
import { defineOperabilityScenarios } from '../scenarios/operability.ts';
import { openSimulatedTarget, type SimulatedTarget } from '../scenarios/simulated-target.ts';

let target: SimulatedTarget;

before(async () => {
  target = await openSimulatedTarget({ name: 'sim-scenario', regions: ['RegionOne'], bootDelayMs: 300 });
});

after(async () => {
  await target?.close();
});

defineScenarios('the simulator', () => target);
defineServerConfigScenarios('the simulator', () => target);
defineNetworkWriteScenarios('the simulator', () => target);
defineStorageScenarios('the simulator', () => target);
defineServerActionScenarios('the simulator', () => target);
defineObjectStoreScenarios('the simulator', () => target);
defineOperabilityScenarios('the simulator', () => target);
