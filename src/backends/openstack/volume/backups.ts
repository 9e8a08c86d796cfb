// Volume backups for one OpenStack region. They need Cinder's backup service; a cloud without one accepts the
// list (empty) but refuses a create with "Service cinder-backup could not be found" (404): that becomes
// FAILED_PRECONDITION saying the location has no backup service, not a NOT_FOUND about the volume.
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { normalizeBackup } from '../normalize/volume-snapshot.ts';
import { normalizeVolume } from '../normalize/volume.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import { VolumeBackupSupport } from '../../../gen/oaktree/v1/capabilities.ts';
import { backupSupport } from './backup-support.ts';
import { cinderGet, findVolumeRaw, waitDeadline, waitForVolume, waitUntil } from './cinder.ts';
import { cinderByNameOrIdOf, cinderGetOf, cinderListOf, findOf, REQUEST_ID_METADATA } from './collection.ts';
import { BACKUPS, failed, type Raw, SNAPSHOTS } from './status-feeds.ts';

/** Backup metadata (and so request_id idempotency) needs this Cinder microversion. */
const BACKUP_METADATA_MICROVERSION = '3.43';

const label = (b: Raw) => `backup ${b.name ? `${b.name} ` : ''}(${b.id})`;

const noService = (ctx: RegionContext, detail: string) =>
  new OaktreeError(
    GrpcStatus.FAILED_PRECONDITION,
    `${describeLocation(ctx.location)} has no volume backup service (${detail}); see ListCapabilities volume.backups`,
  );

/** Cinder's answers that mean "no backup service here", as FAILED_PRECONDITION for this location. */
function noBackupService(ctx: RegionContext, error: unknown): OaktreeError | undefined {
  const message = error instanceof OpenStackHttpError ? (error.serviceMessage ?? '') : '';
  return /cinder-backup|backup service/i.test(message) ? noService(ctx, 'cinder-backup is not running') : undefined;
}

/** A create retried with the same request id: the backup the first one made (metadata needs 3.43 to show). */
async function earlierBackup(ctx: RegionContext, requestId: string, signal: AbortSignal): Promise<Raw | undefined> {
  const res = await ctx.session.request('block-storage', ctx.region, {
    method: 'GET',
    path: '/backups/detail',
    headers: { 'OpenStack-API-Version': `volume ${BACKUP_METADATA_MICROVERSION}` },
    signal,
  });
  const backups = (res.body as { backups?: Raw[] })?.backups ?? [];
  return backups.find((b) => (b.metadata as Record<string, unknown> | undefined)?.[REQUEST_ID_METADATA] === requestId);
}

export function backupHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *listVolumeBackups(request, target, call) {
      const ctx = await resolve(target);
      const query = { volume_id: request.volumeId || undefined };
      const items = request.nameOrId
        ? cinderByNameOrIdOf(ctx, BACKUPS, request.nameOrId, query, call.signal)
        : cinderListOf(ctx, BACKUPS, query, call.signal);
      for await (const raw of items) yield normalizeBackup(raw, ctx.location);
    },

    async createVolumeBackup(request, target, call) {
      const ctx = await resolve(target);
      if (request.requestId) {
        const earlier = await earlierBackup(ctx, request.requestId, call.signal);
        if (earlier) return { backup: normalizeBackup(earlier, ctx.location) };
      }
      // Cinder takes a backup without a backup service and leaves it in error, undeletable: ask first.
      const support = await backupSupport(ctx, call.signal);
      if (support.backups === VolumeBackupSupport.VOLUME_BACKUP_SUPPORT_ABSENT)
        throw noService(ctx, `${support.backupsReason}; nothing was created`);
      const volume = await findVolumeRaw(ctx, request.volume, call.signal);
      if (volume.status === 'in-use' && !request.force) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `volume ${volume.name || ''} (${volume.id}) in ${describeLocation(ctx.location)} is in use; set force to back it up anyway`,
        );
      }
      const snapshot = request.snapshot ? await findOf(ctx, SNAPSHOTS, request.snapshot, call.signal) : undefined;
      let backup: Raw;
      try {
        const res = await ctx.session.request('block-storage', ctx.region, {
          method: 'POST',
          path: '/backups',
          headers: request.requestId
            ? { 'OpenStack-API-Version': `volume ${BACKUP_METADATA_MICROVERSION}` }
            : undefined,
          body: {
            backup: {
              volume_id: volume.id,
              name: request.name || undefined,
              description: request.description || undefined,
              incremental: request.incremental || undefined,
              force: request.force || undefined,
              snapshot_id: snapshot?.id,
              metadata: request.requestId ? { [REQUEST_ID_METADATA]: request.requestId } : undefined,
            },
          },
          signal: call.signal,
        });
        backup = (res.body as { backup: Raw }).backup;
      } catch (error) {
        throw noBackupService(ctx, error) ?? error;
      }
      // The create answer has only id, name and links; a cloud without the service has already failed it.
      backup = (await cinderGetOf(ctx, BACKUPS, String(backup.id), call.signal)) ?? backup;
      if (backup.status === 'error' && /service/i.test(String(backup.fail_reason ?? ''))) {
        throw noService(
          ctx,
          `the cloud recorded backup ${backup.id} in status error (${String(backup.fail_reason).slice(0, 120)}); without a backup service only an admin can remove it`,
        );
      }
      if (request.wait) {
        backup =
          (await waitUntil(
            ctx,
            BACKUPS,
            String(backup.id),
            'available',
            (b) =>
              !b
                ? `backup ${backup.id} disappeared while being created`
                : failed(b)
                  ? `backup ${backup.id} went to ${b.status} while being created; it is left for you to inspect or delete`
                  : b.status === 'available',
            call.signal,
            waitDeadline(call.deadline),
          )) ?? backup;
      }
      return { backup: normalizeBackup(backup, ctx.location) };
    },

    async restoreVolumeBackup(request, target, call) {
      const ctx = await resolve(target);
      const backup = await findOf(ctx, BACKUPS, request.nameOrId, call.signal);
      const into = request.volume ? await findVolumeRaw(ctx, request.volume, call.signal) : undefined;
      let restored: Raw;
      try {
        const res = await ctx.session.request('block-storage', ctx.region, {
          method: 'POST',
          path: `/backups/${encodeURIComponent(String(backup.id))}/restore`,
          body: { restore: { volume_id: into?.id, name: into ? undefined : request.name || undefined } },
          signal: call.signal,
        });
        restored = (res.body as { restore: Raw }).restore;
      } catch (error) {
        throw noBackupService(ctx, error) ?? error;
      }
      const volumeId = String(restored.volume_id);
      const volume = request.wait
        ? await waitForVolume(
            ctx,
            volumeId,
            'available',
            (v) =>
              !v
                ? `volume ${volumeId} disappeared while ${label(backup)} was restored to it`
                : failed(v)
                  ? `volume ${volumeId} went to ${v.status} while ${label(backup)} was restored to it`
                  : v.status === 'available',
            call.signal,
            waitDeadline(call.deadline),
          )
        : await cinderGet(ctx, volumeId, call.signal);
      return { volume: volume ? normalizeVolume(volume, ctx.location) : undefined };
    },

    async deleteVolumeBackup(request, target, call) {
      const ctx = await resolve(target);
      const backup = await findOf(ctx, BACKUPS, request.nameOrId, call.signal);
      const id = String(backup.id);
      try {
        await ctx.session.request('block-storage', ctx.region, {
          method: request.force ? 'POST' : 'DELETE',
          path: request.force ? `/backups/${encodeURIComponent(id)}/action` : `/backups/${encodeURIComponent(id)}`,
          body: request.force ? { 'os-force_delete': {} } : undefined,
          signal: call.signal,
        });
      } catch (error) {
        const missing = noBackupService(ctx, error);
        if (missing) throw missing;
        if (error instanceof OpenStackHttpError && error.status === 400) {
          throw new OaktreeError(
            GrpcStatus.FAILED_PRECONDITION,
            `${label(backup)} in ${describeLocation(ctx.location)} cannot be deleted now: ${error.serviceMessage ?? 'the cloud refused'}`,
          );
        }
        throw error;
      }
      if (request.wait) {
        await waitUntil(
          ctx,
          BACKUPS,
          id,
          'gone',
          (b) => (!b ? true : b.status === 'error_deleting' ? `backup ${id} went to error_deleting` : false),
          call.signal,
          waitDeadline(call.deadline, 10 * 60_000),
        );
      }
      return { location: normalizeBackup(backup, ctx.location).location, id };
    },
  };
}
