// ImportImage for one OpenStack region: Glance interoperable import with web-download (the cloud fetches the
// URL), streaming the image until ACTIVE through the region's shared image poller. A URL the cloud refuses or
// cannot fetch deletes the image it made and says so: nothing half-created stays behind silently.
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { ImageStatus } from '../../../gen/oaktree/v1/image.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { glanceVisibilityWord } from '../normalize/image.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import type { Raw } from '../volume/status-feeds.ts';
import { deleteImageQuietly, glanceGet, glanceList } from './glance.ts';
import { streamImage } from './image-changes.ts';

const REQUEST_ID_PROPERTY = 'oaktree_request_id';
const CLEANUP_TIMEOUT_MS = 15_000;

async function importMethods(ctx: RegionContext, signal: AbortSignal): Promise<string[]> {
  try {
    const res = await ctx.session.request('image', ctx.region, { method: 'GET', path: '/info/import', signal });
    const value = (res.body as { 'import-methods'?: { value?: unknown } })?.['import-methods']?.value;
    return Array.isArray(value) ? value.map(String) : [];
  } catch (error) {
    if (error instanceof OpenStackHttpError && error.status === 404) return [];
    throw error;
  }
}

async function earlierImport(ctx: RegionContext, requestId: string, signal: AbortSignal): Promise<Raw | undefined> {
  for await (const raw of glanceList(ctx, { [REQUEST_ID_PROPERTY]: requestId }, signal)) return raw;
  return undefined;
}

export function importHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *importImage(request, target, call) {
      const ctx = await resolve(target);
      const where = describeLocation(ctx.location);
      const earlier = request.requestId ? await earlierImport(ctx, request.requestId, call.signal) : undefined;
      let image = earlier;
      if (!image) {
        const methods = await importMethods(ctx, call.signal);
        if (!methods.includes('web-download')) {
          throw new OaktreeError(
            GrpcStatus.FAILED_PRECONDITION,
            `${where} does not offer web-download import (it offers: ${methods.join(', ') || 'none'}); upload the bytes with UploadImage`,
          );
        }
        // Properties first: the typed fields win (the method table refuses properties named like them).
        const body: Raw = {
          ...request.properties,
          name: request.name,
          disk_format: request.diskFormat || undefined,
          container_format: request.containerFormat || undefined,
          visibility: glanceVisibilityWord(request.visibility),
          min_disk: request.minDiskGb || undefined,
          min_ram: request.minRamMb || undefined,
          tags: request.tags.length ? request.tags : undefined,
          ...(request.requestId ? { [REQUEST_ID_PROPERTY]: request.requestId } : {}),
        };
        const res = await ctx.session.request('image', ctx.region, {
          method: 'POST',
          path: '/images',
          body,
          signal: call.signal,
        });
        image = res.body as Raw;
        const id = String(image.id);
        try {
          await ctx.session.request('image', ctx.region, {
            method: 'POST',
            path: `/images/${encodeURIComponent(id)}/import`,
            body: { method: { name: 'web-download', uri: request.uri } },
            signal: call.signal,
          });
        } catch (error) {
          const deleted = await deleteImageQuietly(ctx, id, AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
          const fate = deleted ? 'the image it made was deleted' : `deleting image ${id} failed: delete it by hand`;
          if (error instanceof OpenStackHttpError && error.status === 400) {
            throw new OaktreeError(
              GrpcStatus.INVALID_ARGUMENT,
              `${where} refused the import URL for image ${request.name}: ${(error.serviceMessage ?? '').slice(0, 200)}; ${fate}`,
            );
          }
          throw new OaktreeError(
            (error as { grpcCode?: number }).grpcCode ?? GrpcStatus.UNAVAILABLE,
            `${(error as Error).message}; ${fate}`,
          );
        }
        image = (await glanceGet(ctx, id, call.signal)) ?? image;
      }
      const id = String(image.id);
      try {
        yield* streamImage(ctx, id, new Set([ImageStatus.IMAGE_STATUS_ACTIVE]), call.signal, call.deadline);
      } catch (error) {
        if (!(error instanceof OaktreeError) || error.grpcCode !== GrpcStatus.ABORTED) throw error;
        const deleted = await deleteImageQuietly(ctx, id, AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `${error.message} in ${where}: is the URL reachable from the cloud? ${deleted ? 'The image was deleted' : `Deleting image ${id} failed: delete it by hand`}`,
        );
      }
    },
  };
}
