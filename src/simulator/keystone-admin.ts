// Keystone v3 identity administration: projects, users, groups (+ membership), domains, roles, role grants,
// /role_assignments, services, endpoints and regions — with the status codes, bodies and default policy of Zed.
import { readJson, type Ctx, type Reply } from './http.ts';
import type { Assignment, Group } from './identity-store.ts';
import { type Caller, denied, requireAdmin, requireCaller } from './keystone-policy.ts';
import {
  collection,
  domainView,
  endpointView,
  groupView,
  projectView,
  regionView,
  roleView,
  serviceView,
  userView,
} from './keystone-views.ts';
import type { RouteTable } from './router.ts';
import type { Project, User } from './store.ts';
import { ApiError, hexId } from './util.ts';

const notFound = (kind: string, id: string) => new ApiError(404, `Could not find ${kind}: ${id}.`);
const conflict = (kind: string, detail: string) =>
  new ApiError(409, `Conflict occurred attempting to store ${kind} - ${detail}.`);
const required = (field: string) => new ApiError(400, `'${field}' is a required property`);

async function entity(ctx: Ctx, key: string): Promise<Record<string, any>> {
  const body = (await readJson(ctx))[key];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw required(key);
  return body;
}

function nameOf(spec: Record<string, any>, max = 64): string {
  if (typeof spec.name !== 'string' || !/\S/.test(spec.name) || spec.name.length > max) throw required('name');
  return spec.name;
}

function boolOf(spec: Record<string, any>, field: string): boolean | undefined {
  if (spec[field] === undefined || spec[field] === null) return undefined;
  if (typeof spec[field] !== 'boolean') throw new ApiError(400, `Invalid input for field '${field}': not a boolean.`);
  return spec[field];
}

/** Keystone's list filters: exact matches on the named attributes. */
function filtered<T>(ctx: Ctx, items: Iterable<T>, view: (item: T) => Record<string, unknown>, keys: string[]) {
  const wanted = keys.filter((k) => ctx.query.has(k)).map((k) => [k, ctx.query.get(k) as string] as const);
  return [...items].map(view).filter((json) => wanted.every(([k, v]) => String(json[k]) === v));
}

function domainIdOf(ctx: Ctx, spec: Record<string, any>): string {
  const id = spec.domain_id ?? 'default';
  if (!ctx.cloud.data.identity.domains.has(id)) throw notFound('domain', String(id));
  return id;
}

// --- projects -------------------------------------------------------------------------------------------------

function projectOr404(ctx: Ctx, id: string): Project {
  const project = ctx.cloud.data.projects.get(id);
  if (!project) throw notFound('project', id);
  return project;
}

const projectDomain = (p: Project) => (p.extra?.domain_id as string | undefined) ?? 'default';

function projectFields(spec: Record<string, any>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec))
    if (!['id', 'name', 'is_domain', 'parent_id', 'options'].includes(k)) extra[k] = v;
  if (spec.enabled !== undefined) boolOf(spec, 'enabled');
  if (spec.tags !== undefined && !Array.isArray(spec.tags)) throw new ApiError(400, "Invalid input for field 'tags'.");
  return extra;
}

async function createProject(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'create_project');
  const spec = await entity(ctx, 'project');
  const name = nameOf(spec);
  const domainId = domainIdOf(ctx, spec);
  const clash = [...ctx.cloud.data.projects.values()].find((p) => p.name === name && projectDomain(p) === domainId);
  if (clash)
    throw conflict(
      'project',
      `it is not permitted to have two projects with either the same name or same id in the same domain: name is ${name}, project id ${clash.id}`,
    );
  const project: Project = { id: hexId(), name, extra: { ...projectFields(spec), domain_id: domainId } };
  ctx.cloud.data.projects.set(project.id, project);
  return { status: 201, body: { project: projectView(ctx, project) } };
}

function getProject(ctx: Ctx): Reply {
  const caller = requireCaller(ctx);
  if (!caller.isAdmin && caller.token.projectId !== ctx.params.id) throw denied('get_project');
  return { status: 200, body: { project: projectView(ctx, projectOr404(ctx, ctx.params.id)) } };
}

async function updateProject(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'update_project');
  const project = projectOr404(ctx, ctx.params.id);
  const spec = await entity(ctx, 'project');
  if (spec.name !== undefined) {
    const name = nameOf(spec);
    const clash = [...ctx.cloud.data.projects.values()].find(
      (p) => p.id !== project.id && p.name === name && projectDomain(p) === projectDomain(project),
    );
    if (clash)
      throw conflict(
        'project',
        `it is not permitted to have two projects with either the same name or same id in the same domain: name is ${name}, project id ${clash.id}`,
      );
    project.name = name;
  }
  project.extra = { ...project.extra, ...projectFields(spec), domain_id: projectDomain(project) };
  return { status: 200, body: { project: projectView(ctx, project) } };
}

function deleteProject(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'delete_project');
  const project = projectOr404(ctx, ctx.params.id);
  ctx.cloud.data.projects.delete(project.id);
  ctx.cloud.data.identity.forget('projectId', project.id);
  return { status: 204 };
}

function listProjects(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_projects');
  const items = filtered(ctx, ctx.cloud.data.projects.values(), (p) => projectView(ctx, p), [
    'name',
    'domain_id',
    'enabled',
  ]);
  return collection(ctx, 'projects', items);
}

/** GET /auth/projects and /users/{id}/projects: the projects the caller holds a role on. */
function callerProjects(ctx: Ctx): Reply {
  const caller = requireCaller(ctx);
  const userId = ctx.params.userId ?? caller.user.id;
  if (userId !== caller.user.id && !caller.isAdmin) throw denied('list_user_projects');
  const user = userOr404(ctx, userId);
  const projects = [...ctx.cloud.data.projects.values()].filter((p) => ctx.cloud.data.userCanAccess(user, p.id));
  return collection(
    ctx,
    'projects',
    projects.map((p) => projectView(ctx, p)),
  );
}

// --- users ----------------------------------------------------------------------------------------------------

function userOr404(ctx: Ctx, id: string): User {
  const user = ctx.cloud.data.users.get(id);
  if (!user) throw notFound('user', id);
  return user;
}

function userFields(spec: Record<string, any>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec))
    if (!['id', 'name', 'password', 'default_project_id', 'options'].includes(k)) extra[k] = v;
  if (spec.enabled !== undefined) boolOf(spec, 'enabled');
  return extra;
}

function checkUserName(ctx: Ctx, name: string, domainId: string, except?: string): void {
  for (const u of ctx.cloud.data.users.values())
    if (u.id !== except && u.name === name && ((u.extra?.domain_id as string) ?? 'default') === domainId)
      throw conflict('user', `Duplicate entry found with name ${name} at domain ID ${domainId}`);
}

async function createUser(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'create_user');
  const spec = await entity(ctx, 'user');
  const name = nameOf(spec, 255);
  const domainId = domainIdOf(ctx, spec);
  checkUserName(ctx, name, domainId);
  if (spec.default_project_id !== undefined && spec.default_project_id !== null)
    projectOr404(ctx, String(spec.default_project_id));
  const user: User = {
    id: hexId(),
    name,
    password: typeof spec.password === 'string' ? spec.password : hexId(),
    isAdmin: false,
    defaultProjectId: spec.default_project_id ?? '',
    roles: [],
    projectIds: [],
    extra: { ...userFields(spec), domain_id: domainId },
  };
  ctx.cloud.data.users.set(user.id, user);
  return { status: 201, body: { user: userView(ctx, user) } };
}

function getUser(ctx: Ctx): Reply {
  const caller = requireCaller(ctx);
  if (!caller.isAdmin && caller.user.id !== ctx.params.id) throw denied('get_user');
  return { status: 200, body: { user: userView(ctx, userOr404(ctx, ctx.params.id)) } };
}

async function updateUser(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'update_user');
  const user = userOr404(ctx, ctx.params.id);
  const spec = await entity(ctx, 'user');
  if (spec.name !== undefined) {
    const name = nameOf(spec, 255);
    checkUserName(ctx, name, (user.extra?.domain_id as string) ?? 'default', user.id);
    user.name = name;
  }
  if (typeof spec.password === 'string') user.password = spec.password;
  if (spec.default_project_id !== undefined) {
    if (spec.default_project_id !== null) projectOr404(ctx, String(spec.default_project_id));
    user.defaultProjectId = spec.default_project_id ?? '';
  }
  user.extra = { ...user.extra, ...userFields(spec) };
  return { status: 200, body: { user: userView(ctx, user) } };
}

function deleteUser(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'delete_user');
  const user = userOr404(ctx, ctx.params.id);
  ctx.cloud.data.users.delete(user.id);
  ctx.cloud.data.identity.forget('userId', user.id);
  return { status: 204 };
}

function listUsers(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_users');
  const items = filtered(ctx, ctx.cloud.data.users.values(), (u) => userView(ctx, u), ['name', 'domain_id', 'enabled']);
  return collection(ctx, 'users', items);
}

/** A user changes its own password with the original one (identity:change_password is the user itself). */
async function changePassword(ctx: Ctx): Promise<Reply> {
  const caller = requireCaller(ctx);
  if (caller.user.id !== ctx.params.id) throw denied('change_password');
  const spec = await entity(ctx, 'user');
  if (typeof spec.password !== 'string') throw required('password');
  if (spec.original_password !== caller.user.password)
    throw new ApiError(401, 'The request you have made requires authentication.');
  caller.user.password = spec.password;
  return { status: 204 };
}

// --- groups ---------------------------------------------------------------------------------------------------

function groupOr404(ctx: Ctx, id: string): Group {
  const group = ctx.cloud.data.identity.groups.get(id);
  if (!group) throw notFound('group', id);
  return group;
}

function checkGroupName(ctx: Ctx, name: string, domainId: string, except?: string): void {
  for (const g of ctx.cloud.data.identity.groups.values())
    if (g.id !== except && g.name === name && g.domainId === domainId)
      throw conflict('group', `Duplicate entry found with name ${name} at domain ID ${domainId}`);
}

async function createGroup(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'create_group');
  const spec = await entity(ctx, 'group');
  const name = nameOf(spec);
  const domainId = domainIdOf(ctx, spec);
  checkGroupName(ctx, name, domainId);
  const group: Group = { id: hexId(), name, domainId, description: spec.description ?? '', userIds: new Set() };
  ctx.cloud.data.identity.groups.set(group.id, group);
  return { status: 201, body: { group: groupView(ctx, group) } };
}

async function updateGroup(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'update_group');
  const group = groupOr404(ctx, ctx.params.id);
  const spec = await entity(ctx, 'group');
  if (spec.name !== undefined) {
    checkGroupName(ctx, nameOf(spec), group.domainId, group.id);
    group.name = spec.name;
  }
  if (typeof spec.description === 'string') group.description = spec.description;
  return { status: 200, body: { group: groupView(ctx, group) } };
}

function deleteGroup(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'delete_group');
  const group = groupOr404(ctx, ctx.params.id);
  ctx.cloud.data.identity.groups.delete(group.id);
  ctx.cloud.data.identity.forget('groupId', group.id);
  return { status: 204 };
}

/** PUT / HEAD / GET / DELETE /groups/{id}/users/{userId}. */
function membership(action: 'add' | 'check' | 'remove') {
  return (ctx: Ctx): Reply => {
    requireAdmin(
      requireCaller(ctx),
      `${action}_user_${action === 'add' ? 'to' : action === 'check' ? 'in' : 'from'}_group`,
    );
    const group = groupOr404(ctx, ctx.params.id);
    const user = userOr404(ctx, ctx.params.userId);
    if (action === 'add') group.userIds.add(user.id);
    else if (!group.userIds.has(user.id)) throw new ApiError(404, `${user.id} is not a member of ${group.id}.`);
    else if (action === 'remove') group.userIds.delete(user.id);
    ctx.cloud.data.identity.sync(user);
    return { status: 204 };
  };
}

function groupUsers(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_users_in_group');
  const group = groupOr404(ctx, ctx.params.id);
  const users = [...group.userIds].map((id) => ctx.cloud.data.users.get(id)).filter((u): u is User => !!u);
  return collection(
    ctx,
    'users',
    users.map((u) => userView(ctx, u)),
  );
}

function userGroups(ctx: Ctx): Reply {
  const caller = requireCaller(ctx);
  if (!caller.isAdmin && caller.user.id !== ctx.params.id) throw denied('list_groups_for_user');
  const user = userOr404(ctx, ctx.params.id);
  const groups = [...ctx.cloud.data.identity.groups.values()].filter((g) => g.userIds.has(user.id));
  // Keystone adds the membership's expiry (null: local groups do not expire) to this list only.
  return collection(
    ctx,
    'groups',
    groups.map((g) => ({ ...groupView(ctx, g), membership_expires_at: null })),
  );
}

function listGroups(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_groups');
  const items = filtered(ctx, ctx.cloud.data.identity.groups.values(), (g) => groupView(ctx, g), ['name', 'domain_id']);
  return collection(ctx, 'groups', items);
}

// --- domains --------------------------------------------------------------------------------------------------

async function createDomain(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'create_domain');
  const spec = await entity(ctx, 'domain');
  const name = nameOf(spec);
  for (const d of ctx.cloud.data.identity.domains.values())
    if (d.name === name)
      throw conflict(
        'project',
        `it is not permitted to have two projects acting as domains with the same name: ${name}`,
      );
  const domain = {
    id: hexId(),
    name,
    description: typeof spec.description === 'string' ? spec.description : '',
    enabled: boolOf(spec, 'enabled') ?? true,
    tags: Array.isArray(spec.tags) ? spec.tags.map(String) : [],
  };
  ctx.cloud.data.identity.domains.set(domain.id, domain);
  return { status: 201, body: { domain: domainView(ctx, domain) } };
}

function domainOr404(ctx: Ctx, id: string) {
  const domain = ctx.cloud.data.identity.domains.get(id);
  if (!domain) throw notFound('domain', id);
  return domain;
}

function getDomain(ctx: Ctx): Reply {
  const caller = requireCaller(ctx);
  // Zed: a project token may read the domain its project lives in.
  const ownDomain = caller.token.projectId
    ? projectDomain(ctx.cloud.data.projects.get(caller.token.projectId) as Project)
    : caller.token.domainScoped
      ? 'default'
      : undefined;
  if (!caller.isAdmin && ownDomain !== ctx.params.id) throw denied('get_domain');
  return { status: 200, body: { domain: domainView(ctx, domainOr404(ctx, ctx.params.id)) } };
}

async function updateDomain(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'update_domain');
  const domain = domainOr404(ctx, ctx.params.id);
  const spec = await entity(ctx, 'domain');
  if (spec.name !== undefined) domain.name = nameOf(spec);
  if (typeof spec.description === 'string') domain.description = spec.description;
  domain.enabled = boolOf(spec, 'enabled') ?? domain.enabled;
  if (Array.isArray(spec.tags)) domain.tags = spec.tags.map(String);
  return { status: 200, body: { domain: domainView(ctx, domain) } };
}

function deleteDomain(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'delete_domain');
  const domain = domainOr404(ctx, ctx.params.id);
  if (domain.enabled) throw new ApiError(403, 'Cannot delete a domain that is enabled, please disable it first.');
  const data = ctx.cloud.data;
  for (const p of [...data.projects.values()]) if (projectDomain(p) === domain.id) data.projects.delete(p.id);
  for (const u of [...data.users.values()]) if (u.extra?.domain_id === domain.id) data.users.delete(u.id);
  for (const g of [...data.identity.groups.values()]) if (g.domainId === domain.id) data.identity.groups.delete(g.id);
  data.identity.domains.delete(domain.id);
  data.identity.assignments = data.identity.assignments.filter(
    (a) =>
      a.domainId !== domain.id &&
      (!a.projectId || data.projects.has(a.projectId)) &&
      (!a.userId || data.users.has(a.userId)) &&
      (!a.groupId || data.identity.groups.has(a.groupId)),
  );
  data.identity.syncAll();
  return { status: 204 };
}

function listDomains(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_domains');
  const items = filtered(ctx, ctx.cloud.data.identity.domains.values(), (d) => domainView(ctx, d), ['name', 'enabled']);
  return collection(ctx, 'domains', items);
}

// --- roles and grants -----------------------------------------------------------------------------------------

function roleOr404(ctx: Ctx, id: string) {
  const role = ctx.cloud.data.identity.roles.get(id);
  if (!role) throw notFound('role', id);
  return role;
}

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
  const chain: Record<string, string> = { admin: 'member', member: 'reader' };
  while (prior && chain[prior.name]) {
    const implied = [...identity.roles.values()].find(
      (r) => r.name === chain[prior?.name ?? ''] && r.domainId === null,
    );
    if (!implied) break;
    out.push({ ...row, a: { ...row.a, roleId: implied.id }, priorRoleId: row.priorRoleId ?? row.a.roleId });
    prior = implied;
  }
  return out;
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

// --- catalog: services, endpoints, regions ---------------------------------------------------------------------

function serviceOr404(ctx: Ctx, id: string) {
  const service = ctx.cloud.data.identity.services.get(id);
  if (!service) throw notFound('service', id);
  return service;
}

async function createService(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'create_service');
  const spec = await entity(ctx, 'service');
  if (typeof spec.type !== 'string' || !spec.type) throw required('type');
  const service = {
    id: hexId(),
    type: spec.type,
    name: typeof spec.name === 'string' ? spec.name : '',
    enabled: boolOf(spec, 'enabled') ?? true,
    ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
  };
  ctx.cloud.data.identity.services.set(service.id, service);
  return { status: 201, body: { service: serviceView(ctx, service) } };
}

async function updateService(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'update_service');
  const service = serviceOr404(ctx, ctx.params.id);
  const spec = await entity(ctx, 'service');
  if (typeof spec.type === 'string') service.type = spec.type;
  if (typeof spec.name === 'string') service.name = spec.name;
  if (typeof spec.description === 'string') service.description = spec.description;
  service.enabled = boolOf(spec, 'enabled') ?? service.enabled;
  return { status: 200, body: { service: serviceView(ctx, service) } };
}

function deleteService(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'delete_service');
  const service = serviceOr404(ctx, ctx.params.id);
  const identity = ctx.cloud.data.identity;
  identity.services.delete(service.id);
  for (const e of [...identity.endpoints.values()]) if (e.serviceId === service.id) identity.endpoints.delete(e.id);
  return { status: 204 };
}

function listServices(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_services');
  const items = filtered(ctx, ctx.cloud.data.identity.services.values(), (s) => serviceView(ctx, s), ['type', 'name']);
  return collection(ctx, 'services', items);
}

function listEndpoints(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'list_endpoints');
  const items = filtered(ctx, ctx.cloud.data.identity.endpoints.values(), (e) => endpointView(ctx, e), [
    'interface',
    'service_id',
    'region_id',
  ]);
  return collection(ctx, 'endpoints', items);
}

const INTERFACES = ['public', 'internal', 'admin'];

async function createEndpoint(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'create_endpoint');
  const spec = await entity(ctx, 'endpoint');
  for (const field of ['service_id', 'interface', 'url']) if (typeof spec[field] !== 'string') throw required(field);
  if (!INTERFACES.includes(spec.interface))
    throw new ApiError(400, `Invalid input for field 'interface': must be one of ${INTERFACES.join(', ')}.`);
  serviceOr404(ctx, spec.service_id);
  const regionId = spec.region_id ?? spec.region ?? null;
  if (regionId !== null && !ctx.cloud.data.identity.regions.has(regionId)) throw notFound('region', String(regionId));
  const endpoint = {
    id: hexId(),
    serviceId: spec.service_id,
    interface: spec.interface,
    regionId,
    url: spec.url,
    enabled: boolOf(spec, 'enabled') ?? true,
  };
  ctx.cloud.data.identity.endpoints.set(endpoint.id, endpoint);
  return { status: 201, body: { endpoint: endpointView(ctx, endpoint) } };
}

function endpointOr404(ctx: Ctx, id: string) {
  const endpoint = ctx.cloud.data.identity.endpoints.get(id);
  if (!endpoint) throw notFound('endpoint', id);
  return endpoint;
}

async function updateEndpoint(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'update_endpoint');
  const endpoint = endpointOr404(ctx, ctx.params.id);
  const spec = await entity(ctx, 'endpoint');
  if (typeof spec.url === 'string') endpoint.url = spec.url;
  if (typeof spec.interface === 'string') {
    if (!INTERFACES.includes(spec.interface))
      throw new ApiError(400, `Invalid input for field 'interface': must be one of ${INTERFACES.join(', ')}.`);
    endpoint.interface = spec.interface;
  }
  endpoint.enabled = boolOf(spec, 'enabled') ?? endpoint.enabled;
  return { status: 200, body: { endpoint: endpointView(ctx, endpoint) } };
}

function deleteEndpoint(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'delete_endpoint');
  ctx.cloud.data.identity.endpoints.delete(endpointOr404(ctx, ctx.params.id).id);
  return { status: 204 };
}

function regionOr404(ctx: Ctx, id: string) {
  const region = ctx.cloud.data.identity.regions.get(id);
  if (!region) throw notFound('region', id);
  return region;
}

async function createRegion(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'create_region');
  const spec = await entity(ctx, 'region');
  const id = typeof spec.id === 'string' && spec.id ? spec.id : hexId();
  const regions = ctx.cloud.data.identity.regions;
  if (regions.has(id)) throw conflict('region', `Duplicate ID, ${id}.`);
  const parent = spec.parent_region_id ?? null;
  if (parent !== null) regionOr404(ctx, String(parent));
  const region = {
    id,
    description: typeof spec.description === 'string' ? spec.description : '',
    parentRegionId: parent,
  };
  regions.set(id, region);
  return { status: 201, body: { region: regionView(ctx, region) } };
}

async function updateRegion(ctx: Ctx): Promise<Reply> {
  requireAdmin(requireCaller(ctx), 'update_region');
  const region = regionOr404(ctx, ctx.params.id);
  const spec = await entity(ctx, 'region');
  if (typeof spec.description === 'string') region.description = spec.description;
  return { status: 200, body: { region: regionView(ctx, region) } };
}

function deleteRegion(ctx: Ctx): Reply {
  requireAdmin(requireCaller(ctx), 'delete_region');
  ctx.cloud.data.identity.regions.delete(regionOr404(ctx, ctx.params.id).id);
  return { status: 204 };
}

/** Anyone with a token may read regions (identity:list_regions and get_region are open). */
function listRegions(ctx: Ctx): Reply {
  requireCaller(ctx);
  const items = filtered(ctx, ctx.cloud.data.identity.regions.values(), (r) => regionView(ctx, r), [
    'parent_region_id',
  ]);
  return collection(ctx, 'regions', items);
}

export function registerIdentityAdminRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/auth/projects', callerProjects)
    .add('GET', '/projects', listProjects)
    .add('POST', '/projects', createProject)
    .add('GET', '/projects/{id}', getProject)
    .add('PATCH', '/projects/{id}', updateProject)
    .add('DELETE', '/projects/{id}', deleteProject)
    .add('GET', '/users', listUsers)
    .add('POST', '/users', createUser)
    .add('GET', '/users/{id}', getUser)
    .add('PATCH', '/users/{id}', updateUser)
    .add('DELETE', '/users/{id}', deleteUser)
    .add('POST', '/users/{id}/password', changePassword)
    .add('GET', '/users/{userId}/projects', callerProjects)
    .add('GET', '/users/{id}/groups', userGroups)
    .add('GET', '/groups', listGroups)
    .add('POST', '/groups', createGroup)
    .add('GET', '/groups/{id}', (ctx) => {
      requireAdmin(requireCaller(ctx), 'get_group');
      return { status: 200, body: { group: groupView(ctx, groupOr404(ctx, ctx.params.id)) } };
    })
    .add('PATCH', '/groups/{id}', updateGroup)
    .add('DELETE', '/groups/{id}', deleteGroup)
    .add('GET', '/groups/{id}/users', groupUsers)
    .add('PUT', '/groups/{id}/users/{userId}', membership('add'))
    .add('HEAD', '/groups/{id}/users/{userId}', membership('check'))
    .add('GET', '/groups/{id}/users/{userId}', membership('check'))
    .add('DELETE', '/groups/{id}/users/{userId}', membership('remove'))
    .add('GET', '/domains', listDomains)
    .add('POST', '/domains', createDomain)
    .add('GET', '/domains/{id}', getDomain)
    .add('PATCH', '/domains/{id}', updateDomain)
    .add('DELETE', '/domains/{id}', deleteDomain)
    .add('GET', '/roles', listRoles)
    .add('POST', '/roles', createRole)
    .add('GET', '/roles/{id}', getRole)
    .add('PATCH', '/roles/{id}', updateRole)
    .add('DELETE', '/roles/{id}', deleteRole)
    .add('GET', '/role_assignments', listRoleAssignments)
    .add('GET', '/services', listServices)
    .add('GET', '/endpoints', listEndpoints)
    .add('POST', '/services', createService)
    .add('GET', '/services/{id}', (ctx) => {
      requireAdmin(requireCaller(ctx), 'get_service');
      return { status: 200, body: { service: serviceView(ctx, serviceOr404(ctx, ctx.params.id)) } };
    })
    .add('PATCH', '/services/{id}', updateService)
    .add('DELETE', '/services/{id}', deleteService)
    .add('POST', '/endpoints', createEndpoint)
    .add('GET', '/endpoints/{id}', (ctx) => {
      requireAdmin(requireCaller(ctx), 'get_endpoint');
      return { status: 200, body: { endpoint: endpointView(ctx, endpointOr404(ctx, ctx.params.id)) } };
    })
    .add('PATCH', '/endpoints/{id}', updateEndpoint)
    .add('DELETE', '/endpoints/{id}', deleteEndpoint)
    .add('GET', '/regions', listRegions)
    .add('POST', '/regions', createRegion)
    .add('GET', '/regions/{id}', (ctx) => {
      requireCaller(ctx);
      return { status: 200, body: { region: regionView(ctx, regionOr404(ctx, ctx.params.id)) } };
    })
    .add('PATCH', '/regions/{id}', updateRegion)
    .add('DELETE', '/regions/{id}', deleteRegion);
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
