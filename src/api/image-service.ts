// ImageService: list, get, delete; upload and download as bounded streams.
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { ImageServiceImplementation, UploadImageRequest } from '../gen/oaktree/v1/image.ts';
import type { Router } from '../mesh/router.ts';
import type { OaktreeCallContextExt } from './call-context.ts';
import { Methods } from './methods.ts';
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
        throw new ServerError(Status.NOT_FOUND, 'no location matches the upload header\'s location');
      }
      if (selections.length > 1) {
        throw new ServerError(
          Status.UNIMPLEMENTED,
          'uploading to locations served by several backends in one call is not built yet; upload once per cloud',
        );
      }
      // Hand the backend the header again, then the rest of the client's stream as it arrives.
      async function* replay(): AsyncGenerator<UploadImageRequest> {
        yield first.value as UploadImageRequest;
        while (true) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      }
      return router.clientStream(Methods.uploadImage, selections[0], replay(), ctx);
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
