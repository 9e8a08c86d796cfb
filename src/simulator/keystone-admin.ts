// Keystone v3 identity administration: projects, users, groups (+ membership) and domains, with the status codes,
// bodies and default policy of Zed. Roles and grants live in keystone-grants.ts, the catalog in
// keystone-catalog-admin.ts.
import type { Ctx, Reply } from './http.ts';
import type { Group } from './identity-store.ts';
import { registerCatalogAdminRoutes } from './keystone-catalog-admin.ts';
import { registerGrantRoutes } from './keystone-grants.ts';
import { matchesTagFilters, registerProjectTagRoutes } from './keystone-project-tags.ts';
import {
  boolOf,
  conflict,
  domainIdOf,
  domainOr404,
  entity,
  filtered,
  groupOr404,
  nameOf,
  projectDomain,
  projectOr404,
  required,
  userOr404,
} from './keystone-input.ts';
import { denied, requireAdmin, requireCaller } from './keystone-policy.ts';
import { collection, domainView, groupView, projectView, userView } from './keystone-views.ts';
import type { RouteTable } from './router.ts';
import type { Project, User } from './store.ts';
import { ApiError, hexId } from './util.ts';

// --- projects -------------------------------------------------------------------------------------------------

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
  const tagged = [...ctx.cloud.data.projects.values()].filter((p) => matchesTagFilters(ctx, p));
  const items = filtered(ctx, tagged, (p) => projectView(ctx, p), ['name', 'domain_id', 'enabled']);
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
    .add('DELETE', '/domains/{id}', deleteDomain);
  registerGrantRoutes(routes);
  registerProjectTagRoutes(routes);
  registerCatalogAdminRoutes(routes);
}
