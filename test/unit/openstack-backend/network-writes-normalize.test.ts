// Routers and network quotas in oaktree's normal form, and how Neutron's refusals of a write are coded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Status } from 'nice-grpc-common';
import { normalizeNetworkQuotas } from '../../../src/backends/openstack/normalize/network-quota.ts';
import { normalizeRouter } from '../../../src/backends/openstack/normalize/router.ts';
import { writeCode } from '../../../src/backends/openstack/network/write-errors.ts';
import { OpenStackHttpError } from '../../../src/backends/openstack/transport/index.ts';

const route = {
  cloud: 'c',
  region: 'RegionOne',
  zone: '',
  project: { id: 'p1', name: 'demo', domainId: 'default', domainName: 'Default' },
};

// As the real Zed cloud answered (router with a gateway, no L3 agent).
const router = {
  id: 'r1',
  name: 'edge',
  tenant_id: 'p1',
  project_id: 'p1',
  admin_state_up: true,
  status: 'ACTIVE',
  external_gateway_info: {
    network_id: 'pub',
    external_fixed_ips: [{ subnet_id: 'pubsub', ip_address: '172.24.4.35' }],
    enable_snat: true,
  },
  description: '',
  availability_zones: [],
  routes: [],
  flavor_id: null,
  tags: [],
  created_at: '2026-12-04T17:44:06Z',
  updated_at: '2026-12-04T17:44:06Z',
  revision_number: 3,
};

test('router: gateway, interfaces from its ports (the gateway port is not an interface), vendor fields kept', () => {
  const ports = [
    {
      id: 'p-b',
      device_owner: 'network:router_interface',
      network_id: 'n2',
      fixed_ips: [{ subnet_id: 's2', ip_address: '10.1.0.1' }],
    },
    {
      id: 'p-a',
      device_owner: 'network:router_interface',
      network_id: 'n1',
      fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.0.1' }],
    },
    { id: 'gw', device_owner: 'network:router_gateway', network_id: 'pub', fixed_ips: [] },
  ];
  const r = normalizeRouter(router, route, ports);
  assert.equal(r.location?.project?.name, 'demo');
  assert.deepEqual(r.externalGateway, {
    networkId: 'pub',
    isSnatEnabled: true,
    externalFixedIps: [{ subnetId: 'pubsub', ipAddress: '172.24.4.35' }],
  });
  assert.deepEqual(
    r.interfaces.map((i) => [i.portId, i.networkId, i.fixedIps[0].ipAddress]),
    [
      ['p-a', 'n1', '10.0.0.1'],
      ['p-b', 'n2', '10.1.0.1'],
    ],
  );
  assert.equal(r.properties.revision_number, '3');
  assert.equal(r.properties.external_gateway_info, undefined);
});

test('router: no gateway (null) and no ext-gw-mode (enable_snat absent means on)', () => {
  assert.equal(normalizeRouter({ ...router, external_gateway_info: null }, route, []).externalGateway, undefined);
  const { enable_snat: _snat, ...noMode } = router.external_gateway_info;
  assert.equal(
    normalizeRouter({ ...router, external_gateway_info: noMode }, route, []).externalGateway?.isSnatEnabled,
    true,
  );
});

test('network quotas: details give limit, used and reserved; plain limits leave usage unknown', () => {
  const detailed = normalizeNetworkQuotas(
    { port: { limit: 200, used: 3, reserved: 0 }, network: { limit: -1, used: 1, reserved: 0 } },
    route,
  );
  assert.deepEqual(
    detailed.quotas.map((q) => [q.resource, q.limit, q.used, q.reserved]),
    [
      ['network', -1n, 1n, 0n],
      ['port', 200n, 3n, 0n],
    ],
  );
  const plain = normalizeNetworkQuotas({ router: 10 }, route);
  assert.deepEqual(plain.quotas, [{ resource: 'router', limit: 10n, used: -1n, reserved: -1n }]);
});

test("Neutron's refusals: in use and overlaps are FAILED_PRECONDITION, duplicates ALREADY_EXISTS", () => {
  const http = (status: number, message: string) => new OpenStackHttpError(status, {}, message, undefined);
  const cases: Array<[number, string, Status | undefined]> = [
    [
      409,
      'Unable to complete operation on network n1. There are one or more ports still in use on the network.',
      Status.FAILED_PRECONDITION,
    ],
    [
      409,
      'Unable to complete operation on subnet s1: One or more ports have an IP allocation from this subnet.',
      Status.FAILED_PRECONDITION,
    ],
    [409, 'Router r1 has ports still attached: p1', Status.FAILED_PRECONDITION],
    [409, 'Security Group g1 in use.', Status.FAILED_PRECONDITION],
    [
      400,
      'Invalid input for operation: Requested subnet with cidr: 10.0.0.128/25 for network: n1 overlaps with another subnet.',
      Status.FAILED_PRECONDITION,
    ],
    [400, 'Bad router request: Router already has a port on subnet s1.', Status.FAILED_PRECONDITION],
    [409, 'Security group rule already exists. Rule id is x.', Status.ALREADY_EXISTS],
    [409, 'IP address 10.0.0.5 already allocated in subnet s1', Status.ALREADY_EXISTS],
    [
      400,
      'Invalid input for operation: Failed to create port on network n1, because fixed_ips included invalid subnet s2.',
      undefined,
    ],
    [404, 'Security group g9 does not exist', undefined],
  ];
  for (const [status, message, code] of cases) assert.equal(writeCode(http(status, message)), code, message);
});
