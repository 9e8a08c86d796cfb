// Nova availability zones (os-availability-zone): the zone list a non-admin sees.
import type { AvailabilityZone } from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';

type Raw = Record<string, any>;

/** Zones from `{"availabilityZoneInfo": [...]}`; nova's "internal" zone (services, not servers) is left out. */
export function normalizeZones(body: unknown, route: Location): AvailabilityZone[] {
  const info = (body as Raw)?.availabilityZoneInfo;
  if (!Array.isArray(info)) return [];
  return info
    .filter((z: Raw) => typeof z?.zoneName === 'string' && z.zoneName !== 'internal')
    .map((z: Raw) => ({
      location: { cloud: route.cloud, region: route.region, zone: z.zoneName, project: route.project },
      name: z.zoneName,
      available: z.zoneState?.available === true,
    }));
}
