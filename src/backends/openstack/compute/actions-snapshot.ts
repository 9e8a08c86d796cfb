// SnapshotServer: nova's createImage, then (with wait) the server's snapshot task on the shared poller, then the
// image as Glance shows it once nova is done.
import type { CallContext } from '../../../core/call-context.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import {
  ServerActionStage,
  type SnapshotServerRequest,
  type SnapshotServerResponse,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Image } from '../../../gen/oaktree/v1/image.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { glanceGet } from '../image/glance.ts';
import { normalizeImage } from '../normalize/image.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { oncePerRequestId, postServerAction } from './actions-post.ts';
import { endedBadly } from './actions-run.ts';
import { isSettled, waitUntilSettled } from './actions-wait.ts';
import type { Raw } from './nova.ts';
import { normalizeOne } from './server-view.ts';
import { findServerRaw, getServerRaw } from './servers.ts';
import { streamFrom } from './stream.ts';
import { serverFingerprint } from './wait.ts';

/** Snapshots are allowed from these states and leave the server in the one it had. */
const KEEPS_STATE = ['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED', 'SHELVED', 'SHELVED_OFFLOADED'];

/** The new image's id: in the body from microversion 2.45, in the Location header before. */
function imageIdOf(res: { body: unknown; headers: Record<string, unknown> }): string {
  const fromBody = (res.body as Raw | undefined)?.image_id;
  if (fromBody) return String(fromBody);
  const location = String(res.headers.location ?? '');
  return location.slice(location.lastIndexOf('/') + 1);
}

async function imageNow(ctx: RegionContext, id: string, signal: AbortSignal): Promise<Image | undefined> {
  const raw = await glanceGet(ctx, id, signal);
  return raw ? normalizeImage(raw, ctx.location) : undefined;
}

export function snapshotServerHandler(resolve: RegionResolver) {
  return function snapshotServer(
    request: SnapshotServerRequest,
    target: Location,
    call: CallContext,
  ): AsyncIterable<SnapshotServerResponse> {
    return streamFrom<SnapshotServerResponse>(call.signal, async (emit, signal) => {
      const ctx = await resolve(target);
      const before = await findServerRaw(ctx, request.nameOrId, signal);
      const serverId = String(before.id);
      const where = describeLocation(ctx.location);
      const posted = await oncePerRequestId(
        ctx,
        request.requestId,
        { serverId, action: 'snapshot' },
        async () => {
          const body = { createImage: { name: request.imageName, metadata: { ...request.metadata } } };
          const res = await postServerAction(ctx, before, 'snapshot', body, signal);
          const imageId = imageIdOf(res as { body: unknown; headers: Record<string, unknown> });
          if (!imageId)
            throw new OaktreeError(
              GrpcStatus.UNAVAILABLE,
              `${where} accepted the snapshot of server ${before.name} (${serverId}) but named no image`,
            );
          return { serverId, action: 'snapshot', imageId, postedAt: Date.now() };
        },
        signal,
      );
      let current = (await getServerRaw(ctx, serverId, signal)) ?? before;
      const send = async (stage: ServerActionStage, image: Image | undefined) =>
        emit({ stage, server: await normalizeOne(ctx, current, signal), image });
      await send(ServerActionStage.SERVER_ACTION_STAGE_ACCEPTED, await imageNow(ctx, posted.imageId, signal));
      if (!request.wait) return;

      let shown = serverFingerprint(current);
      current = await waitUntilSettled(ctx, serverId, posted.postedAt, signal, async (raw) => {
        if (isSettled(raw) || serverFingerprint(raw) === shown) return;
        shown = serverFingerprint(raw);
        current = raw;
        await send(ServerActionStage.SERVER_ACTION_STAGE_PROGRESS, await imageNow(ctx, posted.imageId, signal));
      });
      const image = await imageNow(ctx, posted.imageId, signal);
      const serverFailure = endedBadly(ctx, current, 'snapshot', KEEPS_STATE);
      // Nova clears the task once the upload is over: an image that is not ACTIVE by then will not become so.
      const imageFailure =
        image?.cloudStatus === 'active'
          ? undefined
          : `nova finished the snapshot of server ${before.name} (${serverId}) in ${where}, but image ` +
            `${posted.imageId} is ${image ? image.cloudStatus : 'gone'}, not active (the compute driver uploaded no data)`;
      const failure = serverFailure ?? imageFailure;
      if (failure) {
        await send(ServerActionStage.SERVER_ACTION_STAGE_FAILED, image);
        throw new OaktreeError(GrpcStatus.ABORTED, failure);
      }
      await send(ServerActionStage.SERVER_ACTION_STAGE_DONE, image);
    });
  };
}
