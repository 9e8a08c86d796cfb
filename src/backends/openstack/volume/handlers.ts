// VolumeService for one OpenStack region: Cinder volumes, attached and detached through Nova's
// os-volume_attachments (the way openstacksdk's attach_volume does it), with optional waits.
import { OaktreeError } from '../../../core/errors.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { describeLocation } from '../../../core/location.ts';
import { findImage } from '../image/find.ts';
import { findServerRaw } from '../compute/servers.ts';
import type { Raw } from '../network/neutron.ts';
import { objectLocation } from '../normalize/location.ts';
import { cinderStatusWords, normalizeVolume } from '../normalize/volume.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import { backupHandlers } from './backups.ts';
import { cinderListOf, findOf, REQUEST_ID_METADATA } from './collection.ts';
import { snapshotHandlers } from './snapshots.ts';
import { SNAPSHOTS } from './status-feeds.ts';
import { volumeChangeHandlers } from './volume-changes.ts';
import { volumeTypeHandlers } from './volume-types.ts';
import { cinderByNameOrId, cinderGet, cinderList, findVolumeRaw, waitDeadline, waitForVolume } from './cinder.ts';

export { REQUEST_ID_METADATA };
const CLEANUP_TIMEOUT_MS = 15_000;

const attachmentsOf = (v: Raw): Array<{ server_id?: string }> =>
  Array.isArray(v.attachments) ? (v.attachments as Array<{ server_id?: string }>) : [];

/** The error statuses a wait gives up on. */
const failed = (v: Raw | undefined): boolean => typeof v?.status === 'string' && v.status.startsWith('error');

async function deleteQuietly(ctx: RegionContext, id: string): Promise<boolean> {
  try {
    await ctx.session.request('block-storage', ctx.region, {
      method: 'DELETE',
      path: `/volumes/${encodeURIComponent(id)}`,
      signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS),
    });
    return true;
  } catch (error) {
    ctx.logger.error(
      { volume: id, err: (error as Error).message },
      'VOLUME LEAK: could not delete a volume that failed',
    );
    return false;
  }
}

async function earlierCreate(ctx: RegionContext, requestId: string, signal: AbortSignal): Promise<Raw | undefined> {
  for await (const v of cinderList(ctx, {}, signal)) {
    const meta = v.metadata as Record<string, unknown> | undefined;
    if (meta?.[REQUEST_ID_METADATA] === requestId) return v;
  }
  return undefined;
}

/** Cinder's 400 on a volume delete is about the volume's state: FAILED_PRECONDITION, naming its snapshots. */
async function deleteRefusal(
  ctx: RegionContext,
  volume: Raw,
  error: unknown,
  signal: AbortSignal,
): Promise<OaktreeError | undefined> {
  if (!(error instanceof OpenStackHttpError) || error.status !== 400) return undefined;
  const snapshots: string[] = [];
  for await (const s of cinderListOf(ctx, SNAPSHOTS, { volume_id: String(volume.id) }, signal))
    snapshots.push(String(s.id));
  const what = `volume ${volume.name || ''} (${volume.id}) in ${describeLocation(ctx.location)}`;
  return new OaktreeError(
    GrpcStatus.FAILED_PRECONDITION,
    snapshots.length
      ? `${what} has snapshots (${snapshots.slice(0, 5).join(', ')}${snapshots.length > 5 ? ', ...' : ''}); delete them first`
      : `${what} cannot be deleted now: ${error.serviceMessage ?? 'the cloud refused'}`,
  );
}

export function volumeHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    ...volumeChangeHandlers(resolve),
    ...snapshotHandlers(resolve),
    ...backupHandlers(resolve),
    ...volumeTypeHandlers(resolve),
    async *listVolumes(request, target, call) {
      const ctx = await resolve(target);
      const words = cinderStatusWords(request.status);
      // One word goes to Cinder; ERROR and BUSY stand for several, so those are filtered here.
      const query = { status: words.length === 1 ? words[0] : undefined };
      const volumes = request.nameOrId
        ? cinderByNameOrId(ctx, request.nameOrId, query, call.signal)
        : cinderList(ctx, query, call.signal);
      for await (const raw of volumes) {
        if (words.length > 1 && !words.includes(String(raw.status))) continue;
        yield normalizeVolume(raw, ctx.location);
      }
    },

    async createVolume(request, target, call) {
      const ctx = await resolve(target);
      if (request.requestId) {
        const earlier = await earlierCreate(ctx, request.requestId, call.signal);
        if (earlier) return { volume: normalizeVolume(earlier, ctx.location) };
      }
      const spec: Raw = {
        name: request.name || undefined,
        description: request.description || undefined,
        volume_type: request.volumeType || undefined,
      };
      // The API demands size_gb or an image; without a size, the image's minimum disk decides.
      let size = request.sizeGb;
      if (request.snapshot) {
        const snapshot = await findOf(ctx, SNAPSHOTS, request.snapshot, call.signal);
        spec.snapshot_id = snapshot.id;
        size ||= Number(snapshot.size);
      }
      if (request.sourceVolume) {
        const source = await findVolumeRaw(ctx, request.sourceVolume, call.signal);
        spec.source_volid = source.id;
        size ||= Number(source.size);
      }
      if (request.image) {
        const image = await findImage(ctx, request.image, call.signal);
        if (image.status !== 'active')
          throw new OaktreeError(
            GrpcStatus.FAILED_PRECONDITION,
            `image ${image.name} (${image.id}) is ${image.status}, not active`,
          );
        spec.imageRef = image.id;
        size ||= Math.max(1, image.minDiskGb);
      }
      spec.size = size;
      const zone = request.availabilityZone || request.location?.zone;
      if (zone) spec.availability_zone = zone;
      const metadata = {
        ...request.metadata,
        ...(request.requestId ? { [REQUEST_ID_METADATA]: request.requestId } : {}),
      };
      if (Object.keys(metadata).length) spec.metadata = metadata;
      const res = await ctx.session.request('block-storage', ctx.region, {
        method: 'POST',
        path: '/volumes',
        body: { volume: spec },
        signal: call.signal,
      });
      let volume = (res.body as { volume: Raw }).volume;
      if (!request.wait) return { volume: normalizeVolume(volume, ctx.location) };
      try {
        volume = (await waitForVolume(
          ctx,
          String(volume.id),
          'available',
          (v) =>
            !v
              ? `volume ${volume.id} disappeared while being created`
              : failed(v)
                ? `volume ${volume.id} went to ${v.status} while being created`
                : v.status === 'available',
          call.signal,
          waitDeadline(call.deadline),
        ))!;
      } catch (error) {
        if (!(error instanceof OaktreeError) || error.grpcCode !== GrpcStatus.ABORTED) throw error;
        const deleted = await deleteQuietly(ctx, String(volume.id));
        throw new OaktreeError(
          GrpcStatus.ABORTED,
          `${error.message}; ${deleted ? 'it was deleted' : 'deleting it failed: delete it by hand'}`,
        );
      }
      return { volume: normalizeVolume(volume, ctx.location) };
    },

    async deleteVolume(request, target, call) {
      const ctx = await resolve(target);
      const volume = await findVolumeRaw(ctx, request.nameOrId, call.signal);
      const servers = attachmentsOf(volume)
        .map((a) => a.server_id)
        .filter(Boolean);
      if (servers.length || volume.status === 'in-use') {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `volume ${volume.name || ''} (${volume.id}) is attached to ${servers.join(', ') || 'a server'}; detach it first`,
        );
      }
      try {
        await ctx.session.request('block-storage', ctx.region, {
          method: 'DELETE',
          path: `/volumes/${encodeURIComponent(String(volume.id))}`,
          signal: call.signal,
        });
      } catch (error) {
        throw (await deleteRefusal(ctx, volume, error, call.signal)) ?? error;
      }
      if (request.wait) {
        await waitForVolume(
          ctx,
          String(volume.id),
          'gone',
          (v) => (!v ? true : v.status === 'error_deleting' ? `volume ${volume.id} went to error_deleting` : false),
          call.signal,
          waitDeadline(call.deadline, 10 * 60_000),
        );
      }
      return {
        location: objectLocation(ctx.location, volume, String(volume.availability_zone ?? '')),
        id: String(volume.id),
      };
    },

    async attachVolume(request, target, call) {
      const ctx = await resolve(target);
      const volume = await findVolumeRaw(ctx, request.volume, call.signal);
      const server = await findServerRaw(ctx, request.server, call.signal);
      if (attachmentsOf(volume).some((a) => a.server_id === server.id))
        return { volume: normalizeVolume(volume, ctx.location) };
      if (volume.status !== 'available' && !(volume.multiattach === true && volume.status === 'in-use')) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `volume ${volume.name || ''} (${volume.id}) is ${volume.status}; only an available volume can be attached`,
        );
      }
      const serverZone = String(server['OS-EXT-AZ:availability_zone'] ?? '');
      if (
        serverZone &&
        volume.availability_zone &&
        serverZone !== volume.availability_zone &&
        ctx.regionConfig.extra?.cross_az_attach === false
      ) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `volume ${volume.id} is in zone ${volume.availability_zone}, server ${server.id} in ${serverZone}`,
        );
      }
      const attachment: Raw = { volumeId: volume.id };
      if (request.device) attachment.device = request.device;
      await ctx.session.request('compute', ctx.region, {
        method: 'POST',
        path: `/servers/${encodeURIComponent(String(server.id))}/os-volume_attachments`,
        body: { volumeAttachment: attachment },
        signal: call.signal,
      });
      const check = (v: Raw | undefined) =>
        !v
          ? `volume ${volume.id} disappeared while being attached`
          : failed(v)
            ? `volume ${volume.id} went to ${v.status} while being attached`
            : attachmentsOf(v).some((a) => a.server_id === server.id) && v.status === 'in-use';
      const after = request.wait
        ? await waitForVolume(
            ctx,
            String(volume.id),
            'in-use',
            check,
            call.signal,
            waitDeadline(call.deadline, 10 * 60_000),
          )
        : await cinderGet(ctx, String(volume.id), call.signal);
      return { volume: normalizeVolume(after ?? volume, ctx.location) };
    },

    async detachVolume(request, target, call) {
      const ctx = await resolve(target);
      const volume = await findVolumeRaw(ctx, request.volume, call.signal);
      const server = await findServerRaw(ctx, request.server, call.signal);
      if (!attachmentsOf(volume).some((a) => a.server_id === server.id)) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `volume ${volume.name || ''} (${volume.id}) is not attached to server ${server.name ?? ''} (${server.id}) in ${describeLocation(ctx.location)}`,
        );
      }
      await ctx.session.request('compute', ctx.region, {
        method: 'DELETE',
        path: `/servers/${encodeURIComponent(String(server.id))}/os-volume_attachments/${encodeURIComponent(String(volume.id))}`,
        signal: call.signal,
      });
      const check = (v: Raw | undefined) =>
        !v
          ? `volume ${volume.id} disappeared while being detached`
          : failed(v)
            ? `volume ${volume.id} went to ${v.status} while being detached`
            : !attachmentsOf(v).some((a) => a.server_id === server.id) && v.status !== 'detaching';
      const after = request.wait
        ? await waitForVolume(
            ctx,
            String(volume.id),
            'detached',
            check,
            call.signal,
            waitDeadline(call.deadline, 10 * 60_000),
          )
        : await cinderGet(ctx, String(volume.id), call.signal);
      return { volume: normalizeVolume(after ?? volume, ctx.location) };
    },
  };
}
