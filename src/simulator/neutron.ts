// Neutron v2.0: networks, subnets, ports, floating IPs, security groups and rules, routers.
// Lists take query-string filters on any field, "fields", and limit/marker pagination with *_links.
import type { ServiceModule } from './cloud-runtime.ts';
import type { Collection } from './collection.ts';
import { intParam, readJson, type Ctx, type Reply } from './http.ts';
import { cidrRange, inCidr, ipv4ToInt, overlaps } from './ipv4-ranges.ts';
import { createPort, disassociateFloatingIps, setFloatingIpPort } from './network-ops.ts';
import { extensionList } from './neutron-extensions.ts';
import { checkIpVersion, checkMtu, ruleInput } from './neutron-input.ts';
import { addQuotaRoutes } from './neutron-quotas.ts';
import { addRouterRoutes } from './neutron-routers.ts';
import { addTagRoutes } from './neutron-tags.ts';
import { RouteTable } from './router.ts';
import type {
  FloatingIp,
  Network,
  Port,
  RegionData,
  Router,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
} from './store.ts';
import { AVAILABILITY_ZONE } from './store.ts';
import { ApiError, ipv4At, isoSeconds, uuid } from './util.ts';

const times = (o: { createdAt: number; updatedAt?: number }) => ({
  created_at: isoSeconds(o.createdAt),
  updated_at: isoSeconds(o.updatedAt ?? o.createdAt),
});
const owned = (projectId: string) => ({ tenant_id: projectId, project_id: projectId });

/** The fip-port-details extension: a summary of the port a floating IP is bound to, or null. */
function portDetails(region: RegionData, portId: string | null) {
  const port = portId ? region.ports.get(portId) : undefined;
  if (!port) return null;
  return {
    name: port.name,
    network_id: port.networkId,
    mac_address: port.mac,
    admin_state_up: true,
    status: port.status,
    device_id: port.deviceId,
    device_owner: port.deviceOwner,
  };
}

const views = {
  network: (_r: RegionData, n: Network) => ({
    id: n.id,
    name: n.name,
    ...owned(n.projectId),
    admin_state_up: n.adminStateUp ?? true,
    status: 'ACTIVE',
    subnets: [...n.subnetIds],
    shared: n.shared,
    'router:external': n.external,
    is_default: false,
    mtu: n.mtu,
    availability_zone_hints: [],
    availability_zones: ['nova'],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    port_security_enabled: n.portSecurity ?? true,
    description: n.description,
    tags: [...(n.tags ?? [])],
    revision_number: 1,
    ...times(n),
  }),
  subnet: (_r: RegionData, s: Subnet) => ({
    id: s.id,
    name: s.name,
    network_id: s.networkId,
    ...owned(s.projectId),
    cidr: s.cidr,
    ip_version: 4,
    gateway_ip: s.gatewayIp || null,
    allocation_pools: [{ start: s.poolStart, end: s.poolEnd }],
    enable_dhcp: s.enableDhcp ?? true,
    dns_nameservers: [...(s.dnsNameservers ?? [])],
    host_routes: (s.hostRoutes ?? []).map((r) => ({ ...r })),
    ipv6_ra_mode: null,
    ipv6_address_mode: null,
    subnetpool_id: null,
    service_types: [],
    description: s.description ?? '',
    tags: [...(s.tags ?? [])],
    revision_number: 0,
    ...times(s),
  }),
  port: (_r: RegionData, p: Port) => ({
    id: p.id,
    name: p.name,
    network_id: p.networkId,
    ...owned(p.projectId),
    mac_address: p.mac,
    admin_state_up: p.adminStateUp ?? true,
    status: p.status,
    device_id: p.deviceId,
    device_owner: p.deviceOwner,
    fixed_ips: p.fixedIps.map((f) => ({ ...f })),
    security_groups: [...p.securityGroupIds],
    allowed_address_pairs: (p.addressPairs ?? []).map((a) => ({ ...a })),
    extra_dhcp_opts: [],
    'binding:vnic_type': 'normal',
    port_security_enabled: p.portSecurity ?? true,
    description: p.description ?? '',
    tags: [...(p.tags ?? [])],
    revision_number: p.revision,
    ...times(p),
  }),
  floatingip: (r: RegionData, f: FloatingIp) => ({
    id: f.id,
    ...owned(f.projectId),
    floating_network_id: f.networkId,
    floating_ip_address: f.address,
    fixed_ip_address: f.fixedIp,
    port_id: f.portId,
    router_id: f.routerId,
    status: f.status,
    description: f.description,
    tags: [...(f.tags ?? [])],
    port_details: portDetails(r, f.portId),
    revision_number: f.revision,
    ...times(f),
  }),
  security_group_rule: (_r: RegionData, x: SecurityGroupRule) => ({
    id: x.id,
    security_group_id: x.groupId,
    direction: x.direction,
    ethertype: x.ethertype,
    protocol: x.protocol,
    port_range_min: x.portMin,
    port_range_max: x.portMax,
    remote_ip_prefix: x.remoteIpPrefix,
    remote_group_id: x.remoteGroupId,
    remote_address_group_id: null,
    normalized_cidr: x.remoteIpPrefix,
    ...owned(x.projectId),
    description: x.description,
    tags: [],
    revision_number: 0,
    ...times(x),
  }),
  security_group: (r: RegionData, g: SecurityGroup) => ({
    id: g.id,
    name: g.name,
    description: g.description,
    ...owned(g.projectId),
    stateful: true,
    shared: false,
    tags: [...(g.tags ?? [])],
    revision_number: 1,
    security_group_rules: r.securityGroupRules
      .filter((x) => x.groupId === g.id)
      .map((x) => views.security_group_rule(r, x)),
    ...times(g),
  }),
  router: (_r: RegionData, x: Router) => ({
    id: x.id,
    name: x.name,
    ...owned(x.projectId),
    status: 'ACTIVE',
    admin_state_up: x.adminStateUp ?? true,
    external_gateway_info: x.externalNetworkId
      ? {
          network_id: x.externalNetworkId,
          enable_snat: x.enableSnat ?? true,
          external_fixed_ips: [{ subnet_id: x.externalSubnetId, ip_address: x.gatewayIp }],
        }
      : null,
    routes: [],
    availability_zone_hints: [],
    availability_zones: ['nova'],
    description: x.description ?? '',
    tags: [...(x.tags ?? [])],
    flavor_id: null,
    revision_number: x.revision ?? 1,
    ...times(x),
  }),
};

type Kind = keyof typeof views;

interface ResourceDef<T extends { id: string }> {
  kind: Kind;
  plural: string;
  collection: (r: RegionData) => Collection<T>;
  /** Which records the caller may see (own project, shared or external). */
  visible: (ctx: Ctx, item: T) => boolean;
  notFound: string;
}

function isVisible(ctx: Ctx, projectId: string): boolean {
  return projectId === ctx.projectId || !!ctx.user?.isAdmin;
}

const defs = {
  network: {
    kind: 'network',
    plural: 'networks',
    collection: (r) => r.networks,
    visible: (ctx, n) => isVisible(ctx, n.projectId) || n.shared || n.external,
    notFound: 'NetworkNotFound',
  } as ResourceDef<Network>,
  subnet: {
    kind: 'subnet',
    plural: 'subnets',
    collection: (r) => r.subnets,
    visible: (ctx, s) => isVisible(ctx, s.projectId) || !!ctx.region.networks.get(s.networkId)?.shared,
    notFound: 'SubnetNotFound',
  } as ResourceDef<Subnet>,
  port: {
    kind: 'port',
    plural: 'ports',
    collection: (r) => r.ports,
    visible: (ctx, p) => isVisible(ctx, p.projectId),
    notFound: 'PortNotFound',
  } as ResourceDef<Port>,
  floatingip: {
    kind: 'floatingip',
    plural: 'floatingips',
    collection: (r) => r.floatingIps,
    visible: (ctx, f) => isVisible(ctx, f.projectId),
    notFound: 'FloatingIPNotFound',
  } as ResourceDef<FloatingIp>,
  security_group: {
    kind: 'security_group',
    plural: 'security_groups',
    collection: (r) => r.securityGroups,
    visible: (ctx, g) => isVisible(ctx, g.projectId),
    notFound: 'SecurityGroupNotFound',
  } as ResourceDef<SecurityGroup>,
  security_group_rule: {
    kind: 'security_group_rule',
    plural: 'security_group_rules',
    collection: (r) => r.securityGroupRules,
    visible: (ctx, x) => isVisible(ctx, x.projectId),
    notFound: 'SecurityGroupRuleNotFound',
  } as ResourceDef<SecurityGroupRule>,
  router: {
    kind: 'router',
    plural: 'routers',
    collection: (r) => r.routers,
    visible: (ctx, x) => isVisible(ctx, x.projectId),
    notFound: 'RouterNotFound',
  } as ResourceDef<Router>,
};

const notFoundError = (def: ResourceDef<any>, id: string) =>
  def.kind === 'security_group'
    ? new ApiError(404, `Security group ${id} does not exist`, def.notFound)
    : new ApiError(
        404,
        `${def.kind === 'floatingip' ? 'Floating IP' : def.kind.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())} ${id} could not be found.`,
        def.notFound,
      );

function view(def: ResourceDef<any>, ctx: Ctx, item: unknown): Record<string, unknown> {
  return (views[def.kind] as (r: RegionData, x: unknown) => Record<string, unknown>)(ctx.region, item);
}

function pickFields(ctx: Ctx, obj: Record<string, unknown>): Record<string, unknown> {
  const fields = ctx.query.getAll('fields');
  if (!fields.length) return obj;
  return Object.fromEntries(fields.filter((f) => f in obj).map((f) => [f, obj[f]]));
}

const CONTROL_PARAMS = new Set(['limit', 'marker', 'fields', 'page_reverse', 'sort_key', 'sort_dir']);

function fieldMatches(value: unknown, wanted: string[]): boolean {
  if (Array.isArray(value)) return value.some((v) => fieldMatches(v, wanted));
  if (typeof value === 'boolean') return wanted.some((w) => w.toLowerCase() === String(value));
  return wanted.includes(value === null ? '' : String(value));
}

/** Neutron's tag filters: tags (all of), tags-any, not-tags (not all of), not-tags-any; values comma-separated. */
const TAG_FILTERS: Record<string, (tags: string[], wanted: string[]) => boolean> = {
  tags: (tags, wanted) => wanted.every((t) => tags.includes(t)),
  'tags-any': (tags, wanted) => wanted.some((t) => tags.includes(t)),
  'not-tags': (tags, wanted) => !wanted.every((t) => tags.includes(t)),
  'not-tags-any': (tags, wanted) => !wanted.some((t) => tags.includes(t)),
};

function list(def: ResourceDef<any>) {
  return (ctx: Ctx): Reply => {
    const filters: Array<[string, string[]]> = [];
    for (const key of new Set(ctx.query.keys()))
      if (!CONTROL_PARAMS.has(key)) filters.push([key, ctx.query.getAll(key)]);
    const deviceId = ctx.query.get('device_id');
    // Ports by device use the index: nova-side lookups per server must not scan 100k ports.
    const candidates = def.kind === 'port' && deviceId !== null ? ctx.region.portsOfDevice(deviceId) : undefined;
    const where = (item: any) => {
      if (!def.visible(ctx, item)) return false;
      if (!filters.length) return true;
      const json = view(def, ctx, item);
      return filters.every(([key, wanted]) => {
        if (key === 'ip_address' || key === 'subnet_id')
          return (json.fixed_ips as any[] | undefined)?.some((f) => wanted.includes(f[key])) ?? false;
        if (key in TAG_FILTERS) return TAG_FILTERS[key](json.tags as string[], wanted.join(',').split(','));
        return key in json ? fieldMatches(json[key], wanted) : true;
      });
    };
    const limit = intParam(ctx, 'limit');
    const marker = ctx.query.get('marker') ?? undefined;
    let items: any[];
    let more = false;
    if (candidates) items = candidates.filter(where);
    else {
      const page = def
        .collection(ctx.region)
        .page({ marker, limit: limit ? Math.min(limit, ctx.cloud.opts.maxPageSize) : Infinity, where });
      if (!page) throw notFoundError(def, marker as string);
      ({ items, more } = page);
    }
    const body: Record<string, unknown> = { [def.plural]: items.map((i) => pickFields(ctx, view(def, ctx, i))) };
    if (limit) {
      const linksOut: Array<{ rel: string; href: string }> = [];
      const base = `${ctx.apiBase}/${def.plural}`;
      const link = (rel: string, m: string, reverse: boolean) => {
        const q = new URLSearchParams(ctx.query);
        q.set('limit', String(limit));
        q.set('marker', m);
        if (reverse) q.set('page_reverse', 'True');
        else q.delete('page_reverse');
        linksOut.push({ rel, href: `${base}?${q}` });
      };
      if (more && items.length) link('next', items[items.length - 1].id, false);
      if (items.length && marker) link('previous', items[0].id, true);
      body[`${def.plural}_links`] = linksOut;
    }
    return { status: 200, body };
  };
}

function find<T extends { id: string }>(def: ResourceDef<T>, ctx: Ctx, id = ctx.params.id): T {
  const item = def.collection(ctx.region).get(id);
  if (!item || !def.visible(ctx, item)) throw notFoundError(def, id);
  return item;
}

function show(def: ResourceDef<any>) {
  return (ctx: Ctx): Reply => ({ status: 200, body: { [def.kind]: pickFields(ctx, view(def, ctx, find(def, ctx))) } });
}

async function bodyOf(ctx: Ctx, kind: string): Promise<Record<string, any>> {
  const body = await readJson(ctx);
  const spec = body[kind];
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    throw new ApiError(400, `Resource body required`, 'HTTPBadRequest');
  return spec;
}

const requireOwnProject = (ctx: Ctx, projectId: string | undefined): string => {
  if (projectId && projectId !== ctx.projectId && !ctx.user?.isAdmin)
    throw new ApiError(403, 'Not authorized.', 'HTTPForbidden');
  return projectId ?? ctx.projectId;
};

async function createNetwork(ctx: Ctx): Promise<Reply> {
  const spec = await bodyOf(ctx, 'network');
  checkMtu(spec.mtu);
  const now = Date.now();
  const net: Network = {
    id: uuid(),
    name: String(spec.name ?? ''),
    projectId: requireOwnProject(ctx, spec.project_id ?? spec.tenant_id),
    external: !!spec['router:external'],
    shared: !!spec.shared,
    mtu: Number(spec.mtu ?? 1450),
    subnetIds: [],
    createdAt: now,
    updatedAt: now,
    description: String(spec.description ?? ''),
    adminStateUp: spec.admin_state_up === undefined ? undefined : !!spec.admin_state_up,
    portSecurity: spec.port_security_enabled === undefined ? undefined : !!spec.port_security_enabled,
  };
  if ((net.external || net.shared) && !ctx.user?.isAdmin)
    throw new ApiError(403, 'Not authorized to create an external or shared network.', 'PolicyNotAuthorized');
  ctx.region.networks.add(net);
  return { status: 201, body: { network: view(defs.network, ctx, net) } };
}

const badInput = (message: string) => new ApiError(400, `Invalid input for operation: ${message}`, 'InvalidInput');

/** Neutron refuses a subnet overlapping another subnet of the same network. */
function checkNoOverlap(ctx: Ctx, net: Network, cidr: string): void {
  const range = cidrRange(cidr) as { first: number; last: number };
  for (const id of net.subnetIds) {
    const other = ctx.region.subnets.get(id);
    const otherRange = other && cidrRange(other.cidr);
    if (otherRange && overlaps(range, otherRange))
      throw badInput(`Requested subnet with cidr: ${cidr} for network: ${net.id} overlaps with another subnet.`);
  }
}

/** The subnet fields a create or update may set, checked as Neutron checks them. */
function applySubnetSpec(subnet: Subnet, spec: Record<string, any>): void {
  if (spec.name !== undefined) subnet.name = String(spec.name);
  if (spec.description !== undefined) subnet.description = String(spec.description);
  if (spec.enable_dhcp !== undefined) subnet.enableDhcp = !!spec.enable_dhcp;
  if (spec.gateway_ip !== undefined) {
    if (spec.gateway_ip !== null && !inCidr(String(spec.gateway_ip), subnet.cidr))
      throw badInput(`Gateway IP ${String(spec.gateway_ip).slice(0, 64)} is not in subnet ${subnet.cidr}.`);
    subnet.gatewayIp = spec.gateway_ip === null ? '' : String(spec.gateway_ip);
  }
  if (spec.dns_nameservers !== undefined) {
    const dns = spec.dns_nameservers;
    if (!Array.isArray(dns) || dns.some((d: unknown) => ipv4ToInt(String(d)) === undefined))
      throw new ApiError(400, 'Invalid input for dns_nameservers.', 'HTTPBadRequest');
    subnet.dnsNameservers = dns.map(String);
  }
  if (spec.host_routes !== undefined) {
    if (!Array.isArray(spec.host_routes)) throw new ApiError(400, 'Invalid input for host_routes.', 'HTTPBadRequest');
    subnet.hostRoutes = spec.host_routes.map((r: any) => ({
      destination: String(r?.destination),
      nexthop: String(r?.nexthop),
    }));
  }
  if (spec.allocation_pools !== undefined) {
    const pool = Array.isArray(spec.allocation_pools) ? spec.allocation_pools[0] : undefined;
    const [start, end] = [ipv4ToInt(String(pool?.start)), ipv4ToInt(String(pool?.end))];
    const range = cidrRange(subnet.cidr) as { first: number; last: number };
    if (start === undefined || end === undefined || start > end || start < range.first || end > range.last)
      throw badInput(`The allocation pool spans beyond the subnet cidr ${subnet.cidr}.`);
    subnet.poolStart = String(pool.start);
    subnet.poolEnd = String(pool.end);
    // Addresses are handed out from the pool's start (one pool is kept; Neutron allows several).
    subnet.nextHost = Math.max(subnet.nextHost, start - range.first);
  }
}

async function createSubnet(ctx: Ctx): Promise<Reply> {
  const spec = await bodyOf(ctx, 'subnet');
  checkIpVersion(spec.ip_version);
  const net = find(defs.network, ctx, String(spec.network_id ?? ''));
  const cidr = String(spec.cidr ?? '');
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m || Number(m[2]) > 30 || !cidrRange(cidr))
    throw new ApiError(
      400,
      `Invalid input for cidr. Reason: '${cidr.slice(0, 64)}' is not a valid IP subnet.`,
      'HTTPBadRequest',
    );
  checkNoOverlap(ctx, net, cidr);
  const now = Date.now();
  const subnet: Subnet = {
    id: uuid(),
    name: '',
    networkId: net.id,
    projectId: ctx.projectId,
    cidr,
    gatewayIp: ipv4At(cidr, 1),
    poolStart: ipv4At(cidr, 2),
    poolEnd: ipv4At(cidr, 2 ** (32 - Number(m[2])) - 2),
    nextHost: 2,
    createdAt: now,
    updatedAt: now,
  };
  applySubnetSpec(subnet, spec);
  ctx.region.subnets.add(subnet);
  net.subnetIds.push(subnet.id);
  return { status: 201, body: { subnet: view(defs.subnet, ctx, subnet) } };
}

async function updateSubnet(ctx: Ctx): Promise<Reply> {
  const subnet = find(defs.subnet, ctx);
  applySubnetSpec(subnet, await bodyOf(ctx, 'subnet'));
  subnet.updatedAt = Date.now();
  return { status: 200, body: { subnet: view(defs.subnet, ctx, subnet) } };
}

async function updateNetwork(ctx: Ctx): Promise<Reply> {
  const net = find(defs.network, ctx);
  const spec = await bodyOf(ctx, 'network');
  checkMtu(spec.mtu);
  if ((spec.shared !== undefined || spec['router:external'] !== undefined) && !ctx.user?.isAdmin)
    throw new ApiError(403, 'rule:update_network:shared is disallowed by policy', 'PolicyNotAuthorized');
  if (spec.name !== undefined) net.name = String(spec.name);
  if (spec.description !== undefined) net.description = String(spec.description);
  if (spec.mtu !== undefined) net.mtu = Number(spec.mtu);
  if (spec.admin_state_up !== undefined) net.adminStateUp = !!spec.admin_state_up;
  if (spec.port_security_enabled !== undefined) net.portSecurity = !!spec.port_security_enabled;
  if (spec.shared !== undefined) net.shared = !!spec.shared;
  if (spec['router:external'] !== undefined) net.external = !!spec['router:external'];
  net.updatedAt = Date.now();
  return { status: 200, body: { network: view(defs.network, ctx, net) } };
}

/** A port's fixed IPs from a request: each on a subnet of the port's network, each address free. */
function fixedIpsFor(ctx: Ctx, net: Network, requested: unknown, portId = '') {
  if (!Array.isArray(requested)) throw new ApiError(400, 'Invalid input for fixed_ips.', 'HTTPBadRequest');
  return requested.map((f: any) => {
    const subnetId = f?.subnet_id
      ? String(f.subnet_id)
      : net.subnetIds.find((id) => inCidr(String(f?.ip_address), ctx.region.subnets.get(id)?.cidr ?? ''));
    const subnet = subnetId ? ctx.region.subnets.get(subnetId) : undefined;
    if (!subnet || subnet.networkId !== net.id)
      throw badInput(
        `Failed to create port on network ${net.id}, because fixed_ips included invalid subnet ${String(subnetId ?? '').slice(0, 64)}.`,
      );
    if (!f.ip_address) return { subnet_id: subnet.id, ip_address: ctx.region.allocateIp(subnet) };
    const address = String(f.ip_address);
    if (!inCidr(address, subnet.cidr))
      throw badInput(`IP address ${address.slice(0, 64)} is not a valid IP for the specified subnet.`);
    for (const other of ctx.region.ports.filter((p) => p.networkId === net.id && p.id !== portId))
      if (other.fixedIps.some((x) => x.ip_address === address))
        throw new ApiError(
          409,
          `IP address ${address} already allocated in subnet ${subnet.id}`,
          'IpAddressAlreadyAllocated',
        );
    return { subnet_id: subnet.id, ip_address: address };
  });
}

function groupsFor(ctx: Ctx, requested: unknown): string[] {
  if (!Array.isArray(requested)) throw new ApiError(400, 'Invalid input for security_groups.', 'HTTPBadRequest');
  return requested.map((id) => find(defs.security_group, ctx, String(id)).id);
}

const noSecurityWithoutPortSecurity = () =>
  new ApiError(
    400,
    'Port security must be enabled and port must have an IP address in order to use security groups.',
    'PortSecurityAndIPRequiredForSecurityGroups',
  );

const pairsFor = (requested: unknown, mac: string) =>
  (Array.isArray(requested) ? requested : []).map((a: any) => ({
    ip_address: String(a?.ip_address ?? ''),
    mac_address: String(a?.mac_address ?? mac),
  }));

async function createPortApi(ctx: Ctx): Promise<Reply> {
  const spec = await bodyOf(ctx, 'port');
  const net = find(defs.network, ctx, String(spec.network_id ?? ''));
  if (net.external && !ctx.user?.isAdmin) throw new ApiError(403, 'Not authorized.', 'PolicyNotAuthorized');
  // A port inherits its network's port security unless the request says otherwise.
  const portSecurity = spec.port_security_enabled ?? net.portSecurity ?? true;
  if (!portSecurity && Array.isArray(spec.security_groups) && spec.security_groups.length)
    throw noSecurityWithoutPortSecurity();
  const fields: Partial<Port> = { name: String(spec.name ?? '') };
  if (spec.fixed_ips !== undefined) fields.fixedIps = fixedIpsFor(ctx, net, spec.fixed_ips);
  if (spec.security_groups !== undefined) fields.securityGroupIds = groupsFor(ctx, spec.security_groups);
  if (!portSecurity) fields.securityGroupIds = [];
  if (spec.description !== undefined) fields.description = String(spec.description);
  if (spec.admin_state_up !== undefined) fields.adminStateUp = !!spec.admin_state_up;
  if (!portSecurity) fields.portSecurity = false;
  if (spec.mac_address !== undefined) fields.mac = String(spec.mac_address);
  const port = createPort(ctx.region, net, ctx.projectId, fields);
  if (spec.allowed_address_pairs !== undefined) port.addressPairs = pairsFor(spec.allowed_address_pairs, port.mac);
  if (spec.device_id) ctx.region.setPortDevice(port, String(spec.device_id), String(spec.device_owner ?? ''));
  return { status: 201, body: { port: view(defs.port, ctx, port) } };
}

async function updatePort(ctx: Ctx): Promise<Reply> {
  const port = find(defs.port, ctx);
  const spec = await bodyOf(ctx, 'port');
  const portSecurity = spec.port_security_enabled ?? port.portSecurity ?? true;
  if (!portSecurity && Array.isArray(spec.security_groups) && spec.security_groups.length)
    throw noSecurityWithoutPortSecurity();
  if (spec.name !== undefined) port.name = String(spec.name);
  if (spec.description !== undefined) port.description = String(spec.description);
  if (spec.admin_state_up !== undefined) port.adminStateUp = !!spec.admin_state_up;
  if (spec.port_security_enabled !== undefined) port.portSecurity = !!spec.port_security_enabled;
  if (spec.fixed_ips !== undefined)
    port.fixedIps = fixedIpsFor(ctx, find(defs.network, ctx, port.networkId), spec.fixed_ips, port.id);
  if (spec.security_groups !== undefined) port.securityGroupIds = groupsFor(ctx, spec.security_groups);
  if (spec.allowed_address_pairs !== undefined) port.addressPairs = pairsFor(spec.allowed_address_pairs, port.mac);
  if (spec.device_id !== undefined || spec.device_owner !== undefined)
    ctx.region.setPortDevice(
      port,
      String(spec.device_id ?? port.deviceId),
      String(spec.device_owner ?? port.deviceOwner),
    );
  port.updatedAt = Date.now();
  port.revision++;
  return { status: 200, body: { port: view(defs.port, ctx, port) } };
}

function deletePortApi(ctx: Ctx): Reply {
  const port = find(defs.port, ctx);
  if (port.deviceOwner.startsWith('network:router'))
    throw new ApiError(
      409,
      `Port ${port.id} cannot be deleted directly via the port API: has device owner ${port.deviceOwner}.`,
      'PortInUse',
    );
  disassociateFloatingIps(ctx.region, port.id);
  ctx.region.deletePort(port.id);
  return { status: 204 };
}

function portForFloatingIp(ctx: Ctx, portId: unknown): Port | null {
  if (portId === undefined || portId === null) return null;
  const port = ctx.region.ports.get(String(portId));
  if (!port || port.projectId !== ctx.projectId)
    throw new ApiError(404, `Port ${portId} could not be found.`, 'PortNotFound');
  if (!port.fixedIps.length) throw new ApiError(400, `Port ${port.id} does not have fixed ip.`, 'BadRequest');
  for (const f of ctx.region.floatingIps.values()) {
    if (f.portId === port.id)
      throw new ApiError(
        409,
        `Cannot associate floating IP with port ${port.id}: it already has floating IP ${f.address}.`,
        'FloatingIPPortAlreadyAssociated',
      );
  }
  return port;
}

async function createFloatingIp(ctx: Ctx): Promise<Reply> {
  const spec = await bodyOf(ctx, 'floatingip');
  const net = ctx.region.networks.get(String(spec.floating_network_id ?? ''));
  if (!net) throw new ApiError(404, `Network ${spec.floating_network_id} could not be found.`, 'NetworkNotFound');
  if (!net.external)
    throw new ApiError(400, `Bad floatingip request: Network ${net.id} is not a valid external network.`, 'BadRequest');
  const subnet = ctx.region.subnets.get(net.subnetIds[0]) as Subnet;
  if (spec.floating_ip_address !== undefined && !ctx.user?.isAdmin)
    throw new ApiError(
      403,
      '(rule:create_floatingip and rule:create_floatingip:floating_ip_address) is disallowed by policy',
      'PolicyNotAuthorized',
    );
  const port = portForFloatingIp(ctx, spec.port_id);
  const now = Date.now();
  const fip: FloatingIp = {
    id: uuid(),
    projectId: ctx.projectId,
    networkId: net.id,
    address: spec.floating_ip_address ?? ctx.region.allocateIp(subnet),
    portId: null,
    fixedIp: null,
    routerId: null,
    status: 'DOWN',
    createdAt: now,
    updatedAt: now,
    description: String(spec.description ?? ''),
    revision: 0,
  };
  if (port) setFloatingIpPort(ctx.region, fip, port, spec.fixed_ip_address);
  ctx.region.floatingIps.add(fip);
  return { status: 201, body: { floatingip: view(defs.floatingip, ctx, fip) } };
}

async function updateFloatingIp(ctx: Ctx): Promise<Reply> {
  const fip = find(defs.floatingip, ctx);
  const spec = await bodyOf(ctx, 'floatingip');
  if ('port_id' in spec) {
    if (spec.port_id === fip.portId && spec.port_id !== null) {
      // re-associating with the same port is a no-op in neutron
    } else setFloatingIpPort(ctx.region, fip, portForFloatingIp(ctx, spec.port_id), spec.fixed_ip_address);
  }
  if (spec.description !== undefined) fip.description = String(spec.description);
  return { status: 200, body: { floatingip: view(defs.floatingip, ctx, fip) } };
}

async function createSecurityGroup(ctx: Ctx): Promise<Reply> {
  const spec = await bodyOf(ctx, 'security_group');
  const now = Date.now();
  const group: SecurityGroup = {
    id: uuid(),
    name: String(spec.name ?? ''),
    description: String(spec.description ?? ''),
    projectId: ctx.projectId,
    createdAt: now,
    updatedAt: now,
  };
  if (group.name === 'default')
    throw new ApiError(409, 'Default security group already exists.', 'SecurityGroupDefaultAlreadyExists');
  ctx.region.securityGroups.add(group);
  for (const ethertype of ['IPv4', 'IPv6']) {
    ctx.region.securityGroupRules.add({
      id: uuid(),
      groupId: group.id,
      direction: 'egress',
      ethertype,
      protocol: null,
      portMin: null,
      portMax: null,
      remoteIpPrefix: null,
      remoteGroupId: null,
      projectId: ctx.projectId,
      createdAt: now,
      description: '',
    });
  }
  return { status: 201, body: { security_group: view(defs.security_group, ctx, group) } };
}

async function updateSecurityGroup(ctx: Ctx): Promise<Reply> {
  const group = find(defs.security_group, ctx);
  const spec = await bodyOf(ctx, 'security_group');
  if (spec.name !== undefined) {
    // Neutron refuses any name on the default group, even its own.
    if (group.name === 'default')
      throw new ApiError(409, 'Updating default security group not allowed.', 'SecurityGroupCannotUpdateDefault');
    group.name = String(spec.name);
  }
  if (spec.description !== undefined) group.description = String(spec.description);
  group.updatedAt = Date.now();
  return { status: 200, body: { security_group: view(defs.security_group, ctx, group) } };
}

async function createRule(ctx: Ctx): Promise<Reply> {
  const spec = await bodyOf(ctx, 'security_group_rule');
  const group = find(defs.security_group, ctx, String(spec.security_group_id ?? ''));
  if (spec.direction !== 'ingress' && spec.direction !== 'egress')
    throw new ApiError(
      400,
      `Invalid input for direction. Reason: ${spec.direction} is not in valid_values.`,
      'HTTPBadRequest',
    );
  const input = ruleInput(spec);
  if (spec.remote_group_id) find(defs.security_group, ctx, String(spec.remote_group_id));
  const same = (x: SecurityGroupRule) =>
    x.groupId === group.id &&
    x.direction === spec.direction &&
    x.ethertype === (spec.ethertype ?? 'IPv4') &&
    x.protocol === input.protocol &&
    x.portMin === input.portMin &&
    x.portMax === input.portMax &&
    x.remoteIpPrefix === input.remoteIpPrefix &&
    x.remoteGroupId === (spec.remote_group_id ?? null);
  const existing = ctx.region.securityGroupRules.filter(same)[0];
  if (existing)
    throw new ApiError(
      409,
      `Security group rule already exists. Rule id is ${existing.id}.`,
      'SecurityGroupRuleExists',
    );
  const rule: SecurityGroupRule = {
    id: uuid(),
    groupId: group.id,
    direction: spec.direction,
    ethertype: spec.ethertype ?? 'IPv4',
    ...input,
    remoteGroupId: spec.remote_group_id ?? null,
    projectId: ctx.projectId,
    createdAt: Date.now(),
    description: String(spec.description ?? ''),
  };
  ctx.region.securityGroupRules.add(rule);
  // Neutron's create answer has no tags (a GET shows them).
  const { tags: _tags, ...created } = view(defs.security_group_rule, ctx, rule);
  return { status: 201, body: { security_group_rule: created } };
}

function remove<T extends { id: string }>(def: ResourceDef<T>, before?: (ctx: Ctx, item: T) => void) {
  return (ctx: Ctx): Reply => {
    const item = find(def, ctx);
    before?.(ctx, item);
    def.collection(ctx.region).delete(item.id);
    return { status: 204 };
  };
}

const routes = new RouteTable();
for (const def of Object.values(defs) as ResourceDef<any>[]) {
  routes.add('GET', `/${def.plural}`, list(def)).add('GET', `/${def.plural}/{id}`, show(def));
}
routes
  .add('POST', '/networks', createNetwork)
  .add('PUT', '/networks/{id}', updateNetwork)
  .add('PUT', '/subnets/{id}', updateSubnet)
  .add('PUT', '/security_groups/{id}', updateSecurityGroup)
  .add(
    'DELETE',
    '/networks/{id}',
    remove(defs.network, (ctx, net) => {
      const ports = ctx.region.ports.filter((p) => p.networkId === net.id);
      if (ports.length)
        throw new ApiError(
          409,
          `Unable to complete operation on network ${net.id}. There are one or more ports still in use on the network, id for these ports is: ${ports.map((p) => p.id).join(', ')}.`,
          'NetworkInUse',
        );
      for (const id of net.subnetIds) ctx.region.subnets.delete(id);
    }),
  )
  .add('POST', '/subnets', createSubnet)
  .add(
    'DELETE',
    '/subnets/{id}',
    remove(defs.subnet, (ctx, s) => {
      if (ctx.region.ports.filter((p) => p.fixedIps.some((f) => f.subnet_id === s.id)).length)
        throw new ApiError(
          409,
          `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`,
          'SubnetInUse',
        );
      const net = ctx.region.networks.get(s.networkId);
      if (net) net.subnetIds = net.subnetIds.filter((id) => id !== s.id);
    }),
  )
  .add('POST', '/ports', createPortApi)
  .add('PUT', '/ports/{id}', updatePort)
  .add('DELETE', '/ports/{id}', deletePortApi)
  .add('POST', '/floatingips', createFloatingIp)
  .add('PUT', '/floatingips/{id}', updateFloatingIp)
  .add('DELETE', '/floatingips/{id}', remove(defs.floatingip))
  .add('POST', '/security-groups', createSecurityGroup)
  .add('POST', '/security_groups', createSecurityGroup)
  .add(
    'DELETE',
    '/security_groups/{id}',
    remove(defs.security_group, (ctx, g) => {
      // Neutron lets only an admin remove a project's default group.
      if (g.name === 'default' && !ctx.user?.isAdmin)
        throw new ApiError(
          409,
          'Insufficient rights for removing default security group.',
          'SecurityGroupCannotRemoveDefault',
        );
      if (ctx.region.ports.filter((p) => p.securityGroupIds.includes(g.id)).length)
        throw new ApiError(409, `Security Group ${g.id} in use.`, 'SecurityGroupInUse');
      for (const r of ctx.region.securityGroupRules.filter((r) => r.groupId === g.id))
        ctx.region.securityGroupRules.delete(r.id);
    }),
  )
  .add('POST', '/security-group-rules', createRule)
  .add('POST', '/security_group_rules', createRule)
  .add('DELETE', '/security_group_rules/{id}', remove(defs.security_group_rule))
  .add('GET', '/extensions', () => ({ status: 200, body: { extensions: extensionList() } }))
  .add('GET', '/availability_zones', () => ({
    status: 200,
    // The zone networks and routers report (availability_zones: ["nova"]), for both resources.
    body: {
      availability_zones: ['network', 'router'].map((resource) => ({
        name: AVAILABILITY_ZONE,
        resource,
        state: 'available',
      })),
    },
  }));
addQuotaRoutes(routes);
addRouterRoutes(routes, {
  findRouter: (ctx, id) => find(defs.router, ctx, id),
  findNetwork: (ctx, id) => find(defs.network, ctx, id),
  findSubnet: (ctx, id) => find(defs.subnet, ctx, id),
  findPort: (ctx, id) => find(defs.port, ctx, id),
  routerView: (ctx, router) => view(defs.router, ctx, router),
  bodyOf,
});
for (const def of Object.values(defs) as ResourceDef<any>[]) {
  if (def.kind !== 'security_group_rule') addTagRoutes(routes, def.plural, (ctx) => find(def, ctx));
}

export const neutronService: ServiceModule = {
  name: 'network',
  prefix: 'network',
  requiresAuth: true,
  routes,
  resolve(rest) {
    if (rest === '' || rest === '/') {
      return {
        discovery: (ctx) => ({
          status: 200,
          body: {
            versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${ctx.serviceBase}/v2.0/`, rel: 'self' }] }],
          },
        }),
      };
    }
    if (rest.startsWith('/v2.0/')) {
      // neutron accepts "/security-groups" as an alias and a ".json" suffix
      const path = rest
        .slice(5)
        .replace(/\.json$/, '')
        .replace(/^\/security-groups/, '/security_groups')
        .replace(/^\/security-group-rules/, '/security_group_rules');
      return { path, versionRoot: '/v2.0' };
    }
    if (rest === '/v2.0')
      return {
        discovery: (ctx) => ({
          status: 200,
          body: {
            resources: Object.values(defs).map((d) => ({
              name: d.kind,
              collection: d.plural,
              links: [{ href: `${ctx.serviceBase}/v2.0/${d.plural}`, rel: 'self' }],
            })),
          },
        }),
      };
    return undefined;
  },
};
