// Cinder's os-quota-sets (show with ?usage, defaults, update and revert for admins): what `openstack quota show`
// and Ansible's quota module read next to nova's. Stored beside the region; limits are shown, not enforced.
import { readJson, type Ctx, type Reply } from './http.ts';
import type { RouteTable } from './router.ts';
import type { RegionData } from './store.ts';
import { ApiError, badRequest } from './util.ts';

/** Zed's defaults, with the per-type quotas of the one volume type. */
const DEFAULTS: Record<string, number> = {
  volumes: 10,
  per_volume_gigabytes: -1,
  snapshots: 10,
  gigabytes: 1000,
  backups: 10,
  backup_gigabytes: 1000,
  volumes___DEFAULT__: -1,
  gigabytes___DEFAULT__: -1,
  snapshots___DEFAULT__: -1,
  groups: 10,
};

const overrides = new WeakMap<RegionData, Map<string, Record<string, number>>>();

function stored(region: RegionData): Map<string, Record<string, number>> {
  let map = overrides.get(region);
  if (!map) overrides.set(region, (map = new Map()));
  return map;
}

const forbidden = (rule: string) => new ApiError(403, `Policy doesn't allow volume_extension:${rule} to be performed.`);

function limitOf(ctx: Ctx, projectId: string, name: string): number {
  return stored(ctx.region).get(projectId)?.[name] ?? DEFAULTS[name];
}

function inUse(ctx: Ctx, projectId: string): Record<string, number> {
  const used: Record<string, number> = { volumes: 0, gigabytes: 0, volumes___DEFAULT__: 0, gigabytes___DEFAULT__: 0 };
  for (const v of ctx.region.volumes.values()) {
    if (v.projectId !== projectId || v.status === 'deleting') continue;
    used.volumes++;
    used.gigabytes += v.size;
    used.volumes___DEFAULT__++;
    used.gigabytes___DEFAULT__ += v.size;
  }
  return used;
}

function show(ctx: Ctx): Reply {
  const projectId = ctx.params.projectId;
  if (projectId !== ctx.projectId && !ctx.user?.isAdmin) throw forbidden('quotas:show');
  const usage = ctx.query.get('usage')?.toLowerCase() === 'true';
  const used = usage ? inUse(ctx, projectId) : {};
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(DEFAULTS))
    out[name] = usage
      ? { limit: limitOf(ctx, projectId, name), in_use: used[name] ?? 0, reserved: 0 }
      : limitOf(ctx, projectId, name);
  return { status: 200, body: { quota_set: { ...out, id: projectId } } };
}

async function update(ctx: Ctx): Promise<Reply> {
  if (!ctx.user?.isAdmin) throw forbidden('quotas:update');
  const spec = (await readJson(ctx)).quota_set;
  if (!spec || typeof spec !== 'object') throw badRequest('Missing required element quota_set in request body.');
  const changes: Record<string, number> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (!(key in DEFAULTS)) throw badRequest(`Bad key(s) in quota set: ${key.slice(0, 40)}`);
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < -1)
      throw badRequest(`Quota limit ${String(value).slice(0, 40)} for ${key} must be an integer of -1 or more.`);
    changes[key] = n;
  }
  const map = stored(ctx.region);
  map.set(ctx.params.projectId, { ...(map.get(ctx.params.projectId) ?? {}), ...changes });
  const out: Record<string, number> = {};
  for (const name of Object.keys(DEFAULTS)) out[name] = limitOf(ctx, ctx.params.projectId, name);
  return { status: 200, body: { quota_set: out } };
}

export function registerCinderQuotaRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/os-quota-sets/{projectId}', show)
    .add('GET', '/os-quota-sets/{projectId}/defaults', (ctx) => ({
      status: 200,
      body: { quota_set: { ...DEFAULTS, id: ctx.params.projectId } },
    }))
    .add('PUT', '/os-quota-sets/{projectId}', update)
    .add('DELETE', '/os-quota-sets/{projectId}', (ctx) => {
      if (!ctx.user?.isAdmin) throw forbidden('quotas:delete');
      stored(ctx.region).delete(ctx.params.projectId);
      return { status: 200 };
    });
}
