// Neutron's refusals as oaktree codes them, through real gRPC to the simulator over HTTP: what the cloud's state
// forbids is FAILED_PRECONDITION (never ABORTED, which tells a client to retry), a bad value INVALID_ARGUMENT with
// Neutron's reason. Tier 2 only: on a real cloud an admin credential would delete the default group for real.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { openTarget, type ScenarioTarget } from '../../scenarios/target.ts';

let simulator: Simulator;
let t: ScenarioTarget;
let dir: string;

before(async () => {
  simulator = await startSimulator({ clouds: [{ name: 'sim-refusals', regions: ['RegionOne'], bootDelayMs: 0 }] });
  dir = await mkdtemp(join(tmpdir(), 's5-network-refusals-'));
  await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
  t = await openTarget({
    label: 'simulator',
    cloudsYaml: join(dir, 'clouds.yaml'),
    cloud: 'sim-refusals',
    region: 'RegionOne',
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
    network: 'private',
    externalNetwork: 'public',
  });
});

after(async () => {
  await t?.close();
  await simulator?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The call's gRPC error; fails the test when the call succeeds. */
async function refusal(call: Promise<unknown>): Promise<ServerError> {
  try {
    await call;
  } catch (error) {
    return error as ServerError;
  }
  assert.fail('the call succeeded where it should have been refused');
}

test('the default security group: renaming or deleting it is FAILED_PRECONDITION naming it', {
  timeout: 60_000,
}, async () => {
  const net = t.api.network;
  const renamed = await refusal(net.updateSecurityGroup({ location: t.where, nameOrId: 'default', name: 'other' }));
  assert.equal(renamed.code, Status.FAILED_PRECONDITION, renamed.message);
  assert.match(renamed.message, /security group \S+ in sim-refusals\/RegionOne/);
  assert.match(renamed.message, /Updating default security group not allowed/);

  const deleted = await refusal(net.deleteSecurityGroup({ location: t.where, nameOrId: 'default' }));
  assert.equal(deleted.code, Status.FAILED_PRECONDITION, deleted.message);
  assert.match(deleted.message, /security group default in sim-refusals\/RegionOne/);
  assert.match(deleted.message, /removing default security group/);

  // Neutron refuses only a name: the description may change.
  const described = await net.updateSecurityGroup({ location: t.where, nameOrId: 'default', description: 'd2' });
  assert.equal(described.securityGroup?.name, 'default');
  assert.equal(described.securityGroup?.description, 'd2');
});
