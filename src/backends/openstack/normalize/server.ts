// A nova server (any microversion from 2.1 to 2.96, nova-network or Neutron addresses) in oaktree's one shape.
// Address rules follow openstacksdk's meta.add_server_interfaces: nova's `addresses`, supplemented by the
// floating IPs Neutron knows about, then public_v4/public_v6/private_v4/private_v6/interface_ip chosen from them.
import {
  AddressType,
  ServerStatus,
  type Server,
  type ServerAddress,
  type ServerFault,
  type ServerFlavor,
  type ServerVolume,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { isNonGlobalV6, isNonRoutableV4, isRfc1918, ipVersion, isUniqueLocalV6 } from './ip.ts';
import { objectLocation, serverZone } from './location.ts';
import { stringMap, stringValue } from './properties.ts';
import { parseTimestamp } from './time.ts';

type Raw = Record<string, any>;

/** A floating IP that Neutron reports on one of the server's ports (nova's cache may not show it yet). */
export interface SupplementalFloatingIp {
  floatingAddress: string;
  /** The fixed address it maps to: it places the floating IP on that address's network. */
  fixedAddress: string;
  macAddress?: string;
}

export interface ServerNormalizeOptions {
  /** The route location (cloud, region, scoped project). */
  route: Location;
  /**
   * Networks (by name or id) whose fixed addresses are reachable from outside: clouds.yaml `networks:` with
   * routes_externally, and Neutron networks with router:external.
   */
  externalNetworks?: ReadonlySet<string>;
  /** Networks (by name or id) clouds.yaml marks as internal (routes_externally: false). */
  internalNetworks?: ReadonlySet<string>;
  /** Flavors by id, to fill in the details older microversions leave out. */
  flavorsById?: ReadonlyMap<string, Raw>;
  /** Floating IPs from Neutron, only consulted when nova shows none (openstacksdk's supplemental addresses). */
  floatingIps?: readonly SupplementalFloatingIp[];
}

const STATUS: Record<string, ServerStatus> = {
  ACTIVE: ServerStatus.SERVER_STATUS_ACTIVE,
  PASSWORD: ServerStatus.SERVER_STATUS_ACTIVE,
  BUILD: ServerStatus.SERVER_STATUS_BUILDING,
  BUILDING: ServerStatus.SERVER_STATUS_BUILDING,
  ERROR: ServerStatus.SERVER_STATUS_ERROR,
  SHUTOFF: ServerStatus.SERVER_STATUS_STOPPED,
  STOPPED: ServerStatus.SERVER_STATUS_STOPPED,
  PAUSED: ServerStatus.SERVER_STATUS_PAUSED,
  SUSPENDED: ServerStatus.SERVER_STATUS_SUSPENDED,
  REBOOT: ServerStatus.SERVER_STATUS_REBOOTING,
  HARD_REBOOT: ServerStatus.SERVER_STATUS_REBOOTING,
  REBUILD: ServerStatus.SERVER_STATUS_REBUILDING,
  RESIZE: ServerStatus.SERVER_STATUS_RESIZING,
  VERIFY_RESIZE: ServerStatus.SERVER_STATUS_RESIZING,
  REVERT_RESIZE: ServerStatus.SERVER_STATUS_RESIZING,
  MIGRATING: ServerStatus.SERVER_STATUS_MIGRATING,
  LIVE_MIGRATING: ServerStatus.SERVER_STATUS_MIGRATING,
  SHELVED: ServerStatus.SERVER_STATUS_SHELVED,
  SHELVED_OFFLOADED: ServerStatus.SERVER_STATUS_SHELVED,
  RESCUE: ServerStatus.SERVER_STATUS_RESCUED,
  RESCUED: ServerStatus.SERVER_STATUS_RESCUED,
  DELETED: ServerStatus.SERVER_STATUS_DELETED,
  SOFT_DELETED: ServerStatus.SERVER_STATUS_DELETED,
  UNKNOWN: ServerStatus.SERVER_STATUS_UNKNOWN,
};

/** The normalized status for nova's status word and task state (a pending delete is DELETING). */
export function serverStatus(cloudStatus: unknown, taskState?: unknown): ServerStatus {
  const word = typeof cloudStatus === 'string' ? cloudStatus.toUpperCase() : '';
  const status = STATUS[word] ?? ServerStatus.SERVER_STATUS_UNKNOWN;
  if (taskState === 'deleting' && status !== ServerStatus.SERVER_STATUS_DELETED)
    return ServerStatus.SERVER_STATUS_DELETING;
  return status;
}

/** Nova's word for a normalized status, for the `status` list filter (undefined: filter after listing). */
export function novaStatusFilter(status: ServerStatus): string | undefined {
  switch (status) {
    case ServerStatus.SERVER_STATUS_ACTIVE:
      return 'ACTIVE';
    case ServerStatus.SERVER_STATUS_BUILDING:
      return 'BUILD';
    case ServerStatus.SERVER_STATUS_ERROR:
      return 'ERROR';
    case ServerStatus.SERVER_STATUS_STOPPED:
      return 'SHUTOFF';
    case ServerStatus.SERVER_STATUS_PAUSED:
      return 'PAUSED';
    case ServerStatus.SERVER_STATUS_SUSPENDED:
      return 'SUSPENDED';
    case ServerStatus.SERVER_STATUS_REBUILDING:
      return 'REBUILD';
    case ServerStatus.SERVER_STATUS_MIGRATING:
      return 'MIGRATING';
    case ServerStatus.SERVER_STATUS_RESCUED:
      return 'RESCUE';
    default:
      return undefined; // several nova words, or a task state: filter on our side
  }
}

/** Fields the normal form covers; everything else goes to properties. */
const NORMALIZED = new Set([
  'id',
  'name',
  'status',
  'addresses',
  'flavor',
  'image',
  'key_name',
  'metadata',
  'security_groups',
  'os-extended-volumes:volumes_attached',
  'created',
  'updated',
  'fault',
  'progress',
  'tenant_id',
  'project_id',
  'OS-EXT-AZ:availability_zone',
  'links',
  'accessIPv4',
  'accessIPv6',
  'tags',
  'description',
]);
/** Extension prefixes dropped from property names (openstacksdk's normalized names). */
const PREFIXES = ['OS-EXT-STS:', 'OS-SRV-USG:', 'OS-EXT-SRV-ATTR:', 'OS-DCF:', 'os-extended-volumes:', 'OS-EXT-'];
const RENAMES = new Map([
  ['hostId', 'host_id'],
  ['diskConfig', 'disk_config'],
]);

export function serverProperties(raw: Raw): Record<string, string> {
  const out: Record<string, string> = {};
  // for...in, not Object.entries: a list normalizes every server, and entries() allocates a pair per field.
  for (const key in raw) {
    const value = raw[key];
    if (!Object.hasOwn(raw, key) || NORMALIZED.has(key) || value === null || value === undefined) continue;
    const name = unprefixed(key);
    out[RENAMES.get(name) ?? name] = stringValue(value);
  }
  return out;
}

function unprefixed(key: string): string {
  for (const prefix of PREFIXES) if (key.startsWith(prefix)) return key.slice(prefix.length);
  return key;
}

/** nova `addresses` (plus Neutron's floating IPs when nova shows none) as a flat list. */
export function serverAddresses(
  addresses: unknown,
  floatingIps: readonly SupplementalFloatingIp[] = [],
): ServerAddress[] {
  const out: ServerAddress[] = [];
  if (addresses && typeof addresses === 'object' && !Array.isArray(addresses)) {
    for (const [network, entries] of Object.entries(addresses as Record<string, unknown>)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as Raw[]) {
        const address = typeof entry?.addr === 'string' ? entry.addr : '';
        if (!address) continue;
        const version = Number(entry.version) || ipVersion(address);
        const kind = entry['OS-EXT-IPS:type'];
        out.push({
          network,
          address,
          version,
          // nova-network without the extension says nothing: the address is on the server's interface.
          type: kind === 'floating' ? AddressType.ADDRESS_TYPE_FLOATING : AddressType.ADDRESS_TYPE_FIXED,
          macAddress: typeof entry['OS-EXT-IPS-MAC:mac_addr'] === 'string' ? entry['OS-EXT-IPS-MAC:mac_addr'] : '',
        });
      }
    }
  }
  const novaHasFloating = out.some((a) => a.version === 4 && a.type === AddressType.ADDRESS_TYPE_FLOATING);
  if (!novaHasFloating) {
    for (const fip of floatingIps) {
      const fixed = out.find((a) => a.address === fip.fixedAddress && a.type === AddressType.ADDRESS_TYPE_FIXED);
      if (!fixed || out.some((a) => a.address === fip.floatingAddress)) continue;
      out.push({
        network: fixed.network,
        address: fip.floatingAddress,
        version: ipVersion(fip.floatingAddress) || 4,
        type: AddressType.ADDRESS_TYPE_FLOATING,
        macAddress: fip.macAddress ?? fixed.macAddress,
      });
    }
  }
  return out;
}

export interface ServerInterfaces {
  publicV4: string;
  publicV6: string;
  privateV4: string;
  privateV6: string;
  interfaceIp: string;
}

/** openstacksdk's choice of public/private addresses among a server's addresses. */
export function serverInterfaces(
  addresses: readonly ServerAddress[],
  opts: {
    accessIPv4?: string;
    accessIPv6?: string;
    externalNetworks?: ReadonlySet<string>;
    internalNetworks?: ReadonlySet<string>;
  } = {},
): ServerInterfaces {
  const external = opts.externalNetworks ?? new Set<string>();
  const internal = opts.internalNetworks ?? new Set<string>();
  const v4 = addresses.filter((a) => a.version === 4);
  const v6 = addresses.filter((a) => a.version === 6);
  const fixedV4 = v4.filter((a) => a.type === AddressType.ADDRESS_TYPE_FIXED);
  const first = (list: readonly ServerAddress[], test: (a: ServerAddress) => boolean) => list.find(test)?.address ?? '';

  const publicV4 =
    opts.accessIPv4 ||
    first(fixedV4, (a) => external.has(a.network)) ||
    first(v4, (a) => a.type === AddressType.ADDRESS_TYPE_FLOATING) ||
    first(v4, (a) => a.network === 'public') ||
    first(v4, (a) => !isNonRoutableV4(a.address) && !internal.has(a.network));
  const publicV6 =
    opts.accessIPv6 ||
    first(v6, (a) => external.has(a.network)) ||
    first(v6, (a) => !isNonGlobalV6(a.address) && !internal.has(a.network));
  const privateV4 =
    first(fixedV4, (a) => internal.has(a.network)) ||
    first(fixedV4, (a) => a.network === 'private') ||
    first(fixedV4, (a) => isRfc1918(a.address) && !external.has(a.network) && a.address !== publicV4);
  const privateV6 = first(
    v6,
    (a) =>
      a.type === AddressType.ADDRESS_TYPE_FIXED &&
      a.address !== publicV6 &&
      (internal.has(a.network) || isUniqueLocalV6(a.address)),
  );
  return { publicV4, publicV6, privateV4, privateV6, interfaceIp: publicV4 || publicV6 || privateV4 };
}

function int(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

/** The flavor as nova embeds it (≥ 2.47: details, no id) or references it (< 2.47: id, details from the list). */
export function serverFlavor(raw: unknown, flavorsById?: ReadonlyMap<string, Raw>): ServerFlavor {
  const f: Raw = raw && typeof raw === 'object' ? (raw as Raw) : {};
  const id = typeof f.id === 'string' ? f.id : '';
  const known = id ? flavorsById?.get(id) : undefined;
  const src: Raw = known ?? f;
  return {
    id,
    name: stringValue(f.original_name ?? known?.name ?? ''),
    vcpus: int(src.vcpus),
    ramMb: int(src.ram),
    diskGb: int(src.disk),
    ephemeralGb: int(src.ephemeral ?? src['OS-FLV-EXT-DATA:ephemeral']),
    swapMb: int(src.swap === '' ? 0 : src.swap),
    extraSpecs: stringMap(f.extra_specs ?? known?.extra_specs),
  };
}

function serverFault(raw: unknown): ServerFault | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const f = raw as Raw;
  return {
    code: int(f.code),
    message: stringValue(f.message ?? ''),
    details: stringValue(f.details ?? ''),
    createTime: parseTimestamp(f.created),
  };
}

function serverVolumes(raw: unknown): ServerVolume[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((v): v is Raw => !!v && typeof v.id === 'string')
    .map((v) => ({ id: v.id, deleteOnTermination: v.delete_on_termination === true }));
}

function securityGroupNames(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const names: string[] = [];
  for (const group of raw as Raw[]) {
    const name = stringValue(group?.name ?? '');
    if (name && !names.includes(name)) names.push(name); // nova repeats a group once per port
  }
  return names;
}

/** A server as oaktree returns it, built whole (every field set: wire/message-encoding.ts). */
export function normalizeServer(raw: Raw, opts: ServerNormalizeOptions): Server {
  const addresses = serverAddresses(raw.addresses, opts.floatingIps);
  const interfaces = serverInterfaces(addresses, {
    accessIPv4: typeof raw.accessIPv4 === 'string' ? raw.accessIPv4 : '',
    accessIPv6: typeof raw.accessIPv6 === 'string' ? raw.accessIPv6 : '',
    externalNetworks: opts.externalNetworks,
    internalNetworks: opts.internalNetworks,
  });
  const image: Raw = raw.image && typeof raw.image === 'object' ? raw.image : {};
  return {
    location: objectLocation(opts.route, raw, serverZone(raw)),
    id: stringValue(raw.id ?? ''),
    name: stringValue(raw.name ?? ''),
    status: serverStatus(raw.status, raw['OS-EXT-STS:task_state']),
    cloudStatus: stringValue(raw.status ?? ''),
    addresses,
    ...interfaces,
    flavor: serverFlavor(raw.flavor, opts.flavorsById),
    image: { id: typeof image.id === 'string' ? image.id : '', name: typeof image.name === 'string' ? image.name : '' },
    keyName: typeof raw.key_name === 'string' ? raw.key_name : '',
    metadata: stringMap(raw.metadata),
    securityGroups: securityGroupNames(raw.security_groups),
    volumes: serverVolumes(raw['os-extended-volumes:volumes_attached']),
    createTime: parseTimestamp(raw.created),
    updateTime: parseTimestamp(raw.updated),
    fault: serverFault(raw.fault),
    progress: int(raw.progress),
    properties: serverProperties(raw),
    tags: Array.isArray(raw.tags) ? raw.tags.filter((t: unknown): t is string => typeof t === 'string') : [],
    description: typeof raw.description === 'string' ? raw.description : '',
  };
}
