// The pure half of openstacksdk's auto_ip: does a server need a floating IP, and which of its ports and fixed
// addresses should the floating IP point to. No I/O here, so every branch is unit-tested.
import { isIPv4 } from 'node:net';
import { OaktreeError } from '../../../core/errors.ts';
import { GrpcStatus } from '../transport/index.ts';
import type { NetworkRef } from './interesting.ts';

/** One entry of a Nova server's `addresses` map. */
export interface RawServerAddress {
  addr?: string;
  version?: number;
  'OS-EXT-IPS:type'?: string;
}

/** The parts of a Nova server the decision reads. */
export interface RawServer {
  id: string;
  addresses?: Record<string, RawServerAddress[]> | null;
  accessIPv4?: string | null;
  [key: string]: unknown;
}

/** The parts of a Neutron port the decision reads. */
export interface RawPort {
  id: string;
  network_id: string;
  created_at?: string;
  fixed_ips?: { subnet_id?: string; ip_address?: string }[];
  [key: string]: unknown;
}

function addressesOf(server: RawServer): Array<{ network: string; address: RawServerAddress }> {
  const out: Array<{ network: string; address: RawServerAddress }> = [];
  for (const [network, list] of Object.entries(server.addresses ?? {})) {
    for (const address of list ?? []) out.push({ network, address });
  }
  return out;
}

export function hasFloatingAddress(server: RawServer): boolean {
  return addressesOf(server).some(({ address }) => address['OS-EXT-IPS:type'] === 'floating');
}

export function hasFixedAddress(server: RawServer): boolean {
  return addressesOf(server).some(({ address }) => address['OS-EXT-IPS:type'] !== 'floating' && !!address.addr);
}

/** RFC 1918, loopback, link-local, CGNAT and the documentation ranges are not reachable from outside. */
export function isPrivateIpv4(addr: string): boolean {
  const [a, b] = addr.split('.').map(Number);
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19 || b === 51)) ||
    (a === 203 && b === 0) ||
    a >= 224
  );
}

/**
 * The server's public IPv4 without any floating IP, as meta.get_server_external_ipv4 finds it: accessIPv4, a fixed
 * address on an external network, or any globally routable fixed IPv4.
 */
export function publicFixedIpv4(server: RawServer, externalIpv4: readonly NetworkRef[]): string | undefined {
  if (server.accessIPv4) return server.accessIPv4;
  const fixed = addressesOf(server).filter(
    ({ address }) => address['OS-EXT-IPS:type'] !== 'floating' && address.addr && isIPv4(address.addr),
  );
  const external = new Set(externalIpv4.flatMap((n) => [n.name, n.id]));
  const onExternal = fixed.find(({ network }) => external.has(network));
  if (onExternal) return onExternal.address.addr;
  return fixed.find(({ address }) => !isPrivateIpv4(address.addr!))?.address.addr;
}

export interface AutoIpInputs {
  /** False when the cloud has no floating IPs (floating_ip_source: None). */
  hasFloatingIps: boolean;
  /** clouds.yaml requires_floating_ip: true forces one, false forbids it, undefined lets the server decide. */
  requiresFloatingIp?: boolean;
  /** clouds.yaml `private: true`: servers are only reached on their private addresses. */
  isPrivate: boolean;
  externalIpv4: readonly NetworkRef[];
}

/** The answer to "does AUTO attach a floating IP", with the reason for logs. */
export interface AutoIpDecision {
  needed: boolean;
  reason: string;
}

/** The server-only part of _needs_floating_ip; the port lookup (NAT destination) comes after. */
export function autoIpDecision(server: RawServer, inputs: AutoIpInputs): AutoIpDecision {
  if (!inputs.hasFloatingIps) return { needed: false, reason: 'the cloud has no floating IPs' };
  if (inputs.requiresFloatingIp === false)
    return { needed: false, reason: 'clouds.yaml says requires_floating_ip: false' };
  if (hasFloatingAddress(server)) return { needed: false, reason: 'the server already has a floating IP' };
  if (!hasFixedAddress(server)) return { needed: false, reason: 'the server has no fixed address to map to' };
  if (inputs.isPrivate) return { needed: false, reason: 'clouds.yaml says private: true' };
  if (inputs.requiresFloatingIp !== true) {
    const publicIp = publicFixedIpv4(server, inputs.externalIpv4);
    if (publicIp) return { needed: false, reason: `the server is already reachable at ${publicIp}` };
  }
  return { needed: true, reason: 'the server has only private addresses' };
}

export interface NatTarget {
  port: RawPort;
  fixedAddress: string;
}

/**
 * The port (and IPv4 address) a floating IP should point to, as _nat_destination_port picks it: with a fixed
 * address, the port that has it; with several ports, only those on the NAT destination network; then the most
 * recently created port with an IPv4 address. Undefined when the server has no usable port.
 */
export function natDestinationPort(
  serverId: string,
  ports: readonly RawPort[],
  opts: { fixedAddress?: string; natDestination?: NetworkRef },
): NatTarget | undefined {
  if (ports.length === 0) return undefined;
  if (opts.fixedAddress) {
    for (const port of ports) {
      if (port.fixed_ips?.some((f) => f.ip_address === opts.fixedAddress))
        return { port, fixedAddress: opts.fixedAddress };
    }
    throw new OaktreeError(
      GrpcStatus.NOT_FOUND,
      `server ${serverId} has no port with fixed address ${opts.fixedAddress} (it has ${describePorts(ports)})`,
    );
  }
  let candidates = ports;
  if (ports.length > 1) {
    const nat = opts.natDestination;
    if (!nat) {
      throw new OaktreeError(
        GrpcStatus.FAILED_PRECONDITION,
        `server ${serverId} has ${ports.length} ports and no network of the cloud is a NAT destination, so oaktree cannot tell which one a floating IP should point to; set nat_destination: true on one entry of the networks list in clouds.yaml, or pass fixed_address`,
      );
    }
    candidates = ports.filter((p) => p.network_id === nat.id);
    if (candidates.length === 0) {
      throw new OaktreeError(
        GrpcStatus.FAILED_PRECONDITION,
        `no port of server ${serverId} is on the NAT destination network ${nat.name || nat.id} (it has ${describePorts(ports)}); check nat_destination in clouds.yaml, or pass fixed_address`,
      );
    }
  }
  const newestFirst = [...candidates].sort((a, b) =>
    String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')),
  );
  for (const port of newestFirst) {
    const v4 = port.fixed_ips?.find((f) => !!f.ip_address && isIPv4(f.ip_address));
    if (v4) return { port, fixedAddress: v4.ip_address! };
  }
  return undefined;
}

function describePorts(ports: readonly RawPort[]): string {
  return ports
    .map(
      (p) =>
        `port ${p.id} on network ${p.network_id} with ${(p.fixed_ips ?? []).map((f) => f.ip_address).join(', ') || 'no address'}`,
    )
    .join('; ');
}
