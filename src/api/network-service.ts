// NetworkService: networks, subnets, ports, security groups and floating IPs.
import type { NetworkServiceImplementation } from '../gen/oaktree/v1/network.ts';
import type { Router } from '../mesh/router.ts';
import type { OaktreeCallContextExt } from './call-context.ts';
import { Methods } from '../core/methods.ts';
import { checkSelector, listFrom, requireField } from './requests.ts';

export function networkService(router: Router): NetworkServiceImplementation<OaktreeCallContextExt> {
  return {
    listNetworks: (request, context) => listFrom(router, Methods.listNetworks, request, context),
    listSubnets: (request, context) => listFrom(router, Methods.listSubnets, request, context),
    listPorts: (request, context) => listFrom(router, Methods.listPorts, request, context),
    async deletePort(request, context) {
      checkSelector(request.location);
      requireField(request.id, 'id', "the port's id");
      return router.unary(Methods.deletePort, request, context.oaktree.call, context.oaktree);
    },
    listSecurityGroups: (request, context) => listFrom(router, Methods.listSecurityGroups, request, context),

    listFloatingIPs: (request, context) => listFrom(router, Methods.listFloatingIps, request, context),
    async createFloatingIP(request, context) {
      checkSelector(request.location);
      return router.unary(Methods.createFloatingIp, request, context.oaktree.call, context.oaktree);
    },
    async attachFloatingIP(request, context) {
      checkSelector(request.location);
      requireField(request.floatingIp, 'floating_ip', "the floating IP's id or address");
      requireField(request.server, 'server', "the server's name or id");
      return router.unary(Methods.attachFloatingIp, request, context.oaktree.call, context.oaktree);
    },
    async detachFloatingIP(request, context) {
      checkSelector(request.location);
      requireField(request.floatingIp, 'floating_ip', "the floating IP's id or address");
      return router.unary(Methods.detachFloatingIp, request, context.oaktree.call, context.oaktree);
    },
    async deleteFloatingIP(request, context) {
      checkSelector(request.location);
      requireField(request.floatingIp, 'floating_ip', "the floating IP's id or address");
      return router.unary(Methods.deleteFloatingIp, request, context.oaktree.call, context.oaktree);
    },
    async deleteUnattachedFloatingIPs(request, context) {
      checkSelector(request.location);
      return router.unary(Methods.deleteUnattachedFloatingIps, request, context.oaktree.call, context.oaktree);
    },
  };
}
