// Network, subnet, port and security group normalizers on Neutron api-ref payload shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkResourceStatus, SecurityGroupRuleDirection } from '../../../src/gen/oaktree/v1/network.ts';
import {
  isExternalNetwork,
  networkResourceStatus,
  neutronStatusWord,
  normalizeNetwork,
} from '../../../src/backends/openstack/normalize/network.ts';
import { normalizePort } from '../../../src/backends/openstack/normalize/port.ts';
import { normalizeSecurityGroup } from '../../../src/backends/openstack/normalize/security-group.ts';
import { normalizeSubnet } from '../../../src/backends/openstack/normalize/subnet.ts';

const route = {
  cloud: 'c1',
  region: 'RegionOne',
  zone: '',
  project: { id: '4fd44f30292945e481c7b8a0c8908869', name: 'demo', domainId: 'default', domainName: 'Default' },
};

// Neutron api-ref "Show network details" response.
const network = {
  admin_state_up: true,
  availability_zone_hints: [],
  availability_zones: ['nova'],
  created_at: '2016-03-08T20:19:41',
  dns_domain: 'my-domain.org.',
  id: 'd32019d3-bc6e-4319-9c1d-6722fc136a22',
  ipv4_address_scope: null,
  ipv6_address_scope: null,
  l2_adjacency: false,
  mtu: 1500,
  name: 'private-network',
  port_security_enabled: true,
  project_id: '4fd44f30292945e481c7b8a0c8908869',
  'provider:network_type': 'local',
  'provider:physical_network': null,
  'provider:segmentation_id': null,
  qos_policy_id: '6a8454ade84346f59e8d40665f878b2e',
  revision_number: 1,
  'router:external': false,
  shared: true,
  status: 'ACTIVE',
  subnets: ['54d6f61d-db07-451c-9ab3-b9609b6b6f0b'],
  tags: ['tag1,tag2'],
  tenant_id: '4fd44f30292945e481c7b8a0c8908869',
  updated_at: '2016-03-08T20:19:41',
  vlan_transparent: false,
  description: '',
  is_default: true,
};

test('network: normal fields, UTC timestamps without zone, vendor fields in properties, project from project_id', () => {
  const n = normalizeNetwork(network, route);
  assert.equal(n.id, network.id);
  assert.equal(n.name, 'private-network');
  assert.equal(n.status, NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ACTIVE);
  assert.equal(n.isExternal, false);
  assert.equal(n.isShared, true);
  assert.equal(n.isAdminStateUp, true);
  assert.equal(n.mtu, 1500);
  assert.deepEqual(n.subnetIds, ['54d6f61d-db07-451c-9ab3-b9609b6b6f0b']);
  assert.equal(n.createTime?.toISOString(), '2016-03-08T20:19:41.000Z');
  assert.deepEqual(n.location, route);
  assert.equal(n.properties['provider:network_type'], 'local');
  assert.equal(n.properties.qos_policy_id, '6a8454ade84346f59e8d40665f878b2e');
  assert.equal(n.properties.availability_zones, '["nova"]');
  assert.equal(n.properties.mtu, undefined, 'normalized fields stay out of properties');
  assert.equal(n.properties['router:external'], undefined);
});

test('network: external by router:external or by provider network; foreign project keeps its id', () => {
  assert.equal(normalizeNetwork({ ...network, 'router:external': true }, route).isExternal, true);
  assert.equal(isExternalNetwork({ 'provider:physical_network': 'physnet1' }), true);
  const foreign = normalizeNetwork({ ...network, project_id: 'admin-project', tenant_id: 'admin-project' }, route);
  assert.deepEqual(foreign.location?.project, { id: 'admin-project', name: '', domainId: '', domainName: '' });
});

test('statuses map to the enum both ways; unknown words are UNKNOWN, missing is UNSPECIFIED', () => {
  assert.equal(networkResourceStatus('DOWN'), NetworkResourceStatus.NETWORK_RESOURCE_STATUS_DOWN);
  assert.equal(networkResourceStatus('build'), NetworkResourceStatus.NETWORK_RESOURCE_STATUS_BUILD);
  assert.equal(networkResourceStatus('ERROR'), NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ERROR);
  assert.equal(networkResourceStatus('N/A'), NetworkResourceStatus.NETWORK_RESOURCE_STATUS_UNKNOWN);
  assert.equal(networkResourceStatus(undefined), NetworkResourceStatus.NETWORK_RESOURCE_STATUS_UNSPECIFIED);
  assert.equal(neutronStatusWord(NetworkResourceStatus.NETWORK_RESOURCE_STATUS_DOWN), 'DOWN');
  assert.equal(neutronStatusWord(NetworkResourceStatus.NETWORK_RESOURCE_STATUS_UNSPECIFIED), undefined);
});

test('subnet: api-ref shape (IPv6 and a null gateway)', () => {
  const s = normalizeSubnet(
    {
      name: 'my_subnet',
      enable_dhcp: true,
      network_id: 'd32019d3-bc6e-4319-9c1d-6722fc136a22',
      segment_id: null,
      project_id: '4fd44f30292945e481c7b8a0c8908869',
      tenant_id: '4fd44f30292945e481c7b8a0c8908869',
      dns_nameservers: ['8.8.8.8'],
      allocation_pools: [{ start: '192.0.0.2', end: '192.255.255.254' }],
      host_routes: [],
      ip_version: 4,
      gateway_ip: '192.0.0.1',
      cidr: '192.0.0.0/8',
      id: '54d6f61d-db07-451c-9ab3-b9609b6b6f0b',
      created_at: '2016-10-10T14:35:47Z',
      description: '',
      ipv6_address_mode: null,
      ipv6_ra_mode: null,
      revision_number: 2,
      service_types: [],
      subnetpool_id: null,
      tags: ['tag1,tag2'],
      updated_at: '2016-10-10T14:35:47Z',
    },
    route,
  );
  assert.equal(s.cidr, '192.0.0.0/8');
  assert.equal(s.ipVersion, 4);
  assert.equal(s.gatewayIp, '192.0.0.1');
  assert.equal(s.isDhcpEnabled, true);
  assert.deepEqual(s.dnsNameservers, ['8.8.8.8']);
  assert.equal(s.properties.allocation_pools, '[{"start":"192.0.0.2","end":"192.255.255.254"}]');
  const v6 = normalizeSubnet({ id: 'x', network_id: 'n', cidr: '2001:db8::/64', gateway_ip: null }, route);
  assert.equal(v6.ipVersion, 6);
  assert.equal(v6.gatewayIp, '');
});

test('port: fixed IPs, security groups, status, device; binding extras as properties', () => {
  const p = normalizePort(
    {
      admin_state_up: true,
      allowed_address_pairs: [],
      'binding:host_id': 'devstack',
      'binding:profile': {},
      'binding:vif_details': { ovs_hybrid_plug: true, port_filter: true },
      'binding:vif_type': 'ovs',
      'binding:vnic_type': 'normal',
      created_at: '2016-03-08T20:19:41',
      data_plane_status: null,
      description: '',
      device_id: '5e3898d7-11be-483e-9732-b2f5eccd2b2e',
      device_owner: 'compute:nova',
      dns_assignment: [],
      extra_dhcp_opts: [],
      fixed_ips: [{ ip_address: '10.0.0.2', subnet_id: 'a0304c3a-4f08-4c43-88af-d796509c97d2' }],
      id: '46d4bfb9-b26e-41f3-bd2e-e6dcc1ccedb2',
      mac_address: 'fa:16:3e:23:fd:d7',
      name: '',
      network_id: 'a87cc70a-3e15-4acf-8205-9b711a3531b7',
      port_security_enabled: false,
      project_id: '7e02058126cc4950b75f9970368ba177',
      revision_number: 1,
      security_groups: ['f0ac4394-7e4a-4409-9701-ba8be283dbc3'],
      status: 'ACTIVE',
      tags: [],
      tenant_id: '7e02058126cc4950b75f9970368ba177',
      updated_at: '2016-03-08T20:19:41',
    },
    route,
  );
  assert.equal(p.deviceId, '5e3898d7-11be-483e-9732-b2f5eccd2b2e');
  assert.equal(p.deviceOwner, 'compute:nova');
  assert.deepEqual(p.fixedIps, [{ subnetId: 'a0304c3a-4f08-4c43-88af-d796509c97d2', ipAddress: '10.0.0.2' }]);
  assert.deepEqual(p.securityGroupIds, ['f0ac4394-7e4a-4409-9701-ba8be283dbc3']);
  assert.equal(p.status, NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ACTIVE);
  assert.equal(p.macAddress, 'fa:16:3e:23:fd:d7');
  assert.equal(p.location?.project?.id, '7e02058126cc4950b75f9970368ba177');
  assert.equal(p.properties['binding:vif_type'], 'ovs');
  assert.equal(p.properties['binding:vif_details'], '{"ovs_hybrid_plug":true,"port_filter":true}');
});

test('security group with rules: directions, any protocol and port as empty/0, remote group', () => {
  const g = normalizeSecurityGroup(
    {
      description: 'default',
      id: '85cc3048-abc3-43cc-89b3-377341426ac5',
      name: 'default',
      project_id: 'e4f50856753b4dc6afee5fa6b9b6c550',
      tenant_id: 'e4f50856753b4dc6afee5fa6b9b6c550',
      stateful: true,
      revision_number: 8,
      created_at: '2018-03-19T19:16:56Z',
      updated_at: '2018-03-19T19:16:56Z',
      tags: [],
      security_group_rules: [
        {
          direction: 'egress',
          ethertype: 'IPv6',
          id: '3c0e45ff-adaf-4124-b083-bf390e5482ff',
          port_range_max: null,
          port_range_min: null,
          protocol: null,
          remote_group_id: null,
          remote_ip_prefix: null,
          security_group_id: '85cc3048-abc3-43cc-89b3-377341426ac5',
          project_id: 'e4f50856753b4dc6afee5fa6b9b6c550',
          revision_number: 1,
          tenant_id: 'e4f50856753b4dc6afee5fa6b9b6c550',
          description: '',
        },
        {
          direction: 'ingress',
          ethertype: 'IPv4',
          id: '93aa42e5-80db-4581-9391-3a608bd0e448',
          port_range_max: 22,
          port_range_min: 22,
          protocol: 'tcp',
          remote_group_id: null,
          remote_ip_prefix: '0.0.0.0/0',
          security_group_id: '85cc3048-abc3-43cc-89b3-377341426ac5',
        },
        {
          direction: 'ingress',
          ethertype: 'IPv4',
          id: 'c0b09f00-1d49-4e64-a0a7-8a186d928138',
          port_range_max: null,
          port_range_min: null,
          protocol: '6',
          remote_group_id: '85cc3048-abc3-43cc-89b3-377341426ac5',
          remote_ip_prefix: null,
          security_group_id: '85cc3048-abc3-43cc-89b3-377341426ac5',
        },
      ],
    },
    route,
  );
  assert.equal(g.name, 'default');
  assert.equal(g.rules.length, 3);
  assert.deepEqual(g.rules[0], {
    id: '3c0e45ff-adaf-4124-b083-bf390e5482ff',
    direction: SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_EGRESS,
    ethertype: 'IPv6',
    protocol: '',
    portRangeMin: 0,
    portRangeMax: 0,
    remoteIpPrefix: '',
    remoteGroupId: '',
    description: '',
  });
  assert.equal(g.rules[1].portRangeMin, 22);
  assert.equal(g.rules[1].protocol, 'tcp');
  assert.equal(g.rules[2].protocol, '6');
  assert.equal(g.rules[2].remoteGroupId, g.id);
  assert.equal(g.properties.stateful, 'true');
  assert.equal(g.properties.security_group_rules, undefined);
});
