// Cinder v3 snapshots and backups in oaktree's normal form.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import {
  VolumeBackupStatus,
  VolumeSnapshotStatus,
  type VolumeBackup,
  type VolumeSnapshot,
  type VolumeType,
} from '../../../gen/oaktree/v1/volume.ts';
import { objectLocation } from './location.ts';
import { bool, int, str } from './network.ts';
import { extraProperties, stringMap } from './properties.ts';
import { parseTimestamp } from './time.ts';

const SNAPSHOT_STATUS: Record<string, VolumeSnapshotStatus> = {
  creating: VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_CREATING,
  available: VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_AVAILABLE,
  deleting: VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_DELETING,
  error: VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_ERROR,
  error_deleting: VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_ERROR,
  'backing-up': VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_BUSY,
  restoring: VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_BUSY,
  unmanaging: VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_BUSY,
};

const BACKUP_STATUS: Record<string, VolumeBackupStatus> = {
  creating: VolumeBackupStatus.VOLUME_BACKUP_STATUS_CREATING,
  available: VolumeBackupStatus.VOLUME_BACKUP_STATUS_AVAILABLE,
  deleting: VolumeBackupStatus.VOLUME_BACKUP_STATUS_DELETING,
  restoring: VolumeBackupStatus.VOLUME_BACKUP_STATUS_RESTORING,
  error: VolumeBackupStatus.VOLUME_BACKUP_STATUS_ERROR,
  error_deleting: VolumeBackupStatus.VOLUME_BACKUP_STATUS_ERROR,
  error_restoring: VolumeBackupStatus.VOLUME_BACKUP_STATUS_ERROR,
};

function statusOf<T>(table: Record<string, T>, value: unknown, unspecified: T, unknown: T): T {
  if (typeof value !== 'string' || value === '') return unspecified;
  return table[value.toLowerCase()] ?? unknown;
}

const SNAPSHOT_FIELDS = [
  'id',
  'name',
  'status',
  'volume_id',
  'size',
  'description',
  'metadata',
  'created_at',
  'updated_at',
  'os-extended-snapshot-attributes:project_id',
  'project_id',
  'links',
];

export function normalizeSnapshot(raw: Record<string, unknown>, route: Location): VolumeSnapshot {
  const owner = raw['os-extended-snapshot-attributes:project_id'];
  return {
    location: objectLocation(route, typeof owner === 'string' ? { ...raw, project_id: owner } : raw),
    id: str(raw.id),
    name: str(raw.name),
    status: statusOf(
      SNAPSHOT_STATUS,
      raw.status,
      VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_UNSPECIFIED,
      VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_UNKNOWN,
    ),
    cloudStatus: str(raw.status),
    volumeId: str(raw.volume_id),
    sizeGb: int(raw.size),
    description: str(raw.description),
    metadata: stringMap(raw.metadata),
    createTime: parseTimestamp(raw.created_at),
    updateTime: parseTimestamp(raw.updated_at),
    properties: extraProperties(raw, SNAPSHOT_FIELDS),
  };
}

const BACKUP_FIELDS = [
  'id',
  'name',
  'status',
  'volume_id',
  'snapshot_id',
  'size',
  'description',
  'is_incremental',
  'created_at',
  'availability_zone',
  'project_id',
  'links',
];

export function normalizeBackup(raw: Record<string, unknown>, route: Location): VolumeBackup {
  return {
    location: objectLocation(route, raw, str(raw.availability_zone)),
    id: str(raw.id),
    name: str(raw.name),
    status: statusOf(
      BACKUP_STATUS,
      raw.status,
      VolumeBackupStatus.VOLUME_BACKUP_STATUS_UNSPECIFIED,
      VolumeBackupStatus.VOLUME_BACKUP_STATUS_UNKNOWN,
    ),
    cloudStatus: str(raw.status),
    volumeId: str(raw.volume_id),
    snapshotId: str(raw.snapshot_id),
    sizeGb: int(raw.size),
    description: str(raw.description),
    isIncremental: bool(raw.is_incremental),
    createTime: parseTimestamp(raw.created_at),
    properties: extraProperties(raw, BACKUP_FIELDS),
  };
}

const TYPE_FIELDS = ['id', 'name', 'description', 'is_public', 'os-volume-type-access:is_public', 'extra_specs'];

export function normalizeVolumeType(raw: Record<string, unknown>, route: Location): VolumeType {
  const isPublic = raw.is_public ?? raw['os-volume-type-access:is_public'];
  return {
    location: { ...route, zone: '' },
    id: str(raw.id),
    name: str(raw.name),
    description: str(raw.description),
    isPublic: isPublic === undefined ? true : bool(isPublic),
    extraSpecs: stringMap(raw.extra_specs),
    properties: extraProperties(raw, TYPE_FIELDS),
  };
}
