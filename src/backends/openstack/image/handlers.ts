// ImageService for one OpenStack region: list, delete, streamed upload and download.
import { OaktreeError } from '../../../core/errors.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { objectLocation } from '../normalize/location.ts';
import { glanceStatusWord, glanceVisibilityWord, normalizeImage } from '../normalize/image.ts';
import type { RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { downloadImage } from './download.ts';
import { findImageRaw, glanceByNameOrId, glanceList } from './glance.ts';
import { uploadImage } from './upload.ts';
import { imageChangeHandlers } from './image-changes.ts';
import { importHandlers } from './import.ts';
import { memberHandlers } from './members.ts';

export function imageHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    ...imageChangeHandlers(resolve),
    ...memberHandlers(resolve),
    ...importHandlers(resolve),
    async *listImages(request, target, call) {
      const ctx = await resolve(target);
      const query = { status: glanceStatusWord(request.status), visibility: glanceVisibilityWord(request.visibility) };
      const images = request.nameOrId
        ? glanceByNameOrId(ctx, request.nameOrId, query, call.signal)
        : glanceList(ctx, query, call.signal);
      for await (const raw of images) yield normalizeImage(raw, ctx.location);
    },

    async deleteImage(request, target, call) {
      const ctx = await resolve(target);
      const raw = await findImageRaw(ctx, request.nameOrId, call.signal);
      if (raw.protected === true) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `image ${raw.name ?? ''} (${raw.id}) is protected; unprotect it before deleting it`,
        );
      }
      await ctx.session.request('image', ctx.region, {
        method: 'DELETE',
        path: `/images/${encodeURIComponent(String(raw.id))}`,
        signal: call.signal,
      });
      return { location: objectLocation(ctx.location, raw), id: String(raw.id) };
    },

    async *downloadImage(request, target, call) {
      const ctx = await resolve(target);
      yield* downloadImage(ctx, request.nameOrId, call.signal);
    },

    uploadImage: (requests, targets, call) => uploadImage(resolve, requests, targets, call),
  };
}
