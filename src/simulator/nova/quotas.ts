// Nova's os-quota-sets: show and detail (own project or admin), defaults, update and revert (admin); the limits
// and the server create read the overrides.
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import type { RegionData } from '../store.ts';
import { ApiError, badRequest } from '../util.ts';
import { requireNovaAdmin, requireProjectOrAdmin } from './admin-policy.ts';
import { settleBuilds } from './lifecycle.ts';

/** projectId -> quota overrides, per region. */
const overrides = new WeakMap<RegionData, Map<string, Record<string, number>>>();

function quotasOf(region: RegionData): Map<string, Record<string, number>> {
  let map = overrides.get(region);
  if (!map) overrides.set(region, (map = new Map()));
  return map;
}

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

/** An admin's os-quota-sets override of one quota, if any (limits show it instead of their scaled default). */
export function quotaOverride(ctx: Ctx, projectId: string, name: string): number | undefined {
  return quotasOf(ctx.region).get(projectId)?.[name];
}

function projectQuota(ctx: Ctx, projectId: string, name: string): number {
  return quotasOf(ctx.region).get(projectId)?.[name] ?? QUOTA_DEFAULTS[name];
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

/**
 * 403 when one more server of this flavor would pass an admin's instances/cores/RAM override; projects on the
 * (generous) defaults are not counted, so a create stays O(1) at 100k servers.
 */
export function checkServerQuota(ctx: Ctx, flavor: { vcpus: number; ram: number }): void {
  const limits = quotasOf(ctx.region).get(ctx.projectId);
  if (!limits || !['instances', 'cores', 'ram'].some((k) => k in limits)) return;
  const used = usage(ctx, ctx.projectId);
  const wanted: Record<string, number> = { instances: 1, cores: flavor.vcpus, ram: flavor.ram };
  for (const name of ['instances', 'cores', 'ram']) {
    const limit = limits[name];
    if (limit === undefined || limit < 0 || used[name] + wanted[name] <= limit) continue;
    throw new ApiError(
      403,
      `Quota exceeded for ${name}: Requested ${wanted[name]}, but already used ${used[name]} of ${limit} ${name}`,
    );
  }
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
  const quotas = quotasOf(ctx.region);
  quotas.set(ctx.params.projectId, { ...(quotas.get(ctx.params.projectId) ?? {}), ...changes });
  const out = quotaSet(ctx, ctx.params.projectId, (name) => projectQuota(ctx, ctx.params.projectId, name));
  delete out.id;
  return { status: 200, body: { quota_set: out } };
}

function revertQuota(ctx: Ctx): Reply {
  requireNovaAdmin(ctx, 'os-quota-sets:delete');
  quotasOf(ctx.region).delete(ctx.params.projectId);
  return { status: 202 };
}

export function registerQuotaRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/os-quota-sets/{projectId}', showQuota(false))
    .add('GET', '/os-quota-sets/{projectId}/detail', showQuota(true))
    .add('GET', '/os-quota-sets/{projectId}/defaults', (ctx) => ({
      status: 200,
      body: { quota_set: quotaSet(ctx, ctx.params.projectId, (name) => QUOTA_DEFAULTS[name]) },
    }))
    .add('PUT', '/os-quota-sets/{projectId}', updateQuota)
    .add('DELETE', '/os-quota-sets/{projectId}', revertQuota);
}
