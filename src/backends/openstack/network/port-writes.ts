// Ports: create and update (fixed IPs, security groups, address pairs, port security, device, binding profile).
import { describeLocation } from '../../../core/location.ts';
import { OaktreeError } from '../../../core/errors.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import type { AddressPair, FixedIPSpec } from '../../../gen/oaktree/v1/network.ts';
import { normalizePort } from '../normalize/port.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { findNetworkRaw } from './find.ts';
import { createOnce } from './idempotent-create.ts';
import { findSubnetRaw } from './network-writes.ts';
import { findSecurityGroupId } from './security-group-writes.ts';
import { neutronSend, neutronWrite } from './write-errors.ts';

/** Fixed IPs with subnet names resolved; a subnet of another network is refused before the cloud sees it. */
async function fixedIps(ctx: RegionContext, networkId: string, specs: FixedIPSpec[], signal: AbortSignal) {
  const out = [];
  for (const spec of specs) {
    if (!spec.subnet) {
      out.push({ ip_address: spec.ipAddress });
      continue;
    }
    const subnet = await findSubnetRaw(ctx, spec.subnet, signal);
    if (networkId && subnet.network_id !== networkId) {
      throw new OaktreeError(
        GrpcStatus.INVALID_ARGUMENT,
        `subnet ${subnet.name || subnet.id} in ${describeLocation(ctx.location)} is on network ${subnet.network_id}, not on the port's network ${networkId}`,
      );
    }
    out.push({ subnet_id: subnet.id, ...(spec.ipAddress ? { ip_address: spec.ipAddress } : {}) });
  }
  return out;
}

const pairs = (list: AddressPair[]) =>
  list.map((p) => ({ ip_address: p.ipAddress, ...(p.macAddress ? { mac_address: p.macAddress } : {}) }));

const groupIds = (ctx: RegionContext, names: string[], signal: AbortSignal) =>
  Promise.all(names.map((name) => findSecurityGroupId(ctx, name, signal)));

export function portWriteHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async createPort(request, target, call) {
      const ctx = await resolve(target);
      const network = await findNetworkRaw(ctx, request.network, call.signal);
      const networkId = String(network.id);
      const body = {
        network_id: networkId,
        ...(request.name ? { name: request.name } : {}),
        ...(request.description ? { description: request.description } : {}),
        ...(request.fixedIps.length
          ? { fixed_ips: await fixedIps(ctx, networkId, request.fixedIps, call.signal) }
          : {}),
        ...(request.securityGroups.length
          ? { security_groups: await groupIds(ctx, request.securityGroups, call.signal) }
          : {}),
        ...(request.allowedAddressPairs.length ? { allowed_address_pairs: pairs(request.allowedAddressPairs) } : {}),
        ...(request.isPortSecurityEnabled !== undefined
          ? { port_security_enabled: request.isPortSecurityEnabled }
          : {}),
        ...(request.isAdminStateUp !== undefined ? { admin_state_up: request.isAdminStateUp } : {}),
        ...(request.deviceId ? { device_id: request.deviceId } : {}),
        ...(request.deviceOwner ? { device_owner: request.deviceOwner } : {}),
        ...(Object.keys(request.bindingProfile).length ? { 'binding:profile': request.bindingProfile } : {}),
        ...(request.macAddress ? { mac_address: request.macAddress } : {}),
      };
      const what = `port ${request.name || '(no name)'} on network ${network.name || networkId}`;
      const raw = await neutronWrite(ctx, `creating ${what}`, () =>
        createOnce(ctx, { singular: 'port', plural: 'ports', body, requestId: request.requestId, what }, call.signal),
      );
      return { port: normalizePort(raw, ctx.location) };
    },

    async updatePort(request, target, call) {
      const ctx = await resolve(target);
      const body = {
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
        // The follow-up pinned the port; its network is checked by Neutron for fixed IPs named by subnet id.
        ...(request.fixedIps ? { fixed_ips: await fixedIps(ctx, '', request.fixedIps.fixedIps, call.signal) } : {}),
        ...(request.securityGroups
          ? { security_groups: await groupIds(ctx, request.securityGroups.values, call.signal) }
          : {}),
        ...(request.allowedAddressPairs ? { allowed_address_pairs: pairs(request.allowedAddressPairs.pairs) } : {}),
        ...(request.isPortSecurityEnabled !== undefined
          ? { port_security_enabled: request.isPortSecurityEnabled }
          : {}),
        ...(request.isAdminStateUp !== undefined ? { admin_state_up: request.isAdminStateUp } : {}),
        ...(request.deviceId !== undefined ? { device_id: request.deviceId } : {}),
        ...(request.deviceOwner !== undefined ? { device_owner: request.deviceOwner } : {}),
        ...(Object.keys(request.bindingProfile).length ? { 'binding:profile': request.bindingProfile } : {}),
      };
      const path = `/ports/${encodeURIComponent(request.nameOrId)}`;
      const res = await neutronWrite(ctx, `updating port ${request.nameOrId}`, () =>
        neutronSend(ctx, 'PUT', path, { port: body }, call.signal),
      );
      return { port: normalizePort(res.port, ctx.location) };
    },
  };
}
