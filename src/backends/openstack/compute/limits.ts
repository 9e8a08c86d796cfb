// GetLimits: nova's absolute limits, plus Cinder's when the region has block storage.
import type { CallContext } from '../../backend.ts';
import type { GetLimitsRequest, Limits, VolumeLimits } from '../../../gen/oaktree/v1/limits.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { normalizeComputeLimits } from '../normalize/limits.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { EndpointNotFoundError } from '../transport/index.ts';
import { optionalExport } from './image-lookup.ts';
import type { Raw } from './nova.ts';

type VolumeLimitsFn = (ctx: RegionContext, signal?: AbortSignal) => Promise<VolumeLimits | undefined>;
let volumeLimitsModule: Promise<VolumeLimitsFn | undefined> | undefined;

function int32(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.max(-1, Math.min(2_147_483_647, Math.trunc(n))) : 0;
}

/** Until src/backends/openstack/volume/limits.ts exists: Cinder's GET /limits read directly. */
async function cinderLimits(ctx: RegionContext, signal?: AbortSignal): Promise<VolumeLimits | undefined> {
  try {
    const res = await ctx.session.request('block-storage', ctx.region, { method: 'GET', path: '/limits', signal });
    const a: Raw = (res.body as Raw)?.limits?.absolute ?? {};
    return {
      maxVolumes: int32(a.maxTotalVolumes), usedVolumes: int32(a.totalVolumesUsed),
      maxGigabytes: int32(a.maxTotalVolumeGigabytes), usedGigabytes: int32(a.totalGigabytesUsed),
      maxSnapshots: int32(a.maxTotalSnapshots), usedSnapshots: int32(a.totalSnapshotsUsed),
      maxBackups: int32(a.maxTotalBackups), usedBackups: int32(a.totalBackupsUsed),
    };
  } catch (error) {
    if (error instanceof EndpointNotFoundError) return undefined; // no block storage in this region
    throw error;
  }
}

async function volumeLimitsOf(ctx: RegionContext, signal?: AbortSignal): Promise<VolumeLimits | undefined> {
  volumeLimitsModule ??= optionalExport<VolumeLimitsFn>('../volume/limits.ts', 'volumeLimits');
  const shared = await volumeLimitsModule;
  return shared ? shared(ctx, signal) : cinderLimits(ctx, signal);
}

export async function limitsOf(ctx: RegionContext, signal?: AbortSignal): Promise<Limits> {
  const [computeRes, volume] = await Promise.all([
    ctx.session.request('compute', ctx.region, { method: 'GET', path: '/limits', signal }),
    volumeLimitsOf(ctx, signal),
  ]);
  const { compute, properties } = normalizeComputeLimits(computeRes.body);
  return { location: ctx.location, compute, volume, properties };
}

export function getLimitsHandler(resolve: RegionResolver) {
  return async function* getLimits(_request: GetLimitsRequest, target: Location, call: CallContext): AsyncGenerator<Limits> {
    yield await limitsOf(await resolve(target), call.signal);
  };
}
