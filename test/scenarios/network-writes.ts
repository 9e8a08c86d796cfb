// Contract scenarios for the network write surface (issue 15, networks): networks, subnets, routers, ports,
// security groups, floating IPs by address and network quotas, with the bad-input rules. The same list runs on the
// simulator (npm test) and the real cloud (npm run test:real); each scenario cleans up what it made.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { refusal } from '../support/refusal.ts';
import { Status } from 'nice-grpc-common';
import { SecurityGroupRuleDirection } from '../../src/gen/oaktree/v1/network.ts';
import { collect } from '../support/node.ts';
import type { ScenarioTarget } from './target.ts';

const INGRESS = SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_INGRESS;

const values = <T>(items: any[], key: string): T[] =>
  items.filter((i) => i.item?.$case === key).map((i) => i.item.value as T);

/** Cleanup steps run last-in first-out after the scenarios, ignoring what is already gone. */
function cleanupList() {
  const steps: Array<() => Promise<unknown>> = [];
  return {
    add: (step: () => Promise<unknown>) => steps.push(step),
    async run() {
      for (const step of steps.reverse()) await step().catch(() => undefined);
      steps.length = 0;
    },
  };
}

/** A /24 in 10.0.0.0/8 unlikely to meet another engineer's (overlaps only count within a network or router). */
const randomCidr = () => `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}.0/24`;

export function defineNetworkWriteScenarios(label: string, target: () => ScenarioTarget) {
  describe(`network write scenarios on ${label}`, { concurrency: false }, () => {
    const cleanup = cleanupList();
    after(() => cleanup.run());
    const name = (what: string) => `s3-network-${target().prefix}-${what}`;

    test('networks and subnets: create (idempotent), update, overlapping CIDR refused, delete in use refused', async () => {
      const t = target();
      const net = t.api.network;
      const requestId = `${Date.now()}-net`;
      const spec = { location: t.where, name: name('net'), isPortSecurityEnabled: false, isAdminStateUp: false };
      const { network } = await net.createNetwork({ ...spec, requestId });
      cleanup.add(() => net.deleteNetwork({ location: t.where, nameOrId: network!.id }));
      assert.equal(network?.location?.cloud, t.cloud);
      assert.equal(network?.isPortSecurityEnabled, false);
      assert.equal(network?.isAdminStateUp, false);
      const again = await net.createNetwork({ ...spec, requestId });
      assert.equal(again.network?.id, network!.id, 'a retry with the same request_id returns the first network');

      const updated = await net.updateNetwork({
        location: t.where,
        nameOrId: network!.name,
        name: name('net2'),
        isAdminStateUp: true,
        mtu: 1400,
      });
      assert.equal(updated.network?.name, name('net2'));
      assert.equal(updated.network?.isAdminStateUp, true);
      assert.equal(updated.network?.mtu, 1400);

      const cidr = randomCidr();
      const { subnet } = await net.createSubnet({
        location: t.where,
        network: network!.id,
        name: name('subnet'),
        cidr,
        dnsNameservers: ['192.0.2.53'],
        allocationPools: [{ start: cidr.replace('.0/24', '.10'), end: cidr.replace('.0/24', '.20') }],
        hostRoutes: [{ destination: '192.0.2.0/24', nexthop: cidr.replace('.0/24', '.5') }],
      });
      assert.equal(subnet?.cidr, cidr);
      assert.deepEqual(subnet?.dnsNameservers, ['192.0.2.53']);
      assert.equal(subnet?.gatewayIp, cidr.replace('.0/24', '.1'));
      assert.equal(subnet?.allocationPools[0]?.end, cidr.replace('.0/24', '.20'));
      assert.equal(subnet?.hostRoutes[0]?.destination, '192.0.2.0/24');
      assert.equal(subnet?.isDhcpEnabled, true);

      const overlap = await refusal(
        net.createSubnet({ location: t.where, network: network!.id, cidr: cidr.replace('.0/24', '.128/25') }),
      );
      assert.equal(overlap.code, Status.FAILED_PRECONDITION, overlap.message);
      assert.match(overlap.message, new RegExp(t.cloud));
      assert.match(overlap.message, /overlap/);

      const changed = await net.updateSubnet({
        location: t.where,
        nameOrId: subnet!.id,
        isDhcpEnabled: false,
        dnsNameservers: { values: ['192.0.2.54', '192.0.2.55'] },
      });
      assert.equal(changed.subnet?.isDhcpEnabled, false);
      assert.deepEqual(changed.subnet?.dnsNameservers, ['192.0.2.54', '192.0.2.55']);
      const shown = await net.getSubnet({ location: t.where, nameOrId: name('subnet') });
      assert.equal(shown.subnet?.id, subnet!.id);

      const { port } = await net.createPort({ location: t.where, network: network!.id, name: name('port') });
      cleanup.add(() => net.deletePort({ location: t.where, id: port!.id }));
      const inUse = await refusal(net.deleteNetwork({ location: t.where, nameOrId: network!.id }));
      assert.equal(inUse.code, Status.FAILED_PRECONDITION, inUse.message);
      assert.match(inUse.message, new RegExp(network!.id));
      const subnetInUse = await refusal(net.deleteSubnet({ location: t.where, nameOrId: subnet!.id }));
      assert.equal(subnetInUse.code, Status.FAILED_PRECONDITION, subnetInUse.message);

      await net.deletePort({ location: t.where, id: port!.id });
      const deleted = await net.deleteNetwork({ location: t.where, nameOrId: network!.id });
      assert.equal(deleted.id, network!.id);
      const gone = await refusal(net.getNetwork({ location: t.where, nameOrId: network!.id }));
      assert.equal(gone.code, Status.NOT_FOUND);
      const subnetGone = await refusal(net.getSubnet({ location: t.where, nameOrId: subnet!.id }));
      assert.equal(subnetGone.code, Status.NOT_FOUND, 'deleting a network deletes its subnets');
    });

    test('routers: gateway and interface at creation, listed with both; delete with interfaces refused', async () => {
      const t = target();
      const net = t.api.network;
      const { network } = await net.createNetwork({ location: t.where, name: name('rnet') });
      cleanup.add(() => net.deleteNetwork({ location: t.where, nameOrId: network!.id }));
      const cidr = randomCidr();
      const { subnet } = await net.createSubnet({ location: t.where, network: network!.id, cidr, name: name('rsub') });

      const { router } = await net.createRouter({
        location: t.where,
        name: name('router'),
        externalGateway: { network: t.externalNetwork, externalFixedIps: [] },
        interfaces: [{ subnet: subnet!.name, port: '' }],
        requestId: `${Date.now()}-router`,
      });
      cleanup.add(() => net.deleteRouter({ location: t.where, nameOrId: router!.id }));
      cleanup.add(() => net.removeRouterInterface({ location: t.where, nameOrId: router!.id, subnet: subnet!.id }));
      assert.ok(router?.externalGateway?.networkId, 'the gateway is stored without an L3 agent');
      assert.equal(router?.externalGateway?.isSnatEnabled, true);
      assert.equal(router?.externalGateway?.externalFixedIps.length, 1);
      assert.equal(router?.interfaces.length, 1);
      assert.deepEqual(router?.interfaces[0].fixedIps, [{ subnetId: subnet!.id, ipAddress: subnet!.gatewayIp }]);

      const listed = values<any>(await collect(net.listRouters({ location: t.where, strict: true })), 'router');
      const mine = listed.find((r) => r.id === router!.id);
      assert.equal(mine?.interfaces.length, 1, 'the list shows the interface too');

      const again = await refusal(
        net.addRouterInterface({ location: t.where, nameOrId: router!.id, subnet: subnet!.id }),
      );
      assert.equal(again.code, Status.FAILED_PRECONDITION, again.message);
      const busy = await refusal(net.deleteRouter({ location: t.where, nameOrId: router!.id }));
      assert.equal(busy.code, Status.FAILED_PRECONDITION, busy.message);
      assert.match(busy.message, /remove its interfaces/);

      const removed = await net.removeRouterInterface({ location: t.where, nameOrId: router!.id, subnet: subnet!.id });
      assert.equal(removed.router?.interfaces.length, 0);
      const noGateway = await net.updateRouter({
        location: t.where,
        nameOrId: router!.id,
        removeExternalGateway: true,
        name: name('router2'),
      });
      assert.equal(noGateway.router?.externalGateway, undefined);
      assert.equal(noGateway.router?.name, name('router2'));
      await net.deleteRouter({ location: t.where, nameOrId: router!.id });
      const gone = await refusal(net.getRouter({ location: t.where, nameOrId: router!.id }));
      assert.equal(gone.code, Status.NOT_FOUND);
    });

    test('routers: a create that fails at its second interface leaves nothing and says so', async () => {
      const t = target();
      const net = t.api.network;
      const cidr = randomCidr();
      const subnets = [];
      for (const n of ['a', 'b']) {
        const { network } = await net.createNetwork({ location: t.where, name: name(`ovl-${n}`) });
        cleanup.add(() => net.deleteNetwork({ location: t.where, nameOrId: network!.id }));
        subnets.push((await net.createSubnet({ location: t.where, network: network!.id, cidr })).subnet!);
      }
      const failed = await refusal(
        net.createRouter({
          location: t.where,
          name: name('half-router'),
          interfaces: subnets.map((s) => ({ subnet: s.id, port: '' })),
        }),
      );
      assert.equal(failed.code, Status.FAILED_PRECONDITION, failed.message);
      assert.match(failed.message, /nothing was left/);
      assert.match(failed.message, new RegExp(subnets[1].id));
      const left = values<any>(
        await collect(net.listRouters({ location: t.where, nameOrId: name('half-router') })),
        'router',
      );
      assert.deepEqual(left, [], 'the router was deleted again');
      const ports = values<any>(
        await collect(net.listPorts({ location: t.where, networkId: subnets[0].networkId })),
        'port',
      );
      assert.deepEqual(
        ports.filter((p) => p.deviceOwner === 'network:router_interface'),
        [],
      );
    });

    test('security groups and rules: create, duplicate rule, unknown remote group, in use, update, delete', async () => {
      const t = target();
      const net = t.api.network;
      const { securityGroup } = await net.createSecurityGroup({
        location: t.where,
        name: name('sg'),
        description: 'd',
      });
      cleanup.add(() => net.deleteSecurityGroup({ location: t.where, nameOrId: securityGroup!.id }));
      assert.equal(securityGroup?.rules.length, 2, 'the default egress rules');
      const ssh = {
        location: t.where,
        nameOrId: securityGroup!.name,
        direction: INGRESS,
        protocol: 'tcp',
        portRangeMin: 22,
        portRangeMax: 22,
        remoteIpPrefix: '0.0.0.0/0',
      };
      const { rule } = await net.createSecurityGroupRule(ssh);
      assert.equal(rule?.portRangeMin, 22);
      assert.equal(rule?.direction, INGRESS);
      const duplicate = await refusal(net.createSecurityGroupRule(ssh));
      assert.equal(duplicate.code, Status.ALREADY_EXISTS, duplicate.message);

      const unknown = await refusal(
        net.createSecurityGroupRule({
          location: t.where,
          nameOrId: securityGroup!.id,
          direction: INGRESS,
          remoteGroup: name('nope'),
        }),
      );
      assert.equal(unknown.code, Status.NOT_FOUND, unknown.message);
      assert.match(unknown.message, new RegExp(name('nope')));
      const self = await net.createSecurityGroupRule({
        location: t.where,
        nameOrId: securityGroup!.id,
        direction: INGRESS,
        remoteGroup: securityGroup!.name,
      });
      assert.equal(self.rule?.remoteGroupId, securityGroup!.id);

      const { port } = await net.createPort({
        location: t.where,
        network: t.network,
        name: name('sgport'),
        securityGroups: [securityGroup!.name],
      });
      cleanup.add(() => net.deletePort({ location: t.where, id: port!.id }));
      assert.deepEqual(port?.securityGroupIds, [securityGroup!.id]);
      const inUse = await refusal(net.deleteSecurityGroup({ location: t.where, nameOrId: securityGroup!.id }));
      assert.equal(inUse.code, Status.FAILED_PRECONDITION, inUse.message);
      await net.deletePort({ location: t.where, id: port!.id });

      const renamed = await net.updateSecurityGroup({
        location: t.where,
        nameOrId: securityGroup!.id,
        name: name('sg2'),
      });
      assert.equal(renamed.securityGroup?.name, name('sg2'));
      await net.deleteSecurityGroupRule({ location: t.where, id: rule!.id });
      const shown = await net.getSecurityGroup({ location: t.where, nameOrId: securityGroup!.id });
      assert.equal(shown.securityGroup?.rules.length, 3);
      await net.deleteSecurityGroup({ location: t.where, nameOrId: securityGroup!.id });
    });

    test('ports: fixed IP on a named subnet, address pairs, a subnet of another network refused, update', async () => {
      const t = target();
      const net = t.api.network;
      const { network } = await net.createNetwork({ location: t.where, name: name('pnet') });
      cleanup.add(() => net.deleteNetwork({ location: t.where, nameOrId: network!.id }));
      const cidr = randomCidr();
      const { subnet } = await net.createSubnet({ location: t.where, network: network!.id, cidr, name: name('psub') });
      const address = cidr.replace('.0/24', '.42');
      const { port } = await net.createPort({
        location: t.where,
        network: network!.name,
        name: name('port'),
        fixedIps: [{ subnet: subnet!.name, ipAddress: address }],
        allowedAddressPairs: [{ ipAddress: cidr.replace('.0/24', '.200'), macAddress: '' }],
        requestId: `${Date.now()}-port`,
      });
      cleanup.add(() => net.deletePort({ location: t.where, id: port!.id }));
      assert.deepEqual(port?.fixedIps, [{ subnetId: subnet!.id, ipAddress: address }]);
      assert.equal(port?.allowedAddressPairs[0]?.ipAddress, cidr.replace('.0/24', '.200'));
      assert.equal(port?.isPortSecurityEnabled, true);

      const elsewhere = values<any>(
        await collect(net.listSubnets({ location: t.where, networkId: '', nameOrId: '' })),
        'subnet',
      ).find((s) => s.networkId !== network!.id);
      const wrong = await refusal(
        net.createPort({
          location: t.where,
          network: network!.id,
          fixedIps: [{ subnet: elsewhere.id, ipAddress: '' }],
        }),
      );
      assert.equal(wrong.code, Status.INVALID_ARGUMENT, wrong.message);
      assert.match(wrong.message, new RegExp(network!.id));

      const updated = await net.updatePort({
        location: t.where,
        nameOrId: port!.id,
        name: name('port2'),
        allowedAddressPairs: { pairs: [] },
        isAdminStateUp: false,
      });
      assert.equal(updated.port?.name, name('port2'));
      assert.deepEqual(updated.port?.allowedAddressPairs, []);
      assert.equal(updated.port?.isAdminStateUp, false);
      const shown = await net.getPort({ location: t.where, nameOrId: name('port2') });
      assert.equal(shown.port?.id, port!.id);
    });

    test('floating IPs: from a named pool, get and list by address and network, update, delete', async () => {
      const t = target();
      const net = t.api.network;
      const { floatingIp } = await net.createFloatingIP({ location: t.where, network: t.externalNetwork });
      cleanup.add(() => net.deleteFloatingIP({ location: t.where, floatingIp: floatingIp!.id }));
      const address = floatingIp!.floatingIpAddress;
      const got = await net.getFloatingIP({ location: t.where, nameOrId: address });
      assert.equal(got.floatingIp?.id, floatingIp!.id);
      const byFilters = values<any>(
        await collect(
          net.listFloatingIPs({
            location: t.where,
            strict: true,
            floatingIpAddress: address,
            network: t.externalNetwork,
          }),
        ),
        'floatingIp',
      );
      assert.deepEqual(
        byFilters.map((f) => f.id),
        [floatingIp!.id],
      );
      const onNoPort = values<any>(
        await collect(net.listFloatingIPs({ location: t.where, portId: '00000000-0000-0000-0000-000000000000' })),
        'floatingIp',
      );
      assert.deepEqual(onNoPort, []);
      const updated = await net.updateFloatingIP({ location: t.where, nameOrId: address, description: name('fip') });
      assert.equal(updated.floatingIp?.description, name('fip'));
      await net.deleteFloatingIP({ location: t.where, floatingIp: address });
      const gone = await refusal(net.getFloatingIP({ location: t.where, nameOrId: address }));
      assert.equal(gone.code, Status.NOT_FOUND);
    });

    test('capabilities: routers, tags (request_id retries), quota details and port security are reported', async () => {
      const t = target();
      const items = await collect(t.api.capabilities.listCapabilities({ location: t.where, strict: true }));
      const [caps] = values<any>(items, 'capabilities');
      assert.equal(caps.network.routers, true, 'routers exist without an L3 agent');
      assert.equal(caps.network.tags, true);
      assert.equal(caps.network.quotaDetails, true);
      assert.equal(caps.network.portSecurity, true);
      assert.equal(caps.network.allowedAddressPairs, true);
    });

    test('network quotas: limits and usage of the project', async () => {
      const t = target();
      const items = await collect(t.api.network.listNetworkQuotas({ location: t.where, strict: true }));
      const [quotas] = values<any>(items, 'quotas');
      assert.equal(quotas.location.cloud, t.cloud);
      const byName = new Map<string, any>(quotas.quotas.map((q: any) => [q.resource, q]));
      for (const resource of ['network', 'subnet', 'port', 'router', 'floatingip', 'security_group']) {
        assert.ok(byName.has(resource), `${resource} has a quota`);
      }
      assert.ok(byName.get('network').limit !== 0n);
      assert.ok(byName.get('network').used >= 1n, 'the private network counts');
    });
  });
}
