// Keystone roles, role grants on projects and domains, and /role_assignments (with effective and include_names).
import type { Ctx, Reply } from './http.ts';
import { type Assignment, IMPLIES, type Role } from './identity-store.ts';
import {
  conflict,
  domainOr404,
  entity,
  groupOr404,
  nameOf,
  projectDomain,
  projectOr404,
  roleOr404,
  userOr404,
  filtered,
} from './keystone-input.ts';
import { type Caller, requireAdmin, requireCaller } from './keystone-policy.ts';
import { collection, roleView } from './keystone-views.ts';
import type { RouteTable } from './router.ts';
import type { User } from './store.ts';
import { ApiError } from './util.ts';

// --- roles and grants -----------------------------------------------------------------------------------------

async function createRole(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'create_role');
  const spec = await entity(ctx, 'role');
  const name = nameOf(spec, 255);
  for (const r of ctx.cloud.data.identity.roles.values())
    if (r.name === name && r.domainId === (spec.domain_id ?? null))
      throw conflict('role', `Duplicate entry found with name ${name}`);
  const role = ctx.cloud.data.identity.addRole(name);
  role.domainId = spec.domain_id ?? null;
  role.description = typeof spec.description === 'string' ? spec.description : null;
  return { status: 201, body: { role: roleView(ctx, role) } };
}

function getRole(ctx: Ctx): Reply {
  const caller = requireCaller(ctx);
  const role = roleOr404(ctx, ctx.params.id);
  requireAdmin(caller, 'get_role');
  return { status: 200, body: { role: roleView(ctx, role) } };
}

async function updateRole(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'update_role');
  const role = roleOr404(ctx, ctx.params.id);
  const spec = await entity(ctx, 'role');
  if (role.immutable) throw new ApiError(403, `Role ${role.id} is immutable and cannot be modified.`);
  if (spec.name !== undefined) role.name = nameOf(spec, 255);
  if (spec.description !== undefined) role.description = spec.description;
  return { status: 200, body: { role: roleView(ctx, role) } };
}

function deleteRole(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'delete_role');
  const role = roleOr404(ctx, ctx.params.id);
  if (role.immutable) throw new ApiError(403, `Role ${role.id} is immutable and cannot be deleted.`);
  ctx.cloud.data.identity.roles.delete(role.id);
  ctx.cloud.data.identity.forget('roleId', role.id);
  return { status: 204 };
}

function listRoles(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_roles');
  const items = filtered(ctx, ctx.cloud.data.identity.roles.values(), (r) => roleView(ctx, r), ['name', 'domain_id']);
  return collection(ctx, 'roles', items);
}

/** The scope and actor of /{projects|domains}/{scopeId}/{users|groups}/{actorId}/roles[/{roleId}]. */
function grantOf(ctx: Ctx, scope: 'projects' | 'domains', actor: 'users' | 'groups'): Assignment {
  const grant: Assignment = { roleId: ctx.params.roleId ?? '' };
  if (scope === 'projects') grant.projectId = projectOr404(ctx, ctx.params.scopeId).id;
  else grant.domainId = domainOr404(ctx, ctx.params.scopeId).id;
  if (actor === 'users') grant.userId = userOr404(ctx, ctx.params.actorId).id;
  else grant.groupId = groupOr404(ctx, ctx.params.actorId).id;
  if (ctx.params.roleId !== undefined) roleOr404(ctx, ctx.params.roleId);
  return grant;
}

const sameGrant = (a: Assignment, b: Assignment) =>
  a.roleId === b.roleId &&
  a.userId === b.userId &&
  a.groupId === b.groupId &&
  a.projectId === b.projectId &&
  a.domainId === b.domainId;

function resync(ctx: Ctx, grant: Assignment): void {
  if (grant.userId) ctx.cloud.data.identity.sync(ctx.cloud.data.users.get(grant.userId) as User);
  else ctx.cloud.data.identity.syncAll();
}

function grantRoute(scope: 'projects' | 'domains', actor: 'users' | 'groups', action: 'create' | 'check' | 'revoke') {
  return (ctx: Ctx): Reply => {
    requireAdmin(requireCaller(ctx), `${action}_grant`);
    const grant = grantOf(ctx, scope, actor);
    const identity = ctx.cloud.data.identity;
    const exists = identity.assignments.some((a) => sameGrant(a, grant));
    if (action === 'create') {
      if (!exists) identity.assignments.push(grant);
    } else if (!exists) {
      throw new ApiError(
        404,
        `Could not find role assignment with role: ${grant.roleId}, user or group: ${grant.userId ?? grant.groupId}, project, domain, or system: ${grant.projectId ?? grant.domainId}.`,
      );
    } else if (action === 'revoke') {
      identity.assignments = identity.assignments.filter((a) => !sameGrant(a, grant));
    }
    resync(ctx, grant);
    return { status: 204 };
  };
}

function listGrants(scope: 'projects' | 'domains', actor: 'users' | 'groups') {
  return (ctx: Ctx): Reply => {
    requireAdmin(requireCaller(ctx), 'list_grants');
    const scoped = grantOf(ctx, scope, actor);
    const identity = ctx.cloud.data.identity;
    const roles = identity.assignments
      .filter((a) => sameGrant(a, { ...scoped, roleId: a.roleId }))
      .map((a) => identity.roles.get(a.roleId))
      .filter((r) => r !== undefined);
    return collection(
      ctx,
      'roles',
      roles.map((r) => roleView(ctx, r)),
    );
  };
}

// --- /role_assignments ----------------------------------------------------------------------------------------

interface AssignmentRow {
  a: Assignment;
  /** The direct grant's role when this row is implied by it. */
  priorRoleId?: string;
  /** The group the user is in, for rows expanded from a group grant. */
  viaGroup?: string;
}

function listRoleAssignments(ctx: Ctx): Reply {
  const caller: Caller = requireCaller(ctx);
  requireAdmin(caller, 'list_role_assignments');
  const q = ctx.query;
  const identity = ctx.cloud.data.identity;
  const effective = q.has('effective');
  let rows: AssignmentRow[] = identity.assignments.map((a) => ({ a }));
  if (effective) {
    rows = rows.flatMap((row) => {
      const group = row.a.groupId ? identity.groups.get(row.a.groupId) : undefined;
      if (!group) return [row];
      return [...group.userIds].map((userId) => ({ a: { ...row.a, groupId: undefined, userId }, viaGroup: group.id }));
    });
    rows = rows.flatMap((row) => [row, ...impliedRows(ctx, row)]);
  }
  const keep = (row: AssignmentRow) =>
    (!q.has('user.id') || row.a.userId === q.get('user.id')) &&
    (!q.has('group.id') || row.a.groupId === q.get('group.id')) &&
    (!q.has('role.id') || row.a.roleId === q.get('role.id')) &&
    (!q.has('scope.project.id') || row.a.projectId === q.get('scope.project.id')) &&
    (!q.has('scope.domain.id') || row.a.domainId === q.get('scope.domain.id'));
  const names = q.has('include_names') && q.get('include_names') !== 'false';
  return collection(
    ctx,
    'role_assignments',
    rows.filter(keep).map((row) => assignmentView(ctx, row, names)),
  );
}

function impliedRows(ctx: Ctx, row: AssignmentRow): AssignmentRow[] {
  const identity = ctx.cloud.data.identity;
  const out: AssignmentRow[] = [];
  let prior = identity.roles.get(row.a.roleId);
  while (prior && IMPLIES[prior.name]) {
    const implied = impliedRole(ctx, prior);
    if (!implied) break;
    out.push({ ...row, a: { ...row.a, roleId: implied.id }, priorRoleId: row.priorRoleId ?? row.a.roleId });
    prior = implied;
  }
  return out;
}

/** The global role a role implies (admin -> member -> reader), if it still exists. */
function impliedRole(ctx: Ctx, prior: Role): Role | undefined {
  const name = IMPLIES[prior.name];
  if (!name || prior.domainId !== null) return undefined;
  return [...ctx.cloud.data.identity.roles.values()].find((r) => r.name === name && r.domainId === null);
}

const roleRef = (ctx: Ctx, r: Role) => ({ id: r.id, links: { self: `${ctx.apiBase}/roles/${r.id}` }, name: r.name });

/** GET /role_inferences: every implication rule (admin only). */
function listInferences(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_role_inference_rules');
  const rules = [...ctx.cloud.data.identity.roles.values()].flatMap((prior) => {
    const implied = impliedRole(ctx, prior);
    return implied ? [{ prior_role: roleRef(ctx, prior), implies: [roleRef(ctx, implied)] }] : [];
  });
  return { status: 200, body: { role_inferences: rules } };
}

/** GET /roles/{id}/implies: what one role implies. */
function roleImplies(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_implied_roles');
  const prior = roleOr404(ctx, ctx.params.id);
  const implied = impliedRole(ctx, prior);
  return {
    status: 200,
    body: {
      role_inference: { prior_role: roleRef(ctx, prior), implies: implied ? [roleRef(ctx, implied)] : [] },
      links: { self: ctx.url.href },
    },
  };
}

function assignmentView(ctx: Ctx, row: AssignmentRow, names: boolean) {
  const { a } = row;
  const data = ctx.cloud.data;
  const domainRef = (id: string) => ({ id, name: data.identity.domains.get(id)?.name });
  const scopePath = a.projectId ? `projects/${a.projectId}` : `domains/${a.domainId}`;
  const actorPath = row.viaGroup ? `groups/${row.viaGroup}` : a.userId ? `users/${a.userId}` : `groups/${a.groupId}`;
  const links: Record<string, string> = {
    assignment: `${ctx.apiBase}/${scopePath}/${actorPath}/roles/${row.priorRoleId ?? a.roleId}`,
  };
  if (row.viaGroup) links.membership = `${ctx.apiBase}/groups/${row.viaGroup}/users/${a.userId}`;
  if (row.priorRoleId) links.prior_role = `${ctx.apiBase}/prior_role/${a.roleId}/implies/${row.priorRoleId}`;
  const scope: Record<string, unknown> = {};
  if (a.projectId) {
    const project = data.projects.get(a.projectId);
    scope.project = names
      ? { id: a.projectId, name: project?.name, domain: domainRef(project ? projectDomain(project) : 'default') }
      : { id: a.projectId };
  } else scope.domain = names ? domainRef(a.domainId as string) : { id: a.domainId };
  const out: Record<string, unknown> = { links, scope };
  if (a.userId) {
    const user = data.users.get(a.userId);
    out.user = names
      ? { id: a.userId, name: user?.name, domain: domainRef((user?.extra?.domain_id as string) ?? 'default') }
      : { id: a.userId };
  } else {
    const group = data.identity.groups.get(a.groupId as string);
    out.group = names
      ? { id: a.groupId, name: group?.name, domain: domainRef(group?.domainId ?? 'default') }
      : { id: a.groupId };
  }
  const role = data.identity.roles.get(a.roleId);
  out.role = names ? { id: a.roleId, name: role?.name } : { id: a.roleId };
  return out;
}

export function registerGrantRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/roles', listRoles)
    .add('POST', '/roles', createRole)
    .add('GET', '/roles/{id}', getRole)
    .add('GET', '/roles/{id}/implies', roleImplies)
    .add('GET', '/role_inferences', listInferences)
    .add('PATCH', '/roles/{id}', updateRole)
    .add('DELETE', '/roles/{id}', deleteRole)
    .add('GET', '/role_assignments', listRoleAssignments);
  for (const scope of ['projects', 'domains'] as const)
    for (const actor of ['users', 'groups'] as const) {
      const base = `/${scope}/{scopeId}/${actor}/{actorId}/roles`;
      routes
        .add('GET', base, listGrants(scope, actor))
        .add('PUT', `${base}/{roleId}`, grantRoute(scope, actor, 'create'))
        .add('HEAD', `${base}/{roleId}`, grantRoute(scope, actor, 'check'))
        .add('GET', `${base}/{roleId}`, grantRoute(scope, actor, 'check'))
        .add('DELETE', `${base}/{roleId}`, grantRoute(scope, actor, 'revoke'));
    }
}
