// ListAvailabilityZones.
import type { CallContext } from '../../../core/call-context.ts';
import type { AvailabilityZone, ListAvailabilityZonesRequest } from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { normalizeZones } from '../normalize/zone.ts';
import type { RegionContext, RegionResolver } from '../region.ts';

export async function availabilityZones(ctx: RegionContext, signal?: AbortSignal): Promise<AvailabilityZone[]> {
  const res = await ctx.session.request('compute', ctx.region, {
    method: 'GET',
    path: '/os-availability-zone',
    signal,
  });
  return normalizeZones(res.body, ctx.location);
}

export function listAvailabilityZonesHandler(resolve: RegionResolver) {
  return async function* listAvailabilityZones(
    _request: ListAvailabilityZonesRequest,
    target: Location,
    call: CallContext,
  ): AsyncGenerator<AvailabilityZone> {
    const ctx = await resolve(target);
    yield* await availabilityZones(ctx, call.signal);
  };
}
