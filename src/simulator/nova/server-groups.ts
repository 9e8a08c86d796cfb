// Nova os-server-groups: policies per microversion (a `policies` list before 2.64, one `policy` with `rules`
// from 2.64, soft policies from 2.15), the server-group quota, members added by the `group` scheduler hint,
// and the one simulated host: anti-affinity past max_server_per_host fails the build as nova's scheduler does.
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import type { RegionData, Server, ServerGroup } from '../store.ts';
import { ApiError, badRequest, uuid } from '../util.ts';

const HARD = ['anti-affinity', 'affinity'];
const ALL = [...HARD, 'soft-anti-affinity', 'soft-affinity'];
/** nova's default quota for server groups (maxServerGroups in /limits). */
const MAX_SERVER_GROUPS = 10;

const quoted = (words: string[]) => `[${words.map((w) => `'${w}'`).join(', ')}]`;
const groupNotFound = (id: string) => new ApiError(404, `Instance group ${id} could not be found.`);

function view(ctx: Ctx, g: ServerGroup) {
  const out: Record<string, unknown> = { id: g.id, name: g.name };
  if (atLeast(ctx.microversion, 2, 64)) {
    out.policy = g.policy;
    out.rules = { ...g.rules };
  } else {
    out.policies = [g.policy];
    out.metadata = {};
  }
  out.members = [...g.members];
  if (atLeast(ctx.microversion, 2, 13)) {
    out.project_id = g.projectId;
    out.user_id = g.userId;
  }
  return out;
}

function groupOf(ctx: Ctx, id: string): ServerGroup {
  const group = ctx.region.serverGroups.get(id);
  if (!group || group.projectId !== ctx.projectId) throw groupNotFound(id);
  return group;
}

function policyOf(ctx: Ctx, spec: Record<string, any>): { policy: string; rules: ServerGroup['rules'] } {
  const allowed = atLeast(ctx.microversion, 2, 15) ? ALL : HARD;
  if (!atLeast(ctx.microversion, 2, 64)) {
    const policies = spec.policies;
    if (!Array.isArray(policies) || policies.length !== 1)
      throw badRequest("Invalid input for field/attribute server_group. 'policies' is a required property");
    if (!allowed.includes(policies[0]))
      throw badRequest(
        `Invalid input for field/attribute 0. Value: ${policies[0]}. '${policies[0]}' is not one of ${quoted(allowed)}`,
      );
    return { policy: policies[0], rules: {} };
  }
  if (typeof spec.policy !== 'string')
    throw badRequest("Invalid input for field/attribute server_group. 'policy' is a required property");
  if (!allowed.includes(spec.policy))
    throw badRequest(
      `Invalid input for field/attribute policy. Value: ${spec.policy}. '${spec.policy}' is not one of ${quoted(allowed)}`,
    );
  const rules = spec.rules ?? {};
  if (Object.keys(rules).length && spec.policy !== 'anti-affinity')
    throw badRequest('Only anti-affinity policy supports rules.');
  const max = rules.max_server_per_host;
  if (max !== undefined && !(Number.isInteger(Number(max)) && Number(max) >= 1))
    throw badRequest(
      `Invalid input for field/attribute max_server_per_host. Value: ${max}. ${JSON.stringify(max)} is less than the minimum of 1`,
    );
  return { policy: spec.policy, rules: max === undefined ? {} : { max_server_per_host: Number(max) } };
}

async function createGroup(ctx: Ctx): Promise<Reply> {
  const spec = (await readJson(ctx)).server_group;
  if (!spec || typeof spec !== 'object')
    throw badRequest("Invalid input for field/attribute server_group. 'server_group' is a required property");
  if (typeof spec.name !== 'string' || !spec.name.trim() || spec.name.length > 255)
    throw badRequest("Invalid input for field/attribute server_group. 'name' is a required property");
  const { policy, rules } = policyOf(ctx, spec);
  const owned = ctx.region.serverGroups.filter((g) => g.projectId === ctx.projectId).length;
  if (owned >= MAX_SERVER_GROUPS) throw new ApiError(403, 'Quota exceeded, too many server groups.');
  const group = ctx.region.serverGroups.add({
    id: uuid(),
    name: spec.name,
    projectId: ctx.projectId,
    userId: ctx.token!.userId,
    policy,
    rules,
    members: [],
  });
  return { status: 200, body: { server_group: view(ctx, group) } };
}

/**
 * The `group` scheduler hint of a new server: the group must exist (400, as nova answers), the server joins it,
 * and the answer is why the build fails, if it does. The simulator has one host, so an anti-affinity group is full
 * at max_server_per_host members that still exist.
 */
export function joinServerGroup(ctx: Ctx, groupId: unknown, server: Server): string | undefined {
  if (groupId === undefined) return undefined;
  const group = typeof groupId === 'string' ? ctx.region.serverGroups.get(groupId) : undefined;
  if (!group || group.projectId !== ctx.projectId)
    throw badRequest(`Instance group ${String(groupId)} could not be found.`);
  const live = group.members.filter((id) => {
    const member = ctx.region.findServer(id, ctx.projectId);
    return member && member.status !== 'DELETED' && member.status !== 'ERROR';
  }).length;
  group.members.push(server.id);
  server.serverGroupId = group.id;
  if (group.policy === 'anti-affinity' && live >= (group.rules.max_server_per_host ?? 1))
    return 'No valid host was found. There are not enough hosts available.';
  return undefined;
}

/** nova drops a deleted server from its group. */
export function leaveServerGroup(region: RegionData, server: Server): void {
  const group = server.serverGroupId ? region.serverGroups.get(server.serverGroupId) : undefined;
  if (group) group.members = group.members.filter((id) => id !== server.id);
}

export function registerServerGroupRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/os-server-groups', (ctx) => ({
      status: 200,
      body: {
        server_groups: ctx.region.serverGroups.filter((g) => g.projectId === ctx.projectId).map((g) => view(ctx, g)),
      },
    }))
    .add('POST', '/os-server-groups', createGroup)
    .add('GET', '/os-server-groups/{id}', (ctx) => ({
      status: 200,
      body: { server_group: view(ctx, groupOf(ctx, ctx.params.id)) },
    }))
    .add('DELETE', '/os-server-groups/{id}', (ctx) => {
      ctx.region.serverGroups.delete(groupOf(ctx, ctx.params.id).id);
      return { status: 204 };
    });
}
