import type { CloudRegionConfig, Interface } from '../../../config/clouds/types.ts';

/** Service types oaktree talks to, by their official os-service-types names. */
export type ServiceType =
  | 'identity'
  | 'compute'
  | 'image'
  | 'network'
  | 'block-storage'
  | 'object-store'
  | 'placement'
  | 'dns'
  | 'load-balancer'
  | 'orchestration';

/**
 * Catalog types that mean the same service, best first (os-service-types aliases).
 * Clouds still register cinder as volumev3/volumev2/volume.
 */
export const SERVICE_TYPE_ALIASES: Record<ServiceType, readonly string[]> = {
  identity: ['identity'],
  compute: ['compute'],
  image: ['image'],
  network: ['network'],
  'block-storage': ['block-storage', 'volumev3', 'volumev2', 'volume', 'block-store'],
  'object-store': ['object-store'],
  placement: ['placement'],
  dns: ['dns'],
  'load-balancer': ['load-balancer'],
  orchestration: ['orchestration'],
};

/** Keystone v3 catalog entry as returned in the token body. */
export interface CatalogEntry {
  type: string;
  name?: string;
  id?: string;
  endpoints: { interface: string; region?: string | null; region_id?: string | null; url: string; id?: string }[];
}

export interface EndpointLookup {
  service: ServiceType;
  region: string;
  interface: Interface;
}

/** clouds.yaml keys use `_` (block_storage_endpoint_override, volumev3_endpoint_override, ...). */
function configKeys(service: ServiceType): string[] {
  return SERVICE_TYPE_ALIASES[service].map((t) => t.replace(/-/g, '_'));
}

/**
 * `<service>_endpoint_override` for this region, after the config loader expanded
 * `{region_name}`; keystoneauth also substitutes `%(project_id)s`/`$(project_id)s`.
 */
export function endpointOverride(
  region: CloudRegionConfig,
  service: ServiceType,
  projectId: string | undefined,
): string | undefined {
  for (const key of configKeys(service)) {
    const url = region.endpointOverrides[key];
    if (url)
      return projectId ? url.replace(/[%$]\(project_id\)s/g, projectId).replace(/[%$]\(tenant_id\)s/g, projectId) : url;
  }
  return undefined;
}

/**
 * The URL for (service, region, interface): the first alias with a matching endpoint wins.
 * An empty region matches any region (the first listed), as keystoneauth does.
 */
export function findEndpoint(catalog: readonly CatalogEntry[], lookup: EndpointLookup): string | undefined {
  for (const type of SERVICE_TYPE_ALIASES[lookup.service]) {
    for (const entry of catalog) {
      if (entry.type !== type) continue;
      const hit = entry.endpoints.find(
        (e) =>
          e.interface === lookup.interface &&
          (!lookup.region || e.region_id === lookup.region || e.region === lookup.region),
      );
      if (hit) return hit.url;
    }
  }
  return undefined;
}

/** Every region named in the catalog, in first-seen order (for clouds whose config names none). */
export function catalogRegions(catalog: readonly CatalogEntry[]): string[] {
  const seen = new Set<string>();
  for (const entry of catalog) {
    for (const e of entry.endpoints) {
      const r = e.region_id ?? e.region;
      if (r) seen.add(r);
    }
  }
  return [...seen];
}
