// The compute RPCs of one OpenStack cloud, per location.
import type { LocationHandlers } from '../../handler-backend.ts';
import type { RegionResolver } from '../region.ts';

export function computeHandlers(_resolve: RegionResolver): LocationHandlers {
  return {};
}
