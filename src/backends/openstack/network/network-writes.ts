// Networks and subnets: create, update, delete (openstacksdk's create_network, update_network, create_subnet ...).
import type { LocationHandlers } from '../../handler-backend.ts';
import type { AllocationPool, HostRoute, ProviderNetwork } from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from '../normalize/location.ts';
import { normalizeNetwork } from '../normalize/network.ts';
import { normalizeSubnet } from '../normalize/subnet.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { findNetworkRaw } from './find.ts';
import { createOnce } from './idempotent-create.ts';
import { exactlyOne, neutronByNameOrId, neutronGet, type Raw } from './neutron.ts';
import { neutronSend, neutronWrite } from './write-errors.ts';

/** Only the fields the caller set: proto3 optionals arrive as undefined when absent. */
const defined = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));

const provider = (p: ProviderNetwork | undefined) =>
  p?.networkType
    ? {
        'provider:network_type': p.networkType,
        'provider:physical_network': p.physicalNetwork || undefined,
        'provider:segmentation_id': p.segmentationId || undefined,
      }
    : {};
const pools = (list: AllocationPool[]) => list.map((p) => ({ start: p.start, end: p.end }));
const routes = (list: HostRoute[]) => list.map((r) => ({ destination: r.destination, nexthop: r.nexthop }));

export async function findSubnetRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  const found: Raw[] = [];
  for await (const item of neutronByNameOrId(ctx, 'subnet', 'subnets', nameOrId, {}, signal)) found.push(item);
  return exactlyOne(ctx, 'subnet', nameOrId, found);
}

async function findSubnetPoolId(ctx: RegionContext, nameOrId: string, signal: AbortSignal): Promise<string> {
  const found: Raw[] = [];
  for await (const item of neutronByNameOrId(ctx, 'subnetpool', 'subnetpools', nameOrId, {}, signal)) found.push(item);
  return String(exactlyOne(ctx, 'subnet pool', nameOrId, found).id);
}

/** An object by id for a delete's answer; the follow-up found it a moment ago. */
async function located(ctx: RegionContext, singular: string, plural: string, id: string, signal: AbortSignal) {
  return objectLocation(ctx.location, (await neutronGet(ctx, singular, plural, id, signal)) ?? {});
}

export function networkWriteHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async createNetwork(request, target, call) {
      const ctx = await resolve(target);
      const body = defined({
        name: request.name,
        description: request.description || undefined,
        shared: request.isShared || undefined,
        'router:external': request.isExternal || undefined,
        mtu: request.mtu || undefined,
        port_security_enabled: request.isPortSecurityEnabled,
        admin_state_up: request.isAdminStateUp,
        project_id: request.projectId || undefined,
        ...provider(request.provider),
      });
      const what = `network ${request.name}`;
      const raw = await neutronWrite(ctx, `creating ${what}`, () =>
        createOnce(
          ctx,
          { singular: 'network', plural: 'networks', body, requestId: request.requestId, what },
          call.signal,
        ),
      );
      return { network: normalizeNetwork(raw, ctx.location) };
    },

    async updateNetwork(request, target, call) {
      const ctx = await resolve(target);
      const body = defined({
        name: request.name,
        description: request.description,
        shared: request.isShared,
        'router:external': request.isExternal,
        mtu: request.mtu,
        port_security_enabled: request.isPortSecurityEnabled,
        admin_state_up: request.isAdminStateUp,
      });
      const path = `/networks/${encodeURIComponent(request.nameOrId)}`;
      const res = await neutronWrite(ctx, `updating network ${request.nameOrId}`, () =>
        neutronSend(ctx, 'PUT', path, { network: body }, call.signal),
      );
      return { network: normalizeNetwork(res.network, ctx.location) };
    },

    async deleteNetwork(request, target, call) {
      const ctx = await resolve(target);
      const location = await located(ctx, 'network', 'networks', request.nameOrId, call.signal);
      await neutronWrite(ctx, `deleting network ${request.nameOrId}`, () =>
        neutronSend(ctx, 'DELETE', `/networks/${encodeURIComponent(request.nameOrId)}`, undefined, call.signal),
      );
      return { location, id: request.nameOrId };
    },

    async createSubnet(request, target, call) {
      const ctx = await resolve(target);
      const network = await findNetworkRaw(ctx, request.network, call.signal);
      const poolId = request.subnetPool ? await findSubnetPoolId(ctx, request.subnetPool, call.signal) : undefined;
      const ipVersion = request.ipVersion || (request.cidr.includes(':') ? 6 : 4);
      const body = defined({
        network_id: network.id,
        name: request.name || undefined,
        description: request.description || undefined,
        cidr: request.cidr || undefined,
        ip_version: ipVersion,
        // Neutron's "no gateway" is an explicit null; an absent gateway_ip means "the first address".
        gateway_ip: request.disableGateway ? null : request.gatewayIp || undefined,
        enable_dhcp: request.isDhcpEnabled,
        dns_nameservers: request.dnsNameservers.length ? request.dnsNameservers : undefined,
        allocation_pools: request.allocationPools.length ? pools(request.allocationPools) : undefined,
        host_routes: request.hostRoutes.length ? routes(request.hostRoutes) : undefined,
        ipv6_ra_mode: request.ipv6RaMode || undefined,
        ipv6_address_mode: request.ipv6AddressMode || undefined,
        subnetpool_id: poolId,
        prefixlen: request.prefixLength || undefined,
      });
      const what = `subnet ${request.name || request.cidr} of network ${network.name || network.id}`;
      const raw = await neutronWrite(ctx, `creating ${what}`, () =>
        createOnce(
          ctx,
          { singular: 'subnet', plural: 'subnets', body, requestId: request.requestId, what },
          call.signal,
        ),
      );
      return { subnet: normalizeSubnet(raw, ctx.location) };
    },

    async updateSubnet(request, target, call) {
      const ctx = await resolve(target);
      const body = defined({
        name: request.name,
        description: request.description,
        gateway_ip: request.disableGateway ? null : request.gatewayIp,
        enable_dhcp: request.isDhcpEnabled,
        dns_nameservers: request.dnsNameservers?.values,
        allocation_pools: request.allocationPools ? pools(request.allocationPools.pools) : undefined,
        host_routes: request.hostRoutes ? routes(request.hostRoutes.routes) : undefined,
      });
      const path = `/subnets/${encodeURIComponent(request.nameOrId)}`;
      const res = await neutronWrite(ctx, `updating subnet ${request.nameOrId}`, () =>
        neutronSend(ctx, 'PUT', path, { subnet: body }, call.signal),
      );
      return { subnet: normalizeSubnet(res.subnet, ctx.location) };
    },

    async deleteSubnet(request, target, call) {
      const ctx = await resolve(target);
      const location = await located(ctx, 'subnet', 'subnets', request.nameOrId, call.signal);
      await neutronWrite(ctx, `deleting subnet ${request.nameOrId}`, () =>
        neutronSend(ctx, 'DELETE', `/subnets/${encodeURIComponent(request.nameOrId)}`, undefined, call.signal),
      );
      return { location, id: request.nameOrId };
    },
  };
}
