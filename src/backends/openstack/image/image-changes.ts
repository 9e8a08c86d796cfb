// UpdateImage (one JSON-patch), DeactivateImage, ReactivateImage and WaitForImage for one OpenStack region. The
// router has found the image already (a follow-up): name_or_id is its id.
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { ImageStatus } from '../../../gen/oaktree/v1/image.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { glanceVisibilityWord, imageStatus, normalizeImage } from '../normalize/image.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import { waitDeadline, waitUntil } from '../volume/cinder.ts';
import { IMAGES, type Raw } from '../volume/status-feeds.ts';
import { findImageRaw, glanceGet } from './glance.ts';

const JSON_PATCH = 'application/openstack-images-v2.1-json-patch';

/** Glance's JSON-patch operations for the fields an UpdateImageRequest sets. */
function patchFor(raw: Raw, request: Parameters<NonNullable<LocationHandlers['updateImage']>>[0]) {
  const ops: Array<Record<string, unknown>> = [];
  const set = (field: string, value: unknown) =>
    ops.push({ op: field in raw ? 'replace' : 'add', path: `/${field}`, value });
  if (request.name !== undefined) set('name', request.name);
  const visibility = glanceVisibilityWord(request.visibility);
  if (visibility) set('visibility', visibility);
  if (request.isProtected !== undefined) set('protected', request.isProtected);
  if (request.minDiskGb !== undefined) set('min_disk', request.minDiskGb);
  if (request.minRamMb !== undefined) set('min_ram', request.minRamMb);
  const tags = new Set(Array.isArray(raw.tags) ? (raw.tags as string[]) : []);
  const before = tags.size;
  for (const tag of request.addTags) tags.add(tag);
  for (const tag of request.removeTags) tags.delete(tag);
  if (tags.size !== before || request.removeTags.length || request.addTags.length)
    ops.push({ op: 'replace', path: '/tags', value: [...tags] });
  for (const [key, value] of Object.entries(request.properties)) set(key, value);
  for (const key of request.removeProperties) if (key in raw) ops.push({ op: 'remove', path: `/${key}` });
  return ops;
}

const label = (raw: Raw) => `image ${raw.name ? `${raw.name} ` : ''}(${raw.id})`;

async function imageAction(ctx: RegionContext, id: string, action: string, signal: AbortSignal): Promise<Raw> {
  const raw = await findImageRaw(ctx, id, signal);
  try {
    await ctx.session.request('image', ctx.region, {
      method: 'POST',
      path: `/images/${encodeURIComponent(String(raw.id))}/actions/${action}`,
      signal,
    });
  } catch (error) {
    // Glance answers 403 both for policy and for a status that does not allow the action.
    if (error instanceof OpenStackHttpError && error.status === 403 && /status/i.test(error.serviceMessage ?? '')) {
      throw new OaktreeError(
        GrpcStatus.FAILED_PRECONDITION,
        `${label(raw)} in ${describeLocation(ctx.location)} is ${raw.status}: ${error.serviceMessage}`,
      );
    }
    throw error;
  }
  return (await glanceGet(ctx, String(raw.id), signal)) ?? raw;
}

export function imageChangeHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async updateImage(request, target, call) {
      const ctx = await resolve(target);
      const raw = await findImageRaw(ctx, request.nameOrId, call.signal);
      const ops = patchFor(raw, request);
      if (!ops.length) return { image: normalizeImage(raw, ctx.location) };
      const res = await ctx.session.request('image', ctx.region, {
        method: 'PATCH',
        path: `/images/${encodeURIComponent(String(raw.id))}`,
        body: ops,
        headers: { 'content-type': JSON_PATCH },
        signal: call.signal,
      });
      return { image: normalizeImage(res.body as Raw, ctx.location) };
    },

    async deactivateImage(request, target, call) {
      const ctx = await resolve(target);
      return {
        image: normalizeImage(await imageAction(ctx, request.nameOrId, 'deactivate', call.signal), ctx.location),
      };
    },

    async reactivateImage(request, target, call) {
      const ctx = await resolve(target);
      return {
        image: normalizeImage(await imageAction(ctx, request.nameOrId, 'reactivate', call.signal), ctx.location),
      };
    },

    async *waitForImage(request, target, call) {
      const ctx = await resolve(target);
      const raw = await findImageRaw(ctx, request.nameOrId, call.signal);
      const wanted = new Set(request.until.length ? request.until : [ImageStatus.IMAGE_STATUS_ACTIVE]);
      yield* streamImage(ctx, String(raw.id), wanted, call.signal, call.deadline);
    },
  };
}

/**
 * The image's states as the region's shared image poller sees them, until one is wanted. A failed import
 * (Glance puts the image back to queued and names the failed stores) or a killed upload ends it ABORTED.
 */
export async function* streamImage(
  ctx: RegionContext,
  id: string,
  wanted: Set<ImageStatus>,
  signal: AbortSignal,
  deadline: Date | undefined,
): AsyncGenerator<{ image: ReturnType<typeof normalizeImage>; done: boolean }> {
  const queue: Raw[] = [];
  let wake: (() => void) | undefined;
  let outcome: { error?: unknown } | undefined;
  const check = (v: Raw | undefined): true | false | string => {
    if (!v) return `image ${id} was deleted`;
    if (wanted.has(imageStatus(v.status))) return true;
    if (v.status === 'killed') return `image ${id} was killed (its upload failed)`;
    if (v.os_glance_failed_import)
      return `the cloud could not import image ${id} (failed stores: ${String(v.os_glance_failed_import).slice(0, 100)})`;
    return false;
  };
  waitUntil(ctx, IMAGES, id, 'active', check, signal, waitDeadline(deadline), (v) => {
    if (v) queue.push(v);
    wake?.();
  }).then(
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
      const v = queue.shift()!;
      const done = check(v) === true;
      yield { image: normalizeImage(v, ctx.location), done };
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
}
