// Keystone identity administration, request by request, as the simulator and the real cloud must both answer it.
import type { FidelityCase, FidelityTarget, Observation, Session } from '../../support/fidelity.ts';

const ERROR_SAME = ['error.code', 'error.title'];
const LIST_LINKS = ['links.self'];

async function obs(
  t: FidelityTarget,
  who: Session,
  label: string,
  status: number,
  method: string,
  path: string,
  body?: unknown,
  extra: Partial<Observation> = {},
): Promise<Observation> {
  const answer = await t.call(who, 'identity', method, path, body);
  return { label, answer, status, same: status >= 400 ? ERROR_SAME : [], ...extra };
}

export const keystoneCases: FidelityCase[] = [
  {
    name: 'a member reads its own user, project and domain and the regions; everything else is 403',
    async run(t) {
      const m = t.member;
      const out = [
        await obs(t, m, 'own user', 200, 'GET', `/users/${m.userId}`, undefined, {
          same: ['user.name', 'user.domain_id', 'user.enabled', 'user.password_expires_at', 'user.options'],
          ignore: ['user.email', 'user.description'],
        }),
        await obs(t, m, 'own project', 200, 'GET', `/projects/${m.projectId}`, undefined, {
          same: ['project.name', 'project.domain_id', 'project.enabled', 'project.is_domain', 'project.parent_id'],
        }),
        await obs(t, m, 'default domain', 200, 'GET', '/domains/default', undefined, {
          same: ['domain.id', 'domain.name', 'domain.description', 'domain.enabled', 'domain.tags'],
        }),
        await obs(t, m, 'own groups', 200, 'GET', `/users/${m.userId}/groups`, undefined, { same: ['groups'] }),
        await obs(t, m, 'own projects', 200, 'GET', `/users/${m.userId}/projects`, undefined, {
          same: ['projects[].name'],
          ignore: LIST_LINKS,
        }),
        await obs(t, m, 'regions', 200, 'GET', '/regions', undefined, { ignore: LIST_LINKS }),
        await obs(t, m, 'catalog', 200, 'GET', '/auth/catalog', undefined, { ignore: ['links.self'] }),
        await obs(t, m, 'own domains', 200, 'GET', '/auth/domains', undefined, {
          same: ['domains'],
          ignore: LIST_LINKS,
        }),
        await obs(t, m, 'own system scope', 200, 'GET', '/auth/system', undefined, {
          same: ['system'],
          ignore: ['links.self'],
        }),
        await obs(t, t.admin, "the admin's system scope", 200, 'GET', '/auth/system', undefined, {
          same: ['system'],
          ignore: ['links.self'],
        }),
        await obs(t, m, 'another project', 403, 'GET', `/projects/${t.admin.projectId}`),
        await obs(t, m, 'another user', 403, 'GET', `/users/${t.admin.userId}`),
        await obs(t, m, 'a missing region', 404, 'GET', '/regions/s3-sim-nowhere'),
        await obs(t, m, 'update own user', 403, 'PATCH', `/users/${m.userId}`, { user: { email: 'x@example.org' } }),
      ];
      for (const path of [
        '/domains',
        '/projects',
        '/users',
        '/groups',
        '/roles',
        '/role_assignments',
        '/services',
        '/endpoints',
      ])
        out.push(await obs(t, m, `list ${path}`, 403, 'GET', path, undefined, { same: ['error'] }));
      return out;
    },
  },
  {
    name: 'an admin lists projects, users, roles, domains, groups, services, endpoints, regions, assignments',
    async run(t) {
      const a = t.admin;
      const out: Observation[] = [];
      for (const path of [
        '/projects',
        '/users',
        '/roles',
        '/domains',
        '/groups',
        '/services',
        '/endpoints',
        '/regions',
      ])
        out.push(
          await obs(t, a, `list ${path}`, 200, 'GET', path, undefined, {
            ignore: [
              ...LIST_LINKS,
              'users[].email',
              'users[].description',
              'users[].default_project_id',
              'services[].description',
            ],
          }),
        );
      out.push(
        await obs(t, a, 'the member project by name', 200, 'GET', `/projects?name=${t.member.projectName}`, undefined, {
          same: ['projects[].name', 'projects[].domain_id'],
          ignore: LIST_LINKS,
        }),
        await obs(
          t,
          a,
          "the member's assignments",
          200,
          'GET',
          `/role_assignments?user.id=${t.member.userId}&scope.project.id=${t.member.projectId}&include_names`,
          undefined,
          {
            same: ['role_assignments[].scope.project.name', 'role_assignments[].user.name'],
            ignore: LIST_LINKS,
          },
        ),
        await obs(t, a, 'the default domain', 200, 'GET', '/domains/default', undefined, { same: ['domain.name'] }),
      );
      for (const kind of ['project', 'user', 'group', 'domain', 'role', 'service', 'endpoint', 'region'])
        out.push(
          await obs(t, a, `missing ${kind}`, 404, 'GET', `/${kind}s/s3-sim-missing`, undefined, { same: ['error'] }),
        );
      return out;
    },
  },
  {
    name: 'project, user, group: create, duplicate 409, update, membership, grant, revoke (the token dies), delete',
    async run(t) {
      const a = t.admin;
      const name = `${t.prefix}-ks`;
      const out: Observation[] = [];
      const project = await obs(
        t,
        a,
        'create project',
        201,
        'POST',
        '/projects',
        { project: { name, description: 'fidelity' } },
        { same: ['project.name', 'project.description', 'project.enabled', 'project.domain_id', 'project.tags'] },
      );
      out.push(project);
      const projectId = project.answer.body?.project?.id;
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/projects/${projectId}`));
      out.push(await obs(t, a, 'duplicate project', 409, 'POST', '/projects', { project: { name } }));
      out.push(
        await obs(t, a, 'project without a name', 400, 'POST', '/projects', { project: {} }, { same: ['error.code'] }),
      );
      out.push(
        await obs(
          t,
          a,
          'disable project',
          200,
          'PATCH',
          `/projects/${projectId}`,
          { project: { enabled: false, description: 'changed' } },
          { same: ['project.enabled', 'project.description'], ignore: ['project.extra'] },
        ),
      );
      out.push(
        await obs(
          t,
          a,
          'enable project',
          200,
          'PATCH',
          `/projects/${projectId}`,
          { project: { enabled: true } },
          { same: ['project.enabled'], ignore: ['project.extra'] },
        ),
      );
      const user = await obs(
        t,
        a,
        'create user',
        201,
        'POST',
        '/users',
        { user: { name, password: 'fidelity-pw', default_project_id: projectId } },
        { same: ['user.name', 'user.enabled', 'user.domain_id'] },
      );
      out.push(user);
      const userId = user.answer.body?.user?.id;
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/users/${userId}`));
      out.push(await obs(t, a, 'duplicate user', 409, 'POST', '/users', { user: { name } }));
      out.push(
        await obs(
          t,
          a,
          'update user',
          200,
          'PATCH',
          `/users/${userId}`,
          { user: { email: 'fidelity@example.org' } },
          { same: ['user.email'], ignore: ['user.extra'] },
        ),
      );
      const group = await obs(
        t,
        a,
        'create group',
        201,
        'POST',
        '/groups',
        { group: { name } },
        { same: ['group.name', 'group.description', 'group.domain_id'] },
      );
      out.push(group);
      const groupId = group.answer.body?.group?.id;
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/groups/${groupId}`));
      out.push(await obs(t, a, 'duplicate group', 409, 'POST', '/groups', { group: { name } }));
      out.push(await obs(t, a, 'add to group', 204, 'PUT', `/groups/${groupId}/users/${userId}`));
      out.push(await obs(t, a, 'check membership', 204, 'HEAD', `/groups/${groupId}/users/${userId}`));
      out.push(
        await obs(t, a, 'group members', 200, 'GET', `/groups/${groupId}/users`, undefined, {
          same: ['users[].name'],
          ignore: LIST_LINKS,
        }),
      );
      out.push(
        await obs(t, a, "user's groups", 200, 'GET', `/users/${userId}/groups`, undefined, {
          same: ['groups[].name'],
          ignore: LIST_LINKS,
        }),
      );

      const roles = (await t.call(a, 'identity', 'GET', '/roles?name=member')).body.roles;
      const memberRole = roles[0].id;
      const grant = `/projects/${projectId}/users/${userId}/roles/${memberRole}`;
      out.push(await obs(t, a, 'grant member', 204, 'PUT', grant));
      out.push(await obs(t, a, 'check grant', 204, 'HEAD', grant));
      out.push(
        await obs(
          t,
          a,
          'grant a missing role',
          404,
          'PUT',
          `/projects/${projectId}/users/${userId}/roles/s3-sim-missing`,
          undefined,
          { same: ['error'] },
        ),
      );
      out.push(
        await obs(t, a, 'list grants', 200, 'GET', `/projects/${projectId}/users/${userId}/roles`, undefined, {
          same: ['roles[].name'],
          ignore: LIST_LINKS,
        }),
      );
      out.push(
        await obs(
          t,
          a,
          'assignments of the project',
          200,
          'GET',
          `/role_assignments?scope.project.id=${projectId}&include_names=true`,
          undefined,
          {
            same: [
              'role_assignments[].role.name',
              'role_assignments[].user.name',
              'role_assignments[].scope.project.name',
            ],
            ignore: LIST_LINKS,
          },
        ),
      );

      const refused = (label: string, status: number | object): Observation => ({
        label,
        answer: { status: typeof status === 'number' ? status : 201, headers: new Headers(), body: undefined },
        status: 401,
      });
      out.push(
        await obs(
          t,
          a,
          'disable the user',
          200,
          'PATCH',
          `/users/${userId}`,
          { user: { enabled: false } },
          { same: ['user.enabled'], ignore: ['user.extra'] },
        ),
      );
      out.push(refused('a disabled user cannot log in', await t.login(name, 'fidelity-pw', projectId)));
      out.push(
        await obs(
          t,
          a,
          'enable the user',
          200,
          'PATCH',
          `/users/${userId}`,
          { user: { enabled: true } },
          { same: ['user.enabled'], ignore: ['user.extra'] },
        ),
      );
      out.push(refused('a wrong password', await t.login(name, 'not-the-password', projectId)));
      const login = await t.login(name, 'fidelity-pw', projectId);
      if (typeof login === 'number') throw new Error(`${t.label}: the new user could not log in (${login})`);
      out.push(
        await obs(t, login, 'the new user reads itself', 200, 'GET', `/users/${userId}`, undefined, {
          same: ['user.name', 'user.email'],
        }),
      );
      out.push(await obs(t, login, 'the new user may not list users', 403, 'GET', '/users'));
      out.push(await obs(t, a, 'revoke member', 204, 'DELETE', grant));
      out.push(
        await obs(t, a, 'revoke again', 404, 'DELETE', grant, undefined, { same: ['error.code', 'error.title'] }),
      );
      out.push(
        await obs(t, login, 'the revoked token is refused', 401, 'GET', `/users/${userId}`, undefined, {
          same: ['error'],
        }),
      );
      out.push(await obs(t, a, 'remove from group', 204, 'DELETE', `/groups/${groupId}/users/${userId}`));
      out.push(await obs(t, a, 'delete group', 204, 'DELETE', `/groups/${groupId}`));
      out.push(await obs(t, a, 'delete user', 204, 'DELETE', `/users/${userId}`));
      out.push(await obs(t, a, 'delete project', 204, 'DELETE', `/projects/${projectId}`));
      out.push(
        await obs(t, a, 'delete project again', 404, 'DELETE', `/projects/${projectId}`, undefined, {
          same: ['error.code', 'error.title'],
        }),
      );
      return out;
    },
  },
  {
    name: 'roles and domains: create, duplicate 409, update, the enabled-domain rule, delete',
    async run(t) {
      const a = t.admin;
      const name = `${t.prefix}-role`;
      const out: Observation[] = [];
      const role = await obs(
        t,
        a,
        'create role',
        201,
        'POST',
        '/roles',
        { role: { name } },
        { same: ['role.name', 'role.domain_id', 'role.options'] },
      );
      out.push(role);
      const roleId = role.answer.body?.role?.id;
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/roles/${roleId}`));
      out.push(await obs(t, a, 'duplicate role', 409, 'POST', '/roles', { role: { name } }));
      out.push(
        await obs(t, a, 'existing role name', 409, 'POST', '/roles', { role: { name: 'member' } }, { same: ['error'] }),
      );
      out.push(await obs(t, a, 'get role', 200, 'GET', `/roles/${roleId}`, undefined, { same: ['role.name'] }));
      out.push(
        await obs(t, t.member, 'a member reads the role', 403, 'GET', `/roles/${roleId}`, undefined, {
          same: ['error'],
        }),
      );
      out.push(await obs(t, a, 'delete role', 204, 'DELETE', `/roles/${roleId}`));

      const domainName = `${t.prefix}-domain`;
      const domain = await obs(
        t,
        a,
        'create domain',
        201,
        'POST',
        '/domains',
        { domain: { name: domainName, description: 'fidelity' } },
        { same: ['domain.name', 'domain.description', 'domain.enabled', 'domain.tags', 'domain.options'] },
      );
      out.push(domain);
      const domainId = domain.answer.body?.domain?.id;
      t.cleanup(async () => {
        await t.call(a, 'identity', 'PATCH', `/domains/${domainId}`, { domain: { enabled: false } });
        return t.call(a, 'identity', 'DELETE', `/domains/${domainId}`);
      });
      out.push(await obs(t, a, 'duplicate domain', 409, 'POST', '/domains', { domain: { name: domainName } }));
      out.push(
        await obs(t, t.member, 'a member reads the new domain', 403, 'GET', `/domains/${domainId}`, undefined, {
          same: ['error'],
        }),
      );
      out.push(
        await obs(t, a, 'delete an enabled domain', 403, 'DELETE', `/domains/${domainId}`, undefined, {
          same: ['error'],
        }),
      );
      out.push(
        await obs(
          t,
          a,
          'disable domain',
          200,
          'PATCH',
          `/domains/${domainId}`,
          { domain: { enabled: false } },
          { same: ['domain.enabled'], ignore: ['domain.extra'] },
        ),
      );
      out.push(await obs(t, a, 'delete domain', 204, 'DELETE', `/domains/${domainId}`));
      return out;
    },
  },
  {
    name: 'catalog: regions, services and endpoints — create, duplicate region 409, update, delete',
    async run(t) {
      const a = t.admin;
      const regionId = `${t.prefix}-region`;
      const out: Observation[] = [];
      out.push(
        await obs(
          t,
          a,
          'create region',
          201,
          'POST',
          '/regions',
          { region: { id: regionId, description: 'fidelity' } },
          { same: ['region.id', 'region.description', 'region.parent_region_id'] },
        ),
      );
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/regions/${regionId}`));
      out.push(await obs(t, a, 'duplicate region', 409, 'POST', '/regions', { region: { id: regionId } }));
      const service = await obs(
        t,
        a,
        'create service',
        201,
        'POST',
        '/services',
        { service: { type: `${t.prefix}-type`, name: `${t.prefix}-svc` } },
        { same: ['service.type', 'service.name', 'service.enabled'] },
      );
      out.push(service);
      const serviceId = service.answer.body?.service?.id;
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/services/${serviceId}`));
      const endpoint = await obs(
        t,
        a,
        'create endpoint',
        201,
        'POST',
        '/endpoints',
        {
          endpoint: {
            service_id: serviceId,
            interface: 'public',
            url: 'http://127.0.0.1:9/fidelity',
            region_id: regionId,
          },
        },
        { same: ['endpoint.interface', 'endpoint.url', 'endpoint.region_id', 'endpoint.region', 'endpoint.enabled'] },
      );
      out.push(endpoint);
      const endpointId = endpoint.answer.body?.endpoint?.id;
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/endpoints/${endpointId}`));
      out.push(
        await obs(t, a, 'endpoints of the service', 200, 'GET', `/endpoints?service_id=${serviceId}`, undefined, {
          same: ['endpoints[].url'],
          ignore: LIST_LINKS,
        }),
      );
      out.push(
        await obs(
          t,
          a,
          'update endpoint',
          200,
          'PATCH',
          `/endpoints/${endpointId}`,
          { endpoint: { url: 'http://127.0.0.1:9/changed' } },
          { same: ['endpoint.url'] },
        ),
      );
      out.push(
        await obs(
          t,
          a,
          'update service',
          200,
          'PATCH',
          `/services/${serviceId}`,
          { service: { enabled: false } },
          { same: ['service.enabled'] },
        ),
      );
      out.push(
        await obs(t, t.member, 'a member reads the service', 403, 'GET', `/services/${serviceId}`, undefined, {
          same: ['error'],
        }),
      );
      out.push(
        await obs(t, t.member, 'a member reads the region', 200, 'GET', `/regions/${regionId}`, undefined, {
          same: ['region.id'],
        }),
      );
      out.push(await obs(t, a, 'delete endpoint', 204, 'DELETE', `/endpoints/${endpointId}`));
      out.push(await obs(t, a, 'delete service', 204, 'DELETE', `/services/${serviceId}`));
      out.push(await obs(t, a, 'delete region', 204, 'DELETE', `/regions/${regionId}`));
      out.push(
        await obs(t, a, 'delete region again', 404, 'DELETE', `/regions/${regionId}`, undefined, {
          same: ['error.code', 'error.title'],
        }),
      );
      return out;
    },
  },
  {
    name: "application credentials: create, list, show, use, delete; another user's are 403",
    async run(t) {
      const m = t.member;
      const base = `/users/${m.userId}/application_credentials`;
      const out: Observation[] = [];
      const created = await obs(
        t,
        m,
        'create',
        201,
        'POST',
        base,
        { application_credential: { name: `${t.prefix}-appcred`, description: 'fidelity' } },
        {
          same: [
            'application_credential.name',
            'application_credential.description',
            'application_credential.unrestricted',
            'application_credential.system',
            'application_credential.expires_at',
          ],
          ignore: ['application_credential.roles'],
        },
      );
      out.push(created);
      const id = created.answer.body?.application_credential?.id;
      t.cleanup(() => t.call(m, 'identity', 'DELETE', `${base}/${id}`));
      out.push(
        await obs(t, m, 'list', 200, 'GET', `${base}?name=${t.prefix}-appcred`, undefined, {
          same: ['application_credentials[].name'],
          ignore: [...LIST_LINKS, 'application_credentials[].roles'],
        }),
      );
      out.push(
        await obs(t, m, 'show', 200, 'GET', `${base}/${id}`, undefined, {
          same: ['application_credential.name'],
          ignore: ['application_credential.roles'],
        }),
      );
      out.push(
        await obs(
          t,
          m,
          "another user's list",
          403,
          'GET',
          `/users/${t.admin.userId}/application_credentials`,
          undefined,
          { same: ['error'] },
        ),
      );
      out.push(await obs(t, m, 'delete', 204, 'DELETE', `${base}/${id}`));
      out.push(
        await obs(t, m, 'delete again', 404, 'DELETE', `${base}/${id}`, undefined, {
          same: ['error.code', 'error.title'],
        }),
      );
      return out;
    },
  },
];
