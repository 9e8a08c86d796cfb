// Keystone v3: version discovery, token issue (password, application_credential, token) and validation, catalog.
import type { CloudRuntime, ServiceModule } from './cloud-runtime.ts';
import { readJson, type Ctx, type Reply } from './http.ts';
import { registerIdentityAdminRoutes } from './keystone-admin.ts';
import { collection } from './keystone-views.ts';
import { appCredentialView, registerAppCredentialRoutes } from './keystone-appcreds.ts';
import { type Caller, liveToken, requireCaller, tokenRoles } from './keystone-policy.ts';
import { RouteTable } from './router.ts';
import { DEFAULT_DOMAIN, type Project, type Token, type User } from './store.ts';
import { ApiError, hexId, isoMicros, uuid } from './util.ts';

const unauthorized = (message = 'The request you have made requires authentication.') => new ApiError(401, message);

function versionDoc(cloud: CloudRuntime) {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${cloud.authUrl}/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** The service catalog Keystone seeds at first use (the port is known by then); admins may change it later. */
function seedCatalog(cloud: CloudRuntime): void {
  const identity = cloud.data.identity;
  if (identity.catalogSeeded) return;
  identity.catalogSeeded = true;
  identity.seedCatalog(cloud.opts.regions, [
    { type: 'identity', name: 'keystone', url: () => cloud.authUrl },
    { type: 'compute', name: 'nova', url: (r) => `${cloud.serviceBase(r, 'compute')}/v2.1` },
    { type: 'image', name: 'glance', url: (r) => cloud.serviceBase(r, 'image') },
    { type: 'network', name: 'neutron', url: (r) => cloud.serviceBase(r, 'network') },
    { type: 'volumev3', name: 'cinderv3', url: (r) => `${cloud.serviceBase(r, 'volume')}/v3/%(project_id)s` },
    { type: 'block-storage', name: 'cinder', url: (r) => `${cloud.serviceBase(r, 'volume')}/v3/%(project_id)s` },
    {
      type: 'object-store',
      name: 'swift',
      url: (r) => `${cloud.serviceBase(r, 'object-store')}/v1/AUTH_%(project_id)s`,
    },
  ]);
}

/** Catalog entries of the enabled services and endpoints, with the token's project filled in. */
export function buildCatalog(cloud: CloudRuntime, projectId: string) {
  seedCatalog(cloud);
  const identity = cloud.data.identity;
  const endpoints = [...identity.endpoints.values()].filter((e) => e.enabled);
  return [...identity.services.values()]
    .filter((svc) => svc.enabled)
    .map((svc) => ({
      id: svc.id,
      type: svc.type,
      name: svc.name,
      endpoints: endpoints
        .filter((e) => e.serviceId === svc.id)
        .map((e) => ({
          id: e.id,
          interface: e.interface,
          region_id: e.regionId,
          region: e.regionId,
          url: e.url.replace(/%\(project_id\)s|\$\(project_id\)s/g, projectId),
        })),
    }));
}

function tokenBody(cloud: CloudRuntime, token: Token) {
  const user = cloud.data.users.get(token.userId) as User;
  const body: Record<string, unknown> = {
    methods: token.methods,
    user: { domain: DEFAULT_DOMAIN, id: user.id, name: user.name, password_expires_at: null },
    audit_ids: [token.auditId],
    expires_at: isoMicros(token.expiresAt),
    issued_at: isoMicros(token.issuedAt),
  };
  const roles = tokenRoles({ cloud }, token, user).map((name) => ({
    id: cloud.data.identity.roleByName(name).id,
    name,
  }));
  if (token.projectId) {
    const project = cloud.data.projects.get(token.projectId) as Project;
    body.project = { domain: DEFAULT_DOMAIN, id: project.id, name: project.name };
    body.is_domain = false;
    body.roles = roles;
    body.catalog = buildCatalog(cloud, project.id);
  } else if (token.domainScoped) {
    body.domain = DEFAULT_DOMAIN;
    body.roles = roles;
    body.catalog = buildCatalog(cloud, '');
  }
  if (token.appCredId) {
    const cred = cloud.data.appCredentials.get(token.appCredId);
    body.application_credential = { id: cred?.id, name: cred?.name, restricted: true };
  }
  return body;
}

function checkDomain(domain: unknown): void {
  if (domain === undefined) return;
  const d = domain as { id?: string; name?: string };
  if ((d.id !== undefined && d.id !== DEFAULT_DOMAIN.id) || (d.name !== undefined && d.name !== DEFAULT_DOMAIN.name)) {
    throw unauthorized('The request you have made requires authentication.');
  }
}

function findUser(cloud: CloudRuntime, spec: Record<string, any> | undefined): User {
  if (!spec || typeof spec !== 'object')
    throw new ApiError(400, "Invalid input for field 'identity/password/user': None is not of type 'object'");
  checkDomain(spec.domain);
  for (const user of cloud.data.users.values()) {
    if ((spec.id !== undefined && user.id === spec.id) || (spec.id === undefined && user.name === spec.name))
      return user;
  }
  throw unauthorized();
}

function resolveScope(cloud: CloudRuntime, scope: any, user: User): { projectId?: string; domainScoped: boolean } {
  if (scope === undefined || scope === null) return { projectId: user.defaultProjectId, domainScoped: false };
  if (scope === 'unscoped') return { domainScoped: false };
  if (scope.project) {
    const spec = scope.project;
    let project: Project | undefined;
    if (spec.id !== undefined) project = cloud.data.projects.get(spec.id);
    else {
      checkDomain(spec.domain);
      project = [...cloud.data.projects.values()].find((p) => p.name === spec.name);
    }
    if (!project || project.extra?.enabled === false || !cloud.data.userCanAccess(user, project.id))
      throw unauthorized(`User ${user.id} has no access to project ${spec.id ?? spec.name}`);
    return { projectId: project.id, domainScoped: false };
  }
  if (scope.domain) {
    checkDomain(scope.domain);
    return { domainScoped: true };
  }
  if (scope.system) return { domainScoped: false };
  throw new ApiError(400, 'Invalid scope.');
}

async function issueToken(ctx: Ctx): Promise<Reply> {
  const cloud = ctx.cloud;
  const body = await readJson(ctx);
  const identity = body?.auth?.identity;
  if (!identity || !Array.isArray(identity.methods) || identity.methods.length === 0) {
    throw new ApiError(400, "Invalid input for field 'identity': 'methods' is a required property");
  }
  const method = identity.methods[0];
  let user: User;
  let scope = body.auth.scope;
  let appCredId: string | undefined;
  let expiresCap = Infinity;
  if (method === 'password') {
    user = findUser(cloud, identity.password?.user);
    if (identity.password.user.password !== user.password) throw unauthorized();
  } else if (method === 'application_credential') {
    const spec = identity.application_credential ?? {};
    const cred =
      spec.id !== undefined
        ? cloud.data.appCredentials.get(spec.id)
        : [...cloud.data.appCredentials.values()].find(
            (c) =>
              c.name === spec.name &&
              (spec.user?.id === c.userId || cloud.data.users.get(c.userId)?.name === spec.user?.name),
          );
    if (!cred || cred.secret !== spec.secret) throw unauthorized();
    if (scope) throw unauthorized('Application credentials cannot request a scope.');
    user = cloud.data.users.get(cred.userId) as User;
    scope = { project: { id: cred.projectId } };
    appCredId = cred.id;
  } else if (method === 'token') {
    const base = liveToken(cloud, identity.token?.id);
    if (!base) throw unauthorized('The request you have made requires authentication.');
    user = cloud.data.users.get(base.userId) as User;
    expiresCap = base.expiresAt;
    if (scope === undefined) scope = 'unscoped';
  } else {
    throw unauthorized(`Attempted to authenticate with an unsupported method.`);
  }
  if (user.extra?.enabled === false) throw unauthorized();
  const { projectId, domainScoped } = resolveScope(cloud, scope, user);
  const now = Date.now();
  const token: Token = {
    id: `gAAAAA${hexId()}${hexId()}`,
    serial: cloud.data.nextTokenSerial++,
    userId: user.id,
    projectId,
    domainScoped,
    methods: identity.methods,
    issuedAt: now,
    expiresAt: Math.min(now + cloud.opts.tokenTtlSeconds * 1000, expiresCap),
    auditId: hexId().slice(0, 22),
    appCredId,
  };
  pruneTokens(cloud, now);
  cloud.data.tokens.set(token.id, token);
  return { status: 201, body: { token: tokenBody(cloud, token) }, headers: { 'X-Subject-Token': token.id } };
}

function pruneTokens(cloud: CloudRuntime, now: number): void {
  if (cloud.data.tokens.size < 10_000) return;
  for (const [id, t] of cloud.data.tokens)
    if (t.expiresAt <= now || t.serial < cloud.data.minTokenSerial) cloud.data.tokens.delete(id);
}

/** Keystone's identity:validate_token / revoke_token policy: admin or service, or the token's own user. */
function requireTokenPolicy(ctx: Ctx, caller: Caller, subjectId: string | undefined): void {
  if (caller.user.roles.includes('admin') || caller.user.roles.includes('service')) return;
  if (subjectId && ctx.cloud.data.tokens.get(subjectId)?.userId === caller.user.id) return;
  throw new ApiError(403, 'You are not authorized to perform the requested action: identity:validate_token.');
}

function validateToken(ctx: Ctx): Reply {
  const caller = requireCaller(ctx);
  const subjectId = ctx.req.headers['x-subject-token'] as string | undefined;
  const subject = liveToken(ctx.cloud, subjectId);
  if (!subject) throw new ApiError(404, `Could not find token: ${subjectId ?? ''}.`);
  requireTokenPolicy(ctx, caller, subjectId);
  const reply = { status: 200, headers: { 'X-Subject-Token': subject.id } };
  return ctx.req.method === 'HEAD' ? reply : { ...reply, body: { token: tokenBody(ctx.cloud, subject) } };
}

function revokeToken(ctx: Ctx): Reply {
  const caller = requireCaller(ctx);
  const id = ctx.req.headers['x-subject-token'] as string | undefined;
  if (!id || !liveToken(ctx.cloud, id)) throw new ApiError(404, `Could not find token: ${id ?? ''}.`);
  requireTokenPolicy(ctx, caller, id);
  ctx.cloud.data.tokens.delete(id);
  return { status: 204 };
}

async function createAppCredential(ctx: Ctx): Promise<Reply> {
  const caller = requireCaller(ctx).token;
  if (ctx.params.userId !== caller.userId)
    throw new ApiError(403, 'You are not authorized to perform the requested action.');
  if (!caller.projectId) throw new ApiError(403, 'A project-scoped token is required.');
  const spec = (await readJson(ctx)).application_credential;
  if (!spec?.name)
    throw new ApiError(400, "Invalid input for field 'application_credential': 'name' is a required property");
  const cred = {
    id: hexId(),
    name: String(spec.name),
    secret: spec.secret ?? hexId(),
    userId: caller.userId,
    projectId: caller.projectId,
    description: typeof spec.description === 'string' ? spec.description : null,
  };
  ctx.cloud.data.appCredentials.set(cred.id, cred);
  return { status: 201, body: { application_credential: { ...appCredentialView(ctx, cred), secret: cred.secret } } };
}

const routes = new RouteTable()
  .add('POST', '/auth/tokens', issueToken)
  .add('GET', '/auth/tokens', validateToken)
  .add('HEAD', '/auth/tokens', validateToken)
  .add('DELETE', '/auth/tokens', revokeToken)
  .add('POST', '/users/{userId}/application_credentials', createAppCredential);
registerIdentityAdminRoutes(routes);
registerAppCredentialRoutes(routes);
routes
  .add('GET', '/auth/catalog', (ctx) => {
    const caller = requireCaller(ctx);
    const catalog = buildCatalog(ctx.cloud, caller.token.projectId ?? '');
    return { status: 200, body: { catalog, links: { self: ctx.url.href } } };
  })
  // Roles are granted on projects only here, so no user has a domain to scope to.
  .add('GET', '/auth/domains', (ctx) => {
    requireCaller(ctx);
    return collection(ctx, 'domains', []);
  })
  // keystone-manage bootstrap gives the admin user the system scope too.
  .add('GET', '/auth/system', (ctx) => {
    const caller = requireCaller(ctx);
    return { status: 200, body: { system: caller.user.isAdmin ? [{ all: true }] : [], links: { self: ctx.url.href } } };
  });

export const keystoneService: ServiceModule = {
  name: 'identity',
  prefix: 'identity',
  requiresAuth: false, // handlers check tokens themselves
  routes,
  resolve(rest, cloud) {
    if (rest === '' || rest === '/' || rest === '/v3' || rest === '/v3/') {
      const discovery = rest.startsWith('/v3')
        ? () => ({ status: 200, body: { version: versionDoc(cloud) } })
        : () => ({ status: 300, body: { versions: { values: [versionDoc(cloud)] } } });
      return { discovery };
    }
    if (rest.startsWith('/v3/')) return { path: rest.slice(3), versionRoot: '/v3' };
    return undefined;
  },
};

export { uuid };
