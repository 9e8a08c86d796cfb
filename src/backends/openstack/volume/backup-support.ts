// Whether a region can back volumes up. Cinder says so only to admins (GET /os-services, admin-only in its
// default policy); clouds.yaml's `volume_backup_service: true|false` decides for everyone else.
import { VolumeBackupSupport } from '../../../gen/oaktree/v1/capabilities.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, OpenStackError } from '../transport/index.ts';

export interface BackupSupport {
  backups: VolumeBackupSupport;
  backupsReason: string;
}

const CONFIG_KEY = 'volume_backup_service';

export async function backupSupport(ctx: RegionContext, signal: AbortSignal): Promise<BackupSupport> {
  const configured = ctx.regionConfig.extra?.[CONFIG_KEY] ?? ctx.cloud.regions[0]?.extra?.[CONFIG_KEY];
  if (typeof configured === 'boolean') {
    return configured
      ? { backups: VolumeBackupSupport.VOLUME_BACKUP_SUPPORT_AVAILABLE, backupsReason: `clouds.yaml ${CONFIG_KEY}` }
      : { backups: VolumeBackupSupport.VOLUME_BACKUP_SUPPORT_ABSENT, backupsReason: `clouds.yaml ${CONFIG_KEY}` };
  }
  try {
    const res = await ctx.session.request('block-storage', ctx.region, {
      method: 'GET',
      path: '/os-services',
      query: { binary: 'cinder-backup' },
      signal,
    });
    const services = ((res.body as { services?: Array<Record<string, unknown>> })?.services ?? []).filter(
      (s) => s.binary === 'cinder-backup',
    );
    if (services.some((s) => s.state === 'up' && s.status === 'enabled'))
      return { backups: VolumeBackupSupport.VOLUME_BACKUP_SUPPORT_AVAILABLE, backupsReason: 'cinder-backup is up' };
    return {
      backups: VolumeBackupSupport.VOLUME_BACKUP_SUPPORT_ABSENT,
      backupsReason: services.length ? 'cinder-backup is down or disabled' : 'cinder-backup is not running',
    };
  } catch (error) {
    if (signal.aborted) throw error;
    const forbidden = error instanceof OpenStackError && error.grpcCode === GrpcStatus.PERMISSION_DENIED;
    return {
      backups: VolumeBackupSupport.VOLUME_BACKUP_SUPPORT_UNSPECIFIED,
      backupsReason: forbidden
        ? `only an admin may list the cloud's services; set ${CONFIG_KEY} in clouds.yaml`
        : `the cloud's service list could not be read`,
    };
  }
}
