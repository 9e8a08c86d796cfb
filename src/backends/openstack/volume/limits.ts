// Block storage quotas and usage of a region (Cinder GET /limits), for the limits and capabilities services.
import type { VolumeLimits } from '../../../gen/oaktree/v1/limits.ts';
import type { RegionContext } from '../region.ts';
import { EndpointNotFoundError } from '../transport/index.ts';
import { int32 } from '../normalize/limits.ts';

const n = (v: unknown): number => (typeof v === 'number' ? int32(v) : 0);

export function volumeLimitsFrom(absolute: Record<string, unknown>): VolumeLimits {
  return {
    maxVolumes: n(absolute.maxTotalVolumes),
    usedVolumes: n(absolute.totalVolumesUsed),
    maxGigabytes: n(absolute.maxTotalVolumeGigabytes),
    usedGigabytes: n(absolute.totalGigabytesUsed),
    maxSnapshots: n(absolute.maxTotalSnapshots),
    usedSnapshots: n(absolute.totalSnapshotsUsed),
    maxBackups: n(absolute.maxTotalBackups),
    usedBackups: n(absolute.totalBackupsUsed),
  };
}

/** Undefined when the region has no block storage in its catalog. */
export async function volumeLimits(ctx: RegionContext, signal?: AbortSignal): Promise<VolumeLimits | undefined> {
  try {
    const res = await ctx.session.request('block-storage', ctx.region, { method: 'GET', path: '/limits', signal });
    const absolute = (res.body as { limits?: { absolute?: Record<string, unknown> } })?.limits?.absolute ?? {};
    return volumeLimitsFrom(absolute);
  } catch (error) {
    if (error instanceof EndpointNotFoundError) return undefined;
    throw error;
  }
}
