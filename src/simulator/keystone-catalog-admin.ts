// Keystone's service catalog administration: services, endpoints (admin) and regions (readable by anyone).
import type { Ctx, Reply } from './http.ts';
import { boolOf, conflict, entity, filtered, notFound, required } from './keystone-input.ts';
import { requireAdmin, requireCaller } from './keystone-policy.ts';
import { collection, endpointView, regionView, serviceView } from './keystone-views.ts';
import type { RouteTable } from './router.ts';
import { ApiError, hexId } from './util.ts';

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

export function registerCatalogAdminRoutes(routes: RouteTable): void {
  routes
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
}
