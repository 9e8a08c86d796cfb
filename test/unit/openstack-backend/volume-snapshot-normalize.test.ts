// Cinder snapshots, backups and volume types in oaktree's normal form: statuses, owners, vendor fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  normalizeBackup,
  normalizeSnapshot,
  normalizeVolumeType,
} from '../../../src/backends/openstack/normalize/volume-snapshot.ts';
import { VolumeBackupStatus, VolumeSnapshotStatus } from '../../../src/gen/oaktree/v1/volume.ts';

const route = {
  cloud: 'c',
  region: 'r',
  zone: '',
  project: { id: 'p1', name: 'demo', domainId: 'default', domainName: 'Default' },
};

test('snapshot: statuses, size, owner from the extended attribute, progress kept as a property', () => {
  const raw = {
    id: 's1',
    name: 'snap',
    status: 'backing-up',
    volume_id: 'v1',
    size: 3,
    metadata: { a: 'b' },
    created_at: '2026-12-04T17:49:41.000000',
    'os-extended-snapshot-attributes:project_id': 'other',
    'os-extended-snapshot-attributes:progress': '100%',
  };
  const s = normalizeSnapshot(raw, route);
  assert.equal(s.status, VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_BUSY);
  assert.equal(s.cloudStatus, 'backing-up');
  assert.equal(s.sizeGb, 3);
  assert.equal(s.location?.project?.id, 'other');
  assert.equal(s.location?.project?.name, '', "another project's name is not known");
  assert.equal(s.properties['os-extended-snapshot-attributes:progress'], '100%');
  assert.equal(s.createTime?.toISOString(), '2026-12-04T17:49:41.000Z');
  assert.equal(
    normalizeSnapshot({ status: 'error_deleting' }, route).status,
    VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_ERROR,
  );
  assert.equal(
    normalizeSnapshot({ status: 'weird' }, route).status,
    VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_UNKNOWN,
  );
  assert.equal(normalizeSnapshot({}, route).status, VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_UNSPECIFIED);
});

test('backup: zone from its availability zone, incremental flag, fail reason kept as a property', () => {
  const b = normalizeBackup(
    {
      id: 'b1',
      status: 'error',
      availability_zone: 'nova',
      is_incremental: true,
      volume_id: 'v1',
      size: 1,
      fail_reason: 'Service not found for creating backup.',
    },
    route,
  );
  assert.equal(b.status, VolumeBackupStatus.VOLUME_BACKUP_STATUS_ERROR);
  assert.equal(b.location?.zone, 'nova');
  assert.equal(b.isIncremental, true);
  assert.equal(b.properties.fail_reason, 'Service not found for creating backup.');
  assert.equal(
    normalizeBackup({ status: 'restoring' }, route).status,
    VolumeBackupStatus.VOLUME_BACKUP_STATUS_RESTORING,
  );
});

test('volume type: region level, public unless it says otherwise, extra specs as strings', () => {
  const t = normalizeVolumeType({ id: 't', name: 'fast', extra_specs: { iops: '1000' } }, { ...route, zone: 'z' });
  assert.equal(t.location?.zone, '');
  assert.equal(t.isPublic, true);
  assert.deepEqual(t.extraSpecs, { iops: '1000' });
  assert.equal(normalizeVolumeType({ 'os-volume-type-access:is_public': false }, route).isPublic, false);
});
