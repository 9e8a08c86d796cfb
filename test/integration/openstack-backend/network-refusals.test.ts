// Neutron's refusals as oaktree codes them, through real gRPC to the simulator over HTTP: what the cloud's state
// forbids is FAILED_PRECONDITION (never ABORTED, which tells a client to retry), a bad value INVALID_ARGUMENT with
// Neutron's reason. Tier 2 only: on a real cloud an admin credential would delete the default group for real.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { refusal } from '../../support/refusal.ts';
import { Status } from 'nice-grpc-common';
import { SecurityGroupRuleDirection } from '../../../src/gen/oaktree/v1/network.ts';
import { openSimulatedTarget, type SimulatedTarget } from '../../scenarios/simulated-target.ts';

const INGRESS = SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_INGRESS;
let t: SimulatedTarget;

before(async () => {
  t = await openSimulatedTarget({ name: 'sim-refusals', regions: ['RegionOne'], bootDelayMs: 0 });
});

after(async () => {
  await t?.close();
});

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

test("values Neutron cannot take are INVALID_ARGUMENT with Neutron's reason", { timeout: 60_000 }, async () => {
  const net = t.api.network;
  const { securityGroup } = await net.createSecurityGroup({ location: t.where, name: 'refusals-sg' });
  const rule = (fields: object) =>
    net.createSecurityGroupRule({ location: t.where, nameOrId: securityGroup!.id, direction: INGRESS, ...fields });
  const cases: Array<[object, RegExp]> = [
    [{ protocol: 'tcp', portRangeMin: 100, portRangeMax: 10 }, /port_range_min must be <= port_range_max/],
    [{ protocol: 'tcp', portRangeMin: 22, portRangeMax: 70000 }, /Invalid value for port 70000/],
    [{ protocol: 'bogus' }, /protocol bogus not supported/],
    [{ protocol: 'gre', portRangeMin: 1, portRangeMax: 2 }, /Ports cannot be specified for protocol 47/],
    [{ protocol: 'icmp', portRangeMin: 300 }, /Invalid value for ICMP type \(port_range_min\) 300/],
    [{ remoteIpPrefix: 'not-a-cidr' }, /Invalid CIDR not-a-cidr given as IP prefix/],
  ];
  for (const [fields, reason] of cases) {
    const refused = await refusal(rule(fields));
    assert.equal(refused.code, Status.INVALID_ARGUMENT, `${JSON.stringify(fields)}: ${refused.message}`);
    assert.match(refused.message, reason);
    assert.match(refused.message, /security group \S+ in sim-refusals\/RegionOne/);
  }
  const ssh = await rule({ protocol: 'TCP', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '192.0.2.7' });
  assert.equal(ssh.rule?.protocol, 'tcp', 'Neutron stores the protocol in lower case');
  assert.equal(ssh.rule?.remoteIpPrefix, '192.0.2.7/32', 'and the prefix with its mask');
  await rule({ protocol: 'icmp', portRangeMin: 8 });

  const { network } = await net.createNetwork({ location: t.where, name: 'refusals-net' });
  const version = await refusal(
    net.createSubnet({ location: t.where, network: network!.id, cidr: '10.99.0.0/24', ipVersion: 5 }),
  );
  assert.equal(version.code, Status.INVALID_ARGUMENT, version.message);
  assert.match(version.message, /Invalid input for ip_version/);
  const mtu = await refusal(net.createNetwork({ location: t.where, name: 'refusals-jumbo', mtu: 9000 }));
  assert.equal(mtu.code, Status.INVALID_ARGUMENT, mtu.message);
  assert.match(mtu.message, /Requested MTU is too big, maximum is 1450/);
  const raised = await refusal(net.updateNetwork({ location: t.where, nameOrId: network!.id, mtu: 9000 }));
  assert.equal(raised.code, Status.INVALID_ARGUMENT, raised.message);
  // Zed takes a small MTU on a network without IPv6 subnets.
  const { network: small } = await net.createNetwork({ location: t.where, name: 'refusals-small', mtu: 1280 });
  assert.equal(small?.mtu, 1280);
});
