// Flavors: ListFlavors, and finding a flavor by name or id for CreateServer.
import type { CallContext } from '../../../core/call-context.ts';
import type { Flavor, ListFlavorsRequest } from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { describeLocation } from '../../../core/location.ts';
import { normalizeFlavor } from '../normalize/flavor.ts';
import { stringMap } from '../normalize/properties.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { cachedPerRegion } from './region-cache.ts';
import { flavorOrder, nameContains } from './flavor-order.ts';
import { exactlyOne, getOrUndefined, microversion, mvAtLeast, type Raw } from './nova.ts';

const FLAVOR_CACHE_MS = 5 * 60_000;

/** Every flavor of the region, kept a few minutes (they rarely change): for name lookups and old microversions. */
export function flavorsOfRegion(ctx: RegionContext): Promise<Raw[]> {
  return cachedPerRegion(ctx, 'flavors', FLAVOR_CACHE_MS, async () => {
    const all: Raw[] = [];
    for await (const page of ctx.session.paginate('compute', ctx.region, '/flavors/detail', 'flavors'))
      all.push(...page);
    return all;
  });
}

export async function flavorsById(ctx: RegionContext): Promise<Map<string, Raw>> {
  return new Map((await flavorsOfRegion(ctx)).map((f) => [String(f.id), f]));
}

/** A flavor by id (direct GET) or exact name; NOT_FOUND or INVALID_ARGUMENT naming the candidates. */
export async function findFlavorRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  // The cached list answers most lookups; a direct GET finds flavors it does not show (private, just made).
  const cached = await flavorsOfRegion(ctx);
  const byCachedId = cached.find((f) => String(f.id) === nameOrId);
  if (byCachedId) return byCachedId;
  const matches = cached.filter((f) => f.name === nameOrId);
  if (matches.length) return exactlyOne('flavor', nameOrId, describeLocation(ctx.location), matches);
  const byId = await getOrUndefined(ctx, `/flavors/${encodeURIComponent(nameOrId)}`, 'flavor', signal);
  return exactlyOne('flavor', nameOrId, describeLocation(ctx.location), byId ? [byId] : []);
}

async function extraSpecsOf(
  ctx: RegionContext,
  id: string,
  signal: AbortSignal,
): Promise<Record<string, string> | undefined> {
  try {
    const res = await ctx.session.request('compute', ctx.region, {
      method: 'GET',
      path: `/flavors/${encodeURIComponent(id)}/os-extra_specs`,
      signal,
    });
    return stringMap((res.body as Raw)?.extra_specs);
  } catch (error) {
    // Some clouds forbid extra specs to non-admins; the flavor is still worth returning.
    ctx.logger.debug({ flavor: id, err: (error as Error).message }, 'extra specs not readable');
    return undefined;
  }
}

export function listFlavorsHandler(resolve: RegionResolver) {
  return async function* listFlavors(
    request: ListFlavorsRequest,
    target: Location,
    call: CallContext,
  ): AsyncGenerator<Flavor> {
    const ctx = await resolve(target);
    const signal = call.signal;
    const embedsSpecs = mvAtLeast(await microversion(ctx, signal), 2, 61);
    const named = nameContains(request);
    const wanted = (f: Raw) =>
      (!request.minRamMb || Number(f.ram) >= request.minRamMb) &&
      (!request.minVcpus || Number(f.vcpus) >= request.minVcpus) &&
      named(String(f.name ?? ''));
    const order = flavorOrder(request);

    async function* matching(): AsyncGenerator<Flavor> {
      if (request.nameOrId) {
        // Asked by name or id: one flavor (or a few), so fetching extra specs separately is affordable.
        const byId = await getOrUndefined(ctx, `/flavors/${encodeURIComponent(request.nameOrId)}`, 'flavor', signal);
        const found: Raw[] = byId ? [byId] : [];
        if (!byId) {
          for await (const page of ctx.session.paginate('compute', ctx.region, '/flavors/detail', 'flavors', {
            signal,
          })) {
            found.push(...page.filter((f) => f.name === request.nameOrId));
          }
        }
        for (const raw of found.filter(wanted)) {
          const lookup = !embedsSpecs && !request.skipExtraSpecs;
          const specs = lookup ? await extraSpecsOf(ctx, String(raw.id), signal) : undefined;
          yield normalizeFlavor(raw, ctx.location, specs);
        }
        return;
      }
      const query = request.minRamMb ? { minRam: request.minRamMb } : undefined;
      for await (const page of ctx.session.paginate('compute', ctx.region, '/flavors/detail', 'flavors', {
        query,
        signal,
      })) {
        for (const raw of page) if (wanted(raw)) yield normalizeFlavor(raw, ctx.location);
      }
    }

    if (!order) return yield* matching();
    // A sorted answer needs every flavor first; regions have dozens, not thousands.
    const all: Flavor[] = [];
    for await (const flavor of matching()) all.push(flavor);
    yield* all.sort(order);
  };
}
