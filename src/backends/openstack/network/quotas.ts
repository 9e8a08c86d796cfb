// Network quotas and usage of the scoped project (openstacksdk's get_network_quotas(details=True)).
import type { LocationHandlers } from '../../handler-backend.ts';
import { normalizeNetworkQuotas } from '../normalize/network-quota.ts';
import type { RegionResolver } from '../region.ts';
import { isNotFound } from './neutron.ts';

export function quotaHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *listNetworkQuotas(_request, target, call) {
      const ctx = await resolve(target);
      const project = encodeURIComponent(ctx.location.project?.id ?? '');
      const get = (path: string) =>
        ctx.session.request('network', ctx.region, { method: 'GET', path, signal: call.signal });
      const res = await get(`/quotas/${project}/details`).catch((error) => {
        // A cloud without quota_details: limits only, usage unknown.
        if (!isNotFound(error)) throw error;
        return get(`/quotas/${project}`);
      });
      yield normalizeNetworkQuotas((res.body as { quota: Record<string, unknown> }).quota, ctx.location);
    },
  };
}
