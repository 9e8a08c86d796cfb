// Volume normalizer on Cinder api-ref payloads, status words both ways, and Cinder limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VolumeStatus } from '../../../src/gen/oaktree/v1/volume.ts';
import { cinderStatusWords, normalizeVolume, volumeStatus } from '../../../src/backends/openstack/normalize/volume.ts';
import { volumeLimitsFrom } from '../../../src/backends/openstack/volume/limits.ts';

const route = {
  cloud: 'c1',
  region: 'RegionOne',
  zone: '',
  project: { id: '0c2eba2c5af04d3f9e9d0d410b371fde', name: 'demo', domainId: 'default', domainName: 'Default' },
};

// Cinder api-ref "Show a volume's details" (3.x), attached.
const volume = {
  attachments: [
    {
      server_id: 'f4fda93b-06e0-4743-8117-bc8bcecd651b',
      attachment_id: '3b8b6631-1cf7-4fd7-9afb-c01e541a073c',
      attached_at: '2017-02-11T11:24:46.000000',
      host_name: null,
      volume_id: '6edbc2f4-1507-44f8-ac0d-eed1d2608d38',
      device: '/dev/vdb',
      id: '6edbc2f4-1507-44f8-ac0d-eed1d2608d38',
    },
  ],
  availability_zone: 'nova',
  bootable: 'false',
  consistencygroup_id: null,
  created_at: '2018-11-29T06:50:07.770785',
  description: null,
  encrypted: false,
  id: '6edbc2f4-1507-44f8-ac0d-eed1d2608d38',
  links: [{ href: 'http://127.0.0.1:45839/v3/0c2eba2c5af04d3f9e9d0d410b371fde/volumes/6edbc2f4', rel: 'self' }],
  metadata: { readonly: false, attached_mode: 'rw' },
  migration_status: null,
  multiattach: false,
  name: null,
  'os-vol-host-attr:host': 'compute-1',
  'os-vol-mig-status-attr:migstat': null,
  'os-vol-mig-status-attr:name_id': null,
  'os-vol-tenant-attr:tenant_id': '0c2eba2c5af04d3f9e9d0d410b371fde',
  replication_status: null,
  size: 10,
  snapshot_id: null,
  source_volid: null,
  status: 'in-use',
  updated_at: '2018-11-29T06:50:09.000000',
  user_id: 'c853ca26e8f8490fb3ff7f0ad6df8a44',
  volume_image_metadata: {
    checksum: 'eb9139e4942121f22bbc2afc0400b2a4',
    image_id: '5a3d2d7b-3a59-4b2f-a2c5-0f0d8b3b9f1e',
    image_name: 'cirros',
  },
  volume_type: 'lvmdriver-1',
  group_id: null,
  provider_id: null,
  service_uuid: null,
  shared_targets: true,
  cluster_name: null,
  volume_type_id: 'd6f2c5bd',
};

test('volume: zone from availability_zone, project from the tenant attribute, attachments, string booleans, metadata as strings', () => {
  const v = normalizeVolume(volume, route);
  assert.deepEqual(v.location, { ...route, zone: 'nova' });
  assert.equal(v.status, VolumeStatus.VOLUME_STATUS_IN_USE);
  assert.equal(v.cloudStatus, 'in-use');
  assert.equal(v.sizeGb, 10);
  assert.equal(v.volumeType, 'lvmdriver-1');
  assert.equal(v.isBootable, false);
  assert.equal(v.isMultiattach, false);
  assert.deepEqual(v.attachments, [
    {
      serverId: 'f4fda93b-06e0-4743-8117-bc8bcecd651b',
      device: '/dev/vdb',
      attachmentId: '3b8b6631-1cf7-4fd7-9afb-c01e541a073c',
    },
  ]);
  assert.equal(v.name, '');
  assert.equal(v.description, '');
  assert.equal(v.sourceImageId, '5a3d2d7b-3a59-4b2f-a2c5-0f0d8b3b9f1e');
  assert.deepEqual(v.metadata, { readonly: 'false', attached_mode: 'rw' });
  assert.equal(v.createTime?.toISOString(), '2018-11-29T06:50:07.770Z');
  assert.equal(v.properties['os-vol-host-attr:host'], 'compute-1');
  assert.equal(v.properties.encrypted, 'false');
  assert.equal(v.properties.links, undefined);
  assert.equal(normalizeVolume({ ...volume, bootable: 'true' }, route).isBootable, true);
});

test('volume statuses: every cinder word has a place, several words per ERROR and BUSY for filters', () => {
  assert.equal(volumeStatus('reserved'), VolumeStatus.VOLUME_STATUS_ATTACHING);
  assert.equal(volumeStatus('error_deleting'), VolumeStatus.VOLUME_STATUS_ERROR);
  assert.equal(volumeStatus('backing-up'), VolumeStatus.VOLUME_STATUS_BUSY);
  assert.equal(volumeStatus('retyping'), VolumeStatus.VOLUME_STATUS_BUSY);
  assert.equal(volumeStatus('something-new'), VolumeStatus.VOLUME_STATUS_UNKNOWN);
  assert.equal(volumeStatus(''), VolumeStatus.VOLUME_STATUS_UNSPECIFIED);
  assert.deepEqual(cinderStatusWords(VolumeStatus.VOLUME_STATUS_AVAILABLE), ['available']);
  assert.ok(cinderStatusWords(VolumeStatus.VOLUME_STATUS_ERROR).includes('error_extending'));
  assert.deepEqual(cinderStatusWords(VolumeStatus.VOLUME_STATUS_UNSPECIFIED), []);
});

test('volume limits from the api-ref absolute limits', () => {
  const limits = volumeLimitsFrom({
    totalSnapshotsUsed: 0,
    maxTotalBackups: 10,
    maxTotalVolumeGigabytes: 1000,
    maxTotalSnapshots: 10,
    maxTotalBackupGigabytes: 1000,
    totalBackupGigabytesUsed: 0,
    maxTotalVolumes: -1,
    totalVolumesUsed: 2,
    totalBackupsUsed: 1,
    totalGigabytesUsed: 20,
  });
  assert.deepEqual(limits, {
    maxVolumes: -1,
    usedVolumes: 2,
    maxGigabytes: 1000,
    usedGigabytes: 20,
    maxSnapshots: 10,
    usedSnapshots: 0,
    maxBackups: 10,
    usedBackups: 1,
  });
});
