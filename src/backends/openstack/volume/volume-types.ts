// ListVolumeTypes for one OpenStack region: Cinder's GET /types (the types the caller may use).
import type { LocationHandlers } from '../../handler-backend.ts';
import { normalizeVolumeType } from '../normalize/volume-snapshot.ts';
import type { RegionResolver } from '../region.ts';
import type { Raw } from './status-feeds.ts';

export function volumeTypeHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *listVolumeTypes(_request, target, call) {
      const ctx = await resolve(target);
      const res = await ctx.session.request('block-storage', ctx.region, {
        method: 'GET',
        path: '/types',
        signal: call.signal,
      });
      const types = (res.body as { volume_types?: Raw[] })?.volume_types ?? [];
      for (const raw of types) yield normalizeVolumeType(raw, ctx.location);
    },
  };
}
