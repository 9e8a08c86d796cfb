// Neutron subnets in oaktree's normal form.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { AllocationPool, HostRoute, Subnet } from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from './location.ts';
import { bool, int, str, strings } from './network.ts';
import { extraProperties } from './properties.ts';

// Fields added to the normal form later stay in properties too: clients that read them there keep working.
const NORMALIZED = [
  'id',
  'name',
  'network_id',
  'cidr',
  'ip_version',
  'gateway_ip',
  'enable_dhcp',
  'dns_nameservers',
  'project_id',
  'tenant_id',
];

const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => !!v && typeof v === 'object') : [];

const pools = (value: unknown): AllocationPool[] =>
  records(value).map((p) => ({ start: str(p.start), end: str(p.end) }));
const routes = (value: unknown): HostRoute[] =>
  records(value).map((r) => ({ destination: str(r.destination), nexthop: str(r.nexthop) }));

export function normalizeSubnet(raw: Record<string, unknown>, route: Location): Subnet {
  const cidr = str(raw.cidr);
  return {
    location: objectLocation(route, raw),
    id: str(raw.id),
    name: str(raw.name),
    networkId: str(raw.network_id),
    cidr,
    ipVersion: int(raw.ip_version) || (cidr.includes(':') ? 6 : cidr ? 4 : 0),
    gatewayIp: str(raw.gateway_ip),
    isDhcpEnabled: bool(raw.enable_dhcp),
    dnsNameservers: strings(raw.dns_nameservers),
    allocationPools: pools(raw.allocation_pools),
    hostRoutes: routes(raw.host_routes),
    ipv6RaMode: str(raw.ipv6_ra_mode),
    ipv6AddressMode: str(raw.ipv6_address_mode),
    subnetPoolId: str(raw.subnetpool_id),
    description: str(raw.description),
    properties: extraProperties(raw, NORMALIZED),
  };
}
