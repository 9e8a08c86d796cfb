// Reading Keystone requests: the JSON entity of a body, names and flags, list filters, and finding the records a
// URL names (404 bodies as Keystone words them).
import { readJson, type Ctx } from './http.ts';
import type { Group } from './identity-store.ts';
import type { Project, User } from './store.ts';
import { ApiError } from './util.ts';

/** Keystone's 404; ids come from the URL, so they are cut to a length Keystone's own ids never pass. */
export const notFound = (kind: string, id: string) => new ApiError(404, `Could not find ${kind}: ${id.slice(0, 64)}.`);
export const conflict = (kind: string, detail: string) =>
  new ApiError(409, `Conflict occurred attempting to store ${kind} - ${detail}.`);
export const required = (field: string) => new ApiError(400, `'${field}' is a required property`);

export async function entity(ctx: Ctx, key: string): Promise<Record<string, any>> {
  const body = (await readJson(ctx))[key];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw required(key);
  return body;
}

export function nameOf(spec: Record<string, any>, max = 64): string {
  if (typeof spec.name !== 'string' || !/\S/.test(spec.name) || spec.name.length > max) throw required('name');
  return spec.name;
}

export function boolOf(spec: Record<string, any>, field: string): boolean | undefined {
  if (spec[field] === undefined || spec[field] === null) return undefined;
  if (typeof spec[field] !== 'boolean') throw new ApiError(400, `Invalid input for field '${field}': not a boolean.`);
  return spec[field];
}

/** Keystone's list filters: exact matches on the named attributes. */
export function filtered<T>(ctx: Ctx, items: Iterable<T>, view: (item: T) => Record<string, unknown>, keys: string[]) {
  const wanted = keys.filter((k) => ctx.query.has(k)).map((k) => [k, ctx.query.get(k) as string] as const);
  return [...items].map(view).filter((json) => wanted.every(([k, v]) => String(json[k]) === v));
}

export function domainIdOf(ctx: Ctx, spec: Record<string, any>): string {
  const id = spec.domain_id ?? 'default';
  if (!ctx.cloud.data.identity.domains.has(id)) throw notFound('domain', String(id));
  return id;
}

export function projectOr404(ctx: Ctx, id: string): Project {
  const project = ctx.cloud.data.projects.get(id);
  if (!project) throw notFound('project', id);
  return project;
}

export const projectDomain = (p: Project) => (p.extra?.domain_id as string | undefined) ?? 'default';

export function userOr404(ctx: Ctx, id: string): User {
  const user = ctx.cloud.data.users.get(id);
  if (!user) throw notFound('user', id);
  return user;
}

export function groupOr404(ctx: Ctx, id: string): Group {
  const group = ctx.cloud.data.identity.groups.get(id);
  if (!group) throw notFound('group', id);
  return group;
}

export function domainOr404(ctx: Ctx, id: string) {
  const domain = ctx.cloud.data.identity.domains.get(id);
  if (!domain) throw notFound('domain', id);
  return domain;
}

export function roleOr404(ctx: Ctx, id: string) {
  const role = ctx.cloud.data.identity.roles.get(id);
  if (!role) throw notFound('role', id);
  return role;
}
