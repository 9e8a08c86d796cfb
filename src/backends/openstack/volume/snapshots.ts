// Volume snapshots for one OpenStack region: list, create (optionally waiting), update, delete (optionally
// forced and waited for), with Cinder's refusals turned into messages that name the snapshot and location.
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { normalizeSnapshot } from '../normalize/volume-snapshot.ts';
import type { RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import { mergeMetadata } from './actions.ts';
import { findVolumeRaw, waitDeadline, waitUntil } from './cinder.ts';
import {
  cinderByNameOrIdOf,
  cinderGetOf,
  cinderListOf,
  earlierCreateOf,
  findOf,
  REQUEST_ID_METADATA,
} from './collection.ts';
import { failed, type Raw, SNAPSHOTS } from './status-feeds.ts';

const label = (s: Raw) => `snapshot ${s.name ? `${s.name} ` : ''}(${s.id})`;

export function snapshotHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *listVolumeSnapshots(request, target, call) {
      const ctx = await resolve(target);
      const query = { volume_id: request.volumeId || undefined };
      const items = request.nameOrId
        ? cinderByNameOrIdOf(ctx, SNAPSHOTS, request.nameOrId, query, call.signal)
        : cinderListOf(ctx, SNAPSHOTS, query, call.signal);
      for await (const raw of items) yield normalizeSnapshot(raw, ctx.location);
    },

    async createVolumeSnapshot(request, target, call) {
      const ctx = await resolve(target);
      if (request.requestId) {
        const earlier = await earlierCreateOf(ctx, SNAPSHOTS, REQUEST_ID_METADATA, request.requestId, call.signal);
        if (earlier) return { snapshot: normalizeSnapshot(earlier, ctx.location) };
      }
      const volume = await findVolumeRaw(ctx, request.volume, call.signal);
      if (volume.status === 'in-use' && !request.force) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `volume ${volume.name || ''} (${volume.id}) in ${describeLocation(ctx.location)} is in use; set force to snapshot it anyway`,
        );
      }
      const metadata = {
        ...request.metadata,
        ...(request.requestId ? { [REQUEST_ID_METADATA]: request.requestId } : {}),
      };
      const res = await ctx.session.request('block-storage', ctx.region, {
        method: 'POST',
        path: '/snapshots',
        body: {
          snapshot: {
            volume_id: volume.id,
            name: request.name || undefined,
            description: request.description || undefined,
            force: request.force || undefined,
            metadata: Object.keys(metadata).length ? metadata : undefined,
          },
        },
        signal: call.signal,
      });
      let snapshot = (res.body as { snapshot: Raw }).snapshot;
      if (request.wait) {
        snapshot =
          (await waitUntil(
            ctx,
            SNAPSHOTS,
            String(snapshot.id),
            'available',
            (s) =>
              !s
                ? `snapshot ${snapshot.id} disappeared while being created`
                : failed(s)
                  ? `snapshot ${snapshot.id} went to ${s.status} while being created; it is left for you to inspect or delete`
                  : s.status === 'available',
            call.signal,
            waitDeadline(call.deadline),
          )) ?? snapshot;
      }
      return { snapshot: normalizeSnapshot(snapshot, ctx.location) };
    },

    async updateVolumeSnapshot(request, target, call) {
      const ctx = await resolve(target);
      const snapshot = await findOf(ctx, SNAPSHOTS, request.nameOrId, call.signal);
      const id = String(snapshot.id);
      const fields: Raw = {};
      if (request.name !== undefined) fields.name = request.name;
      if (request.description !== undefined) fields.description = request.description;
      if (Object.keys(fields).length) {
        await ctx.session.request('block-storage', ctx.region, {
          method: 'PUT',
          path: `/snapshots/${encodeURIComponent(id)}`,
          body: { snapshot: fields },
          signal: call.signal,
        });
      }
      if (Object.keys(request.metadata).length)
        await mergeMetadata(ctx, 'snapshots', id, request.metadata, call.signal);
      const after = (await cinderGetOf(ctx, SNAPSHOTS, id, call.signal)) ?? snapshot;
      return { snapshot: normalizeSnapshot(after, ctx.location) };
    },

    async deleteVolumeSnapshot(request, target, call) {
      const ctx = await resolve(target);
      const snapshot = await findOf(ctx, SNAPSHOTS, request.nameOrId, call.signal);
      const id = String(snapshot.id);
      try {
        await ctx.session.request('block-storage', ctx.region, {
          method: request.force ? 'POST' : 'DELETE',
          path: request.force ? `/snapshots/${encodeURIComponent(id)}/action` : `/snapshots/${encodeURIComponent(id)}`,
          body: request.force ? { 'os-force_delete': {} } : undefined,
          signal: call.signal,
        });
      } catch (error) {
        // Cinder answers 400 for a snapshot that volumes depend on or that is busy: the caller's precondition.
        if (error instanceof OpenStackHttpError && error.status === 400) {
          throw new OaktreeError(
            GrpcStatus.FAILED_PRECONDITION,
            `${label(snapshot)} in ${describeLocation(ctx.location)} cannot be deleted now: ${error.serviceMessage ?? 'the cloud refused'}`,
          );
        }
        throw error;
      }
      if (request.wait) {
        await waitUntil(
          ctx,
          SNAPSHOTS,
          id,
          'gone',
          (s) => (!s ? true : s.status === 'error_deleting' ? `snapshot ${id} went to error_deleting` : false),
          call.signal,
          waitDeadline(call.deadline, 10 * 60_000),
        );
      }
      return { location: normalizeSnapshot(snapshot, ctx.location).location, id };
    },
  };
}
