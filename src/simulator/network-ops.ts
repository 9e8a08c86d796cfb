// Neutron bookkeeping shared by neutron's API and nova (ports for server NICs, addresses, floating IPs).
import {
  AVAILABILITY_ZONE,
  type FloatingIp,
  type Network,
  type Port,
  type RegionData,
  type Server,
  type Subnet,
} from './store.ts';
import { ApiError, uuid } from './util.ts';

export function createPort(region: RegionData, network: Network, projectId: string, fields: Partial<Port> = {}): Port {
  const subnet = network.subnetIds.map((id) => region.subnets.get(id)).find((s): s is Subnet => !!s);
  const now = Date.now();
  const port: Port = {
    id: uuid(),
    name: '',
    networkId: network.id,
    projectId,
    mac: region.nextMac(),
    fixedIps: subnet ? [{ subnet_id: subnet.id, ip_address: region.allocateIp(subnet) }] : [],
    deviceId: '',
    deviceOwner: '',
    status: 'DOWN',
    securityGroupIds: network.external ? [] : defaultGroupIds(region, projectId),
    createdAt: now,
    updatedAt: now,
    createdForServer: false,
    revision: 1,
    ...fields,
  };
  region.addPort(port);
  return port;
}

export function defaultGroupIds(region: RegionData, projectId: string): string[] {
  for (const g of region.securityGroups.values()) if (g.projectId === projectId && g.name === 'default') return [g.id];
  return [];
}

/** Ports for a new server from nova's "networks" request field (already validated). */
export function attachServerNetworks(
  region: RegionData,
  server: Server,
  requested: Array<{ uuid?: string; port?: string; fixed_ip?: string }>,
): void {
  const owner = `compute:${server.az}`;
  for (const nic of requested) {
    let port: Port;
    if (nic.port) {
      port = region.ports.get(nic.port) as Port;
      region.setPortDevice(port, server.id, owner);
    } else {
      const network = region.networks.get(nic.uuid as string) as Network;
      port = createPort(region, network, server.projectId, { createdForServer: true });
      if (nic.fixed_ip && port.fixedIps[0]) port.fixedIps[0].ip_address = nic.fixed_ip;
      region.setPortDevice(port, server.id, owner);
    }
    server.portIds.push(port.id);
  }
}

/** Validates nova's "networks" and returns NIC requests (nova answers 400 on unknown networks/ports). */
export function resolveRequestedNetworks(
  region: RegionData,
  projectId: string,
  networks: unknown,
  autoAllowed: boolean,
): Array<{ uuid?: string; port?: string; fixed_ip?: string }> {
  if (networks === 'none') return [];
  if (networks === undefined || networks === 'auto') {
    const priv = region.privateNetworkOf(projectId);
    if (!priv) {
      if (networks === 'auto' || autoAllowed) return [];
      throw new ApiError(400, 'No networks are available.');
    }
    return [{ uuid: priv.id }];
  }
  if (!Array.isArray(networks))
    throw new ApiError(
      400,
      `Invalid input for field/attribute networks. Value: ${JSON.stringify(networks)}. Not a list.`,
    );
  return networks.map((nic: any) => {
    if (!nic || typeof nic !== 'object') throw new ApiError(400, 'Bad networks format');
    if (nic.port) {
      const port = region.ports.get(nic.port);
      if (!port) throw new ApiError(400, `Port ${nic.port} could not be found.`);
      if (port.deviceId) throw new ApiError(409, `Port ${nic.port} is still in use.`);
      return { port: nic.port };
    }
    if (!nic.uuid) throw new ApiError(400, 'Bad networks format: network uuid is not in proper format');
    const net = region.networks.get(nic.uuid);
    if (!net || (net.projectId !== projectId && !net.shared))
      throw new ApiError(400, `Network ${nic.uuid} could not be found.`);
    return { uuid: nic.uuid, fixed_ip: nic.fixed_ip };
  });
}

/** Ports go ACTIVE when their server does. */
export function activateServerPorts(region: RegionData, server: Server): void {
  for (const id of server.portIds) {
    const port = region.ports.get(id);
    if (port) {
      port.status = 'ACTIVE';
      port.updatedAt = Date.now();
    }
  }
}

/** On server delete: nova deletes the ports it created and unbinds the others. */
export function releaseServerPorts(region: RegionData, server: Server): void {
  for (const id of server.portIds) {
    const port = region.ports.get(id);
    if (!port) continue;
    disassociateFloatingIps(region, port.id);
    if (port.createdForServer) region.deletePort(port.id);
    else {
      region.setPortDevice(port, '', '');
      port.status = 'DOWN';
    }
  }
}

export function disassociateFloatingIps(region: RegionData, portId: string): void {
  for (const fip of region.floatingIps.values()) {
    if (fip.portId === portId) setFloatingIpPort(region, fip, null);
  }
}

export function setFloatingIpPort(region: RegionData, fip: FloatingIp, port: Port | null, fixedIp?: string): void {
  fip.portId = port?.id ?? null;
  fip.fixedIp = port ? (fixedIp ?? port.fixedIps[0]?.ip_address ?? null) : null;
  fip.routerId = port ? routerFor(region, port.projectId) : null;
  fip.status = port ? 'ACTIVE' : 'DOWN';
  fip.updatedAt = Date.now();
  fip.revision++;
}

function routerFor(region: RegionData, projectId: string): string | null {
  for (const r of region.routers.values()) if (r.projectId === projectId) return r.id;
  return null;
}

/** nova's "addresses": fixed IPs per network name, then the floating IPs on those ports. */
export function serverAddresses(region: RegionData, server: Server): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const id of server.portIds) {
    const port = region.ports.get(id);
    if (!port) continue;
    const netName = region.networks.get(port.networkId)?.name ?? port.networkId;
    const list = (out[netName] ??= []);
    for (const ip of port.fixedIps)
      list.push({ version: 4, addr: ip.ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.mac });
    for (const fip of floatingIpsOfPort(region, port.id))
      list.push({ version: 4, addr: fip.address, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': port.mac });
  }
  return out;
}

/** Floating IPs are few; a scan is fine and avoids another index. */
function floatingIpsOfPort(region: RegionData, portId: string): FloatingIp[] {
  if (region.floatingIps.size === 0) return [];
  return region.floatingIps.filter((f) => f.portId === portId);
}

export { AVAILABILITY_ZONE };
