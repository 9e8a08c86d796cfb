// Neutron routers in oaktree's normal form; their interfaces are the router's ports on internal subnets.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { FixedIP, Router, RouterGateway, RouterInterface } from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from './location.ts';
import { bool, networkResourceStatus, str } from './network.ts';
import { extraProperties } from './properties.ts';
import { parseTimestamp } from './time.ts';

const NORMALIZED = [
  'id',
  'name',
  'status',
  'admin_state_up',
  'external_gateway_info',
  'description',
  'created_at',
  'updated_at',
  'project_id',
  'tenant_id',
];

/** The device owners of a router's internal interfaces (legacy, DVR and HA routers). */
export const ROUTER_INTERFACE_OWNERS = [
  'network:router_interface',
  'network:router_interface_distributed',
  'network:ha_router_replicated_interface',
];

function fixedIps(value: unknown): FixedIP[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object')
    .map((f) => ({ subnetId: str(f.subnet_id), ipAddress: str(f.ip_address) }));
}

function gateway(value: unknown): RouterGateway | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const info = value as Record<string, unknown>;
  if (!info.network_id) return undefined;
  return {
    networkId: str(info.network_id),
    // Neutron leaves enable_snat out where ext-gw-mode is missing: SNAT is then on.
    isSnatEnabled: info.enable_snat === undefined ? true : bool(info.enable_snat),
    externalFixedIps: fixedIps(info.external_fixed_ips),
  };
}

/** `ports`: the router's interface ports (device_id = the router), in any order. */
export function normalizeRouter(
  raw: Record<string, unknown>,
  route: Location,
  ports: Record<string, unknown>[],
): Router {
  const interfaces: RouterInterface[] = ports
    .filter((p) => ROUTER_INTERFACE_OWNERS.includes(str(p.device_owner)))
    .map((p) => ({ portId: str(p.id), networkId: str(p.network_id), fixedIps: fixedIps(p.fixed_ips) }))
    .sort((a, b) => a.portId.localeCompare(b.portId));
  return {
    location: objectLocation(route, raw),
    id: str(raw.id),
    name: str(raw.name),
    status: networkResourceStatus(raw.status),
    isAdminStateUp: raw.admin_state_up === undefined ? true : bool(raw.admin_state_up),
    externalGateway: gateway(raw.external_gateway_info),
    interfaces,
    description: str(raw.description),
    createTime: parseTimestamp(raw.created_at),
    updateTime: parseTimestamp(raw.updated_at),
    properties: extraProperties(raw, NORMALIZED),
  };
}
