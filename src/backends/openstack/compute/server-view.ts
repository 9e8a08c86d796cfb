// Turning nova server JSON into oaktree Servers for one region: which networks route externally, flavor details
// for old microversions, and the floating IPs Neutron knows that nova's cache does not show yet.
import type { Server } from '../../../gen/oaktree/v1/compute.ts';
import { interestingNetworks } from '../network/interesting-cache.ts';
import { hasFloatingIps } from '../network/floating-ips.ts';
import { neutronListAll } from '../network/neutron.ts';
import { normalizeServer, type ServerNormalizeOptions, type SupplementalFloatingIp } from '../normalize/server.ts';
import type { RegionContext } from '../region.ts';
import { flavorsById } from './flavors.ts';
import { microversion, mvAtLeast, type Raw } from './nova.ts';

async function networkRoles(
  ctx: RegionContext,
  signal?: AbortSignal,
): Promise<Pick<ServerNormalizeOptions, 'externalNetworks' | 'internalNetworks'>> {
  const external = new Set<string>();
  const internal = new Set<string>();
  for (const net of ctx.regionConfig.networks) {
    if (net.routesExternally || net.routesIpv4Externally || net.routesIpv6Externally) external.add(net.name);
    else internal.add(net.name);
  }
  try {
    const nets = await interestingNetworks(ctx, signal);
    for (const n of [...nets.externalIpv4, ...nets.externalIpv6]) external.add(n.name).add(n.id);
    for (const n of [...nets.internalIpv4, ...nets.internalIpv6])
      if (!external.has(n.name)) internal.add(n.name).add(n.id);
  } catch (error) {
    // No Neutron (or it failed): the config and address heuristics still decide.
    if (signal?.aborted) throw error;
    ctx.logger.debug(
      { err: (error as Error).message },
      'network roles unavailable; using clouds.yaml and address heuristics',
    );
  }
  return { externalNetworks: external, internalNetworks: internal };
}

/** Nova's fixed addresses of a server, or none when nova already shows a floating one. */
function fixedAddressesWithoutFloating(raw: Raw): string[] {
  const fixed: string[] = [];
  const addresses = raw.addresses as Record<string, Raw[]> | undefined;
  for (const network in addresses ?? {}) {
    const list = addresses![network];
    if (!Array.isArray(list)) continue;
    for (const a of list) {
      if (a?.['OS-EXT-IPS:type'] === 'floating') return [];
      if (typeof a?.addr === 'string') fixed.push(a.addr);
    }
  }
  return fixed;
}

/**
 * openstacksdk asks Neutron per ACTIVE server (ports, then floating IPs). One floating IP list per batch does the
 * same job: a floating IP is placed on the server that has its fixed address, when exactly one server in the batch does.
 */
async function supplementalFloatingIps(
  ctx: RegionContext,
  raws: Raw[],
  signal?: AbortSignal,
): Promise<Map<string, SupplementalFloatingIp[]>> {
  const out = new Map<string, SupplementalFloatingIp[]>();
  if (!hasFloatingIps(ctx)) return out;
  // fixed address → the one server in the batch that has it (null: several do, so no floating IP is placed).
  const owners = new Map<string, string | null>();
  for (const r of raws) {
    if (r.status !== 'ACTIVE') continue;
    for (const addr of fixedAddressesWithoutFloating(r)) owners.set(addr, owners.has(addr) ? null : String(r.id));
  }
  if (!owners.size) return out;
  let fips: Raw[];
  try {
    fips = (await neutronListAll(ctx, 'floatingips', {}, signal)) as Raw[];
  } catch (error) {
    if (signal?.aborted) throw error;
    ctx.logger.debug({ err: (error as Error).message }, 'floating IPs unavailable; addresses from nova only');
    return out;
  }
  for (const fip of fips) {
    if (!fip.port_id || typeof fip.fixed_ip_address !== 'string' || typeof fip.floating_ip_address !== 'string')
      continue;
    const server = owners.get(fip.fixed_ip_address);
    if (!server) continue;
    const list = out.get(server) ?? [];
    list.push({ floatingAddress: fip.floating_ip_address, fixedAddress: fip.fixed_ip_address });
    out.set(server, list);
  }
  return out;
}

/**
 * What a batch (a page) of nova servers needs from the region, a few shared lookups per batch, as a function that
 * turns one of its servers at a time: a list streams each server as it is made, so a page's normalized servers never
 * all live at once (survivors are what the young-generation GC copies: holding a page of them cost more GC than
 * normalizing them).
 */
export async function serverNormalizer(
  ctx: RegionContext,
  raws: Raw[],
  signal?: AbortSignal,
): Promise<(raw: Raw) => Server> {
  const [roles, fips, flavors] = await Promise.all([
    networkRoles(ctx, signal),
    supplementalFloatingIps(ctx, raws, signal),
    // Before 2.47 a server names only its flavor's id: fill the details from the (cached) flavor list.
    microversion(ctx, signal).then((mv) =>
      mvAtLeast(mv, 2, 47) ? undefined : flavorsById(ctx).catch(() => undefined),
    ),
  ]);
  return (raw) =>
    normalizeServer(raw, {
      route: ctx.location,
      ...roles,
      flavorsById: flavors,
      floatingIps: fips.get(String(raw.id)),
    });
}

export async function normalizeOne(ctx: RegionContext, raw: Raw, signal?: AbortSignal): Promise<Server> {
  return (await serverNormalizer(ctx, [raw], signal))(raw);
}
