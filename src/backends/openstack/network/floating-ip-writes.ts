// Floating IPs by address and by filter: ListFloatingIPs' pushed-down filters and UpdateFloatingIP
// (description, port), as openstacksdk's get_floating_ip / update_floating_ip.
import { isIP } from 'node:net';
import type { LocationHandlers } from '../../handler-backend.ts';
import type { ListFloatingIPsRequest } from '../../../gen/oaktree/v1/network.ts';
import { normalizeFloatingIp } from '../normalize/floating-ip.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { findNetwork } from './find.ts';
import { hasFloatingIps, noFloatingIps } from './floating-ips.ts';
import { neutronGet, type Query } from './neutron.ts';
import { neutronSend, neutronWrite } from './write-errors.ts';

/** Neutron's query for a ListFloatingIPs request: an address or id, a network by name, a port, a project. */
export async function floatingIpFilters(
  ctx: RegionContext,
  request: ListFloatingIPsRequest,
  signal: AbortSignal,
): Promise<Query> {
  const byAddress = request.nameOrId && isIP(request.nameOrId) ? request.nameOrId : undefined;
  return {
    id: request.nameOrId && !byAddress ? request.nameOrId : undefined,
    floating_ip_address: byAddress ?? (request.floatingIpAddress || undefined),
    floating_network_id: request.network ? (await findNetwork(ctx, request.network, signal)).id : undefined,
    port_id: request.portId || undefined,
    project_id: request.projectId || undefined,
  };
}

export function floatingIpWriteHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async updateFloatingIp(request, target, call) {
      const ctx = await resolve(target);
      if (!hasFloatingIps(ctx)) throw noFloatingIps(ctx);
      const body = {
        ...(request.description !== undefined ? { description: request.description } : {}),
        ...(request.portId !== undefined ? { port_id: request.portId || null } : {}),
        ...(request.portId && request.fixedAddress ? { fixed_ip_address: request.fixedAddress } : {}),
      };
      const path = `/floatingips/${encodeURIComponent(request.nameOrId)}`;
      const res = await neutronWrite(ctx, `updating floating IP ${request.nameOrId}`, () =>
        neutronSend(ctx, 'PUT', path, { floatingip: body }, call.signal),
      );
      // The server behind the new port, when the answer has no port_details.
      const port = res.floatingip.port_id
        ? await neutronGet(ctx, 'port', 'ports', String(res.floatingip.port_id), call.signal)
        : undefined;
      const serverId = String(port?.device_owner ?? '').startsWith('compute:') ? String(port?.device_id) : '';
      return { floatingIp: normalizeFloatingIp(res.floatingip, ctx.location, serverId) };
    },
  };
}
