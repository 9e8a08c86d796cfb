// Server normalization on payload shapes from the nova api-ref, openstacksdk's fixtures and real clouds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressType, ListServersResponse, Server, ServerStatus } from '../../../src/gen/oaktree/v1/compute.ts';
import { encodeMessage, messageEncoder, WholeListResponse } from '../../../src/wire/message-encoding.ts';
import type { Location } from '../../../src/gen/oaktree/v1/location.ts';
import { normalizeServer, novaStatusFilter, serverStatus } from '../../../src/backends/openstack/normalize/server.ts';

const route: Location = {
  cloud: 'c1',
  region: 'RegionOne',
  zone: '',
  project: { id: '6f70656e737461636b20342065766572', name: 'demo', domainId: 'default', domainName: 'Default' },
};

/** nova api-ref "Show Server Details" at microversion 2.1 (admin view). */
const mv21 = {
  'OS-DCF:diskConfig': 'AUTO',
  'OS-EXT-AZ:availability_zone': 'nova',
  'OS-EXT-SRV-ATTR:host': 'compute',
  'OS-EXT-SRV-ATTR:hypervisor_hostname': 'fake-mini',
  'OS-EXT-SRV-ATTR:instance_name': 'instance-00000001',
  'OS-EXT-STS:power_state': 1,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'active',
  'OS-SRV-USG:launched_at': '2013-09-23T13:37:00.880302',
  'OS-SRV-USG:terminated_at': null,
  accessIPv4: '1.2.3.4',
  accessIPv6: '80fe::',
  addresses: {
    private: [
      { 'OS-EXT-IPS-MAC:mac_addr': 'aa:bb:cc:dd:ee:ff', 'OS-EXT-IPS:type': 'fixed', addr: '192.168.0.3', version: 4 },
    ],
  },
  config_drive: '',
  created: '2013-09-23T13:37:00Z',
  flavor: { id: '1', links: [{ href: 'http://openstack.example.com/openstack/flavors/1', rel: 'bookmark' }] },
  hostId: '92154fab69d5883ba2c8622b7e65f745dd33257221c5af6d7f4f2a22',
  id: '0e44cc9c-e052-415d-afbf-469b0d384170',
  image: { id: '70a599e0-31e7-49b7-b260-868f441e862b', links: [{ href: 'http://x/images/70a5', rel: 'bookmark' }] },
  key_name: null,
  links: [{ href: 'http://x/v2/servers/0e44', rel: 'self' }],
  metadata: { 'My Server Name': 'Apache1' },
  name: 'new-server-test',
  'os-extended-volumes:volumes_attached': [],
  progress: 0,
  security_groups: [{ name: 'default' }],
  status: 'ACTIVE',
  tenant_id: '6f70656e737461636b20342065766572',
  updated: '2013-09-23T13:37:00Z',
  user_id: 'fake',
};

/** nova api-ref at 2.79: embedded flavor, delete_on_termination, tags, description. */
const mv279 = {
  ...mv21,
  accessIPv4: '',
  accessIPv6: '',
  flavor: {
    disk: 1,
    ephemeral: 0,
    extra_specs: { 'hw:numa_nodes': '1' },
    original_name: 'm1.tiny',
    ram: 512,
    swap: 0,
    vcpus: 1,
  },
  'os-extended-volumes:volumes_attached': [
    { delete_on_termination: false, id: 'a26887c6-c47b-4654-abb5-dfadf7d3f803' },
  ],
  description: null,
  locked: false,
  tags: ['web'],
  trusted_image_certificates: null,
  'OS-EXT-SRV-ATTR:hostname': 'new-server-test',
  tenant_id: 'someone-else',
};

describe('normalizeServer', () => {
  test('microversion 2.1 payload: location, status, flavor by id, accessIPv4 wins as public_v4, properties', () => {
    const flavorsById = new Map([
      ['1', { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1, 'OS-FLV-EXT-DATA:ephemeral': 0, swap: '' }],
    ]);
    const s = normalizeServer(mv21, { route, flavorsById });
    assert.deepEqual(s.location, { ...route, zone: 'nova' });
    assert.equal(s.id, '0e44cc9c-e052-415d-afbf-469b0d384170');
    assert.equal(s.status, ServerStatus.SERVER_STATUS_ACTIVE);
    assert.equal(s.cloudStatus, 'ACTIVE');
    assert.equal(s.publicV4, '1.2.3.4');
    assert.equal(s.privateV4, '192.168.0.3');
    assert.equal(s.interfaceIp, '1.2.3.4');
    assert.deepEqual(s.flavor, {
      id: '1',
      name: 'm1.tiny',
      vcpus: 1,
      ramMb: 512,
      diskGb: 1,
      ephemeralGb: 0,
      swapMb: 0,
      extraSpecs: {},
    });
    assert.deepEqual(s.image, { id: '70a599e0-31e7-49b7-b260-868f441e862b', name: '' });
    assert.equal(s.keyName, '');
    assert.deepEqual(s.metadata, { 'My Server Name': 'Apache1' });
    assert.deepEqual(s.securityGroups, ['default']);
    assert.equal(s.createTime?.toISOString(), '2013-09-23T13:37:00.000Z');
    assert.equal(s.properties.power_state, '1');
    assert.equal(s.properties.vm_state, 'active');
    assert.equal(s.properties.host_id, '92154fab69d5883ba2c8622b7e65f745dd33257221c5af6d7f4f2a22');
    assert.equal(s.properties.launched_at, '2013-09-23T13:37:00.880302');
    assert.equal(s.properties.hypervisor_hostname, 'fake-mini');
    assert.equal(s.properties.disk_config, 'AUTO');
    assert.equal(s.properties.user_id, 'fake');
    assert.equal('links' in s.properties, false);
    assert.equal('task_state' in s.properties, false, 'nulls are left out');
    assert.equal(s.addresses[0].macAddress, 'aa:bb:cc:dd:ee:ff');
  });

  test('microversion 2.79 payload: embedded flavor without id, volumes, foreign project keeps its id only', () => {
    const s = normalizeServer(mv279, { route });
    assert.deepEqual(s.flavor, {
      id: '',
      name: 'm1.tiny',
      vcpus: 1,
      ramMb: 512,
      diskGb: 1,
      ephemeralGb: 0,
      swapMb: 0,
      extraSpecs: { 'hw:numa_nodes': '1' },
    });
    assert.deepEqual(s.volumes, [{ id: 'a26887c6-c47b-4654-abb5-dfadf7d3f803', deleteOnTermination: false }]);
    assert.deepEqual(s.location?.project, { id: 'someone-else', name: '', domainId: '', domainName: '' });
    assert.deepEqual(s.tags, ['web'], 'tags are normalized, not a property');
    assert.equal('tags' in s.properties, false);
    assert.equal(s.properties.locked, 'false');
    assert.equal(s.publicV4, '', 'an RFC 1918 fixed address is not public');
    assert.equal(s.privateV4, '192.168.0.3');
    assert.equal(s.interfaceIp, '192.168.0.3');
  });

  test('nova-network style (Rackspace): no type tags, "public" network holds the public addresses', () => {
    const s = normalizeServer(
      {
        id: 'r1',
        name: 'rax',
        status: 'ACTIVE',
        accessIPv4: '',
        accessIPv6: '',
        addresses: {
          public: [
            { addr: '2001:4800:7818:101:be76:4eff:fe04:8b3a', version: 6 },
            { addr: '162.242.219.151', version: 4 },
          ],
          private: [{ addr: '10.208.226.186', version: 4 }],
        },
        flavor: { id: 'general1-1' },
        image: { id: 'img' },
        metadata: {},
        created: '2015-06-10T17:13:36Z',
        updated: '2015-06-10T17:14:01Z',
      },
      { route },
    );
    assert.equal(s.publicV4, '162.242.219.151');
    assert.equal(s.publicV6, '2001:4800:7818:101:be76:4eff:fe04:8b3a');
    assert.equal(s.privateV4, '10.208.226.186');
    assert.equal(s.interfaceIp, '162.242.219.151');
    assert.ok(s.addresses.every((a) => a.type === AddressType.ADDRESS_TYPE_FIXED));
    assert.deepEqual(
      s.addresses.map((a) => a.version),
      [6, 4, 4],
    );
  });

  test('IPv6-only server: public_v6 and interface_ip from a global v6, no v4', () => {
    const s = normalizeServer(
      {
        id: 'v6',
        name: 'v6',
        status: 'ACTIVE',
        addresses: {
          'ipv6-only': [
            {
              addr: 'fe80::f816:3eff:fe4f:1',
              version: 6,
              'OS-EXT-IPS:type': 'fixed',
              'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:4f:00:01',
            },
            {
              addr: '2a02:6b8:b010:a0ff::10',
              version: 6,
              'OS-EXT-IPS:type': 'fixed',
              'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:4f:00:01',
            },
            {
              addr: 'fd00:1::5',
              version: 6,
              'OS-EXT-IPS:type': 'fixed',
              'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:4f:00:01',
            },
          ],
        },
        flavor: { id: '1' },
        image: { id: 'i' },
      },
      { route },
    );
    assert.equal(s.publicV4, '');
    assert.equal(s.privateV4, '');
    assert.equal(s.publicV6, '2a02:6b8:b010:a0ff::10');
    assert.equal(s.privateV6, 'fd00:1::5');
    assert.equal(s.interfaceIp, '2a02:6b8:b010:a0ff::10');
  });

  test('floating IP shown by nova is the public_v4; its fixed address is private', () => {
    const s = normalizeServer(
      {
        id: 'f',
        name: 'f',
        status: 'ACTIVE',
        addresses: {
          private: [
            {
              'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:aa:bb:cc',
              version: 4,
              addr: '10.0.0.5',
              'OS-EXT-IPS:type': 'fixed',
            },
            {
              'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:aa:bb:cc',
              version: 4,
              addr: '172.24.4.10',
              'OS-EXT-IPS:type': 'floating',
            },
          ],
        },
        flavor: { id: '1' },
        image: { id: 'i' },
      },
      { route, floatingIps: [{ floatingAddress: '198.51.100.99', fixedAddress: '10.0.0.5' }] },
    );
    assert.equal(s.publicV4, '172.24.4.10');
    assert.equal(s.privateV4, '10.0.0.5');
    assert.equal(s.addresses.length, 2, 'Neutron is not consulted when nova already shows a floating IP');
  });

  test('a floating IP only Neutron knows is added to the network of its fixed address', () => {
    const s = normalizeServer(
      {
        id: 'f',
        name: 'f',
        status: 'ACTIVE',
        addresses: {
          private: [
            {
              'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:aa:bb:cc',
              version: 4,
              addr: '10.0.0.5',
              'OS-EXT-IPS:type': 'fixed',
            },
          ],
        },
        flavor: { id: '1' },
        image: { id: 'i' },
      },
      {
        route,
        floatingIps: [
          { floatingAddress: '203.0.113.7', fixedAddress: '10.0.0.5' },
          { floatingAddress: '203.0.113.8', fixedAddress: '10.9.9.9' },
        ],
      },
    );
    assert.deepEqual(s.addresses[1], {
      network: 'private',
      address: '203.0.113.7',
      version: 4,
      type: AddressType.ADDRESS_TYPE_FLOATING,
      macAddress: 'fa:16:3e:aa:bb:cc',
    });
    assert.equal(s.addresses.length, 2);
    assert.equal(s.publicV4, '203.0.113.7');
  });

  test('a fixed address on a network that routes externally is public even when RFC 1918', () => {
    const raw = {
      id: 'e',
      name: 'e',
      status: 'ACTIVE',
      addresses: {
        'ext-net': [{ version: 4, addr: '192.168.50.7', 'OS-EXT-IPS:type': 'fixed' }],
        internal: [{ version: 4, addr: '10.1.0.4', 'OS-EXT-IPS:type': 'fixed' }],
      },
      flavor: { id: '1' },
      image: { id: 'i' },
    };
    const s = normalizeServer(raw, { route, externalNetworks: new Set(['ext-net']) });
    assert.equal(s.publicV4, '192.168.50.7');
    assert.equal(s.privateV4, '10.1.0.4');
    const without = normalizeServer(raw, { route });
    assert.equal(without.publicV4, '');
  });

  test('boot from volume: image is empty, volumes carry delete_on_termination', () => {
    const s = normalizeServer(
      { ...mv279, image: '', 'os-extended-volumes:volumes_attached': [{ id: 'vol-1', delete_on_termination: true }] },
      { route },
    );
    assert.deepEqual(s.image, { id: '', name: '' });
    assert.deepEqual(s.volumes, [{ id: 'vol-1', deleteOnTermination: true }]);
  });

  test('ERROR server carries its fault', () => {
    const s = normalizeServer(
      {
        id: 'x',
        name: 'x',
        status: 'ERROR',
        fault: { code: 500, created: '2024-05-01T10:00:00Z', message: 'No valid host was found. ', details: '' },
        addresses: {},
      },
      { route },
    );
    assert.equal(s.status, ServerStatus.SERVER_STATUS_ERROR);
    assert.equal(s.fault?.code, 500);
    assert.equal(s.fault?.message, 'No valid host was found. ');
    assert.equal(s.fault?.createTime?.toISOString(), '2024-05-01T10:00:00.000Z');
  });

  test('duplicate security groups (one per port) are listed once', () => {
    const s = normalizeServer(
      { id: 'x', security_groups: [{ name: 'default' }, { name: 'web' }, { name: 'default' }] },
      { route },
    );
    assert.deepEqual(s.securityGroups, ['default', 'web']);
  });

  test('a vendor field named like an Object.prototype member is a property under its own name', () => {
    const s = normalizeServer({ id: 'x', constructor: 'vendor', toString: 7, 'OS-EXT-STS:hostId': 'h' }, { route });
    assert.equal(s.properties.constructor, 'vendor');
    assert.equal(s.properties.toString, '7');
    assert.equal(s.properties.host_id, 'h', 'prefix dropped, then renamed');
  });
});

describe('serverStatus', () => {
  const cases: Array<[string, ServerStatus]> = [
    ['ACTIVE', ServerStatus.SERVER_STATUS_ACTIVE],
    ['PASSWORD', ServerStatus.SERVER_STATUS_ACTIVE],
    ['BUILD', ServerStatus.SERVER_STATUS_BUILDING],
    ['ERROR', ServerStatus.SERVER_STATUS_ERROR],
    ['SHUTOFF', ServerStatus.SERVER_STATUS_STOPPED],
    ['PAUSED', ServerStatus.SERVER_STATUS_PAUSED],
    ['SUSPENDED', ServerStatus.SERVER_STATUS_SUSPENDED],
    ['REBOOT', ServerStatus.SERVER_STATUS_REBOOTING],
    ['HARD_REBOOT', ServerStatus.SERVER_STATUS_REBOOTING],
    ['REBUILD', ServerStatus.SERVER_STATUS_REBUILDING],
    ['RESIZE', ServerStatus.SERVER_STATUS_RESIZING],
    ['VERIFY_RESIZE', ServerStatus.SERVER_STATUS_RESIZING],
    ['REVERT_RESIZE', ServerStatus.SERVER_STATUS_RESIZING],
    ['MIGRATING', ServerStatus.SERVER_STATUS_MIGRATING],
    ['SHELVED', ServerStatus.SERVER_STATUS_SHELVED],
    ['SHELVED_OFFLOADED', ServerStatus.SERVER_STATUS_SHELVED],
    ['RESCUE', ServerStatus.SERVER_STATUS_RESCUED],
    ['DELETED', ServerStatus.SERVER_STATUS_DELETED],
    ['SOFT_DELETED', ServerStatus.SERVER_STATUS_DELETED],
    ['UNKNOWN', ServerStatus.SERVER_STATUS_UNKNOWN],
    ['SOMETHING_NEW', ServerStatus.SERVER_STATUS_UNKNOWN],
    ['active', ServerStatus.SERVER_STATUS_ACTIVE],
  ];
  for (const [word, status] of cases)
    test(`${word} → ${ServerStatus[status]}`, () => assert.equal(serverStatus(word), status));
  test('task_state deleting → DELETING', () => {
    assert.equal(serverStatus('ACTIVE', 'deleting'), ServerStatus.SERVER_STATUS_DELETING);
    assert.equal(serverStatus('DELETED', 'deleting'), ServerStatus.SERVER_STATUS_DELETED);
  });
  test('nova filter words', () => {
    assert.equal(novaStatusFilter(ServerStatus.SERVER_STATUS_STOPPED), 'SHUTOFF');
    assert.equal(novaStatusFilter(ServerStatus.SERVER_STATUS_RESIZING), undefined);
  });
});

describe('a normalized server is built whole (it is encoded without fromPartial)', () => {
  // The sparsest payload a cloud may send, and the two api-ref ones: each must encode as fromPartial's copy does.
  const payloads = { sparse: { id: 'x' }, mv21, mv279 };
  for (const [name, raw] of Object.entries(payloads))
    test(name, () => {
      const s = normalizeServer(raw, { route });
      const response = new WholeListResponse({ $case: 'server', value: s });
      assert.deepEqual(
        messageEncoder(ListServersResponse)(response),
        encodeMessage(ListServersResponse, ListServersResponse.fromPartial({ item: { $case: 'server', value: s } })),
      );
      // Every field fromPartial would fill in is there already.
      assert.deepEqual(Object.keys(s).sort(), Object.keys(Server.fromPartial({})).sort());
    });
});
