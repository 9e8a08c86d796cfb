// Nova flavor management (admin): create, update the description (2.55), delete, tenant access of private
// flavors, and extra-spec writes. Reads live in flavors.ts.
import { randomUUID } from 'node:crypto';
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import type { Flavor } from '../store.ts';
import { ApiError, badRequest } from '../util.ts';
import { requireNovaAdmin } from './admin-policy.ts';
import { flavorDetail } from './views.ts';

/** Whether the caller may see a flavor: public ones, private ones its project was given, all for admins. */
export function flavorVisible(ctx: Ctx, f: Flavor): boolean {
  return f.isPublic !== false || !!ctx.user?.isAdmin || !!f.projects?.includes(ctx.projectId);
}

function flavorOr404(ctx: Ctx): Flavor {
  const flavor = ctx.cloud.data.flavors.get(ctx.params.id);
  if (!flavor) throw new ApiError(404, `Flavor ${ctx.params.id} could not be found.`);
  return flavor;
}

function number(spec: Record<string, any>, field: string, min: number, required: boolean): number | undefined {
  const raw = spec[field];
  if (raw === undefined || raw === null || raw === '') {
    if (required) throw badRequest(`Invalid input for field/attribute flavor. '${field}' is a required property`);
    return undefined;
  }
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 2 ** 31 - 1)
    throw badRequest(`Invalid input for field/attribute ${field}. Value: ${String(raw).slice(0, 40)}.`);
  return n;
}

async function createFlavor(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-flavor-manage:create');
  const spec = (await readJson(ctx)).flavor;
  if (!spec || typeof spec !== 'object') throw badRequest('Invalid input for field/attribute flavor.');
  if (typeof spec.name !== 'string' || !spec.name.trim() || spec.name.length > 255)
    throw badRequest('Invalid input for field/attribute name.');
  const flavors = ctx.cloud.data.flavors;
  const id = spec.id === undefined || spec.id === null || spec.id === 'auto' ? randomUUID() : String(spec.id);
  if (flavors.has(id)) throw new ApiError(409, `Flavor with ID ${id} already exists.`);
  for (const f of flavors.values())
    if (f.name === spec.name) throw new ApiError(409, `Flavor with name ${spec.name} already exists.`);
  const isPublic = spec['os-flavor-access:is_public'];
  if (isPublic !== undefined && typeof isPublic !== 'boolean')
    throw badRequest('Invalid input for field/attribute os-flavor-access:is_public.');
  if (spec.description !== undefined && !atLeast(ctx.microversion, 2, 55))
    throw badRequest(
      "Invalid input for field/attribute flavor. Additional properties are not allowed ('description' was unexpected)",
    );
  const flavor: Flavor = {
    id,
    name: spec.name,
    vcpus: number(spec, 'vcpus', 1, true) as number,
    ram: number(spec, 'ram', 1, true) as number,
    disk: number(spec, 'disk', 0, true) as number,
    ephemeral: number(spec, 'OS-FLV-EXT-DATA:ephemeral', 0, false) ?? 0,
    swap: number(spec, 'swap', 0, false) ?? 0,
    extraSpecs: {},
    isPublic: isPublic ?? true,
    description: typeof spec.description === 'string' ? spec.description : null,
    projects: [],
  };
  flavors.add(flavor);
  return { status: 200, body: { flavor: flavorDetail(ctx, flavor) } };
}

async function updateFlavor(ctx: Ctx): Promise<Reply> {
  if (!atLeast(ctx.microversion, 2, 55)) throw new ApiError(405, 'The method is not allowed for the requested URL.');
  requireNovaAdmin(ctx, 'os-flavor-manage:update');
  const flavor = flavorOr404(ctx);
  const spec = (await readJson(ctx)).flavor;
  if (!spec || typeof spec !== 'object' || !('description' in spec) || Object.keys(spec).length !== 1)
    throw badRequest("Invalid input for field/attribute flavor. 'description' is a required property");
  flavor.description = spec.description === null ? null : String(spec.description).slice(0, 65535);
  return { status: 200, body: { flavor: flavorDetail(ctx, flavor) } };
}

function deleteFlavor(ctx: Ctx): Reply {
  requireNovaAdmin(ctx, 'os-flavor-manage:delete');
  ctx.cloud.data.flavors.delete(flavorOr404(ctx).id);
  return { status: 202 };
}

const accessList = (f: Flavor) => ({
  flavor_access: (f.projects ?? []).map((tenant_id) => ({ flavor_id: f.id, tenant_id })),
});

function listAccess(ctx: Ctx): Reply {
  requireNovaAdmin(ctx, 'os-flavor-access');
  const flavor = flavorOr404(ctx);
  if (flavor.isPublic !== false) throw new ApiError(404, 'Access list not available for public flavors.');
  return { status: 200, body: accessList(flavor) };
}

/** Stable small number standing for nova's internal flavor id in its messages. */
const internalId = (ctx: Ctx, f: Flavor) => [...ctx.cloud.data.flavors.values()].indexOf(f) + 1;

async function flavorAction(ctx: Ctx): Promise<Reply> {
  const body = await readJson(ctx);
  const action = Object.keys(body)[0];
  if (action !== 'addTenantAccess' && action !== 'removeTenantAccess')
    throw badRequest('There is no such action: '.concat(String(action).slice(0, 40)));
  requireNovaAdmin(
    ctx,
    `os-flavor-access:${action === 'addTenantAccess' ? 'add_tenant_access' : 'remove_tenant_access'}`,
  );
  const flavor = flavorOr404(ctx);
  const tenant = body[action]?.tenant;
  if (typeof tenant !== 'string' || !tenant) throw badRequest(`Invalid input for field/attribute ${action}.`);
  if (flavor.isPublic !== false) throw new ApiError(409, 'Can not add access to a public flavor.');
  const projects = (flavor.projects ??= []);
  const id = internalId(ctx, flavor);
  if (action === 'addTenantAccess') {
    if (projects.includes(tenant))
      throw new ApiError(409, `Flavor access already exists for flavor ${id} and project ${tenant} combination.`);
    projects.push(tenant);
  } else {
    if (!projects.includes(tenant))
      throw new ApiError(404, `Flavor access not found for ${id} / ${tenant} combination.`);
    flavor.projects = projects.filter((p) => p !== tenant);
  }
  return { status: 200, body: accessList(flavor) };
}

function specValue(key: string, value: unknown): string {
  if (key.length === 0 || key.length > 255 || !/^[\w.:\- ]+$/.test(key))
    throw badRequest(`Invalid input for field/attribute extra_specs. Key ${key.slice(0, 40)} is not valid.`);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string' || value.length > 255)
    throw badRequest(`Invalid input for field/attribute ${key.slice(0, 40)}.`);
  return value;
}

async function createSpecs(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-flavor-extra-specs:create');
  const flavor = flavorOr404(ctx);
  const specs = (await readJson(ctx)).extra_specs;
  if (!specs || typeof specs !== 'object' || Array.isArray(specs))
    throw badRequest('Invalid input for field/attribute extra_specs.');
  const clean = Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, specValue(k, v)]));
  Object.assign(flavor.extraSpecs, clean);
  return { status: 200, body: { extra_specs: clean } };
}

async function updateSpec(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-flavor-extra-specs:update');
  const flavor = flavorOr404(ctx);
  const body = await readJson(ctx);
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== ctx.params.key) throw badRequest('Request body and URI mismatch');
  flavor.extraSpecs[ctx.params.key] = specValue(ctx.params.key, body[ctx.params.key]);
  return { status: 200, body: { [ctx.params.key]: flavor.extraSpecs[ctx.params.key] } };
}

function deleteSpec(ctx: Ctx): Reply {
  requireNovaAdmin(ctx, 'os-flavor-extra-specs:delete');
  const flavor = flavorOr404(ctx);
  if (!(ctx.params.key in flavor.extraSpecs))
    throw new ApiError(404, `Flavor ${flavor.id} has no extra specs with key ${ctx.params.key}.`);
  delete flavor.extraSpecs[ctx.params.key];
  return { status: 200 };
}

export function registerFlavorAdminRoutes(routes: RouteTable): void {
  routes
    .add('POST', '/flavors', createFlavor)
    .add('PUT', '/flavors/{id}', updateFlavor)
    .add('DELETE', '/flavors/{id}', deleteFlavor)
    .add('GET', '/flavors/{id}/os-flavor-access', listAccess)
    .add('POST', '/flavors/{id}/action', flavorAction)
    .add('POST', '/flavors/{id}/os-extra_specs', createSpecs)
    .add('PUT', '/flavors/{id}/os-extra_specs/{key}', updateSpec)
    .add('DELETE', '/flavors/{id}/os-extra_specs/{key}', deleteSpec);
}
