// What every OpenStack handler works with: one cloud, one region, its session and the route location.
// Handlers get a resolver from the target Location (as the router hands it over) to this context.
import type { CloudConfig, CloudRegionConfig } from '../../config/clouds/types.ts';
import type { Location } from '../../gen/oaktree/v1/location.ts';
import type { Logger } from '../../observability/logger.ts';
import { OaktreeError } from '../../core/errors.ts';
import type { OpenStackServices } from './services.ts';
import { GrpcStatus, type CloudSession } from './transport/index.ts';

export interface RegionContext {
  cloud: CloudConfig;
  /** The clouds.yaml settings that apply to this region (imageFormat, floatingIpSource, networks ...). */
  regionConfig: CloudRegionConfig;
  /** The region's name ("" when neither config nor catalog names one). */
  region: string;
  session: CloudSession;
  /** The route location: cloud, region and the scoped project; zone empty. */
  location: Location;
  /** cloud/region/project id/user id of the session's token: the start of every cache, lock and feed key. */
  credentialKey: string;
  /** The node's services (cache, request locks, watch hub). */
  services: OpenStackServices;
  logger: Logger;
}

export type RegionResolver = (target: Location) => Promise<RegionContext>;

/** The region settings for a region name: the configured entry, else the only (region-less) entry. */
export function regionConfigFor(cloud: CloudConfig, region: string): CloudRegionConfig {
  return cloud.regions.find((r) => r.region === region) ?? { ...cloud.regions[0], region };
}

/** Error for a target that names a region this cloud does not serve. */
export function unknownRegion(cloud: CloudConfig, target: Location, known: readonly string[]): OaktreeError {
  return new OaktreeError(
    GrpcStatus.NOT_FOUND,
    `cloud ${cloud.name} has no region "${target.region}" (it serves: ${known.join(', ') || 'none yet'})`,
  );
}
