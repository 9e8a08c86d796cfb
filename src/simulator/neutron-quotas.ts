// Neutron's quotas: GET /quotas/{project} (limits), /quotas/{project}/details (limit, used, reserved) and the
// admin-only /quotas listing, with Neutron's default limits and usage counted from the store.
import type { Ctx, Reply } from './http.ts';
import type { RouteTable } from './router.ts';
import type { RegionData } from './store.ts';
import { ApiError } from './util.ts';

/** Neutron's defaults (neutron.conf [quotas]). */
export const NETWORK_QUOTA_DEFAULTS: Record<string, number> = {
  network: 100,
  subnet: 100,
  subnetpool: -1,
  port: 500,
  router: 10,
  floatingip: 50,
  rbac_policy: 10,
  security_group: 10,
  security_group_rule: 100,
};

function used(region: RegionData, projectId: string): Record<string, number> {
  const mine = (p: { projectId: string }) => p.projectId === projectId;
  return {
    network: region.networks.filter(mine).length,
    subnet: region.subnets.filter(mine).length,
    subnetpool: 0,
    port: region.ports.filter(mine).length,
    router: region.routers.filter(mine).length,
    floatingip: region.floatingIps.filter(mine).length,
    rbac_policy: 0,
    security_group: region.securityGroups.filter(mine).length,
    security_group_rule: region.securityGroupRules.filter(mine).length,
  };
}

/** A member may read its own project's quotas only (Neutron's get_quota policy). */
function projectOf(ctx: Ctx): string {
  const projectId = ctx.params.project;
  if (projectId !== ctx.projectId && !ctx.user?.isAdmin)
    throw new ApiError(403, 'rule:get_quota is disallowed by policy', 'PolicyNotAuthorized');
  return projectId;
}

export function addQuotaRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/quotas', (ctx): Reply => {
      if (!ctx.user?.isAdmin) throw new ApiError(403, 'rule:get_quota is disallowed by policy', 'PolicyNotAuthorized');
      // Neutron lists only projects with non-default quotas; the simulator never changes them.
      return { status: 200, body: { quotas: [] } };
    })
    .add('GET', '/quotas/{project}', (ctx): Reply => {
      projectOf(ctx);
      return { status: 200, body: { quota: { ...NETWORK_QUOTA_DEFAULTS } } };
    })
    .add('GET', '/quotas/{project}/details', (ctx): Reply => {
      const counts = used(ctx.region, projectOf(ctx));
      const quota = Object.fromEntries(
        Object.entries(NETWORK_QUOTA_DEFAULTS).map(([resource, limit]) => [
          resource,
          { limit, used: counts[resource] ?? 0, reserved: 0 },
        ]),
      );
      return { status: 200, body: { quota } };
    });
}
