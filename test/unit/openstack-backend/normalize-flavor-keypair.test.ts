// Flavor, keypair, zone and compute-limit normalization on nova api-ref payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeypairType } from '../../../src/gen/oaktree/v1/compute.ts';
import type { Location } from '../../../src/gen/oaktree/v1/location.ts';
import { normalizeFlavor } from '../../../src/backends/openstack/normalize/flavor.ts';
import { normalizeKeypair } from '../../../src/backends/openstack/normalize/keypair.ts';
import { normalizeZones } from '../../../src/backends/openstack/normalize/zone.ts';
import { normalizeComputeLimits } from '../../../src/backends/openstack/normalize/limits.ts';

const route: Location = {
  cloud: 'c',
  region: 'r',
  zone: '',
  project: { id: 'p', name: 'demo', domainId: 'default', domainName: 'Default' },
};

test('flavor at 2.1: swap "" is 0, extension keys, rxtx_factor kept as a property', () => {
  const f = normalizeFlavor(
    {
      'OS-FLV-DISABLED:disabled': false,
      disk: 1,
      'OS-FLV-EXT-DATA:ephemeral': 0,
      'os-flavor-access:is_public': true,
      id: '1',
      links: [{ href: 'http://x/flavors/1', rel: 'self' }],
      name: 'm1.tiny',
      ram: 512,
      swap: '',
      vcpus: 1,
      rxtx_factor: 1.0,
    },
    route,
    { 'hw:cpu_policy': 'dedicated' },
  );
  assert.deepEqual(
    { ...f, location: undefined },
    {
      location: undefined,
      id: '1',
      name: 'm1.tiny',
      vcpus: 1,
      ramMb: 512,
      diskGb: 1,
      ephemeralGb: 0,
      swapMb: 0,
      isPublic: true,
      isDisabled: false,
      description: '',
      extraSpecs: { 'hw:cpu_policy': 'dedicated' },
      properties: { rxtx_factor: '1' },
    },
  );
  assert.deepEqual(f.location, route);
});

test('flavor at 2.75: numeric swap, description and embedded extra specs; private flavor', () => {
  const f = normalizeFlavor(
    {
      id: '7',
      name: 'gpu',
      ram: 65536,
      disk: 0,
      vcpus: 16,
      swap: 1024,
      'OS-FLV-EXT-DATA:ephemeral': 10,
      'os-flavor-access:is_public': false,
      'OS-FLV-DISABLED:disabled': true,
      description: 'GPU box',
      extra_specs: { 'pci_passthrough:alias': 'a100:1', 'quota:x': 3 },
    },
    route,
  );
  assert.equal(f.swapMb, 1024);
  assert.equal(f.ephemeralGb, 10);
  assert.equal(f.isPublic, false);
  assert.equal(f.isDisabled, true);
  assert.equal(f.description, 'GPU box');
  assert.deepEqual(f.extraSpecs, { 'pci_passthrough:alias': 'a100:1', 'quota:x': '3' });
});

test('keypair: list entry wrapper, created_at without zone, type at 2.2+, none before', () => {
  const k = normalizeKeypair(
    {
      keypair: {
        fingerprint: '7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd',
        name: 'keypair-5d935425',
        type: 'ssh',
        public_key: 'ssh-rsa AAAA Generated-by-Nova',
        created_at: '2014-05-07T12:06:13.681238',
        user_id: 'fake',
      },
    },
    route,
  );
  assert.equal(k.name, 'keypair-5d935425');
  assert.equal(k.type, KeypairType.KEYPAIR_TYPE_SSH);
  assert.equal(k.createTime?.toISOString(), '2014-05-07T12:06:13.681Z');
  assert.deepEqual(k.properties, { user_id: 'fake' });
  assert.equal(
    normalizeKeypair({ name: 'old', public_key: 'x', fingerprint: 'f' }, route).type,
    KeypairType.KEYPAIR_TYPE_SSH,
  );
  assert.equal(normalizeKeypair({ name: 'c', type: 'x509' }, route).type, KeypairType.KEYPAIR_TYPE_X509);
});

test('zones: internal is left out, unavailable zones are kept and say so', () => {
  const zones = normalizeZones(
    {
      availabilityZoneInfo: [
        { zoneName: 'internal', zoneState: { available: true }, hosts: {} },
        { zoneName: 'az1', zoneState: { available: true }, hosts: null },
        { zoneName: 'az2', zoneState: { available: false }, hosts: null },
      ],
    },
    route,
  );
  assert.deepEqual(
    zones.map((z) => [z.name, z.available, z.location?.zone]),
    [
      ['az1', true, 'az1'],
      ['az2', false, 'az2'],
    ],
  );
  assert.deepEqual(normalizeZones({}, route), []);
});

test('compute limits: named fields, -1 unlimited kept, the rest as properties', () => {
  const { compute, properties } = normalizeComputeLimits({
    limits: {
      rate: [],
      absolute: {
        maxTotalInstances: -1,
        totalInstancesUsed: 3,
        maxTotalCores: 20,
        totalCoresUsed: 6,
        maxTotalRAMSize: 51200,
        totalRAMUsed: 1536,
        maxTotalKeypairs: 100,
        maxServerMeta: 128,
        maxServerGroups: 10,
        totalServerGroupsUsed: 1,
        maxServerGroupMembers: 10,
        maxPersonality: 5,
      },
    },
  });
  assert.deepEqual(compute, {
    maxInstances: -1,
    usedInstances: 3,
    maxCores: 20,
    usedCores: 6,
    maxRamMb: 51200,
    usedRamMb: 1536,
    maxKeypairs: 100,
    maxServerGroups: 10,
    usedServerGroups: 1,
    maxMetadataItems: 128,
  });
  assert.deepEqual(properties, { 'compute.maxServerGroupMembers': '10', 'compute.maxPersonality': '5' });
});
