// Keystone v3 JSON of each identity record, with the `links` Keystone adds.
import type { Ctx } from './http.ts';
import type { CatalogEndpoint, CatalogRegion, CatalogService, Domain, Group, Role } from './identity-store.ts';
import type { Project, User } from './store.ts';

const self = (ctx: Ctx, path: string) => ({ self: `${ctx.apiBase}/${path}` });

export function projectView(ctx: Ctx, p: Project) {
  const { description = '', enabled = true, tags = [], domain_id = 'default', ...rest } = p.extra ?? {};
  return {
    id: p.id,
    name: p.name,
    domain_id,
    description,
    enabled,
    parent_id: domain_id,
    is_domain: false,
    tags,
    ...rest,
    options: {},
    links: self(ctx, `projects/${p.id}`),
  };
}

export function userView(ctx: Ctx, u: User) {
  const { enabled = true, domain_id = 'default', password_expires_at: _p, ...rest } = u.extra ?? {};
  return {
    id: u.id,
    name: u.name,
    domain_id,
    enabled,
    ...(u.defaultProjectId ? { default_project_id: u.defaultProjectId } : {}),
    ...rest,
    password_expires_at: null,
    options: {},
    links: self(ctx, `users/${u.id}`),
  };
}

export const domainView = (ctx: Ctx, d: Domain) => ({
  id: d.id,
  name: d.name,
  description: d.description,
  enabled: d.enabled,
  tags: d.tags,
  options: {},
  links: self(ctx, `domains/${d.id}`),
});

export const groupView = (ctx: Ctx, g: Group) => ({
  id: g.id,
  name: g.name,
  domain_id: g.domainId,
  description: g.description,
  links: self(ctx, `groups/${g.id}`),
});

export const roleView = (ctx: Ctx, r: Role) => ({
  id: r.id,
  name: r.name,
  domain_id: r.domainId,
  description: r.description,
  options: r.immutable ? { immutable: true } : {},
  links: self(ctx, `roles/${r.id}`),
});

export const serviceView = (ctx: Ctx, s: CatalogService) => ({
  id: s.id,
  name: s.name,
  type: s.type,
  enabled: s.enabled,
  ...(s.description !== undefined ? { description: s.description } : {}),
  links: self(ctx, `services/${s.id}`),
});

export const endpointView = (ctx: Ctx, e: CatalogEndpoint) => ({
  id: e.id,
  interface: e.interface,
  region_id: e.regionId,
  service_id: e.serviceId,
  url: e.url,
  enabled: e.enabled,
  region: e.regionId,
  links: self(ctx, `endpoints/${e.id}`),
});

export const regionView = (ctx: Ctx, r: CatalogRegion) => ({
  id: r.id,
  description: r.description,
  parent_region_id: r.parentRegionId,
  links: self(ctx, `regions/${r.id}`),
});

/** A Keystone collection body: the items plus self/next/previous links (Keystone does not page these). */
export function collection(ctx: Ctx, key: string, items: unknown[]) {
  return { status: 200, body: { [key]: items, links: { next: null, self: ctx.url.href, previous: null } } };
}
