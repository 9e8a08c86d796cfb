// Placeholder until the volume handlers land (owned by the network/image/volume engineer; overwrite freely).
import type { LocationHandlers } from '../../handler-backend.ts';
import type { RegionResolver } from '../region.ts';

export function volumeHandlers(_resolve: RegionResolver): LocationHandlers {
  return {};
}
