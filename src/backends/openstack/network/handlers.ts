// NetworkService for one OpenStack region: networks, subnets, ports, security groups and floating IPs.
import { isIP } from 'node:net';
import { OaktreeError } from '../../../core/errors.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import type { FloatingIP } from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from '../normalize/location.ts';
import { normalizeFloatingIp, serverIdOfFloatingIp } from '../normalize/floating-ip.ts';
import { isExternalNetwork, neutronStatusWord, normalizeNetwork } from '../normalize/network.ts';
import { normalizePort } from '../normalize/port.ts';
import { normalizeSecurityGroup } from '../normalize/security-group.ts';
import { normalizeSubnet } from '../normalize/subnet.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { natDestinationPort, type RawServer } from './fip-decision.ts';
import { findNetwork } from './find.ts';
import {
  REQUEST_ID_PREFIX,
  createFloatingIpRaw,
  deleteFloatingIpChecked,
  findFloatingIpRaw,
  floatingNetworkId,
  hasFloatingIps,
  noFloatingIps,
  portsOfServer,
} from './floating-ips.ts';
import { interestingNetworks } from './interesting-cache.ts';
import { neutronByNameOrId, neutronGet, neutronList, neutronListAll, type Query, type Raw } from './neutron.ts';
import { findServerRaw } from '../compute/servers.ts';
import { floatingIpFilters, floatingIpWriteHandlers } from './floating-ip-writes.ts';
import { networkWriteHandlers } from './network-writes.ts';
import { portWriteHandlers } from './port-writes.ts';
import { quotaHandlers } from './quotas.ts';
import { routerHandlers } from './routers.ts';
import { securityGroupWriteHandlers } from './security-group-writes.ts';

/** Items of a Neutron collection, by name or id when asked, with the other filters pushed down. */
function listing(
  ctx: RegionContext,
  singular: string,
  plural: string,
  nameOrId: string,
  query: Query,
  signal: AbortSignal,
): AsyncGenerator<Raw> {
  return nameOrId
    ? neutronByNameOrId(ctx, singular, plural, nameOrId, query, signal)
    : neutronList(ctx, plural, query, signal);
}

/** Server ids for attached floating IPs whose answer lacks port_details: one port list instead of one GET each. */
async function serverIdsByPort(ctx: RegionContext, fips: Raw[], signal: AbortSignal): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (!fips.some((f) => f.port_id && !serverIdOfFloatingIp(f))) return map;
  for (const port of await neutronListAll(ctx, 'ports', {}, signal)) {
    if (String(port.device_owner ?? '').startsWith('compute:')) map.set(String(port.id), String(port.device_id));
  }
  return map;
}

export function networkHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    ...readAndFloatingIpHandlers(resolve),
    ...floatingIpWriteHandlers(resolve),
    ...networkWriteHandlers(resolve),
    ...routerHandlers(resolve),
    ...portWriteHandlers(resolve),
    ...securityGroupWriteHandlers(resolve),
    ...quotaHandlers(resolve),
  };
}

function readAndFloatingIpHandlers(resolve: RegionResolver): LocationHandlers {
  const fipOf = (ctx: RegionContext, raw: Raw, serverId = ''): FloatingIP =>
    normalizeFloatingIp(raw, ctx.location, serverId);

  return {
    async *listNetworks(request, target, call) {
      const ctx = await resolve(target);
      for await (const raw of listing(ctx, 'network', 'networks', request.nameOrId, {}, call.signal)) {
        if (request.isExternal !== undefined && isExternalNetwork(raw) !== request.isExternal) continue;
        yield normalizeNetwork(raw, ctx.location);
      }
    },

    async *listSubnets(request, target, call) {
      const ctx = await resolve(target);
      const query: Query = { network_id: request.networkId || undefined };
      for await (const raw of listing(ctx, 'subnet', 'subnets', request.nameOrId, query, call.signal)) {
        yield normalizeSubnet(raw, ctx.location);
      }
    },

    async *listPorts(request, target, call) {
      const ctx = await resolve(target);
      const query: Query = {
        network_id: request.networkId || undefined,
        device_id: request.deviceId || undefined,
        status: neutronStatusWord(request.status),
      };
      for await (const raw of listing(ctx, 'port', 'ports', request.nameOrId, query, call.signal)) {
        yield normalizePort(raw, ctx.location);
      }
    },

    async deletePort(request, target, call) {
      const ctx = await resolve(target);
      const port = await neutronGet(ctx, 'port', 'ports', request.id, call.signal);
      if (!port)
        throw new OaktreeError(
          GrpcStatus.NOT_FOUND,
          `no port with id "${request.id}" in ${ctx.location.cloud}/${ctx.region}`,
        );
      await ctx.session.request('network', ctx.region, {
        method: 'DELETE',
        path: `/ports/${encodeURIComponent(request.id)}`,
        signal: call.signal,
      });
      return { location: objectLocation(ctx.location, port) };
    },

    async *listSecurityGroups(request, target, call) {
      const ctx = await resolve(target);
      for await (const raw of listing(ctx, 'security_group', 'security_groups', request.nameOrId, {}, call.signal)) {
        yield normalizeSecurityGroup(raw, ctx.location);
      }
    },

    async *listFloatingIps(request, target, call) {
      const ctx = await resolve(target);
      if (!hasFloatingIps(ctx)) return;
      let raws: Raw[];
      let known = new Map<string, string>();
      if (request.serverId) {
        const ports = await portsOfServer(ctx, request.serverId, call.signal);
        const lists = await Promise.all(
          ports.map((p) => neutronListAll(ctx, 'floatingips', { port_id: p.id }, call.signal)),
        );
        raws = lists.flat();
        for (const p of ports) known.set(p.id, request.serverId);
      } else {
        raws = await neutronListAll(
          ctx,
          'floatingips',
          await floatingIpFilters(ctx, request, call.signal),
          call.signal,
        );
        known = await serverIdsByPort(ctx, raws, call.signal);
      }
      for (const raw of raws) {
        const fip = fipOf(ctx, raw, known.get(String(raw.port_id)) ?? '');
        if (request.isAttached !== undefined && fip.isAttached !== request.isAttached) continue;
        yield fip;
      }
    },

    async createFloatingIp(request, target, call) {
      const ctx = await resolve(target);
      if (!hasFloatingIps(ctx)) throw noFloatingIps(ctx);
      const description = request.requestId ? `${REQUEST_ID_PREFIX}${request.requestId}` : undefined;
      if (description) {
        // A retry of a create that went through: the first floating IP is the answer.
        const earlier = (await neutronListAll(ctx, 'floatingips', { description }, call.signal)).filter(
          (f) => f.description === description,
        );
        if (earlier.length) {
          const known = await serverIdsByPort(ctx, earlier.slice(0, 1), call.signal);
          return { floatingIp: fipOf(ctx, earlier[0], known.get(String(earlier[0].port_id)) ?? '') };
        }
      }
      const networkId = request.network
        ? (await findNetwork(ctx, request.network, call.signal)).id
        : await floatingNetworkId(ctx, call.signal);
      if (!networkId) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `${ctx.location.cloud}/${ctx.region} has no external network to allocate floating IPs from; name one in network`,
        );
      }
      if (!request.server) {
        if (request.fixedAddress) throw new OaktreeError(GrpcStatus.INVALID_ARGUMENT, 'fixed_address needs a server');
        const raw = await createFloatingIpRaw(
          ctx,
          { networkId, description, address: request.floatingIpAddress || undefined },
          call.signal,
        );
        return { floatingIp: fipOf(ctx, raw) };
      }
      const server = (await findServerRaw(ctx, request.server, call.signal)) as RawServer;
      const ports = await portsOfServer(ctx, server.id, call.signal);
      const nets = await interestingNetworks(ctx, call.signal);
      const nat = natDestinationPort(server.id, ports, {
        fixedAddress: request.fixedAddress || undefined,
        natDestination: nets.natDestination,
      });
      if (!nat) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `server ${server.name ?? ''} (${server.id}) has no port with a fixed IPv4 address to attach a floating IP to`,
        );
      }
      const raw = await createFloatingIpRaw(
        ctx,
        {
          networkId,
          port: nat.port,
          fixedAddress: nat.fixedAddress,
          description,
          address: request.floatingIpAddress || undefined,
        },
        call.signal,
      );
      return { floatingIp: fipOf(ctx, raw, server.id) };
    },

    async attachFloatingIp(request, target, call) {
      const ctx = await resolve(target);
      if (!hasFloatingIps(ctx)) throw noFloatingIps(ctx);
      const fip = await findFloatingIpRaw(ctx, request.floatingIp, call.signal);
      const server = (await findServerRaw(ctx, request.server, call.signal)) as RawServer;
      const ports = await portsOfServer(ctx, server.id, call.signal);
      if (fip.port_id) {
        if (ports.some((p) => p.id === fip.port_id)) return { floatingIp: fipOf(ctx, fip, server.id) };
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `floating IP ${fip.floating_ip_address} is attached to port ${fip.port_id}; detach it first`,
        );
      }
      const nets = await interestingNetworks(ctx, call.signal);
      const nat = natDestinationPort(server.id, ports, {
        fixedAddress: request.fixedAddress || undefined,
        natDestination: nets.natDestination,
      });
      if (!nat) {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `server ${server.id} has no port with a fixed IPv4 address to attach a floating IP to`,
        );
      }
      const res = await ctx.session.request('network', ctx.region, {
        method: 'PUT',
        path: `/floatingips/${encodeURIComponent(String(fip.id))}`,
        body: { floatingip: { port_id: nat.port.id, fixed_ip_address: nat.fixedAddress } },
        signal: call.signal,
      });
      return { floatingIp: fipOf(ctx, (res.body as { floatingip: Raw }).floatingip, server.id) };
    },

    async detachFloatingIp(request, target, call) {
      const ctx = await resolve(target);
      if (!hasFloatingIps(ctx)) throw noFloatingIps(ctx);
      const fip = await findFloatingIpRaw(ctx, request.floatingIp, call.signal);
      if (!fip.port_id) return { floatingIp: fipOf(ctx, fip) };
      const res = await ctx.session.request('network', ctx.region, {
        method: 'PUT',
        path: `/floatingips/${encodeURIComponent(String(fip.id))}`,
        body: { floatingip: { port_id: null } },
        signal: call.signal,
      });
      return { floatingIp: fipOf(ctx, (res.body as { floatingip: Raw }).floatingip) };
    },

    async deleteFloatingIp(request, target, call) {
      const ctx = await resolve(target);
      if (!hasFloatingIps(ctx)) throw noFloatingIps(ctx);
      const fip = await findFloatingIpRaw(ctx, request.floatingIp, call.signal);
      if (!(await deleteFloatingIpChecked(ctx, String(fip.id), call.signal))) {
        const how = isIP(request.floatingIp) ? 'address' : 'id';
        throw new OaktreeError(
          GrpcStatus.NOT_FOUND,
          `floating IP with ${how} "${request.floatingIp}" was deleted by someone else meanwhile`,
        );
      }
      return { location: objectLocation(ctx.location, fip), id: String(fip.id) };
    },

    async deleteUnattachedFloatingIps(_request, target, call) {
      const ctx = await resolve(target);
      if (!hasFloatingIps(ctx)) return { location: ctx.location, deleted: [] };
      const deleted: FloatingIP[] = [];
      for (const raw of await neutronListAll(ctx, 'floatingips', {}, call.signal)) {
        if (raw.port_id) continue;
        if (await deleteFloatingIpChecked(ctx, String(raw.id), call.signal)) deleted.push(fipOf(ctx, raw));
      }
      return { location: ctx.location, deleted };
    },
  };
}
