// Neutron networks in oaktree's normal form.
import { NetworkResourceStatus, type Network, type ProviderNetwork } from '../../../gen/oaktree/v1/network.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { objectLocation } from './location.ts';
import { extraProperties } from './properties.ts';
import { parseTimestamp } from './time.ts';

/** Neutron's status words (networks, ports, floating IPs, routers) mapped to the enum. */
export function networkResourceStatus(value: unknown): NetworkResourceStatus {
  if (typeof value !== 'string' || value === '') return NetworkResourceStatus.NETWORK_RESOURCE_STATUS_UNSPECIFIED;
  switch (value.toUpperCase()) {
    case 'ACTIVE':
      return NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ACTIVE;
    case 'DOWN':
      return NetworkResourceStatus.NETWORK_RESOURCE_STATUS_DOWN;
    case 'BUILD':
      return NetworkResourceStatus.NETWORK_RESOURCE_STATUS_BUILD;
    case 'ERROR':
      return NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ERROR;
    default:
      return NetworkResourceStatus.NETWORK_RESOURCE_STATUS_UNKNOWN;
  }
}

/** The Neutron word for a status filter; undefined for "any". */
export function neutronStatusWord(status: NetworkResourceStatus): string | undefined {
  switch (status) {
    case NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ACTIVE:
      return 'ACTIVE';
    case NetworkResourceStatus.NETWORK_RESOURCE_STATUS_DOWN:
      return 'DOWN';
    case NetworkResourceStatus.NETWORK_RESOURCE_STATUS_BUILD:
      return 'BUILD';
    case NetworkResourceStatus.NETWORK_RESOURCE_STATUS_ERROR:
      return 'ERROR';
    default:
      return undefined;
  }
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const bool = (v: unknown): boolean => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
export const int = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : 0;
};
export const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

// Fields added to the normal form later stay in properties too: clients that read them there keep working.
const NORMALIZED = [
  'id',
  'name',
  'status',
  'router:external',
  'provider:physical_network',
  'shared',
  'admin_state_up',
  'mtu',
  'subnets',
  'created_at',
  'updated_at',
  'project_id',
  'tenant_id',
];

/** An external network is where floating IPs come from: router:external, or a provider network. */
export function isExternalNetwork(raw: Record<string, unknown>): boolean {
  return raw['router:external'] === true || !!raw['provider:physical_network'];
}

/** Provider attributes, shown to admins only; undefined when the cloud shows none. */
function providerOf(raw: Record<string, unknown>): ProviderNetwork | undefined {
  if (raw['provider:network_type'] === undefined) return undefined;
  return {
    networkType: str(raw['provider:network_type']),
    physicalNetwork: str(raw['provider:physical_network']),
    segmentationId: int(raw['provider:segmentation_id']),
  };
}

export function normalizeNetwork(raw: Record<string, unknown>, route: Location): Network {
  return {
    location: objectLocation(route, raw),
    id: str(raw.id),
    name: str(raw.name),
    status: networkResourceStatus(raw.status),
    isExternal: isExternalNetwork(raw),
    isShared: bool(raw.shared),
    isAdminStateUp: raw.admin_state_up === undefined ? true : bool(raw.admin_state_up),
    mtu: int(raw.mtu),
    subnetIds: strings(raw.subnets),
    createTime: parseTimestamp(raw.created_at),
    updateTime: parseTimestamp(raw.updated_at),
    // Neutron's default is on; a cloud without the port-security extension does not say.
    isPortSecurityEnabled: raw.port_security_enabled === undefined ? true : bool(raw.port_security_enabled),
    description: str(raw.description),
    provider: providerOf(raw),
    tags: strings(raw.tags),
    properties: extraProperties(raw, NORMALIZED),
  };
}
