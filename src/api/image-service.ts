// ImageService: list, get, delete; upload and download as bounded streams.
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { UploadImageResult, type ImageServiceImplementation, type UploadImageRequest } from '../gen/oaktree/v1/image.ts';
import { describeSelector } from '../core/location.ts';
import { teeStream } from '../mesh/tee.ts';
import { toStatus } from '../core/errors.ts';
import type { Router } from '../mesh/router.ts';
import type { OaktreeCallContextExt } from './call-context.ts';
import { Methods } from '../core/methods.ts';
import { checkSelector, findOne, listFrom, pinnedTo, requireField } from './requests.ts';

export function imageService(router: Router): ImageServiceImplementation<OaktreeCallContextExt> {
  return {
    listImages: (request, context) => listFrom(router, Methods.listImages, request, context),
    async getImage(request, context) {
      return { image: await findOne(router, Methods.listImages, request, context, 'image') };
    },
    async uploadImage(requests, context) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      const header = first.done ? undefined : first.value.part?.$case === 'header' ? first.value.part.value : undefined;
      if (!header) {
        throw new ServerError(Status.INVALID_ARGUMENT, 'the first UploadImage message must be the header (part.header)');
      }
      checkSelector(header.location);
      requireField(header.name, 'header.name', 'the image needs a name');
      const ctx = context.oaktree.call;
      const selections = header.allMatchingLocations
        ? router.select(header.location, ctx, context.oaktree)
        : [(({ backend, target }) => ({ backend, targets: [target] }))(router.resolveOne(header.location, ctx, context.oaktree))];
      if (selections.length === 0) {
        throw new ServerError(Status.NOT_FOUND, `no location matches the upload header's location ${describeSelector(header.location)}`);
      }
      // Count what the client sent, then hand every backend the header and the chunks as they arrive.
      let bytesReceived = 0n;
      async function* replay(): AsyncGenerator<UploadImageRequest> {
        yield first.value as UploadImageRequest;
        while (true) {
          const next = await iterator.next();
          if (next.done) return;
          if (next.value.part?.$case === 'chunk') bytesReceived += BigInt(next.value.part.value.length);
          yield next.value;
        }
      }
      if (selections.length === 1) {
        const response = await router.clientStream(Methods.uploadImage, selections[0], replay(), ctx);
        return { ...response, bytesReceived };
      }
      // Several backends: one stream teed with bounded buffers; each backend reports its own locations.
      const branches = teeStream(replay(), selections.length);
      const outcomes = await Promise.all(
        selections.map(async (selection, index) => {
          try {
            return (await router.clientStream(Methods.uploadImage, selection, branches[index], ctx)).results;
          } catch (error) {
            const { code, message } = toStatus(error, ctx.signal);
            return selection.targets.map((location) => UploadImageResult.fromPartial({ location, error: { location, code, message } }));
          } finally {
            // A backend that is done (or failed) stops holding the other branches back.
            await branches[index][Symbol.asyncIterator]().return?.();
          }
        }),
      );
      ctx.signal.throwIfAborted();
      return { results: outcomes.flat(), bytesReceived };
    },
    async *downloadImage(request, context) {
      const image = await findOne(router, Methods.listImages, request, context, 'image');
      const pinned = pinnedTo({ ...request, nameOrId: image.id }, image.location);
      yield* router.serverStream(Methods.downloadImage, pinned, context.oaktree.call);
    },
    async deleteImage(request, context) {
      checkSelector(request.location);
      requireField(request.nameOrId, 'name_or_id', "the image's name or id");
      return router.unary(Methods.deleteImage, request, context.oaktree.call, context.oaktree);
    },
  };
}
