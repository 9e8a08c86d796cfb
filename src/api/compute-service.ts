// ComputeService: flavors, keypairs, servers, zones. Handlers validate and hand over to the router.
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { ComputeServiceImplementation } from '../gen/oaktree/v1/compute.ts';
import { FloatingIPMode } from '../gen/oaktree/v1/compute.ts';
import type { Router } from '../mesh/router.ts';
import type { OaktreeCallContextExt } from './call-context.ts';
import { Methods } from '../core/methods.ts';
import { withMergedTokens } from '../cache/watch-token.ts';
import { checkSelector, findOne, listFrom, pinnedTo, requireField } from './requests.ts';

export function computeService(router: Router): ComputeServiceImplementation<OaktreeCallContextExt> {
  return {
    listFlavors: (request, context) => listFrom(router, Methods.listFlavors, request, context),
    async getFlavor(request, context) {
      return { flavor: await findOne(router, Methods.listFlavors, request, context, 'flavor') };
    },

    listKeypairs: (request, context) => listFrom(router, Methods.listKeypairs, request, context),
    async createKeypair(request, context) {
      checkSelector(request.location);
      requireField(request.name, 'name', 'the keypair needs a name');
      return router.unary(Methods.createKeypair, request, context.oaktree.call, context.oaktree);
    },
    async deleteKeypair(request, context) {
      checkSelector(request.location);
      requireField(request.name, 'name', "the keypair's name");
      return router.unary(Methods.deleteKeypair, request, context.oaktree.call, context.oaktree);
    },

    createServer(request, context) {
      checkSelector(request.location);
      requireField(request.name, 'name', 'the server needs a name');
      requireField(request.flavor, 'flavor', 'a flavor name or id (see ListFlavors)');
      if (!request.image && !request.bootFromVolume) {
        throw new ServerError(Status.INVALID_ARGUMENT, 'image is required: an image name or id (see ListImages)');
      }
      if (request.floatingIp === FloatingIPMode.FLOATING_IP_MODE_ALWAYS && !request.wait) {
        throw new ServerError(
          Status.INVALID_ARGUMENT,
          'floating_ip ALWAYS needs wait: a floating IP is attached once the server is ACTIVE; set wait to true',
        );
      }
      if (request.requestId.length > 36) {
        throw new ServerError(Status.INVALID_ARGUMENT, 'request_id is longer than 36 characters; use a UUID');
      }
      return router.serverStream(Methods.createServer, request, context.oaktree.call, context.oaktree);
    },
    async getServer(request, context) {
      return { server: await findOne(router, Methods.listServers, request, context, 'server') };
    },
    listServers: (request, context) => listFrom(router, Methods.listServers, request, context),
    async deleteServer(request, context) {
      checkSelector(request.location);
      requireField(request.nameOrId, 'name_or_id', "the server's name or id");
      return router.unary(Methods.deleteServer, request, context.oaktree.call, context.oaktree);
    },
    async *waitForServer(request, context) {
      const server = await findOne(router, Methods.listServers, request, context, 'server');
      const pinned = pinnedTo({ ...request, nameOrId: server.id }, server.location);
      yield* router.serverStream(Methods.waitForServer, pinned, context.oaktree.call);
    },
    // Each location stamps its own position; the client gets one token for the whole watch.
    watchServers: (request, context) =>
      withMergedTokens(request.resumeToken, listFrom(router, Methods.watchServers, request, context)),
    async getServerConsole(request, context) {
      const server = await findOne(router, Methods.listServers, request, context, 'server');
      const pinned = pinnedTo({ ...request, nameOrId: server.id }, server.location);
      return router.unary(Methods.getServerConsole, pinned, context.oaktree.call);
    },

    listAvailabilityZones: (request, context) => listFrom(router, Methods.listAvailabilityZones, request, context),
  };
}
