// Which networks of a region matter for addresses and floating IPs, as openstacksdk's _set_interesting_networks
// decides it: external vs internal, where floating IPs come from (NAT source), where they point to (NAT
// destination), and the default network. clouds.yaml `networks:` entries and `nat_destination` win over guesses.
import type { CloudRegionConfig } from '../../../config/clouds/types.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { GrpcStatus } from '../transport/index.ts';

/** The fields of a Neutron network the classification reads. */
export interface RawNetwork {
  id: string;
  name?: string | null;
  'router:external'?: boolean;
  'provider:physical_network'?: string | null;
  [key: string]: unknown;
}

/** The fields of a Neutron subnet the classification reads. */
export interface RawSubnet {
  id?: string;
  network_id: string;
  gateway_ip?: string | null;
  ip_version?: number;
  [key: string]: unknown;
}

export interface NetworkRef {
  id: string;
  name: string;
}

export interface InterestingNetworks {
  externalIpv4: NetworkRef[];
  internalIpv4: NetworkRef[];
  externalIpv6: NetworkRef[];
  internalIpv6: NetworkRef[];
  /** Networks floating IPs can be allocated from, best first (the NAT source first). */
  floatingIpv4: NetworkRef[];
  natSource?: NetworkRef;
  natDestination?: NetworkRef;
  defaultNetwork?: NetworkRef;
}

/** What clouds.yaml says about networks, reduced to names (or ids) per role. */
export interface NetworkSettings {
  externalIpv4: string[];
  internalIpv4: string[];
  externalIpv6: string[];
  internalIpv6: string[];
  natSource?: string;
  natDestination?: string;
  defaultNetwork?: string;
}

export function networkSettings(config: Pick<CloudRegionConfig, 'networks' | 'natDestination'>): NetworkSettings {
  const nets = config.networks ?? [];
  return {
    externalIpv4: nets.filter((n) => n.routesIpv4Externally).map((n) => n.name),
    internalIpv4: nets.filter((n) => !n.routesIpv4Externally).map((n) => n.name),
    externalIpv6: nets.filter((n) => n.routesIpv6Externally).map((n) => n.name),
    internalIpv6: nets.filter((n) => !n.routesIpv6Externally).map((n) => n.name),
    natSource: nets.find((n) => n.natSource)?.name,
    natDestination: nets.find((n) => n.natDestination)?.name ?? config.natDestination,
    defaultNetwork: nets.find((n) => n.defaultInterface)?.name,
  };
}

const ref = (n: RawNetwork): NetworkRef => ({ id: n.id, name: n.name ?? '' });
const named = (names: readonly string[], n: RawNetwork) => names.includes(n.id) || (!!n.name && names.includes(n.name));
const isRouterExternal = (n: RawNetwork) => n['router:external'] === true;
const isProvider = (n: RawNetwork) => !!n['provider:physical_network'];

function misconfigured(message: string): OaktreeError {
  return new OaktreeError(GrpcStatus.FAILED_PRECONDITION, `${message}; check the networks settings in clouds.yaml`);
}

/**
 * Classifies the networks. `subnets` is only needed when no NAT destination is configured: then the first internal
 * network with a gateway is the destination (openstacksdk takes the last network with a gateway, external ones
 * included; an external network is never a useful NAT destination, so oaktree skips those).
 */
export function classifyNetworks(
  networks: readonly RawNetwork[],
  subnets: readonly RawSubnet[] | undefined,
  settings: NetworkSettings,
): InterestingNetworks {
  const out: InterestingNetworks = {
    externalIpv4: [],
    internalIpv4: [],
    externalIpv6: [],
    internalIpv6: [],
    floatingIpv4: [],
  };
  const withGateway = new Set((subnets ?? []).filter((s) => !!s.gateway_ip).map((s) => s.network_id));
  const claim = (role: 'natSource' | 'natDestination' | 'defaultNetwork', wanted: string, n: RawNetwork) => {
    if (out[role]) {
      throw misconfigured(
        `several networks match "${wanted}", configured as the ${roleName(role)} (ids ${out[role]!.id} and ${n.id}); configure it by id rather than by name`,
      );
    }
    out[role] = ref(n);
  };

  for (const n of networks) {
    const external = isRouterExternal(n);
    if (named(settings.externalIpv4, n)) out.externalIpv4.push(ref(n));
    else if ((external || isProvider(n)) && !named(settings.internalIpv4, n)) out.externalIpv4.push(ref(n));

    if (named(settings.internalIpv4, n)) out.internalIpv4.push(ref(n));
    else if (!external && !isProvider(n) && !named(settings.externalIpv4, n)) out.internalIpv4.push(ref(n));

    if (named(settings.externalIpv6, n)) out.externalIpv6.push(ref(n));
    else if (external && !named(settings.internalIpv6, n)) out.externalIpv6.push(ref(n));

    if (named(settings.internalIpv6, n)) out.internalIpv6.push(ref(n));
    else if (!external && !named(settings.externalIpv6, n)) out.internalIpv6.push(ref(n));

    if (settings.natSource !== undefined) {
      if (named([settings.natSource], n)) {
        claim('natSource', settings.natSource, n);
        out.floatingIpv4.push(ref(n));
      }
    } else if (external) {
      out.floatingIpv4.push(ref(n));
      out.natSource ??= ref(n);
    }

    if (settings.natDestination !== undefined) {
      if (named([settings.natDestination], n)) claim('natDestination', settings.natDestination, n);
    } else if (!out.natDestination && !external && withGateway.has(n.id)) {
      out.natDestination = ref(n);
    }

    if (settings.defaultNetwork !== undefined && named([settings.defaultNetwork], n)) {
      claim('defaultNetwork', settings.defaultNetwork, n);
    }
  }

  const check = (names: string[], found: NetworkRef[], what: string) => {
    for (const name of names) {
      if (!found.some((f) => f.name === name || f.id === name)) {
        throw misconfigured(`network "${name}" is configured for ${what} but the cloud has no such network`);
      }
    }
  };
  check(settings.externalIpv4, out.externalIpv4, 'external IPv4 access');
  check(settings.internalIpv4, out.internalIpv4, 'internal IPv4 access');
  check(settings.externalIpv6, out.externalIpv6, 'external IPv6 access');
  check(settings.internalIpv6, out.internalIpv6, 'internal IPv6 access');
  if (settings.natDestination !== undefined && !out.natDestination) {
    throw misconfigured(
      `network "${settings.natDestination}" is configured as the NAT destination but the cloud has no such network`,
    );
  }
  if (settings.natSource !== undefined && !out.natSource) {
    throw misconfigured(
      `network "${settings.natSource}" is configured as the NAT source but the cloud has no such network`,
    );
  }
  if (settings.defaultNetwork !== undefined && !out.defaultNetwork) {
    throw misconfigured(
      `network "${settings.defaultNetwork}" is configured as the default interface but the cloud has no such network`,
    );
  }
  return out;
}

function roleName(role: 'natSource' | 'natDestination' | 'defaultNetwork'): string {
  return role === 'natSource' ? 'NAT source' : role === 'natDestination' ? 'NAT destination' : 'default network';
}
