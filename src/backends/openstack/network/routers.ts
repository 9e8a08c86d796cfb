// Routers: list with interfaces, create (gateway and interfaces in one call, undone as a whole when a step fails),
// update, delete, add and remove interfaces. Clouds without an L3 agent still store routers and gateways: nothing
// here waits for a router to become ACTIVE.
import { describeLocation } from '../../../core/location.ts';
import { isCodedError, OaktreeError } from '../../../core/errors.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import type { Router, RouterGatewaySpec, RouterInterfaceSpec } from '../../../gen/oaktree/v1/network.ts';
import { normalizeRouter, ROUTER_INTERFACE_OWNERS } from '../normalize/router.ts';
import { objectLocation } from '../normalize/location.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import { findNetworkRaw } from './find.ts';
import { createOnce, undo } from './idempotent-create.ts';
import { neutronByNameOrId, neutronGet, neutronList, neutronListAll, type Raw } from './neutron.ts';
import { findSubnetRaw } from './network-writes.ts';
import { neutronSend, neutronWrite, writeCode } from './write-errors.ts';

const UNDO_TIMEOUT_MS = 15_000;

async function routerPorts(ctx: RegionContext, routerId: string, signal: AbortSignal): Promise<Raw[]> {
  return neutronListAll(ctx, 'ports', { device_id: routerId }, signal);
}

async function routerNow(ctx: RegionContext, id: string, signal: AbortSignal): Promise<Router> {
  const raw = await neutronGet(ctx, 'router', 'routers', id, signal);
  if (!raw) throw new OaktreeError(GrpcStatus.NOT_FOUND, `router ${id} is gone from ${describeLocation(ctx.location)}`);
  return normalizeRouter(raw, ctx.location, await routerPorts(ctx, id, signal));
}

/** Neutron's external_gateway_info for a spec, names resolved. */
async function gatewayInfo(ctx: RegionContext, spec: RouterGatewaySpec, signal: AbortSignal) {
  const network = await findNetworkRaw(ctx, spec.network, signal);
  const fixed = await Promise.all(
    spec.externalFixedIps.map(async (f) => ({
      ...(f.subnet ? { subnet_id: (await findSubnetRaw(ctx, f.subnet, signal)).id } : {}),
      ...(f.ipAddress ? { ip_address: f.ipAddress } : {}),
    })),
  );
  return {
    network_id: network.id,
    ...(spec.isSnatEnabled !== undefined ? { enable_snat: spec.isSnatEnabled } : {}),
    ...(fixed.length ? { external_fixed_ips: fixed } : {}),
  };
}

/** The add/remove_router_interface body for a spec: a subnet by name or id, or a port id. */
async function interfaceBody(ctx: RegionContext, spec: RouterInterfaceSpec, signal: AbortSignal) {
  if (spec.port) return { port_id: spec.port, label: `port ${spec.port}` };
  const subnet = await findSubnetRaw(ctx, spec.subnet, signal);
  return { subnet_id: String(subnet.id), label: `subnet ${subnet.name || subnet.id}` };
}

function interfaceCall(
  ctx: RegionContext,
  routerId: string,
  verb: 'add' | 'remove',
  body: object,
  signal: AbortSignal,
) {
  const path = `/routers/${encodeURIComponent(routerId)}/${verb}_router_interface`;
  return neutronSend(ctx, 'PUT', path, body, signal);
}

/** Whether a router already has an interface there (a retried create must not add it twice). */
function hasInterface(ports: Raw[], body: { subnet_id?: string; port_id?: string }): boolean {
  return ports.some(
    (p) =>
      p.id === body.port_id ||
      (Array.isArray(p.fixed_ips) && p.fixed_ips.some((f: Raw) => body.subnet_id && f.subnet_id === body.subnet_id)),
  );
}

export function routerHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *listRouters(request, target, call) {
      const ctx = await resolve(target);
      const routers: Raw[] = [];
      const source = request.nameOrId
        ? neutronByNameOrId(ctx, 'router', 'routers', request.nameOrId, {}, call.signal)
        : neutronList(ctx, 'routers', {}, call.signal);
      for await (const raw of source) routers.push(raw);
      if (!routers.length) return;
      // One port list per kind of interface (legacy, DVR, HA) for the region, not one per router.
      const ports =
        routers.length === 1
          ? await routerPorts(ctx, String(routers[0].id), call.signal)
          : (
              await Promise.all(
                ROUTER_INTERFACE_OWNERS.map((owner) =>
                  neutronListAll(ctx, 'ports', { device_owner: owner }, call.signal),
                ),
              )
            ).flat();
      for (const raw of routers) {
        yield normalizeRouter(
          raw,
          ctx.location,
          ports.filter((p) => p.device_id === raw.id),
        );
      }
    },

    async createRouter(request, target, call) {
      const ctx = await resolve(target);
      // Everything named is found first: a missing subnet fails the call before anything exists.
      const gateway = request.externalGateway
        ? await gatewayInfo(ctx, request.externalGateway, call.signal)
        : undefined;
      const interfaces = [];
      for (const spec of request.interfaces) interfaces.push(await interfaceBody(ctx, spec, call.signal));
      const what = `router ${request.name}`;
      const body = {
        name: request.name,
        ...(request.description ? { description: request.description } : {}),
        ...(request.isAdminStateUp !== undefined ? { admin_state_up: request.isAdminStateUp } : {}),
        ...(gateway ? { external_gateway_info: gateway } : {}),
      };
      const raw = await neutronWrite(ctx, `creating ${what}`, () =>
        createOnce(
          ctx,
          { singular: 'router', plural: 'routers', body, requestId: request.requestId, what },
          call.signal,
        ),
      );
      const id = String(raw.id);
      const existing = interfaces.length ? await routerPorts(ctx, id, call.signal) : [];
      const added: Array<{ label: string; portId: string }> = [];
      for (const { label, ...spec } of interfaces) {
        if (hasInterface(existing, spec)) continue;
        try {
          const res = await interfaceCall(ctx, id, 'add', spec, call.signal);
          added.push({ label, portId: String(res.port_id) });
        } catch (error) {
          throw await undoRouter(ctx, id, added, `adding the interface on ${label} failed`, error);
        }
      }
      return { router: await routerNow(ctx, id, call.signal) };
    },

    async updateRouter(request, target, call) {
      const ctx = await resolve(target);
      const gateway = request.removeExternalGateway
        ? {}
        : request.externalGateway
          ? await gatewayInfo(ctx, request.externalGateway, call.signal)
          : undefined;
      const body = {
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
        ...(request.isAdminStateUp !== undefined ? { admin_state_up: request.isAdminStateUp } : {}),
        ...(gateway ? { external_gateway_info: gateway } : {}),
      };
      const path = `/routers/${encodeURIComponent(request.nameOrId)}`;
      await neutronWrite(ctx, `updating router ${request.nameOrId}`, () =>
        neutronSend(ctx, 'PUT', path, { router: body }, call.signal),
      );
      return { router: await routerNow(ctx, request.nameOrId, call.signal) };
    },

    async deleteRouter(request, target, call) {
      const ctx = await resolve(target);
      const raw = (await neutronGet(ctx, 'router', 'routers', request.nameOrId, call.signal)) ?? {};
      await neutronWrite(ctx, `deleting router ${request.nameOrId} (remove its interfaces first)`, () =>
        neutronSend(ctx, 'DELETE', `/routers/${encodeURIComponent(request.nameOrId)}`, undefined, call.signal),
      );
      return { location: objectLocation(ctx.location, raw), id: request.nameOrId };
    },

    async addRouterInterface(request, target, call) {
      const ctx = await resolve(target);
      const { label, ...spec } = await interfaceBody(ctx, request, call.signal);
      const res = await neutronWrite(ctx, `adding router ${request.nameOrId}'s interface on ${label}`, () =>
        interfaceCall(ctx, request.nameOrId, 'add', spec, call.signal),
      );
      return { router: await routerNow(ctx, request.nameOrId, call.signal), portId: String(res.port_id ?? '') };
    },

    async removeRouterInterface(request, target, call) {
      const ctx = await resolve(target);
      const { label, ...spec } = await interfaceBody(ctx, request, call.signal);
      await neutronWrite(ctx, `removing router ${request.nameOrId}'s interface on ${label}`, () =>
        interfaceCall(ctx, request.nameOrId, 'remove', spec, call.signal),
      );
      return { router: await routerNow(ctx, request.nameOrId, call.signal) };
    },
  };
}

/**
 * Undoes a router create that failed at an interface: removes the interfaces added, deletes the router, and says
 * exactly what is left when the undo fails too.
 */
async function undoRouter(
  ctx: RegionContext,
  id: string,
  added: Array<{ label: string; portId: string }>,
  step: string,
  cause: unknown,
): Promise<OaktreeError> {
  const signal = AbortSignal.timeout(UNDO_TIMEOUT_MS);
  const left: string[] = [];
  for (const { label, portId } of added) {
    try {
      await interfaceCall(ctx, id, 'remove', { port_id: portId }, signal);
    } catch {
      left.push(`its interface on ${label} (port ${portId})`);
    }
  }
  const deleted = left.length === 0 && (await undo(ctx, 'routers', id));
  const reason = (cause as { serviceMessage?: string }).serviceMessage ?? (cause as Error).message;
  const mapped =
    cause instanceof OpenStackHttpError
      ? (writeCode(cause) ?? cause.code)
      : isCodedError(cause)
        ? cause.grpcCode
        : GrpcStatus.UNKNOWN;
  const where = describeLocation(ctx.location);
  const outcome = deleted
    ? `nothing was left: router ${id} and the ${added.length} interface(s) added before were removed`
    : `router ${id} still exists${left.length ? ` with ${left.join(', ')}` : ''}; delete it with DeleteRouter`;
  return new OaktreeError(mapped, `creating router in ${where}: ${step} (${reason}); ${outcome}`);
}
