// One classification of interesting networks per cloud-region, shared by every caller and kept for a while:
// openstacksdk computes it once per connection; oaktree refreshes it every few minutes so new networks show up.
import type { RegionContext } from '../region.ts';
import { EndpointNotFoundError, type CloudSession } from '../transport/index.ts';
import {
  classifyNetworks,
  networkSettings,
  type InterestingNetworks,
  type RawNetwork,
  type RawSubnet,
} from './interesting.ts';
import { neutronListAll } from './neutron.ts';

const TTL_MS = 5 * 60_000;

interface Entry {
  at: number;
  value: Promise<InterestingNetworks>;
}

const cache = new WeakMap<CloudSession, Map<string, Entry>>();

export async function interestingNetworks(ctx: RegionContext, signal?: AbortSignal): Promise<InterestingNetworks> {
  let perRegion = cache.get(ctx.session);
  if (!perRegion) cache.set(ctx.session, (perRegion = new Map()));
  const hit = perRegion.get(ctx.region);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  // Not tied to one caller's signal: the result is shared, and a cancelled caller must not poison it.
  const value = load(ctx);
  const entry = { at: Date.now(), value };
  perRegion.set(ctx.region, entry);
  value.catch(() => {
    if (perRegion.get(ctx.region) === entry) perRegion.delete(ctx.region);
  });
  return signal ? raceSignal(value, signal) : value;
}

/** Drops the cached classification (after a create with a stale network, or in tests). */
export function forgetInterestingNetworks(ctx: RegionContext): void {
  cache.get(ctx.session)?.delete(ctx.region);
}

async function load(ctx: RegionContext): Promise<InterestingNetworks> {
  const settings = networkSettings(ctx.regionConfig);
  let networks: RawNetwork[];
  try {
    networks = (await neutronListAll(ctx, 'networks')) as RawNetwork[];
  } catch (error) {
    // No Neutron in the catalog (nova-network era clouds): nothing is interesting, as in openstacksdk.
    if (error instanceof EndpointNotFoundError)
      return classifyNetworks([], [], { externalIpv4: [], internalIpv4: [], externalIpv6: [], internalIpv6: [] });
    throw error;
  }
  // Subnets only matter for guessing the NAT destination.
  const subnets =
    settings.natDestination === undefined ? ((await neutronListAll(ctx, 'subnets')) as RawSubnet[]) : undefined;
  return classifyNetworks(networks, subnets, settings);
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
