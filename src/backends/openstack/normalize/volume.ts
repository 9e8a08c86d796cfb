// Cinder v3 volumes in oaktree's normal form. The zone of a volume's location is its availability zone.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { VolumeStatus, type Volume, type VolumeAttachment } from '../../../gen/oaktree/v1/volume.ts';
import { objectLocation } from './location.ts';
import { bool, int, str } from './network.ts';
import { extraProperties, stringMap } from './properties.ts';
import { parseTimestamp } from './time.ts';

const STATUS: Record<string, VolumeStatus> = {
  creating: VolumeStatus.VOLUME_STATUS_CREATING,
  available: VolumeStatus.VOLUME_STATUS_AVAILABLE,
  reserved: VolumeStatus.VOLUME_STATUS_ATTACHING,
  attaching: VolumeStatus.VOLUME_STATUS_ATTACHING,
  'in-use': VolumeStatus.VOLUME_STATUS_IN_USE,
  detaching: VolumeStatus.VOLUME_STATUS_DETACHING,
  deleting: VolumeStatus.VOLUME_STATUS_DELETING,
  error: VolumeStatus.VOLUME_STATUS_ERROR,
  error_deleting: VolumeStatus.VOLUME_STATUS_ERROR,
  error_backing_up: VolumeStatus.VOLUME_STATUS_ERROR,
  error_restoring: VolumeStatus.VOLUME_STATUS_ERROR,
  error_extending: VolumeStatus.VOLUME_STATUS_ERROR,
  error_managing: VolumeStatus.VOLUME_STATUS_ERROR,
  extending: VolumeStatus.VOLUME_STATUS_BUSY,
  'backing-up': VolumeStatus.VOLUME_STATUS_BUSY,
  'restoring-backup': VolumeStatus.VOLUME_STATUS_BUSY,
  downloading: VolumeStatus.VOLUME_STATUS_BUSY,
  uploading: VolumeStatus.VOLUME_STATUS_BUSY,
  retyping: VolumeStatus.VOLUME_STATUS_BUSY,
  maintenance: VolumeStatus.VOLUME_STATUS_BUSY,
  'awaiting-transfer': VolumeStatus.VOLUME_STATUS_BUSY,
  managing: VolumeStatus.VOLUME_STATUS_BUSY,
  reverting: VolumeStatus.VOLUME_STATUS_BUSY,
};

export function volumeStatus(value: unknown): VolumeStatus {
  if (typeof value !== 'string' || value === '') return VolumeStatus.VOLUME_STATUS_UNSPECIFIED;
  return STATUS[value.toLowerCase()] ?? VolumeStatus.VOLUME_STATUS_UNKNOWN;
}

/** Cinder's words for a status filter (several for ERROR and BUSY); empty for "any". */
export function cinderStatusWords(status: VolumeStatus): string[] {
  return Object.entries(STATUS)
    .filter(([, value]) => value === status)
    .map(([word]) => word);
}

const NORMALIZED = [
  'id',
  'name',
  'status',
  'size',
  'volume_type',
  'bootable',
  'multiattach',
  'attachments',
  'description',
  'volume_image_metadata',
  'metadata',
  'created_at',
  'updated_at',
  'availability_zone',
  'os-vol-tenant-attr:tenant_id',
  'project_id',
  'tenant_id',
  'links',
];

function attachments(value: unknown): VolumeAttachment[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((a): a is Record<string, unknown> => !!a && typeof a === 'object')
    .map((a) => ({
      serverId: str(a.server_id),
      device: str(a.device),
      attachmentId: str(a.attachment_id) || str(a.id),
    }));
}

export function normalizeVolume(raw: Record<string, unknown>, route: Location): Volume {
  const status = str(raw.status);
  const imageMeta = raw.volume_image_metadata as Record<string, unknown> | undefined;
  return {
    location: objectLocation(route, raw, str(raw.availability_zone)),
    id: str(raw.id),
    name: str(raw.name),
    status: volumeStatus(status),
    cloudStatus: status,
    sizeGb: int(raw.size),
    volumeType: str(raw.volume_type),
    isBootable: bool(raw.bootable),
    isMultiattach: bool(raw.multiattach),
    attachments: attachments(raw.attachments),
    description: str(raw.description),
    sourceImageId: imageMeta && typeof imageMeta === 'object' ? str(imageMeta.image_id) : '',
    metadata: stringMap(raw.metadata),
    createTime: parseTimestamp(raw.created_at),
    updateTime: parseTimestamp(raw.updated_at),
    properties: extraProperties(raw, NORMALIZED),
  };
}
