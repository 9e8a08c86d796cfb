// Neutron subnets in oaktree's normal form.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { Subnet } from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from './location.ts';
import { bool, int, str, strings } from './network.ts';
import { extraProperties } from './properties.ts';

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
    properties: extraProperties(raw, NORMALIZED),
  };
}
