// Floating IPs: the normalizer on Neutron/openstacksdk payload shapes, the interesting-network classification
// (clouds.yaml networks:, nat_destination, guesses), openstacksdk's auto_ip decision and NAT destination port choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import { NetworkResourceStatus } from '../../../src/gen/oaktree/v1/network.ts';
import { normalizeFloatingIp } from '../../../src/backends/openstack/normalize/floating-ip.ts';
import {
  classifyNetworks,
  networkSettings,
  type RawNetwork,
} from '../../../src/backends/openstack/network/interesting.ts';
import {
  autoIpDecision,
  isPrivateIpv4,
  natDestinationPort,
  publicFixedIpv4,
  type RawPort,
  type RawServer,
} from '../../../src/backends/openstack/network/fip-decision.ts';
import type { NetworkConfig } from '../../../src/config/clouds/types.ts';

const route = {
  cloud: 'c1',
  region: 'RegionOne',
  zone: '',
  project: { id: '4969c491a3c74ee4af974e6d800c62de', name: 'demo', domainId: 'default', domainName: 'Default' },
};

test('floating IP normalizer: attached (openstacksdk fixture) and unattached', () => {
  const attached = normalizeFloatingIp(
    {
      router_id: 'd23abc8d-2991-4a55-ba98-2aaea84cc72f',
      tenant_id: '4969c491a3c74ee4af974e6d800c62de',
      floating_network_id: '376da547-b977-4cfe-9cba-275c80debf57',
      fixed_ip_address: '10.0.0.4',
      floating_ip_address: '172.24.4.229',
      port_id: 'ce705c24-c1ef-408a-bda3-7bbd946164ac',
      id: '2f245a7b-796b-4f26-9cf9-9e82d248fda7',
      status: 'ACTIVE',
    },
    route,
    'server-id',
  );
  assert.equal(attached.isAttached, true);
  assert.equal(attached.serverId, 'server-id');
  assert.equal(attached.networkId, '376da547-b977-4cfe-9cba-275c80debf57');
  assert.equal(attached.status, NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ACTIVE);
  assert.equal(attached.properties.router_id, 'd23abc8d-2991-4a55-ba98-2aaea84cc72f');
  assert.deepEqual(attached.location, route);
  const loose = normalizeFloatingIp(
    {
      router_id: null,
      tenant_id: '4969c491a3c74ee4af974e6d800c62de',
      floating_network_id: '376da547-b977-4cfe-9cba-275c80debf57',
      fixed_ip_address: null,
      floating_ip_address: '203.0.113.30',
      port_id: null,
      id: '61cea855-49cb-4846-997d-801b70c71bdd',
      status: 'DOWN',
    },
    route,
    'ignored',
  );
  assert.equal(loose.isAttached, false);
  assert.equal(loose.serverId, '', 'no port, no server');
  assert.equal(loose.fixedIpAddress, '');
  assert.equal(loose.status, NetworkResourceStatus.NETWORK_RESOURCE_STATUS_DOWN);
});

test('floating IP normalizer: server from port_details (fip-port-details) only for compute ports; created_at parsed', () => {
  const base = {
    id: 'f',
    floating_ip_address: '198.51.100.7',
    port_id: 'p',
    created_at: '2016-12-21T10:55:50Z',
    project_id: route.project.id,
  };
  const compute = normalizeFloatingIp(
    { ...base, port_details: { device_id: 'srv-1', device_owner: 'compute:nova', status: 'ACTIVE' } },
    route,
  );
  assert.equal(compute.serverId, 'srv-1');
  assert.equal(compute.createTime?.toISOString(), '2016-12-21T10:55:50.000Z');
  const lb = normalizeFloatingIp({ ...base, port_details: { device_id: 'lb-1', device_owner: 'Octavia' } }, route);
  assert.equal(lb.serverId, '');
});

const net = (id: string, name: string, extra: Partial<RawNetwork> = {}): RawNetwork => ({
  id,
  name,
  'router:external': false,
  ...extra,
});
const cfg = (entries: Partial<NetworkConfig>[], natDestination?: string) =>
  networkSettings({
    natDestination,
    networks: entries.map((e) => ({
      name: '',
      routesExternally: false,
      routesIpv4Externally: false,
      routesIpv6Externally: false,
      natSource: false,
      natDestination: false,
      defaultInterface: false,
      ...e,
    })),
  });

test('classification without configuration: external by router:external or provider, NAT destination = internal network with a gateway', () => {
  const networks = [
    net('pub', 'public', { 'router:external': true }),
    net('prov', 'provider', { 'provider:physical_network': 'physnet1' }),
    net('iso', 'isolated'),
    net('priv', 'private'),
  ];
  const subnets = [
    { network_id: 'pub', gateway_ip: '172.24.4.1' },
    { network_id: 'iso', gateway_ip: null },
    { network_id: 'priv', gateway_ip: '10.0.0.1' },
  ];
  const c = classifyNetworks(networks, subnets, cfg([]));
  assert.deepEqual(
    c.externalIpv4.map((n) => n.id),
    ['pub', 'prov'],
  );
  assert.deepEqual(
    c.internalIpv4.map((n) => n.id),
    ['iso', 'priv'],
  );
  assert.deepEqual(
    c.externalIpv6.map((n) => n.id),
    ['pub'],
  );
  assert.deepEqual(
    c.floatingIpv4.map((n) => n.id),
    ['pub'],
    'a provider network is external but not a floating IP pool',
  );
  assert.equal(c.natSource?.id, 'pub');
  assert.equal(c.natDestination?.id, 'priv', 'the external network with a gateway is never the NAT destination');
  assert.equal(c.defaultNetwork, undefined);
});

test('classification honours clouds.yaml networks: and nat_destination, by name or id', () => {
  const networks = [
    net('pub', 'public', { 'router:external': true }),
    net('pub2', 'public2', { 'router:external': true }),
    net('a', 'net-a'),
    net('b', 'net-b'),
  ];
  const c = classifyNetworks(
    networks,
    undefined,
    cfg([
      { name: 'net-a', routesExternally: true, routesIpv4Externally: true, routesIpv6Externally: true },
      { name: 'public2', natSource: true },
      { name: 'b', natDestination: true, defaultInterface: true },
    ]),
  );
  assert.ok(
    c.externalIpv4.some((n) => n.id === 'a'),
    'routes_externally makes an internal-looking network external',
  );
  assert.ok(!c.internalIpv4.some((n) => n.id === 'a'));
  assert.ok(!c.externalIpv4.some((n) => n.id === 'pub2'), 'listed without routes_externally: internal');
  assert.deepEqual(
    c.floatingIpv4.map((n) => n.id),
    ['pub2'],
  );
  assert.equal(c.natSource?.id, 'pub2');
  assert.equal(c.natDestination?.id, 'b');
  assert.equal(c.defaultNetwork?.id, 'b');
  // The top-level nat_destination key works too.
  assert.equal(classifyNetworks(networks, undefined, cfg([], 'net-a')).natDestination?.id, 'a');
});

test('classification errors: configured network missing, or a name matching two networks', () => {
  const networks = [net('x1', 'dup'), net('x2', 'dup'), net('pub', 'public', { 'router:external': true })];
  assert.throws(
    () => classifyNetworks(networks, undefined, cfg([], 'nowhere')),
    (e: any) => e.grpcCode === Status.FAILED_PRECONDITION && /nowhere/.test(e.message),
  );
  assert.throws(
    () => classifyNetworks(networks, undefined, cfg([], 'dup')),
    (e: any) => /several networks match "dup".*by id/.test(e.message),
  );
  assert.throws(
    () => classifyNetworks(networks, undefined, cfg([{ name: 'ghost', routesIpv4Externally: true }])),
    /ghost/,
  );
});

const server = (addresses: RawServer['addresses'], extra: Partial<RawServer> = {}): RawServer => ({
  id: 'srv',
  addresses,
  ...extra,
});
const fixed = (addr: string) => ({ addr, version: 4, 'OS-EXT-IPS:type': 'fixed' });
const inputs = { hasFloatingIps: true, isPrivate: false, externalIpv4: [{ id: 'pub', name: 'public' }] };

test('auto_ip decision follows _needs_floating_ip', () => {
  const priv = server({ private: [fixed('10.0.0.5')] });
  assert.equal(autoIpDecision(priv, inputs).needed, true);
  assert.equal(autoIpDecision(priv, { ...inputs, hasFloatingIps: false }).needed, false);
  assert.equal(autoIpDecision(priv, { ...inputs, isPrivate: true }).needed, false);
  assert.equal(autoIpDecision(priv, { ...inputs, requiresFloatingIp: false }).needed, false);
  assert.equal(
    autoIpDecision(
      server({ private: [fixed('10.0.0.5'), { addr: '172.24.4.9', 'OS-EXT-IPS:type': 'floating' }] }),
      inputs,
    ).needed,
    false,
  );
  assert.equal(autoIpDecision(server({}), inputs).needed, false, 'no fixed address: nothing to NAT to');
  assert.equal(autoIpDecision(server(null), inputs).needed, false);
  // Already public: on an external network, accessIPv4, or a globally routable fixed address (OVH, vexxhost).
  const onPublic = server({ public: [fixed('172.24.4.20')] });
  assert.equal(autoIpDecision(onPublic, inputs).needed, false);
  assert.match(autoIpDecision(onPublic, inputs).reason, /172\.24\.4\.20/);
  assert.equal(
    autoIpDecision(server({ private: [fixed('10.0.0.5')] }, { accessIPv4: '198.51.100.1' }), inputs).needed,
    false,
  );
  assert.equal(
    autoIpDecision(server({ 'Ext-Net': [fixed('51.68.1.2')] }), { ...inputs, externalIpv4: [] }).needed,
    false,
  );
  // requires_floating_ip: true ignores a public fixed address
  assert.equal(autoIpDecision(onPublic, { ...inputs, requiresFloatingIp: true }).needed, true);
});

test('public address helpers', () => {
  assert.equal(isPrivateIpv4('10.1.2.3'), true);
  assert.equal(isPrivateIpv4('172.16.0.1'), true);
  assert.equal(isPrivateIpv4('172.32.0.1'), false);
  assert.equal(isPrivateIpv4('192.168.1.1'), true);
  assert.equal(isPrivateIpv4('100.64.0.1'), true);
  assert.equal(isPrivateIpv4('8.8.8.8'), false);
  assert.equal(publicFixedIpv4(server({ private: [fixed('10.0.0.5')] }), []), undefined);
  assert.equal(
    publicFixedIpv4(server({ v6: [{ addr: '2001:db8::1', version: 6, 'OS-EXT-IPS:type': 'fixed' }] }), []),
    undefined,
  );
});

const port = (id: string, network_id: string, created_at: string, ...ips: string[]): RawPort => ({
  id,
  network_id,
  created_at,
  fixed_ips: ips.map((ip_address) => ({ subnet_id: 's', ip_address })),
});

test('NAT destination port: one port, newest first, IPv4 only, fixed address, several ports need a NAT destination', () => {
  assert.equal(natDestinationPort('srv', [], {}), undefined);
  const one = natDestinationPort('srv', [port('p1', 'priv', '2024-01-01T00:00:00Z', '2001:db8::5', '10.0.0.5')], {});
  assert.deepEqual([one?.port.id, one?.fixedAddress], ['p1', '10.0.0.5']);
  assert.equal(natDestinationPort('srv', [port('p1', 'priv', '', '2001:db8::5')], {}), undefined, 'no IPv4 address');

  const ports = [
    port('old', 'priv', '2024-01-01T00:00:00Z', '10.0.0.5'),
    port('new', 'priv', '2024-02-01T00:00:00Z', '10.0.0.6'),
    port('other', 'data', '2024-03-01T00:00:00Z', '192.168.0.2'),
  ];
  const chosen = natDestinationPort('srv', ports, { natDestination: { id: 'priv', name: 'private' } });
  assert.deepEqual([chosen?.port.id, chosen?.fixedAddress], ['new', '10.0.0.6']);
  assert.throws(
    () => natDestinationPort('srv', ports, {}),
    (e: any) => e.grpcCode === Status.FAILED_PRECONDITION && /nat_destination/.test(e.message),
  );
  assert.throws(
    () => natDestinationPort('srv', ports, { natDestination: { id: 'elsewhere', name: 'elsewhere' } }),
    /NAT destination network elsewhere/,
  );
  const byAddress = natDestinationPort('srv', ports, { fixedAddress: '192.168.0.2' });
  assert.equal(byAddress?.port.id, 'other');
  assert.throws(
    () => natDestinationPort('srv', ports, { fixedAddress: '10.9.9.9' }),
    (e: any) => e.grpcCode === Status.NOT_FOUND,
  );
});
