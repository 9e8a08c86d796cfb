// Neutron floating IPs in oaktree's normal form. The server a floating IP serves is the device of its port:
// Neutron's fip-port-details extension says so in port_details, otherwise the caller passes what it knows.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { FloatingIP } from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from './location.ts';
import { networkResourceStatus, str } from './network.ts';
import { extraProperties } from './properties.ts';
import { parseTimestamp } from './time.ts';

// Fields added to the normal form later stay in properties too: clients that read them there keep working.
const NORMALIZED = [
  'id',
  'floating_ip_address',
  'fixed_ip_address',
  'port_id',
  'floating_network_id',
  'status',
  'created_at',
  'project_id',
  'tenant_id',
];

/** The server behind a floating IP's port, from port_details (fip-port-details), when it is a compute port. */
export function serverIdOfFloatingIp(raw: Record<string, unknown>): string {
  const details = raw.port_details as Record<string, unknown> | null | undefined;
  if (!details || typeof details !== 'object') return '';
  const owner = str(details.device_owner);
  return owner.startsWith('compute:') ? str(details.device_id) : '';
}

/** `serverId`: the server the caller knows the port belongs to, when port_details is absent. */
export function normalizeFloatingIp(raw: Record<string, unknown>, route: Location, serverId = ''): FloatingIP {
  const portId = str(raw.port_id);
  return {
    location: objectLocation(route, raw),
    id: str(raw.id),
    floatingIpAddress: str(raw.floating_ip_address),
    fixedIpAddress: str(raw.fixed_ip_address),
    portId,
    serverId: portId ? serverIdOfFloatingIp(raw) || serverId : '',
    networkId: str(raw.floating_network_id),
    isAttached: portId !== '',
    status: networkResourceStatus(raw.status),
    createTime: parseTimestamp(raw.created_at),
    description: str(raw.description),
    routerId: str(raw.router_id),
    properties: extraProperties(raw, NORMALIZED),
  };
}
