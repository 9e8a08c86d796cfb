// Floating IPs the way openstacksdk's cloud layer handles them with neutron, race-free: a floating IP for a server
// is created already bound to the server's port in one POST (never create-then-attach), so
// DeleteUnattachedFloatingIPs can run while servers are being created. Whatever this module creates and cannot
// finish, it deletes.
import { delay } from 'abort-controller-x';
import { isIP } from 'node:net';
import { OaktreeError } from '../../../core/errors.ts';
import { FloatingIPMode } from '../../../gen/oaktree/v1/compute.ts';
import type { FloatingIP } from '../../../gen/oaktree/v1/network.ts';
import { describeLocation } from '../../../core/location.ts';
import { normalizeFloatingIp } from '../normalize/floating-ip.ts';
import type { RegionContext } from '../region.ts';
import { EndpointNotFoundError, GrpcStatus } from '../transport/index.ts';
import { autoIpDecision, natDestinationPort, type RawPort, type RawServer } from './fip-decision.ts';
import { interestingNetworks } from './interesting-cache.ts';
import { isNotFound, neutronGet, neutronListAll, type Raw } from './neutron.ts';

/** The description that marks a floating IP created for a request id (idempotent retries find it). */
export const REQUEST_ID_PREFIX = 'oaktree-request-id:';
/**
 * How long to give a new, bound floating IP to turn ACTIVE. The binding (port_id) is what the call guarantees;
 * ACTIVE comes later from the cloud's L3 agent, and clouds without one (or SDN backends that never report it)
 * leave it DOWN for good — so after this window the floating IP is returned with the status the cloud reports.
 */
const ACTIVE_SETTLE_MS = 5_000;
/** Cleanup gets its own budget: it must run even when the caller's signal has fired. */
const CLEANUP_TIMEOUT_MS = 15_000;

export function hasFloatingIps(ctx: RegionContext): boolean {
  return ctx.regionConfig.floatingIpSource !== null;
}

export function noFloatingIps(ctx: RegionContext): OaktreeError {
  return new OaktreeError(
    GrpcStatus.FAILED_PRECONDITION,
    `${describeLocation(ctx.location)} has no floating IPs (floating_ip_source is None for this cloud)`,
  );
}

/** Whether the region has Neutron at all (a nova-network or broken-neutron cloud has none in its catalog). */
export async function hasNetworkService(ctx: RegionContext, signal?: AbortSignal): Promise<boolean> {
  try {
    await ctx.session.service('network', ctx.region, signal);
    return true;
  } catch (error) {
    if (error instanceof EndpointNotFoundError) return false;
    throw error;
  }
}

/** The network floating IPs come from: the NAT source, else the first external network, else a router's gateway. */
export async function floatingNetworkId(ctx: RegionContext, signal?: AbortSignal): Promise<string | undefined> {
  const nets = await interestingNetworks(ctx, signal);
  if (nets.floatingIpv4.length) return nets.floatingIpv4[0].id;
  for (const router of await neutronListAll(ctx, 'routers', {}, signal)) {
    const gateway = router.external_gateway_info as { network_id?: string } | null | undefined;
    if (router.admin_state_up !== false && gateway?.network_id) return gateway.network_id;
  }
  return undefined;
}

export async function portsOfServer(ctx: RegionContext, serverId: string, signal?: AbortSignal): Promise<RawPort[]> {
  return (await neutronListAll(ctx, 'ports', { device_id: serverId }, signal)) as RawPort[];
}

async function rawFloatingIpsOfPorts(
  ctx: RegionContext,
  ports: readonly RawPort[],
  signal?: AbortSignal,
): Promise<Raw[]> {
  const lists = await Promise.all(ports.map((p) => neutronListAll(ctx, 'floatingips', { port_id: p.id }, signal)));
  return lists.flat();
}

/** The floating IPs bound to a server's ports (for address supplementation and delete_ips). */
export async function floatingIpsOfServer(
  ctx: RegionContext,
  serverId: string,
  signal?: AbortSignal,
): Promise<FloatingIP[]> {
  if (!hasFloatingIps(ctx)) return [];
  const ports = await portsOfServer(ctx, serverId, signal);
  if (!ports.length) return [];
  return (await rawFloatingIpsOfPorts(ctx, ports, signal)).map((raw) =>
    normalizeFloatingIp(raw, ctx.location, serverId),
  );
}

/** By id, or by address (an IP literal); NOT_FOUND otherwise. */
export async function findFloatingIpRaw(ctx: RegionContext, idOrAddress: string, signal?: AbortSignal): Promise<Raw> {
  if (isIP(idOrAddress)) {
    const found = await neutronListAll(ctx, 'floatingips', { floating_ip_address: idOrAddress }, signal);
    const exact = found.filter((f) => f.floating_ip_address === idOrAddress);
    if (exact.length) return exact[0];
  } else {
    const raw = await neutronGet(ctx, 'floatingip', 'floatingips', idOrAddress, signal);
    if (raw) return raw;
  }
  throw new OaktreeError(
    GrpcStatus.NOT_FOUND,
    `no floating IP with id or address "${idOrAddress}" in ${describeLocation(ctx.location)}`,
  );
}

export interface CreateFloatingIpOptions {
  networkId: string;
  /** Bind to this port at creation (the race-free path). */
  port?: RawPort;
  fixedAddress?: string;
  description?: string;
  /** A specific address (Neutron lets admins, and some clouds members, pick one). */
  address?: string;
}

/**
 * POST /floatingips, bound to the port when one is given, then (when bound) give it a moment to turn ACTIVE.
 * A floating IP that ends on another port, or goes to ERROR, is deleted before the error is thrown.
 */
export async function createFloatingIpRaw(
  ctx: RegionContext,
  opts: CreateFloatingIpOptions,
  signal?: AbortSignal,
): Promise<Raw> {
  const body: Raw = { floating_network_id: opts.networkId };
  if (opts.port) body.port_id = opts.port.id;
  if (opts.port && opts.fixedAddress) body.fixed_ip_address = opts.fixedAddress;
  if (opts.description) body.description = opts.description;
  if (opts.address) body.floating_ip_address = opts.address;
  const res = await ctx.session.request('network', ctx.region, {
    method: 'POST',
    path: '/floatingips',
    body: { floatingip: body },
    signal,
  });
  let fip = (res.body as { floatingip: Raw }).floatingip;
  if (!opts.port) return fip;
  try {
    if (fip.port_id !== opts.port.id) {
      throw new OaktreeError(
        GrpcStatus.INTERNAL,
        `floating IP ${fip.id} was created for port ${opts.port.id} but the cloud bound it to ${fip.port_id || 'nothing'}`,
      );
    }
    fip = await waitForActive(ctx, fip, signal);
    return fip;
  } catch (error) {
    await cleanupCreated(ctx, fip, error);
    throw error;
  }
}

async function waitForActive(ctx: RegionContext, fip: Raw, signal?: AbortSignal): Promise<Raw> {
  const until = Date.now() + ACTIVE_SETTLE_MS;
  let current = fip;
  let wait = 250;
  const never = new AbortController().signal;
  while (String(current.status ?? 'ACTIVE').toUpperCase() !== 'ACTIVE') {
    if (String(current.status).toUpperCase() === 'ERROR') {
      throw new OaktreeError(
        GrpcStatus.ABORTED,
        `floating IP ${current.floating_ip_address} (${current.id}) went to ERROR while being attached`,
      );
    }
    if (Date.now() >= until) {
      ctx.logger.info(
        { floatingIp: current.id, status: current.status },
        'floating IP is bound but not ACTIVE yet; returning it with the status the cloud reports',
      );
      return current;
    }
    await delay(signal ?? never, wait);
    wait = Math.min(wait * 2, 2000);
    const fresh = await neutronGet(ctx, 'floatingip', 'floatingips', String(current.id), signal);
    if (!fresh)
      throw new OaktreeError(GrpcStatus.ABORTED, `floating IP ${current.id} disappeared while being attached`);
    current = fresh;
  }
  return current;
}

async function cleanupCreated(ctx: RegionContext, fip: Raw, cause: unknown): Promise<void> {
  try {
    await deleteFloatingIpChecked(ctx, String(fip.id), AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
    ctx.logger.warn(
      { floatingIp: fip.id, address: fip.floating_ip_address, err: (cause as Error)?.message },
      'deleted a floating IP that could not be attached',
    );
  } catch (error) {
    ctx.logger.error(
      { floatingIp: fip.id, address: fip.floating_ip_address, err: (error as Error)?.message },
      'FIP LEAK: could not delete a floating IP that failed to attach',
    );
  }
}

/**
 * Deletes and re-reads, as openstacksdk does: Neutron sometimes answers success and keeps the floating IP, and some
 * clouds set it DOWN instead of deleting it at once (DOWN counts as deleted). False when it was already gone.
 */
export async function deleteFloatingIpChecked(
  ctx: RegionContext,
  id: string,
  signal?: AbortSignal,
  retries = 1,
): Promise<boolean> {
  let last: Raw | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      await ctx.session.request('network', ctx.region, {
        method: 'DELETE',
        path: `/floatingips/${encodeURIComponent(id)}`,
        signal,
      });
    } catch (error) {
      if (isNotFound(error)) return attempt > 0;
      throw error;
    }
    last = await neutronGet(ctx, 'floatingip', 'floatingips', id, signal);
    if (!last || String(last.status).toUpperCase() === 'DOWN') return true;
  }
  throw new OaktreeError(
    GrpcStatus.UNAVAILABLE,
    `the cloud accepted ${retries + 1} deletes of floating IP ${last?.floating_ip_address ?? ''} (${id}) but it still exists (status ${last?.status}); try again later`,
  );
}

/** Deletes every floating IP bound to the server's ports; returns how many. */
export async function deleteFloatingIpsOfServer(
  ctx: RegionContext,
  serverId: string,
  signal?: AbortSignal,
): Promise<number> {
  if (!hasFloatingIps(ctx)) return 0;
  const ports = await portsOfServer(ctx, serverId, signal);
  if (!ports.length) return 0;
  let deleted = 0;
  for (const fip of await rawFloatingIpsOfPorts(ctx, ports, signal)) {
    if (await deleteFloatingIpChecked(ctx, String(fip.id), signal)) deleted++;
  }
  return deleted;
}

/**
 * Gives a server a floating IP when `mode` asks for one: AUTO (openstacksdk's auto_ip: only when the server has
 * only private addresses and a port on the NAT destination network), ALWAYS, NONE. Returns the floating IP the
 * server has afterwards (an existing one is returned as is), or undefined when it gets none.
 * Call it once the server is ACTIVE: before that its ports may not exist.
 */
export async function ensureFloatingIpForServer(
  ctx: RegionContext,
  server: RawServer,
  mode: FloatingIPMode,
  signal?: AbortSignal,
): Promise<FloatingIP | undefined> {
  if (mode === FloatingIPMode.FLOATING_IP_MODE_NONE) return undefined;
  const always = mode === FloatingIPMode.FLOATING_IP_MODE_ALWAYS;
  const skip = (reason: string): undefined => {
    if (always)
      throw new OaktreeError(
        GrpcStatus.FAILED_PRECONDITION,
        `cannot give server ${server.id} a floating IP: ${reason}`,
      );
    ctx.logger.debug({ server: server.id, reason }, 'no floating IP needed');
    return undefined;
  };
  if (!hasFloatingIps(ctx)) {
    if (always) throw noFloatingIps(ctx);
    return undefined;
  }
  if (!(await hasNetworkService(ctx, signal)))
    return skip('the cloud has no network service (nova-network floating IPs are not supported)');

  const ports = await portsOfServer(ctx, server.id, signal);
  const existing = ports.length ? await rawFloatingIpsOfPorts(ctx, ports, signal) : [];
  if (existing.length) return normalizeFloatingIp(existing[0], ctx.location, server.id);

  const nets = await interestingNetworks(ctx, signal);
  if (!always) {
    const decision = autoIpDecision(server, {
      hasFloatingIps: true,
      requiresFloatingIp: ctx.regionConfig.requiresFloatingIp,
      isPrivate: ctx.regionConfig.extra?.private === true,
      externalIpv4: nets.externalIpv4,
    });
    if (!decision.needed) return skip(decision.reason);
  }
  const networkId = await floatingNetworkId(ctx, signal);
  if (!networkId) return skip('the cloud has no external network to allocate floating IPs from');
  const target = natDestinationPort(server.id, ports, { natDestination: nets.natDestination });
  if (!target) return skip('the server has no port with a fixed IPv4 address');
  const fip = await createFloatingIpRaw(
    ctx,
    { networkId, port: target.port, fixedAddress: target.fixedAddress },
    signal,
  );
  ctx.logger.info(
    { server: server.id, floatingIp: fip.id, address: fip.floating_ip_address },
    'floating IP attached at creation',
  );
  return normalizeFloatingIp(fip, ctx.location, server.id);
}
