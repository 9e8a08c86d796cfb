// NetworkService through a real node and gRPC client against the simulator: lists and filters, floating IPs
// created attached, attach/detach/delete, delete-unattached, port delete, and a cloud that is down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import { NetworkResourceStatus } from '../../../src/gen/oaktree/v1/network.ts';
import { startHarness, collect, type Harness } from './harness.ts';
import { Direct } from './network-helpers.ts';

let h: Harness;
let direct: Direct;
const alpha1 = { cloud: 'alpha', region: 'RegionOne' };

before(async () => {
  h = await startHarness();
  direct = new Direct(h, 'alpha', 'RegionOne');
});
after(async () => {
  direct?.close();
  await h?.close();
});

function items<T>(responses: { item?: { $case: string; value: any } }[], kase: string): T[] {
  return responses.filter((r) => r.item?.$case === kase).map((r) => r.item!.value as T);
}

async function makeServer(name: string): Promise<string> {
  return (await direct.server(name)).id;
}

test('networks: every location answers, external filter, name_or_id by name and id', async () => {
  const all = await collect(h.clients.network.listNetworks({}));
  const nets = items<any>(all, 'network');
  assert.equal(items(all, 'error').length, 0);
  // public + private in each of three locations
  assert.equal(nets.length, 6);
  for (const n of nets) assert.ok(n.location.cloud && n.location.region, 'every network has a location');
  const external = items<any>(
    await collect(h.clients.network.listNetworks({ location: alpha1, isExternal: true })),
    'network',
  );
  assert.deepEqual(
    external.map((n) => n.name),
    ['public'],
  );
  assert.equal(external[0].isExternal, true);
  assert.equal(external[0].status, NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ACTIVE);
  const internal = items<any>(
    await collect(h.clients.network.listNetworks({ location: alpha1, isExternal: false })),
    'network',
  );
  assert.deepEqual(
    internal.map((n) => n.name),
    ['private'],
  );
  assert.equal(internal[0].subnetIds.length, 1);
  assert.ok(internal[0].createTime instanceof Date);
  const byId = items<any>(await collect(h.clients.network.listNetworks({ nameOrId: internal[0].id })), 'network');
  assert.equal(byId.length, 1);
  assert.equal(byId[0].id, internal[0].id);
});

test('subnets and security groups with rules', async () => {
  const nets = items<any>(
    await collect(h.clients.network.listNetworks({ location: alpha1, nameOrId: 'private' })),
    'network',
  );
  const subnets = items<any>(
    await collect(h.clients.network.listSubnets({ location: alpha1, networkId: nets[0].id })),
    'subnet',
  );
  assert.equal(subnets.length, 1);
  assert.equal(subnets[0].cidr, '10.0.0.0/12');
  assert.equal(subnets[0].ipVersion, 4);
  assert.equal(subnets[0].gatewayIp, '10.0.0.1');
  const groups = items<any>(
    await collect(h.clients.network.listSecurityGroups({ location: alpha1, nameOrId: 'default' })),
    'securityGroup',
  );
  assert.equal(groups.length, 1);
  assert.equal(groups[0].rules.length, 4);
  assert.ok(groups[0].rules.some((r: any) => r.remoteGroupId === groups[0].id));
});

test('floating IPs: create attached to a server, filter by server, detach, attach, delete by address', async () => {
  const serverId = await makeServer('fip-target');
  const ports = items<any>(
    await collect(h.clients.network.listPorts({ location: alpha1, deviceId: serverId })),
    'port',
  );
  assert.equal(ports.length, 1);
  assert.equal(ports[0].status, NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ACTIVE);

  const { floatingIp } = await h.clients.network.createFloatingIP({
    location: alpha1,
    server: 'fip-target',
    requestId: 'req-fip-1',
  });
  assert.ok(floatingIp);
  assert.equal(floatingIp.isAttached, true);
  assert.equal(floatingIp.portId, ports[0].id);
  assert.equal(floatingIp.serverId, serverId);
  assert.equal(floatingIp.fixedIpAddress, ports[0].fixedIps[0].ipAddress);
  assert.equal(floatingIp.status, NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ACTIVE);

  // A retried create with the same request id returns the same floating IP.
  const again = await h.clients.network.createFloatingIP({
    location: alpha1,
    server: 'fip-target',
    requestId: 'req-fip-1',
  });
  assert.equal(again.floatingIp?.id, floatingIp.id);

  const ofServer = items<any>(
    await collect(h.clients.network.listFloatingIPs({ location: alpha1, serverId })),
    'floatingIp',
  );
  assert.deepEqual(
    ofServer.map((f) => f.id),
    [floatingIp.id],
  );

  const detached = await h.clients.network.detachFloatingIP({
    location: alpha1,
    floatingIp: floatingIp.floatingIpAddress,
  });
  assert.equal(detached.floatingIp?.isAttached, false);
  assert.equal(detached.floatingIp?.portId, '');
  const unattached = items<any>(
    await collect(h.clients.network.listFloatingIPs({ location: alpha1, isAttached: false })),
    'floatingIp',
  );
  assert.ok(unattached.some((f) => f.id === floatingIp.id));

  const attached = await h.clients.network.attachFloatingIP({
    location: alpha1,
    floatingIp: floatingIp.id,
    server: serverId,
  });
  assert.equal(attached.floatingIp?.portId, ports[0].id);
  assert.equal(attached.floatingIp?.serverId, serverId);
  const listed = items<any>(
    await collect(h.clients.network.listFloatingIPs({ location: alpha1, isAttached: true })),
    'floatingIp',
  );
  assert.equal(listed.find((f) => f.id === floatingIp.id)?.serverId, serverId, 'server id filled in a plain list too');

  const deleted = await h.clients.network.deleteFloatingIP({
    location: alpha1,
    floatingIp: floatingIp.floatingIpAddress,
  });
  assert.equal(deleted.id, floatingIp.id);
  await assert.rejects(
    h.clients.network.deleteFloatingIP({ location: alpha1, floatingIp: floatingIp.id }),
    (e: any) => e.code === Status.NOT_FOUND,
  );
});

test('attaching a floating IP that is attached elsewhere is FAILED_PRECONDITION', async () => {
  const a = await makeServer('fip-a');
  await makeServer('fip-b');
  const { floatingIp } = await h.clients.network.createFloatingIP({ location: alpha1, server: a });
  await assert.rejects(
    h.clients.network.attachFloatingIP({ location: alpha1, floatingIp: floatingIp!.id, server: 'fip-b' }),
    (e: any) => e.code === Status.FAILED_PRECONDITION && /detach it first/.test(e.details),
  );
  await h.clients.network.deleteFloatingIP({ location: alpha1, floatingIp: floatingIp!.id });
});

test('delete unattached floating IPs returns what it deleted and keeps attached ones', async () => {
  const serverId = await makeServer('fip-keep');
  const kept = (await h.clients.network.createFloatingIP({ location: alpha1, server: serverId })).floatingIp!;
  const loose1 = (await h.clients.network.createFloatingIP({ location: alpha1 })).floatingIp!;
  const loose2 = (await h.clients.network.createFloatingIP({ location: alpha1, network: 'public' })).floatingIp!;
  assert.equal(loose1.isAttached, false);
  const res = await h.clients.network.deleteUnattachedFloatingIPs({ location: alpha1 });
  assert.deepEqual(res.deleted.map((f) => f.id).sort(), [loose1.id, loose2.id].sort());
  const left = items<any>(await collect(h.clients.network.listFloatingIPs({ location: alpha1 })), 'floatingIp');
  assert.ok(left.some((f) => f.id === kept.id));
  assert.ok(!left.some((f) => f.id === loose1.id || f.id === loose2.id));
});

test('ports: status filter pushed down, delete a DOWN port, NOT_FOUND after', async () => {
  const down = items<any>(
    await collect(
      h.clients.network.listPorts({ location: alpha1, status: NetworkResourceStatus.NETWORK_RESOURCE_STATUS_DOWN }),
    ),
    'port',
  );
  for (const p of down) assert.equal(p.status, NetworkResourceStatus.NETWORK_RESOURCE_STATUS_DOWN);
  // Make a leaked port the way a failed boot leaves one: through Neutron directly.
  const nets = items<any>(
    await collect(h.clients.network.listNetworks({ location: alpha1, nameOrId: 'private' })),
    'network',
  );
  const session = await leakPort(nets[0].id);
  const leaked = items<any>(
    await collect(
      h.clients.network.listPorts({
        location: alpha1,
        status: NetworkResourceStatus.NETWORK_RESOURCE_STATUS_DOWN,
        networkId: nets[0].id,
      }),
    ),
    'port',
  );
  assert.ok(leaked.some((p) => p.id === session));
  const res = await h.clients.network.deletePort({ location: alpha1, id: session });
  assert.equal(res.location?.cloud, 'alpha');
  await assert.rejects(
    h.clients.network.deletePort({ location: alpha1, id: session }),
    (e: any) => e.code === Status.NOT_FOUND,
  );
});

async function leakPort(networkId: string): Promise<string> {
  const res = await direct.body('network', 'POST', '/ports', { port: { network_id: networkId, name: 'leaked' } });
  return res.port.id;
}

test('a cloud that is down yields an in-band error while the others answer', async () => {
  const fault = h.sim.faults.add({ kind: 'status', cloud: 'beta', service: 'network', status: 500, fraction: 1 });
  try {
    // fresh: an answer from the last two seconds would otherwise come from the node's short-lived cache.
    const all = await collect(h.clients.network.listNetworks({ fresh: true }));
    const errors = items<any>(all, 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].location.cloud, 'beta');
    assert.equal(errors[0].code, Status.UNAVAILABLE);
    assert.equal(items(all, 'network').length, 4);
  } finally {
    h.sim.faults.remove(fault.id);
  }
});
