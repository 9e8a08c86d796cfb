// IdentityService for one OpenStack region: the projects its credential can see and who the credential is.
// Keystone is cloud-wide; a project is shown at the region whose credential read it (clouds.yaml credentials
// are per region), with is_current marking the project the credential is scoped to.
import type { LocationHandlers } from '../../handler-backend.ts';
import type { IdentityProject } from '../../../gen/oaktree/v1/identity.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { bool, str } from '../normalize/network.ts';
import { extraProperties } from '../normalize/properties.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { OpenStackHttpError } from '../transport/index.ts';

type Raw = Record<string, unknown>;

const PROJECT_FIELDS = ['id', 'name', 'domain_id', 'description', 'enabled', 'parent_id', 'links'];

export function normalizeProject(raw: Raw, route: Location): IdentityProject {
  return {
    location: { ...route, zone: '' },
    id: str(raw.id),
    name: str(raw.name),
    domainId: str(raw.domain_id),
    description: str(raw.description),
    isEnabled: raw.enabled === undefined ? true : bool(raw.enabled),
    parentId: str(raw.parent_id),
    isCurrent: str(raw.id) === route.project?.id,
    properties: extraProperties(raw, PROJECT_FIELDS),
  };
}

/** Every project for an admin; for anyone else (Keystone answers 403) the projects the user may scope to. */
async function visibleProjects(ctx: RegionContext, signal: AbortSignal): Promise<Raw[]> {
  const ask = async (path: string) => {
    const res = await ctx.session.request('identity', ctx.region, { method: 'GET', path, signal });
    return ((res.body as { projects?: Raw[] })?.projects ?? []) as Raw[];
  };
  try {
    return await ask('/projects');
  } catch (error) {
    // 403: not an admin; 404: a Keystone without the project list (the simulator's, today).
    if (!(error instanceof OpenStackHttpError) || (error.status !== 403 && error.status !== 404)) throw error;
    return await ask('/auth/projects');
  }
}

export function identityHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *listProjects(request, target, call) {
      const ctx = await resolve(target);
      const wanted = request.nameOrId;
      const projects = await visibleProjects(ctx, call.signal);
      for (const raw of projects) {
        if (wanted && raw.id !== wanted && raw.name !== wanted) continue;
        yield normalizeProject(raw, ctx.location);
      }
    },

    async *whoAmI(_request, target, call) {
      const ctx = await resolve(target);
      const who = await ctx.session.caller(ctx.region, call.signal);
      const roles = who.roles ?? [];
      yield {
        location: { ...ctx.location, zone: '' },
        userId: who.user?.id ?? '',
        userName: who.user?.name ?? '',
        userDomainId: who.user?.domainId ?? '',
        roles,
        tokenExpireTime: new Date(who.expiresAt),
        isAdmin: roles.includes('admin'),
      };
    },
  };
}
