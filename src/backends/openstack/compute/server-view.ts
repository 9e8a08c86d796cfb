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

function novaShowsFloating(raw: Raw): boolean {
  for (const list of Object.values((raw.addresses ?? {}) as Record<string, Raw[]>)) {
    if (Array.isArray(list) && list.some((a) => a?.['OS-EXT-IPS:type'] === 'floating')) return true;
  }
  return false;
}

function fixedAddressesOf(raw: Raw): string[] {
  const out: string[] = [];
  for (const list of Object.values((raw.addresses ?? {}) as Record<string, Raw[]>)) {
    if (Array.isArray(list))
      for (const a of list) if (a?.['OS-EXT-IPS:type'] !== 'floating' && typeof a?.addr === 'string') out.push(a.addr);
  }
  return out;
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
  const candidates = raws.filter((r) => r.status === 'ACTIVE' && !novaShowsFloating(r) && fixedAddressesOf(r).length);
  if (!candidates.length || !hasFloatingIps(ctx)) return out;
  let fips: Raw[];
  try {
    fips = (await neutronListAll(ctx, 'floatingips', {}, signal)) as Raw[];
  } catch (error) {
    if (signal?.aborted) throw error;
    ctx.logger.debug({ err: (error as Error).message }, 'floating IPs unavailable; addresses from nova only');
    return out;
  }
  const owners = new Map<string, string[]>();
  for (const r of candidates)
    for (const addr of fixedAddressesOf(r)) owners.set(addr, [...(owners.get(addr) ?? []), String(r.id)]);
  for (const fip of fips) {
    if (!fip.port_id || typeof fip.fixed_ip_address !== 'string' || typeof fip.floating_ip_address !== 'string')
      continue;
    const servers = owners.get(fip.fixed_ip_address);
    if (servers?.length !== 1) continue;
    const list = out.get(servers[0]) ?? [];
    list.push({ floatingAddress: fip.floating_ip_address, fixedAddress: fip.fixed_ip_address });
    out.set(servers[0], list);
  }
  return out;
}

/** Normalizes a batch (a page) of nova servers with the region's knowledge; a few shared lookups per batch. */
export async function normalizeServers(ctx: RegionContext, raws: Raw[], signal?: AbortSignal): Promise<Server[]> {
  if (!raws.length) return [];
  const [roles, fips, flavors] = await Promise.all([
    networkRoles(ctx, signal),
    supplementalFloatingIps(ctx, raws, signal),
    // Before 2.47 a server names only its flavor's id: fill the details from the (cached) flavor list.
    microversion(ctx, signal).then((mv) =>
      mvAtLeast(mv, 2, 47) ? undefined : flavorsById(ctx).catch(() => undefined),
    ),
  ]);
  return raws.map((raw) =>
    normalizeServer(raw, {
      route: ctx.location,
      ...roles,
      flavorsById: flavors,
      floatingIps: fips.get(String(raw.id)),
    }),
  );
}

export async function normalizeOne(ctx: RegionContext, raw: Raw, signal?: AbortSignal): Promise<Server> {
  return (await normalizeServers(ctx, [raw], signal))[0];
}
