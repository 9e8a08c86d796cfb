// Nova's compute host view (admin): os-hypervisors (list, detail, show, search) and os-services (list, enable and
// disable), for the one simulated compute host of each region.
import { randomUUID } from 'node:crypto';
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import { AVAILABILITY_ZONE, type RegionData } from '../store.ts';
import { ApiError, badRequest } from '../util.ts';
import { requireNovaAdmin } from './admin-policy.ts';
import { settleBuilds } from './lifecycle.ts';
import { COMPUTE_HOST } from './server-admin-view.ts';

const CONTROLLER_HOST = 'sim-controller';

interface NovaService {
  id: number;
  uuid: string;
  binary: string;
  host: string;
  zone: string;
  disabled: boolean;
  disabledReason: string | null;
  forcedDown: boolean;
}

interface HostState {
  services: NovaService[];
  hypervisorUuid: string;
}

const states = new WeakMap<RegionData, HostState>();

function stateOf(region: RegionData): HostState {
  let state = states.get(region);
  if (!state) {
    const service = (id: number, binary: string, host: string, zone: string): NovaService => ({
      id,
      uuid: randomUUID(),
      binary,
      host,
      zone,
      disabled: false,
      disabledReason: null,
      forcedDown: false,
    });
    state = {
      services: [
        service(1, 'nova-scheduler', CONTROLLER_HOST, 'internal'),
        service(2, 'nova-conductor', CONTROLLER_HOST, 'internal'),
        service(3, 'nova-compute', COMPUTE_HOST, AVAILABILITY_ZONE),
      ],
      hypervisorUuid: randomUUID(),
    };
    states.set(region, state);
  }
  return state;
}

/** nova's microsecond timestamps without a zone ("2026-12-04T17:48:36.000000"). */
export const novaTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(/Z$/, '000'));

function hypervisorView(ctx: Ctx, detail: boolean) {
  const mv = ctx.microversion;
  const state = stateOf(ctx.region);
  const compute = state.services[2];
  const brief = {
    id: atLeast(mv, 2, 53) ? state.hypervisorUuid : 1,
    hypervisor_hostname: COMPUTE_HOST,
    state: compute.forcedDown ? 'down' : 'up',
    status: compute.disabled ? 'disabled' : 'enabled',
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
  if (!ok) throw new ApiError(404, `Hypervisor with ID ${id.slice(0, 64)} could not be found.`);
}

function serviceView(ctx: Ctx, s: NovaService) {
  return {
    id: atLeast(ctx.microversion, 2, 53) ? s.uuid : s.id,
    binary: s.binary,
    host: s.host,
    zone: s.zone,
    status: s.disabled ? 'disabled' : 'enabled',
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
  if (!atLeast(ctx.microversion, 2, 53)) return legacyServiceAction(ctx);
  const service = stateOf(ctx.region).services.find((s) => s.uuid === ctx.params.id);
  if (!service) throw new ApiError(404, `Service ${ctx.params.id.slice(0, 64)} could not be found.`);
  const body = await readJson(ctx);
  if (body.status !== undefined && body.status !== 'enabled' && body.status !== 'disabled')
    throw badRequest('Invalid input for field/attribute status.');
  if (body.disabled_reason !== undefined && body.status !== 'disabled')
    throw badRequest('Specifying a disabled_reason is only supported when the status is disabled.');
  if (body.status !== undefined) {
    service.disabled = body.status === 'disabled';
    service.disabledReason = service.disabled && typeof body.disabled_reason === 'string' ? body.disabled_reason : null;
  }
  if (typeof body.forced_down === 'boolean') service.forcedDown = body.forced_down;
  return { status: 200, body: { service: serviceView(ctx, service) } };
}

/** Before 2.53: PUT /os-services/{enable|disable|disable-log-reason|force-down} naming host and binary. */
async function legacyServiceAction(ctx: Ctx): Promise<Reply> {
  const action = ctx.params.id;
  const actions = [
    'enable',
    'disable',
    'disable-log-reason',
    ...(atLeast(ctx.microversion, 2, 11) ? ['force-down'] : []),
  ];
  if (!actions.includes(action)) throw new ApiError(404, 'Unknown action');
  const body = await readJson(ctx);
  const service = stateOf(ctx.region).services.find((s) => s.host === body.host && s.binary === body.binary);
  if (!service) throw new ApiError(404, `Host '${String(body.host).slice(0, 64)}' is not mapped to any cell`);
  const out: Record<string, unknown> = { host: service.host, binary: service.binary };
  if (action === 'force-down') {
    if (typeof body.forced_down !== 'boolean') throw badRequest('Invalid input for field/attribute forced_down.');
    service.forcedDown = body.forced_down;
    out.forced_down = service.forcedDown;
  } else {
    if (action === 'disable-log-reason' && typeof body.disabled_reason !== 'string')
      throw badRequest('Missing disabled reason field');
    service.disabled = action !== 'enable';
    service.disabledReason = action === 'disable-log-reason' ? body.disabled_reason : null;
    out.status = service.disabled ? 'disabled' : 'enabled';
    if (action === 'disable-log-reason') out.disabled_reason = service.disabledReason;
  }
  return { status: 200, body: { service: out } };
}

export function registerHostRoutes(routes: RouteTable): void {
  const admin = (rule: string, reply: (ctx: Ctx) => Reply) => (ctx: Ctx) => {
    requireNovaAdmin(ctx, rule);
    return reply(ctx);
  };
  routes
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
    .add('PUT', '/os-services/{id}', updateService);
}
