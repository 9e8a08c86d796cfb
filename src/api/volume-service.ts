// VolumeService: volumes and attachments.
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { VolumeServiceImplementation } from '../gen/oaktree/v1/volume.ts';
import type { Router } from '../mesh/router.ts';
import type { OaktreeCallContextExt } from './call-context.ts';
import { Methods } from '../core/methods.ts';
import { checkSelector, findOne, listFrom, requireField } from './requests.ts';

export function volumeService(router: Router): VolumeServiceImplementation<OaktreeCallContextExt> {
  return {
    listVolumes: (request, context) => listFrom(router, Methods.listVolumes, request, context),
    async getVolume(request, context) {
      return { volume: await findOne(router, Methods.listVolumes, request, context, 'volume') };
    },
    async createVolume(request, context) {
      checkSelector(request.location);
      if (request.sizeGb <= 0) {
        throw new ServerError(Status.INVALID_ARGUMENT, `size_gb is ${request.sizeGb}: a volume needs a positive size in GiB`);
      }
      return router.unary(Methods.createVolume, request, context.oaktree.call, context.oaktree);
    },
    async deleteVolume(request, context) {
      checkSelector(request.location);
      requireField(request.nameOrId, 'name_or_id', "the volume's name or id");
      return router.unary(Methods.deleteVolume, request, context.oaktree.call, context.oaktree);
    },
    async attachVolume(request, context) {
      checkSelector(request.location);
      requireField(request.volume, 'volume', "the volume's name or id");
      requireField(request.server, 'server', "the server's name or id");
      return router.unary(Methods.attachVolume, request, context.oaktree.call, context.oaktree);
    },
    async detachVolume(request, context) {
      checkSelector(request.location);
      requireField(request.volume, 'volume', "the volume's name or id");
      requireField(request.server, 'server', "the server's name or id");
      return router.unary(Methods.detachVolume, request, context.oaktree.call, context.oaktree);
    },
  };
}
