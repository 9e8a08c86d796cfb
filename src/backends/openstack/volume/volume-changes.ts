// UpdateVolume, ExtendVolume, RetypeVolume and WaitForVolume for one OpenStack region. The router has found
// the volume already (a follow-up): name_or_id is its id.
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { VolumeStatus } from '../../../gen/oaktree/v1/volume.ts';
import { normalizeVolume, volumeStatus } from '../normalize/volume.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { mergeMetadata, ONLINE_EXTEND_MICROVERSION, putVolume, removeMetadataKey, volumeAction } from './actions.ts';
import { cinderGet, findVolumeRaw, waitDeadline, waitForVolume } from './cinder.ts';
import { failed, type Raw } from './status-feeds.ts';

const name = (v: Raw) => `volume ${v.name ? `${v.name} ` : ''}(${v.id})`;

/** Where a volume rests after a change: available, or in-use when attached. */
const settled = (v: Raw | undefined, what: string): true | false | string =>
  !v
    ? `the volume disappeared while ${what}`
    : failed(v)
      ? `volume ${v.id} went to ${v.status} while ${what}`
      : v.status === 'available' || v.status === 'in-use';

async function fresh(ctx: RegionContext, volume: Raw, signal: AbortSignal): Promise<Raw> {
  return (await cinderGet(ctx, String(volume.id), signal)) ?? volume;
}

export function volumeChangeHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async updateVolume(request, target, call) {
      const ctx = await resolve(target);
      const volume = await findVolumeRaw(ctx, request.nameOrId, call.signal);
      const id = String(volume.id);
      const fields: Raw = {};
      if (request.name !== undefined) fields.name = request.name;
      if (request.description !== undefined) fields.description = request.description;
      if (Object.keys(fields).length) await putVolume(ctx, id, fields, call.signal);
      if (Object.keys(request.metadata).length) await mergeMetadata(ctx, 'volumes', id, request.metadata, call.signal);
      const current = (volume.metadata ?? {}) as Record<string, unknown>;
      for (const key of request.removeMetadata) {
        if (key in current) await removeMetadataKey(ctx, id, key, call.signal);
      }
      if (request.isBootable !== undefined)
        await volumeAction(ctx, id, { 'os-set_bootable': { bootable: request.isBootable } }, call.signal);
      if (request.isReadOnly !== undefined)
        await volumeAction(ctx, id, { 'os-update_readonly_flag': { readonly: request.isReadOnly } }, call.signal);
      return { volume: normalizeVolume(await fresh(ctx, volume, call.signal), ctx.location) };
    },

    async extendVolume(request, target, call) {
      const ctx = await resolve(target);
      const volume = await findVolumeRaw(ctx, request.nameOrId, call.signal);
      const size = Number(volume.size ?? 0);
      if (request.sizeGb <= size) {
        throw new OaktreeError(
          GrpcStatus.INVALID_ARGUMENT,
          `${name(volume)} in ${describeLocation(ctx.location)} is ${size} GiB; size_gb must be larger (volumes only grow)`,
        );
      }
      if (volume.status !== 'available' && volume.status !== 'in-use') {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `${name(volume)} in ${describeLocation(ctx.location)} is ${volume.status}; only an available or in-use volume can be extended`,
        );
      }
      const online = volume.status === 'in-use' ? ONLINE_EXTEND_MICROVERSION : undefined;
      await volumeAction(ctx, String(volume.id), { 'os-extend': { new_size: request.sizeGb } }, call.signal, online);
      const after = request.wait
        ? await waitForVolume(
            ctx,
            String(volume.id),
            `${request.sizeGb} GiB`,
            (v) => {
              const rest = settled(v, 'being extended');
              return rest === true ? Number(v?.size) >= request.sizeGb : rest;
            },
            call.signal,
            waitDeadline(call.deadline, 10 * 60_000),
          )
        : await fresh(ctx, volume, call.signal);
      return { volume: normalizeVolume(after ?? volume, ctx.location) };
    },

    async retypeVolume(request, target, call) {
      const ctx = await resolve(target);
      const volume = await findVolumeRaw(ctx, request.nameOrId, call.signal);
      if (volume.volume_type === request.volumeType) return { volume: normalizeVolume(volume, ctx.location) };
      await volumeAction(
        ctx,
        String(volume.id),
        {
          'os-retype': {
            new_type: request.volumeType,
            migration_policy: request.allowMigration ? 'on-demand' : 'never',
          },
        },
        call.signal,
      );
      const after = request.wait
        ? await waitForVolume(
            ctx,
            String(volume.id),
            `of type ${request.volumeType}`,
            (v) => settled(v, 'being retyped'),
            call.signal,
            waitDeadline(call.deadline, 30 * 60_000),
          )
        : await fresh(ctx, volume, call.signal);
      return { volume: normalizeVolume(after ?? volume, ctx.location) };
    },

    async *waitForVolume(request, target, call) {
      const ctx = await resolve(target);
      const volume = await findVolumeRaw(ctx, request.nameOrId, call.signal);
      const wanted = request.until.length
        ? new Set(request.until)
        : new Set([VolumeStatus.VOLUME_STATUS_AVAILABLE, VolumeStatus.VOLUME_STATUS_IN_USE]);
      let last = volume;
      // Each state the shared poller sees goes out as it comes; the check decides when the stream ends.
      const queue: Array<{ raw: Raw | undefined }> = [];
      let wake: (() => void) | undefined;
      const check = (v: Raw | undefined): true | false | string => {
        if (!v) return request.untilDeleted ? true : `volume ${volume.id} was deleted`;
        if (request.untilDeleted)
          return v.status === 'error_deleting' ? `volume ${v.id} went to error_deleting` : false;
        if (wanted.has(volumeStatus(v.status))) return true;
        return failed(v) && !wanted.has(VolumeStatus.VOLUME_STATUS_ERROR)
          ? `volume ${v.id} went to ${v.status}`
          : false;
      };
      const waiting = waitForVolume(
        ctx,
        String(volume.id),
        request.untilDeleted ? 'deleted' : 'in a wanted status',
        check,
        call.signal,
        waitDeadline(call.deadline),
        (raw) => {
          queue.push({ raw });
          wake?.();
        },
      );
      let outcome: { error?: unknown } | undefined;
      waiting.then(
        () => {
          outcome = {};
          wake?.();
        },
        (error) => {
          outcome = { error };
          wake?.();
        },
      );
      while (true) {
        while (queue.length) {
          const { raw } = queue.shift()!;
          if (raw) last = raw;
          const done = check(raw) === true;
          yield { volume: normalizeVolume(last, ctx.location), deleted: !raw, done };
          if (done) return;
        }
        if (outcome) {
          if (outcome.error) throw outcome.error;
          return;
        }
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = undefined;
      }
    },
  };
}
