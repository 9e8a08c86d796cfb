// Placeholder until the network handlers land (owned by the network/image/volume engineer; overwrite freely).
import type { LocationHandlers } from '../../handler-backend.ts';
import type { RegionResolver } from '../region.ts';

export function networkHandlers(_resolve: RegionResolver): LocationHandlers {
  return {};
}
