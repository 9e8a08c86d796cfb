// Neutron's 400s for values it cannot take, as Zed words them: security group rule protocols, ports, ICMP
// type/code and remote prefixes (neutron/extensions/securitygroup.py converters, then securitygroups_db's port
// range checks), a subnet's ip_version and a network MTU above what the simulated physical network carries.
import { isIP } from 'node:net';
import { ApiError } from './util.ts';

/** neutron-lib's IP_PROTOCOL_MAP: names a rule may use, and their numbers. */
const PROTOCOLS: Record<string, number> = {
  ah: 51,
  dccp: 33,
  egp: 8,
  esp: 50,
  gre: 47,
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ip: 0,
  ipip: 4,
  'ipv6-encap': 41,
  'ipv6-frag': 44,
  'ipv6-icmp': 58,
  icmpv6: 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  'ipv6-route': 43,
  ospf: 89,
  pgm: 113,
  rsvp: 46,
  sctp: 132,
  tcp: 6,
  udp: 17,
  udplite: 136,
  vrrp: 112,
};
/** Protocols with ports (dccp, sctp, tcp, udp, udplite). */
const PORT_PROTOCOLS = [33, 132, 6, 17, 136];
/** The simulated physical network's MTU less VXLAN's overhead: what a tenant network can carry at most. */
export const MAX_NETWORK_MTU = 1450;

const badRequest = (message: string, type = 'InvalidInput') => new ApiError(400, message, type);

/** A Python repr of sg_supported_protocols, as Neutron prints it. */
const supported = `[None, ${Object.keys(PROTOCOLS)
  .map((p) => `'${p}'`)
  .join(', ')}]`;

/** The rule's protocol as Neutron stores it (a lower-case name or a number 0–255 as text), or null. */
function protocolOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (/^\d+$/.test(text) && Number(text) <= 255) return String(Number(text));
  if (typeof value === 'string' && text.toLowerCase() in PROTOCOLS) return text.toLowerCase();
  throw badRequest(
    `Security group rule protocol ${text} not supported. Only protocol values ${supported} and integer representations [0 to 255] are supported.`,
    'SecurityGroupRuleInvalidProtocol',
  );
}

function portOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  if (String(value).trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  throw badRequest(`Invalid value for port ${value}`, 'SecurityGroupInvalidPortValue');
}

/** What Neutron checks of a new rule's values before it looks at groups and duplicates; the values it stores. */
export function ruleInput(spec: Record<string, unknown>) {
  const protocol = protocolOf(spec.protocol);
  const portMin = portOf(spec.port_range_min);
  const portMax = portOf(spec.port_range_max);
  const prefix = spec.remote_ip_prefix ? String(spec.remote_ip_prefix) : null;
  const version = prefix ? ipVersionOf(prefix) : 0;
  if (prefix && !version) throw badRequest(`Invalid CIDR ${prefix} given as IP prefix.`, 'InvalidCIDR');
  if (portMin !== null || portMax !== null) {
    if (!protocol)
      throw badRequest('Must also specify protocol if port range is given.', 'SecurityGroupProtocolRequiredWithPorts');
    const number = Number(protocol in PROTOCOLS ? PROTOCOLS[protocol] : protocol);
    if (PORT_PROTOCOLS.includes(number)) {
      if (portMin === 0 || portMax === 0) throw badRequest('Invalid value for port 0', 'SecurityGroupInvalidPortValue');
      if (portMin === null || portMax === null || portMin > portMax)
        throw badRequest(
          'For TCP/UDP protocols, port_range_min must be <= port_range_max',
          'SecurityGroupInvalidPortRange',
        );
    } else if (number === 1 || number === 58) {
      for (const [value, attr, field] of [
        [portMin, 'port_range_min', 'type'],
        [portMax, 'port_range_max', 'code'],
      ] as const) {
        if (value !== null && value > 255)
          throw badRequest(
            `Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`,
            'SecurityGroupInvalidIcmpValue',
          );
      }
      if (portMin === null)
        throw badRequest(
          `ICMP code (port-range-max) ${portMax} is provided but ICMP type (port-range-min) is missing.`,
          'SecurityGroupMissingIcmpType',
        );
    } else {
      throw badRequest(
        `Ports cannot be specified for protocol ${number}. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.`,
        'SecurityGroupInvalidProtocolForPort',
      );
    }
  }
  const ethertype = String(spec.ethertype ?? 'IPv4');
  if (prefix && ethertype !== `IPv${version}`)
    throw badRequest(
      `Conflicting value ethertype ${ethertype} for CIDR ${prefix}`,
      'SecurityGroupRuleParameterConflict',
    );
  return { protocol, portMin, portMax, remoteIpPrefix: prefix && canonicalPrefix(prefix, version) };
}

/** 4 or 6 for an address or CIDR, 0 for anything else. */
function ipVersionOf(prefix: string): number {
  const [address, bits, extra] = prefix.split('/');
  const version = isIP(address);
  if (!version || extra !== undefined) return 0;
  if (bits === undefined) return version;
  const max = version === 4 ? 32 : 128;
  return /^\d+$/.test(bits) && Number(bits) <= max ? version : 0;
}

/** Neutron stores a prefix with its mask (192.0.2.10 → 192.0.2.10/32). */
const canonicalPrefix = (prefix: string, version: number) =>
  prefix.includes('/') ? prefix : `${prefix}/${version === 4 ? 32 : 128}`;

/** A subnet's ip_version must be 4 or 6 (neutron-lib's type:values). */
export function checkIpVersion(value: unknown): void {
  if (value === undefined || value === null) return;
  if (Number(value) !== 4 && Number(value) !== 6)
    throw badRequest(`Invalid input for ip_version. Reason: ${value} is not in valid_values.`, 'HTTPBadRequest');
}

/** A network's MTU: at most what the segment carries (ML2's "Requested MTU is too big"). */
export function checkMtu(value: unknown): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(Number(value)) || Number(value) < 0)
    throw badRequest(`Invalid input for mtu. Reason: '${value}' should be non-negative.`, 'HTTPBadRequest');
  if (Number(value) > MAX_NETWORK_MTU)
    throw badRequest(`Invalid input for operation: Requested MTU is too big, maximum is ${MAX_NETWORK_MTU}.`);
}
