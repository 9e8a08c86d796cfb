// How snapshots, backups, volume types, image members, projects and callers look in a table and as JSON.
import { Caller, IdentityProject } from '../../gen/oaktree/v1/identity.ts';
import { ImageMember, ImageMemberStatus } from '../../gen/oaktree/v1/image.ts';
import type { Location } from '../../gen/oaktree/v1/location.ts';
import {
  VolumeBackup,
  VolumeBackupStatus,
  VolumeSnapshot,
  VolumeSnapshotStatus,
  VolumeType,
} from '../../gen/oaktree/v1/volume.ts';
import type { View } from './output.ts';

/** An enum value without its prefix, lower case: VOLUME_SNAPSHOT_STATUS_AVAILABLE -> available. */
function short(names: Record<number, string>, prefix: string, value: number): string {
  const name = names[value];
  return typeof name === 'string' ? name.replace(prefix, '').toLowerCase() : String(value);
}

const cloud = { header: 'CLOUD', value: (o: { location?: Location | undefined }) => o.location?.cloud };
const region = { header: 'REGION', value: (o: { location?: Location | undefined }) => o.location?.region };

export const snapshotView: View<VolumeSnapshot> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (s) => s.name },
    { header: 'STATUS', value: (s) => short(VolumeSnapshotStatus, 'VOLUME_SNAPSHOT_STATUS_', s.status) },
    { header: 'SIZE', value: (s) => `${s.sizeGb} GiB` },
    { header: 'VOLUME', value: (s) => s.volumeId },
    { header: 'ID', value: (s) => s.id },
  ],
  toJSON: (s) => VolumeSnapshot.toJSON(s),
};

export const backupView: View<VolumeBackup> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (b) => b.name },
    { header: 'STATUS', value: (b) => short(VolumeBackupStatus, 'VOLUME_BACKUP_STATUS_', b.status) },
    { header: 'SIZE', value: (b) => `${b.sizeGb} GiB` },
    { header: 'VOLUME', value: (b) => b.volumeId },
    { header: 'INCREMENTAL', value: (b) => (b.isIncremental ? 'yes' : 'no') },
    { header: 'ID', value: (b) => b.id },
  ],
  toJSON: (b) => VolumeBackup.toJSON(b),
};

export const volumeTypeView: View<VolumeType> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (t) => t.name },
    { header: 'PUBLIC', value: (t) => (t.isPublic ? 'yes' : 'no') },
    { header: 'DESCRIPTION', value: (t) => t.description },
    { header: 'ID', value: (t) => t.id },
  ],
  toJSON: (t) => VolumeType.toJSON(t),
};

export const imageMemberView: View<ImageMember> = {
  columns: [
    cloud,
    region,
    { header: 'IMAGE', value: (m) => m.imageId },
    { header: 'MEMBER', value: (m) => m.memberId },
    { header: 'STATUS', value: (m) => short(ImageMemberStatus, 'IMAGE_MEMBER_STATUS_', m.status) },
  ],
  toJSON: (m) => ImageMember.toJSON(m),
};

export const projectView: View<IdentityProject> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (p) => p.name },
    { header: 'ID', value: (p) => p.id },
    { header: 'DOMAIN', value: (p) => p.domainId },
    { header: 'ENABLED', value: (p) => (p.isEnabled ? 'yes' : 'no') },
    { header: 'CURRENT', value: (p) => (p.isCurrent ? '*' : '') },
  ],
  toJSON: (p) => IdentityProject.toJSON(p),
};

export const callerView: View<Caller> = {
  columns: [
    cloud,
    region,
    { header: 'USER', value: (c) => c.userName || c.userId },
    { header: 'PROJECT', value: (c) => c.location?.project?.name || c.location?.project?.id },
    { header: 'ROLES', value: (c) => c.roles.join(', ') },
    { header: 'TOKEN EXPIRES', value: (c) => c.tokenExpireTime?.toISOString() },
  ],
  toJSON: (c) => Caller.toJSON(c),
};
