// ListLimits: nova's absolute limits, plus Cinder's when the region has block storage.
import type { CallContext } from '../../../core/call-context.ts';
import { Limits as LimitsMessage, type ListLimitsRequest, type Limits } from '../../../gen/oaktree/v1/limits.ts';
import { encodable } from '../encodable.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { normalizeComputeLimits } from '../normalize/limits.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { volumeLimits } from '../volume/limits.ts';

export async function limitsOf(ctx: RegionContext, signal?: AbortSignal): Promise<Limits> {
  const [computeRes, volume] = await Promise.all([
    ctx.session.request('compute', ctx.region, { method: 'GET', path: '/limits', signal }),
    volumeLimits(ctx, signal),
  ]);
  const { compute, properties } = normalizeComputeLimits(computeRes.body);
  return { location: ctx.location, compute, volume, properties };
}

export function getLimitsHandler(resolve: RegionResolver) {
  return async function* getLimits(
    _request: ListLimitsRequest,
    target: Location,
    call: CallContext,
  ): AsyncGenerator<Limits> {
    yield encodable(LimitsMessage, await limitsOf(await resolve(target), call.signal), 'limits');
  };
}
