// Glance v2 images in oaktree's normal form. Glance puts custom properties (os_distro, hw_*) at the top level of
// the image; they land in `properties` with any vendor field.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { ImageStatus, ImageVisibility, type Image } from '../../../gen/oaktree/v1/image.ts';
import { objectLocation } from './location.ts';
import { bool, int, str, strings } from './network.ts';
import { extraProperties } from './properties.ts';
import { parseTimestamp } from './time.ts';

const STATUS: Record<string, ImageStatus> = {
  queued: ImageStatus.IMAGE_STATUS_QUEUED,
  saving: ImageStatus.IMAGE_STATUS_SAVING,
  active: ImageStatus.IMAGE_STATUS_ACTIVE,
  killed: ImageStatus.IMAGE_STATUS_KILLED,
  deleted: ImageStatus.IMAGE_STATUS_DELETED,
  pending_delete: ImageStatus.IMAGE_STATUS_PENDING_DELETE,
  deactivated: ImageStatus.IMAGE_STATUS_DEACTIVATED,
  uploading: ImageStatus.IMAGE_STATUS_UPLOADING,
  importing: ImageStatus.IMAGE_STATUS_IMPORTING,
};

const VISIBILITY: Record<string, ImageVisibility> = {
  public: ImageVisibility.IMAGE_VISIBILITY_PUBLIC,
  private: ImageVisibility.IMAGE_VISIBILITY_PRIVATE,
  shared: ImageVisibility.IMAGE_VISIBILITY_SHARED,
  community: ImageVisibility.IMAGE_VISIBILITY_COMMUNITY,
};

export function imageStatus(value: unknown): ImageStatus {
  if (typeof value !== 'string' || value === '') return ImageStatus.IMAGE_STATUS_UNSPECIFIED;
  return STATUS[value.toLowerCase()] ?? ImageStatus.IMAGE_STATUS_UNKNOWN;
}

/** Glance's word for a status filter; undefined for "any". */
export function glanceStatusWord(status: ImageStatus): string | undefined {
  for (const [word, value] of Object.entries(STATUS)) if (value === status) return word;
  return undefined;
}

export function imageVisibility(value: unknown): ImageVisibility {
  return (typeof value === 'string' && VISIBILITY[value.toLowerCase()]) || ImageVisibility.IMAGE_VISIBILITY_UNSPECIFIED;
}

/** Glance's word for a visibility; undefined for "the cloud's default". */
export function glanceVisibilityWord(visibility: ImageVisibility): string | undefined {
  for (const [word, value] of Object.entries(VISIBILITY)) if (value === visibility) return word;
  return undefined;
}

const NORMALIZED = [
  'id',
  'name',
  'status',
  'disk_format',
  'container_format',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'visibility',
  'is_public',
  'protected',
  'min_disk',
  'min_ram',
  'tags',
  'created_at',
  'updated_at',
  'owner',
  'project_id',
  'tenant_id',
  // links, not properties
  'self',
  'file',
  'schema',
];

function bytes(value: unknown): bigint {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.trunc(value));
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return 0n;
}

export function normalizeImage(raw: Record<string, unknown>, route: Location): Image {
  const status = str(raw.status);
  // Glance v1-era clouds (and some proxies) still say is_public instead of visibility.
  const visibility =
    raw.visibility ?? (raw.is_public === undefined ? undefined : bool(raw.is_public) ? 'public' : 'private');
  return {
    location: objectLocation(route, raw),
    id: str(raw.id),
    name: str(raw.name),
    status: imageStatus(status),
    cloudStatus: status,
    diskFormat: str(raw.disk_format).toLowerCase(),
    containerFormat: str(raw.container_format).toLowerCase(),
    sizeBytes: bytes(raw.size),
    virtualSizeBytes: bytes(raw.virtual_size),
    md5: str(raw.checksum),
    hashAlgo: str(raw.os_hash_algo),
    hashValue: str(raw.os_hash_value),
    visibility: imageVisibility(visibility),
    isProtected: bool(raw.protected),
    minDiskGb: int(raw.min_disk),
    minRamMb: int(raw.min_ram),
    tags: strings(raw.tags),
    createTime: parseTimestamp(raw.created_at),
    updateTime: parseTimestamp(raw.updated_at),
    properties: extraProperties(raw, NORMALIZED),
  };
}
