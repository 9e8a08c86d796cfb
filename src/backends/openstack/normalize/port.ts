// Neutron ports in oaktree's normal form.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { AddressPair, FixedIP, Port } from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from './location.ts';
import { bool, networkResourceStatus, str, strings } from './network.ts';
import { extraProperties } from './properties.ts';
import { parseTimestamp } from './time.ts';

// Fields added to the normal form later stay in properties too: clients that read them there keep working.
const NORMALIZED = [
  'id',
  'name',
  'network_id',
  'device_id',
  'device_owner',
  'mac_address',
  'fixed_ips',
  'status',
  'security_groups',
  'created_at',
  'project_id',
  'tenant_id',
];

function fixedIps(value: unknown): FixedIP[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object')
    .map((f) => ({ subnetId: str(f.subnet_id), ipAddress: str(f.ip_address) }));
}

function addressPairs(value: unknown): AddressPair[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((p): p is Record<string, unknown> => !!p && typeof p === 'object')
    .map((p) => ({ ipAddress: str(p.ip_address), macAddress: str(p.mac_address) }));
}

export function normalizePort(raw: Record<string, unknown>, route: Location): Port {
  return {
    location: objectLocation(route, raw),
    id: str(raw.id),
    name: str(raw.name),
    networkId: str(raw.network_id),
    deviceId: str(raw.device_id),
    deviceOwner: str(raw.device_owner),
    macAddress: str(raw.mac_address),
    fixedIps: fixedIps(raw.fixed_ips),
    status: networkResourceStatus(raw.status),
    securityGroupIds: strings(raw.security_groups),
    createTime: parseTimestamp(raw.created_at),
    allowedAddressPairs: addressPairs(raw.allowed_address_pairs),
    isPortSecurityEnabled: raw.port_security_enabled === undefined ? true : bool(raw.port_security_enabled),
    isAdminStateUp: raw.admin_state_up === undefined ? true : bool(raw.admin_state_up),
    description: str(raw.description),
    properties: extraProperties(raw, NORMALIZED),
  };
}
