// Nova's admin APIs and leftovers: os-aggregates, os-hypervisors, os-services, os-quota-sets, /extensions, the
// deprecated /images proxy and remote consoles. State lives beside the region (a WeakMap), not in the store.
import { randomUUID } from 'node:crypto';
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import { AVAILABILITY_ZONE, type Image, type RegionData } from '../store.ts';
import { ApiError, badRequest, isoSeconds } from '../util.ts';
import { requireNovaAdmin, requireProjectOrAdmin } from './admin-policy.ts';
import { NOVA_EXTENSIONS } from './extension-list.ts';
import { settleBuilds } from './lifecycle.ts';
import { COMPUTE_HOST } from './server-admin-view.ts';
import { getServer } from './servers.ts';
import { links } from './views.ts';

const CONTROLLER_HOST = 'sim-controller';

interface Aggregate {
  id: number;
  uuid: string;
  name: string;
  az: string | null;
  hosts: string[];
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number | null;
}

interface NovaService {
  id: number;
  uuid: string;
  binary: string;
  host: string;
  zone: string;
  disabledReason: string | null;
  forcedDown: boolean;
}

interface AdminState {
  aggregates: Map<number, Aggregate>;
  nextAggregateId: number;
  services: NovaService[];
  hypervisorUuid: string;
  /** projectId -> quota overrides */
  quotas: Map<string, Record<string, number>>;
}

const states = new WeakMap<RegionData, AdminState>();

function stateOf(region: RegionData): AdminState {
  let state = states.get(region);
  if (!state) {
    const service = (id: number, binary: string, host: string, zone: string): NovaService => ({
      id,
      uuid: randomUUID(),
      binary,
      host,
      zone,
      disabledReason: null,
      forcedDown: false,
    });
    state = {
      aggregates: new Map(),
      nextAggregateId: 1,
      services: [
        service(1, 'nova-scheduler', CONTROLLER_HOST, 'internal'),
        service(2, 'nova-conductor', CONTROLLER_HOST, 'internal'),
        service(3, 'nova-compute', COMPUTE_HOST, AVAILABILITY_ZONE),
      ],
      hypervisorUuid: randomUUID(),
      quotas: new Map(),
    };
    states.set(region, state);
  }
  return state;
}

/** nova's microsecond timestamps without a zone ("2026-12-04T17:48:36.000000"). */
const novaTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(/Z$/, '000'));

// --- os-aggregates --------------------------------------------------------------------------------------------

function aggregateView(ctx: Ctx, a: Aggregate, withMembers = true) {
  return {
    id: a.id,
    ...(atLeast(ctx.microversion, 2, 41) ? { uuid: a.uuid } : {}),
    name: a.name,
    ...(withMembers ? { hosts: [...a.hosts], metadata: { ...a.metadata } } : {}),
    created_at: novaTime(a.createdAt),
    updated_at: novaTime(a.updatedAt),
    deleted_at: null,
    deleted: false,
    availability_zone: a.az,
  };
}

function aggregateOr404(ctx: Ctx): Aggregate {
  const aggregate = stateOf(ctx.region).aggregates.get(Number(ctx.params.id));
  if (!aggregate) throw new ApiError(404, `Aggregate ${ctx.params.id} could not be found.`);
  return aggregate;
}

function aggregateSpec(body: Record<string, any>): { name?: string; az?: string | null } {
  const spec = body.aggregate;
  if (!spec || typeof spec !== 'object') throw badRequest('Invalid input for field/attribute aggregate.');
  if (spec.name !== undefined && (typeof spec.name !== 'string' || !spec.name.trim() || spec.name.length > 255))
    throw badRequest('Invalid input for field/attribute name.');
  if (
    spec.availability_zone !== undefined &&
    spec.availability_zone !== null &&
    typeof spec.availability_zone !== 'string'
  )
    throw badRequest('Invalid input for field/attribute availability_zone.');
  return { name: spec.name, az: spec.availability_zone };
}

function checkAggregateName(ctx: Ctx, name: string, except?: number): void {
  for (const a of stateOf(ctx.region).aggregates.values())
    if (a.name === name && a.id !== except) throw new ApiError(409, `Aggregate ${name} already exists.`);
}

async function createAggregate(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-aggregates:create');
  const spec = aggregateSpec(await readJson(ctx));
  if (spec.name === undefined)
    throw badRequest("Invalid input for field/attribute aggregate. Value: {}. 'name' is a required property");
  checkAggregateName(ctx, spec.name);
  const state = stateOf(ctx.region);
  const aggregate: Aggregate = {
    id: state.nextAggregateId++,
    uuid: randomUUID(),
    name: spec.name,
    az: spec.az ?? null,
    hosts: [],
    metadata: spec.az ? { availability_zone: spec.az } : {},
    createdAt: Date.now(),
    updatedAt: null,
  };
  state.aggregates.set(aggregate.id, aggregate);
  return { status: 200, body: { aggregate: aggregateView(ctx, aggregate, false) } };
}

async function updateAggregate(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-aggregates:update');
  const aggregate = aggregateOr404(ctx);
  const spec = aggregateSpec(await readJson(ctx));
  if (spec.name !== undefined) {
    checkAggregateName(ctx, spec.name, aggregate.id);
    aggregate.name = spec.name;
  }
  if (spec.az !== undefined) aggregate.az = spec.az;
  aggregate.updatedAt = Date.now();
  return { status: 200, body: { aggregate: aggregateView(ctx, aggregate) } };
}

async function aggregateAction(ctx: Ctx): Promise<Reply> {
  const body = await readJson(ctx);
  const [action] = Object.keys(body);
  requireNovaAdmin(ctx, `os-aggregates:${String(action).slice(0, 40)}`);
  const aggregate = aggregateOr404(ctx);
  const arg = body[action];
  if (action === 'add_host' || action === 'remove_host') {
    const host = arg?.host;
    if (typeof host !== 'string') throw badRequest(`Invalid input for field/attribute ${action}.`);
    if (action === 'add_host') {
      if (host !== COMPUTE_HOST) throw new ApiError(404, `Compute host ${host} could not be found.`);
      if (aggregate.hosts.includes(host))
        throw new ApiError(
          409,
          `Cannot add host to aggregate ${aggregate.id}. Reason: Host already in availability zone.`,
        );
      aggregate.hosts.push(host);
    } else {
      if (!aggregate.hosts.includes(host))
        throw new ApiError(404, `Cannot remove host ${host} in aggregate ${aggregate.id}`);
      aggregate.hosts = aggregate.hosts.filter((h) => h !== host);
    }
  } else if (action === 'set_metadata') {
    const metadata = arg?.metadata;
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata))
      throw badRequest('Invalid input for field/attribute set_metadata.');
    for (const [key, value] of Object.entries(metadata)) {
      if (value === null) delete aggregate.metadata[key];
      else aggregate.metadata[key] = String(value);
    }
    if ('availability_zone' in metadata) aggregate.az = (metadata.availability_zone as string | null) ?? null;
  } else {
    throw badRequest(`Invalid input for field/attribute ${String(action).slice(0, 40)}.`);
  }
  aggregate.updatedAt = Date.now();
  return { status: 200, body: { aggregate: aggregateView(ctx, aggregate) } };
}

// --- os-hypervisors and os-services ---------------------------------------------------------------------------

function hypervisorView(ctx: Ctx, detail: boolean) {
  const mv = ctx.microversion;
  const state = stateOf(ctx.region);
  const compute = state.services[2];
  const brief = {
    id: atLeast(mv, 2, 53) ? state.hypervisorUuid : 1,
    hypervisor_hostname: COMPUTE_HOST,
    state: compute.forcedDown ? 'down' : 'up',
    status: compute.disabledReason === null ? 'enabled' : 'disabled',
  };
  if (!detail) return brief;
  const out: Record<string, unknown> = {
    ...brief,
    hypervisor_type: 'fake',
    hypervisor_version: 1000,
    host_ip: '127.0.0.1',
    service: {
      id: atLeast(mv, 2, 53) ? compute.uuid : compute.id,
      host: COMPUTE_HOST,
      disabled_reason: compute.disabledReason,
    },
  };
  if (!atLeast(mv, 2, 88)) {
    settleBuilds(ctx.region);
    let vms = 0;
    let vcpus = 0;
    let ram = 512;
    let disk = 0;
    for (const table of ctx.region.servers.values())
      for (const s of table.values()) {
        if (s.status === 'DELETED') continue;
        const f = ctx.cloud.data.flavors.get(s.flavorId);
        vms++;
        vcpus += f?.vcpus ?? 0;
        ram += f?.ram ?? 0;
        disk += f?.disk ?? 0;
      }
    const cpuInfo = {
      arch: 'x86_64',
      model: 'Nehalem',
      vendor: 'Intel',
      features: ['pge', 'clflush'],
      topology: { cores: 1, threads: 1, sockets: 4 },
    };
    Object.assign(out, {
      vcpus: 1000,
      memory_mb: 800000,
      local_gb: 600000,
      vcpus_used: vcpus,
      memory_mb_used: ram,
      local_gb_used: disk,
      free_ram_mb: 800000 - ram,
      free_disk_gb: 600000 - disk,
      current_workload: 0,
      running_vms: vms,
      disk_available_least: 0,
      cpu_info: atLeast(mv, 2, 28) ? cpuInfo : JSON.stringify(cpuInfo),
    });
  } else {
    out.uptime = null;
  }
  return out;
}

/** The hypervisor list filtered by hostname pattern (a substring, as nova's SQL LIKE), with its servers if asked. */
function matchingHypervisors(ctx: Ctx, pattern: string | null, detail: boolean, withServers: boolean): Reply {
  if (pattern !== null && !COMPUTE_HOST.includes(pattern))
    throw new ApiError(404, `No hypervisor matching '${pattern.slice(0, 64)}' could be found.`);
  const view: Record<string, unknown> = hypervisorView(ctx, detail);
  if (withServers) {
    const servers: Array<{ name: string; uuid: string }> = [];
    for (const table of ctx.region.servers.values())
      for (const s of table.values())
        if (s.status !== 'DELETED') servers.push({ name: `instance-${s.id.slice(0, 8)}`, uuid: s.id });
    // Before 2.75 a hypervisor without servers has no "servers" key at all.
    if (servers.length || atLeast(ctx.microversion, 2, 75)) view.servers = servers;
  }
  return { status: 200, body: { hypervisors: [view] } };
}

function listHypervisors(detail: boolean) {
  return (ctx: Ctx): Reply => {
    requireNovaAdmin(ctx, detail ? 'os-hypervisors:list-detail' : 'os-hypervisors:list');
    // 2.53 moved search and servers into query parameters.
    const modern = atLeast(ctx.microversion, 2, 53);
    const pattern = modern ? ctx.query.get('hypervisor_hostname_pattern') : null;
    const withServers = modern && ctx.query.get('with_servers')?.toLowerCase() === 'true';
    return matchingHypervisors(ctx, pattern, detail, withServers);
  };
}

/** GET /os-hypervisors/{pattern}/search and /servers, before 2.53. */
function legacyHypervisorSearch(withServers: boolean) {
  return (ctx: Ctx): Reply => {
    requireNovaAdmin(ctx, withServers ? 'os-hypervisors:servers' : 'os-hypervisors:search');
    if (atLeast(ctx.microversion, 2, 53)) throw new ApiError(404, 'The resource could not be found.');
    return matchingHypervisors(ctx, ctx.params.pattern, false, withServers);
  };
}

function hypervisorOr404(ctx: Ctx): void {
  const state = stateOf(ctx.region);
  const id = ctx.params.id;
  const ok = atLeast(ctx.microversion, 2, 53) ? id === state.hypervisorUuid : id === '1';
  if (!ok) throw new ApiError(404, `Hypervisor with ID ${id} could not be found.`);
}

function serviceView(ctx: Ctx, s: NovaService) {
  return {
    id: atLeast(ctx.microversion, 2, 53) ? s.uuid : s.id,
    binary: s.binary,
    host: s.host,
    zone: s.zone,
    status: s.disabledReason === null ? 'enabled' : 'disabled',
    state: s.forcedDown ? 'down' : 'up',
    updated_at: novaTime(Date.now()),
    disabled_reason: s.disabledReason,
    ...(atLeast(ctx.microversion, 2, 11) ? { forced_down: s.forcedDown } : {}),
  };
}

function listServices(ctx: Ctx): Reply {
  requireNovaAdmin(ctx, 'os-services:list');
  const binary = ctx.query.get('binary');
  const host = ctx.query.get('host');
  const services = stateOf(ctx.region).services.filter(
    (s) => (binary === null || s.binary === binary) && (host === null || s.host === host),
  );
  return { status: 200, body: { services: services.map((s) => serviceView(ctx, s)) } };
}

/** PUT /os-services/{uuid} (2.53+): enable, disable with a reason, force down. */
async function updateService(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-services:update');
  if (!atLeast(ctx.microversion, 2, 53)) throw new ApiError(404, 'The resource could not be found.');
  const service = stateOf(ctx.region).services.find((s) => s.uuid === ctx.params.id);
  if (!service) throw new ApiError(404, `Service ${ctx.params.id} could not be found.`);
  const body = await readJson(ctx);
  if (body.status !== undefined && body.status !== 'enabled' && body.status !== 'disabled')
    throw badRequest('Invalid input for field/attribute status.');
  if (body.disabled_reason !== undefined && body.status !== 'disabled')
    throw badRequest('Specifying a disabled_reason is only supported when the status is disabled.');
  if (body.status === 'enabled') service.disabledReason = null;
  if (body.status === 'disabled')
    service.disabledReason = typeof body.disabled_reason === 'string' ? body.disabled_reason : '';
  if (typeof body.forced_down === 'boolean') service.forcedDown = body.forced_down;
  const view = serviceView(ctx, service);
  return { status: 200, body: { service: { ...view, disabled_reason: service.disabledReason } } };
}

// --- os-quota-sets --------------------------------------------------------------------------------------------

/** The simulator's defaults: generous, so scale runs never hit them; admins may lower them per project. */
const QUOTA_DEFAULTS: Record<string, number> = {
  cores: 2000,
  fixed_ips: -1,
  floating_ips: -1,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  injected_files: 5,
  instances: 1000,
  key_pairs: 100,
  metadata_items: 128,
  ram: 5_120_000,
  security_group_rules: -1,
  security_groups: -1,
  server_group_members: 10,
  server_groups: 10,
};
const NETWORK_QUOTAS = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'];
const FILE_QUOTAS = ['injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files'];

/** The quota names a microversion shows: network ones left at 2.36, injected files at 2.57. */
function quotaNames(ctx: Ctx): string[] {
  return Object.keys(QUOTA_DEFAULTS).filter(
    (k) =>
      !(atLeast(ctx.microversion, 2, 36) && NETWORK_QUOTAS.includes(k)) &&
      !(atLeast(ctx.microversion, 2, 57) && FILE_QUOTAS.includes(k)),
  );
}

function quotaSet(ctx: Ctx, projectId: string, values: (name: string) => unknown) {
  const out: Record<string, unknown> = { id: projectId };
  for (const name of quotaNames(ctx)) out[name] = values(name);
  return out;
}

function projectQuota(ctx: Ctx, projectId: string, name: string): number {
  return stateOf(ctx.region).quotas.get(projectId)?.[name] ?? QUOTA_DEFAULTS[name];
}

function usage(ctx: Ctx, projectId: string): Record<string, number> {
  settleBuilds(ctx.region);
  const used: Record<string, number> = { instances: 0, cores: 0, ram: 0 };
  for (const s of ctx.region.servers.get(projectId)?.values() ?? []) {
    if (s.status === 'DELETED') continue;
    const f = ctx.cloud.data.flavors.get(s.flavorId);
    used.instances++;
    used.cores += f?.vcpus ?? 0;
    used.ram += f?.ram ?? 0;
  }
  used.key_pairs = ctx.region.keypairs.get(ctx.user?.id ?? '')?.size ?? 0;
  return used;
}

function showQuota(detail: boolean) {
  return (ctx: Ctx): Reply => {
    const projectId = ctx.params.projectId;
    requireProjectOrAdmin(ctx, projectId, detail ? 'os-quota-sets:detail' : 'os-quota-sets:show');
    const used = detail ? usage(ctx, projectId) : {};
    return {
      status: 200,
      body: {
        quota_set: quotaSet(ctx, projectId, (name) =>
          detail
            ? { limit: projectQuota(ctx, projectId, name), in_use: used[name] ?? 0, reserved: 0 }
            : projectQuota(ctx, projectId, name),
        ),
      },
    };
  };
}

async function updateQuota(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-quota-sets:update');
  const spec = (await readJson(ctx)).quota_set;
  if (!spec || typeof spec !== 'object') throw badRequest('Invalid input for field/attribute quota_set.');
  const names = quotaNames(ctx);
  const changes: Record<string, number> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'force') continue;
    if (!names.includes(key))
      throw badRequest(
        `Invalid input for field/attribute quota_set. Additional properties are not allowed ('${key.slice(0, 40)}' was unexpected)`,
      );
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < -1)
      throw badRequest(`Invalid input for field/attribute ${key}. Value: ${String(value).slice(0, 40)}.`);
    changes[key] = n;
  }
  const quotas = stateOf(ctx.region).quotas;
  quotas.set(ctx.params.projectId, { ...(quotas.get(ctx.params.projectId) ?? {}), ...changes });
  const out = quotaSet(ctx, ctx.params.projectId, (name) => projectQuota(ctx, ctx.params.projectId, name));
  delete out.id;
  return { status: 200, body: { quota_set: out } };
}

function revertQuota(ctx: Ctx): Reply {
  requireNovaAdmin(ctx, 'os-quota-sets:delete');
  stateOf(ctx.region).quotas.delete(ctx.params.projectId);
  return { status: 202 };
}

// --- /extensions ----------------------------------------------------------------------------------------------

const extensionView = ([alias, name, description]: readonly [string, string, string]) => ({
  alias,
  description,
  links: [],
  name,
  namespace: 'http://docs.openstack.org/compute/ext/fake_xml',
  updated: '2014-12-03T00:00:00Z',
});

// --- the deprecated image proxy (gone at 2.36) ----------------------------------------------------------------

function proxyGate(ctx: Ctx): void {
  if (atLeast(ctx.microversion, 2, 36)) throw new ApiError(404, 'The resource could not be found.');
}

const visible = (ctx: Ctx, img: Image) =>
  img.visibility === 'public' || img.visibility === 'community' || img.owner === ctx.projectId || !!ctx.user?.isAdmin;

function proxyImage(ctx: Ctx, img: Image, detail: boolean) {
  const imageLinks = [
    ...links(ctx, 'images', img.id),
    {
      rel: 'alternate',
      type: 'application/vnd.openstack.image',
      href: `${ctx.cloud.serviceBase(ctx.region.name, 'image')}/images/${img.id}`,
    },
  ];
  if (!detail) return { id: img.id, name: img.name, links: imageLinks };
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(img.props)) metadata[k] = v;
  return {
    id: img.id,
    name: img.name,
    minRam: img.minRam,
    minDisk: img.minDisk,
    metadata,
    created: isoSeconds(img.createdAt),
    updated: isoSeconds(img.updatedAt),
    status:
      img.status === 'active'
        ? 'ACTIVE'
        : img.status === 'queued' || img.status === 'saving'
          ? 'SAVING'
          : img.status.toUpperCase(),
    progress: img.status === 'active' ? 100 : 25,
    'OS-EXT-IMG-SIZE:size': img.size ?? 0,
    links: imageLinks,
    // A snapshot names the server it was taken from.
    ...(typeof img.props.instance_uuid === 'string'
      ? { server: { id: img.props.instance_uuid, links: links(ctx, 'servers', img.props.instance_uuid) } }
      : {}),
  };
}

function listProxyImages(detail: boolean) {
  return (ctx: Ctx): Reply => {
    proxyGate(ctx);
    const name = ctx.query.get('name');
    const images = [...ctx.region.images.values()].filter(
      (img) => visible(ctx, img) && (name === null || img.name === name),
    );
    return { status: 200, body: { images: images.map((img) => proxyImage(ctx, img, detail)) } };
  };
}

function showProxyImage(ctx: Ctx): Reply {
  proxyGate(ctx);
  const img = ctx.region.images.get(ctx.params.id);
  if (!img || !visible(ctx, img)) throw new ApiError(404, 'Image not found.');
  return { status: 200, body: { image: proxyImage(ctx, img, true) } };
}

// --- remote consoles (2.6+) -----------------------------------------------------------------------------------

const CONSOLE_TYPES: Record<string, string[]> = {
  vnc: ['novnc', 'xvpvnc'],
  spice: ['spice-html5'],
  rdp: ['rdp-html5'],
  serial: ['serial'],
  mks: ['webmks'],
};
const CONSOLE_PORTS: Record<string, number> = { vnc: 6080, spice: 6082, rdp: 6083, serial: 6083, mks: 6090 };

async function remoteConsole(ctx: Ctx): Promise<Reply> {
  if (!atLeast(ctx.microversion, 2, 6)) throw new ApiError(404, 'The resource could not be found.');
  const server = getServer(ctx, ctx.params.id);
  const spec = (await readJson(ctx)).remote_console;
  const protocol = spec?.protocol;
  const type = spec?.type;
  if (
    typeof protocol !== 'string' ||
    !CONSOLE_TYPES[protocol] ||
    (protocol === 'mks' && !atLeast(ctx.microversion, 2, 8))
  )
    throw badRequest('Invalid input for field/attribute protocol.');
  if (typeof type !== 'string' || !CONSOLE_TYPES[protocol].includes(type))
    throw badRequest('Invalid input for field/attribute type.');
  if (server.status !== 'ACTIVE')
    throw new ApiError(
      409,
      `Instance ${server.id} in vm_state ${server.status.toLowerCase()} is not ready for a console.`,
    );
  const path = protocol === 'vnc' ? 'vnc_auto.html' : protocol === 'spice' ? 'spice_auto.html' : '';
  const url = `http://127.0.0.1:${CONSOLE_PORTS[protocol]}/${path}?path=%3Ftoken%3D${randomUUID()}`;
  return { status: 200, body: { remote_console: { protocol, type, url } } };
}

export function registerNovaAdminRoutes(routes: RouteTable): void {
  const admin = (rule: string, reply: (ctx: Ctx) => Reply) => (ctx: Ctx) => {
    requireNovaAdmin(ctx, rule);
    return reply(ctx);
  };
  routes
    .add(
      'GET',
      '/os-aggregates',
      admin('os-aggregates:index', (ctx) => ({
        status: 200,
        body: { aggregates: [...stateOf(ctx.region).aggregates.values()].map((a) => aggregateView(ctx, a)) },
      })),
    )
    .add('POST', '/os-aggregates', createAggregate)
    .add(
      'GET',
      '/os-aggregates/{id}',
      admin('os-aggregates:show', (ctx) => ({
        status: 200,
        body: { aggregate: aggregateView(ctx, aggregateOr404(ctx)) },
      })),
    )
    .add('PUT', '/os-aggregates/{id}', updateAggregate)
    .add(
      'DELETE',
      '/os-aggregates/{id}',
      admin('os-aggregates:delete', (ctx) => {
        const aggregate = aggregateOr404(ctx);
        if (aggregate.hosts.length)
          throw new ApiError(400, `Cannot remove aggregate ${aggregate.id}: it still has hosts.`);
        stateOf(ctx.region).aggregates.delete(aggregate.id);
        return { status: 200 };
      }),
    )
    .add('POST', '/os-aggregates/{id}/action', aggregateAction)
    .add('GET', '/os-hypervisors', listHypervisors(false))
    .add('GET', '/os-hypervisors/detail', listHypervisors(true))
    .add('GET', '/os-hypervisors/{pattern}/search', legacyHypervisorSearch(false))
    .add('GET', '/os-hypervisors/{pattern}/servers', legacyHypervisorSearch(true))
    .add(
      'GET',
      '/os-hypervisors/{id}/uptime',
      admin('os-hypervisors:uptime', (ctx) => {
        hypervisorOr404(ctx);
        // The simulated host's driver reports no uptime, like the real cloud's fake driver.
        throw new ApiError(501, 'The requested functionality is not supported.');
      }),
    )
    .add(
      'GET',
      '/os-hypervisors/{id}',
      admin('os-hypervisors:show', (ctx) => {
        hypervisorOr404(ctx);
        return { status: 200, body: { hypervisor: hypervisorView(ctx, true) } };
      }),
    )
    .add('GET', '/os-services', listServices)
    .add('PUT', '/os-services/{id}', updateService)
    .add('GET', '/os-quota-sets/{projectId}', showQuota(false))
    .add('GET', '/os-quota-sets/{projectId}/detail', showQuota(true))
    .add('GET', '/os-quota-sets/{projectId}/defaults', (ctx) => ({
      status: 200,
      body: { quota_set: quotaSet(ctx, ctx.params.projectId, (name) => QUOTA_DEFAULTS[name]) },
    }))
    .add('PUT', '/os-quota-sets/{projectId}', updateQuota)
    .add('DELETE', '/os-quota-sets/{projectId}', revertQuota)
    .add('GET', '/extensions', () => ({ status: 200, body: { extensions: NOVA_EXTENSIONS.map(extensionView) } }))
    .add('GET', '/extensions/{alias}', (ctx) => {
      const found = NOVA_EXTENSIONS.find(([alias]) => alias === ctx.params.alias);
      if (!found) throw new ApiError(404, 'Ext could not be found');
      return { status: 200, body: { extension: extensionView(found) } };
    })
    .add('GET', '/images', listProxyImages(false))
    .add('GET', '/images/detail', listProxyImages(true))
    .add('GET', '/images/{id}', showProxyImage)
    .add('POST', '/servers/{id}/remote-consoles', remoteConsole);
}
