// Uploads for clouds that require Glance's task API (clouds.yaml image_api_use_tasks): the bytes go through the
// interoperable import instead of PUT /file, as glance-direct: PUT /stage, then POST /import, then the image
// becomes ACTIVE asynchronously (waited for on the region's shared image poller). The older Swift-backed task
// upload is not supported: a cloud without glance-direct gets a clear FAILED_PRECONDITION before any byte moves.
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { waitDeadline, waitUntil } from '../volume/cinder.ts';
import { IMAGES } from '../volume/status-feeds.ts';

/** Whether an upload is staged (glance-direct) rather than PUT: asked for, or the cloud requires the task API. */
export const usesStagedUpload = (ctx: RegionContext, method: string): boolean =>
  method === 'glance-direct' || (method === '' && ctx.regionConfig.imageApiUseTasks === true);

export async function checkGlanceDirect(ctx: RegionContext, signal: AbortSignal): Promise<void> {
  const res = await ctx.session.request('image', ctx.region, { method: 'GET', path: '/info/import', signal });
  const methods = (res.body as { 'import-methods'?: { value?: unknown } })?.['import-methods']?.value;
  if (!Array.isArray(methods) || !methods.includes('glance-direct')) {
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `${describeLocation(ctx.location)} requires the image task API (image_api_use_tasks) but offers no glance-direct import; oaktree does not upload through Swift-backed tasks`,
    );
  }
}

/** After the bytes are staged: import them and wait until the image is ACTIVE (ABORTED if the import fails). */
export async function importStaged(
  ctx: RegionContext,
  imageId: string,
  signal: AbortSignal,
  deadline?: Date,
): Promise<void> {
  await ctx.session.request('image', ctx.region, {
    method: 'POST',
    path: `/images/${encodeURIComponent(imageId)}/import`,
    body: { method: { name: 'glance-direct' } },
    signal,
  });
  await waitUntil(
    ctx,
    IMAGES,
    imageId,
    'active',
    (raw) =>
      !raw
        ? `image ${imageId} disappeared while being imported`
        : raw.status === 'killed' || raw.os_glance_failed_import
          ? `the cloud could not import the staged data of image ${imageId}`
          : raw.status === 'active',
    signal,
    waitDeadline(deadline, 30 * 60_000),
  );
}
