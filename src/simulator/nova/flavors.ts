// Nova flavors and their extra specs.
import { intParam, nextHref, type Ctx, type Reply } from '../http.ts';
import type { RouteTable } from '../router.ts';
import type { Flavor } from '../store.ts';
import { ApiError, badRequest } from '../util.ts';
import { flavorVisible } from './flavor-admin.ts';
import { flavorBrief, flavorDetail } from './views.ts';

function getFlavor(ctx: Ctx): Flavor {
  const flavor = ctx.cloud.data.flavors.get(ctx.params.id);
  if (!flavor || !flavorVisible(ctx, flavor)) throw new ApiError(404, `Flavor ${ctx.params.id} could not be found.`);
  return flavor;
}

/** nova lists public flavors and those shared with the caller's project; ?is_public=none|false for admins. */
function listed(ctx: Ctx, f: Flavor): boolean {
  const filter = ctx.query.get('is_public')?.toLowerCase();
  if (ctx.user?.isAdmin && (filter === 'none' || filter === 'all')) return true;
  if (ctx.user?.isAdmin && (filter === 'false' || filter === '0')) return f.isPublic === false;
  return f.isPublic !== false || !!f.projects?.includes(ctx.projectId);
}

function listFlavors(detail: boolean) {
  return (ctx: Ctx): Reply => {
    const max = ctx.cloud.opts.maxPageSize;
    const limit = Math.min(intParam(ctx, 'limit') ?? max, max);
    const minRam = intParam(ctx, 'minRam') ?? 0;
    const minDisk = intParam(ctx, 'minDisk') ?? 0;
    const marker = ctx.query.get('marker') ?? undefined;
    const page = ctx.cloud.data.flavors.page({
      marker,
      limit,
      where: (f) => f.ram >= minRam && f.disk >= minDisk && listed(ctx, f),
    });
    if (!page) throw badRequest(`marker [${marker}] not found`);
    const body: Record<string, unknown> = {
      flavors: page.items.map((f) => (detail ? flavorDetail(ctx, f) : flavorBrief(ctx, f))),
    };
    if (page.more)
      body.flavors_links = [
        {
          rel: 'next',
          href: nextHref(
            ctx,
            `${ctx.apiBase}/flavors${detail ? '/detail' : ''}`,
            page.items[page.items.length - 1].id,
            limit,
          ),
        },
      ];
    return { status: 200, body };
  };
}

export function registerFlavorRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/flavors', listFlavors(false))
    .add('GET', '/flavors/detail', listFlavors(true))
    .add('GET', '/flavors/{id}', (ctx) => ({ status: 200, body: { flavor: flavorDetail(ctx, getFlavor(ctx)) } }))
    .add('GET', '/flavors/{id}/os-extra_specs', (ctx) => ({
      status: 200,
      body: { extra_specs: { ...getFlavor(ctx).extraSpecs } },
    }))
    .add('GET', '/flavors/{id}/os-extra_specs/{key}', (ctx) => {
      const specs = getFlavor(ctx).extraSpecs;
      if (!(ctx.params.key in specs))
        throw new ApiError(404, `Flavor ${ctx.params.id} has no extra specs with key ${ctx.params.key}.`);
      return { status: 200, body: { [ctx.params.key]: specs[ctx.params.key] } };
    });
}
