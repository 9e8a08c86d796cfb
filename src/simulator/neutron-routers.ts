// Neutron routers: create, update and delete with an external gateway (its port on the external network), and
// add/remove_router_interface on a subnet (the router takes the gateway address) or an existing port. As on a
// cloud without an L3 agent, nothing is wired: the records and ports are what clients read back.
import { readJson, type Ctx, type Reply } from './http.ts';
import { cidrRange, overlaps } from './ipv4-ranges.ts';
import { createPort } from './network-ops.ts';
import type { RouteTable } from './router.ts';
import type { Network, Port, Router, Subnet } from './store.ts';
import { ApiError, uuid } from './util.ts';

/** What the routes need from neutron.ts (passed in, so the modules do not import each other). */
export interface RouterHelpers {
  findRouter: (ctx: Ctx, id?: string) => Router;
  findNetwork: (ctx: Ctx, id: string) => Network;
  findSubnet: (ctx: Ctx, id: string) => Subnet;
  findPort: (ctx: Ctx, id: string) => Port;
  routerView: (ctx: Ctx, router: Router) => Record<string, unknown>;
  bodyOf: (ctx: Ctx, kind: string) => Promise<Record<string, any>>;
}

const GATEWAY_OWNER = 'network:router_gateway';
const INTERFACE_OWNER = 'network:router_interface';

const policy = (rule: string) => new ApiError(403, `(rule:${rule}) is disallowed by policy`, 'PolicyNotAuthorized');

/** Sets, replaces or (with null/{}) removes the gateway; members may not choose SNAT or addresses. */
function setGateway(ctx: Ctx, h: RouterHelpers, router: Router, info: any, creating: boolean): void {
  const removing = info === null || (typeof info === 'object' && !info.network_id);
  if (!removing && !ctx.user?.isAdmin) {
    if (info.enable_snat !== undefined)
      throw policy(`${creating ? 'create' : 'update'}_router:external_gateway_info:enable_snat`);
    if (info.external_fixed_ips !== undefined)
      throw policy(`${creating ? 'create' : 'update'}_router:external_gateway_info:external_fixed_ips`);
  }
  for (const port of ctx.region.portsOfDevice(router.id))
    if (port.deviceOwner === GATEWAY_OWNER) ctx.region.deletePort(port.id);
  Object.assign(router, { externalNetworkId: '', externalSubnetId: '', gatewayIp: '', enableSnat: undefined });
  if (removing) return;
  const net = h.findNetwork(ctx, String(info.network_id));
  if (!net.external)
    throw new ApiError(400, `Bad router request: Network ${net.id} is not an external network.`, 'BadRequest');
  const subnet = ctx.region.subnets.get(net.subnetIds[0]);
  if (!subnet) throw new ApiError(400, `Bad router request: No subnets on external network ${net.id}.`, 'BadRequest');
  const wanted = info.external_fixed_ips?.[0]?.ip_address;
  const port = createPort(ctx.region, net, '', { deviceId: router.id, deviceOwner: GATEWAY_OWNER, status: 'ACTIVE' });
  if (wanted && port.fixedIps[0]) port.fixedIps[0].ip_address = String(wanted);
  Object.assign(router, {
    externalNetworkId: net.id,
    externalSubnetId: subnet.id,
    gatewayIp: port.fixedIps[0]?.ip_address ?? '',
    enableSnat: info.enable_snat === undefined ? undefined : !!info.enable_snat,
  });
}

async function createRouter(ctx: Ctx, h: RouterHelpers): Promise<Reply> {
  const spec = await h.bodyOf(ctx, 'router');
  const now = Date.now();
  const router: Router = {
    id: uuid(),
    name: String(spec.name ?? ''),
    projectId: ctx.projectId,
    externalNetworkId: '',
    externalSubnetId: '',
    gatewayIp: '',
    createdAt: now,
    updatedAt: now,
    adminStateUp: spec.admin_state_up === undefined ? undefined : !!spec.admin_state_up,
    description: spec.description === undefined ? undefined : String(spec.description),
    revision: 1,
  };
  if (spec.external_gateway_info) setGateway(ctx, h, router, spec.external_gateway_info, true);
  ctx.region.routers.add(router);
  return { status: 201, body: { router: h.routerView(ctx, router) } };
}

async function updateRouter(ctx: Ctx, h: RouterHelpers): Promise<Reply> {
  const router = h.findRouter(ctx);
  const spec = await h.bodyOf(ctx, 'router');
  if (spec.name !== undefined) router.name = String(spec.name);
  if (spec.description !== undefined) router.description = String(spec.description);
  if (spec.admin_state_up !== undefined) router.adminStateUp = !!spec.admin_state_up;
  if ('external_gateway_info' in spec) setGateway(ctx, h, router, spec.external_gateway_info, false);
  router.updatedAt = Date.now();
  router.revision = (router.revision ?? 1) + 1;
  return { status: 200, body: { router: h.routerView(ctx, router) } };
}

function deleteRouter(ctx: Ctx, h: RouterHelpers): Reply {
  const router = h.findRouter(ctx);
  const ports = ctx.region.portsOfDevice(router.id);
  const inside = ports.filter((p) => p.deviceOwner === INTERFACE_OWNER);
  if (inside.length)
    throw new ApiError(
      409,
      `Router ${router.id} has ports still attached: ${inside.map((p) => p.id).join(', ')}`,
      'RouterInUse',
    );
  for (const port of ports) ctx.region.deletePort(port.id);
  for (const fip of ctx.region.floatingIps.values()) if (fip.routerId === router.id) fip.routerId = null;
  ctx.region.routers.delete(router.id);
  return { status: 204 };
}

/** The subnets a router is on, for Neutron's overlap rule. */
function routedSubnets(ctx: Ctx, router: Router): Subnet[] {
  const out: Subnet[] = [];
  for (const port of ctx.region.portsOfDevice(router.id)) {
    if (port.deviceOwner !== INTERFACE_OWNER) continue;
    for (const ip of port.fixedIps) {
      const s = ctx.region.subnets.get(ip.subnet_id);
      if (s) out.push(s);
    }
  }
  return out;
}

function checkOverlap(ctx: Ctx, router: Router, subnet: Subnet): void {
  const range = cidrRange(subnet.cidr);
  for (const other of routedSubnets(ctx, router)) {
    if (other.id === subnet.id)
      throw new ApiError(400, `Bad router request: Router already has a port on subnet ${subnet.id}.`, 'BadRequest');
    const otherRange = cidrRange(other.cidr);
    if (range && otherRange && overlaps(range, otherRange))
      throw new ApiError(
        400,
        `Bad router request: Cidr ${subnet.cidr} of subnet ${subnet.id} overlaps with cidr ${other.cidr} of subnet ${other.id}.`,
        'BadRequest',
      );
  }
}

function interfaceInfo(router: Router, port: Port) {
  const subnetIds = port.fixedIps.map((f) => f.subnet_id);
  return {
    id: router.id,
    tenant_id: router.projectId,
    port_id: port.id,
    network_id: port.networkId,
    subnet_id: subnetIds[0],
    subnet_ids: subnetIds,
  };
}

async function addInterface(ctx: Ctx, h: RouterHelpers): Promise<Reply> {
  const router = h.findRouter(ctx);
  const body = await readJson(ctx);
  if (!!body.subnet_id === !!body.port_id)
    throw new ApiError(400, 'Bad router request: Either subnet_id or port_id must be specified.', 'BadRequest');
  let port: Port;
  if (body.port_id) {
    port = h.findPort(ctx, String(body.port_id));
    if (port.deviceId)
      throw new ApiError(409, `Port ${port.id} is in use by ${port.deviceOwner} ${port.deviceId}.`, 'PortInUse');
    for (const ip of port.fixedIps) checkOverlap(ctx, router, h.findSubnet(ctx, ip.subnet_id));
    ctx.region.setPortDevice(port, router.id, INTERFACE_OWNER);
  } else {
    const subnet = h.findSubnet(ctx, String(body.subnet_id));
    if (!subnet.gatewayIp)
      throw new ApiError(400, `Bad router request: Subnet ${subnet.id} does not have a gateway IP.`, 'BadRequest');
    checkOverlap(ctx, router, subnet);
    const net = h.findNetwork(ctx, subnet.networkId);
    port = createPort(ctx.region, net, router.projectId, {
      deviceId: router.id,
      deviceOwner: INTERFACE_OWNER,
      securityGroupIds: [],
      fixedIps: [{ subnet_id: subnet.id, ip_address: subnet.gatewayIp }],
    });
  }
  router.updatedAt = Date.now();
  return { status: 200, body: interfaceInfo(router, port) };
}

async function removeInterface(ctx: Ctx, h: RouterHelpers): Promise<Reply> {
  const router = h.findRouter(ctx);
  const body = await readJson(ctx);
  const ports = ctx.region.portsOfDevice(router.id).filter((p) => p.deviceOwner === INTERFACE_OWNER);
  const port = body.port_id
    ? ports.find((p) => p.id === body.port_id)
    : ports.find((p) => p.fixedIps.some((f) => f.subnet_id === body.subnet_id));
  if (!port && body.port_id)
    throw new ApiError(
      404,
      `Router ${router.id} does not have an interface with id ${body.port_id}`,
      'RouterInterfaceNotFound',
    );
  if (!port)
    throw new ApiError(
      404,
      `Router ${router.id} has no interface on subnet ${body.subnet_id}`,
      'RouterInterfaceNotFoundForSubnet',
    );
  const info = interfaceInfo(router, port);
  ctx.region.deletePort(port.id);
  router.updatedAt = Date.now();
  return { status: 200, body: info };
}

export function addRouterRoutes(routes: RouteTable, h: RouterHelpers): void {
  routes
    .add('POST', '/routers', (ctx) => createRouter(ctx, h))
    .add('PUT', '/routers/{id}', (ctx) => updateRouter(ctx, h))
    .add('DELETE', '/routers/{id}', (ctx) => deleteRouter(ctx, h))
    .add('PUT', '/routers/{id}/add_router_interface', (ctx) => addInterface(ctx, h))
    .add('PUT', '/routers/{id}/remove_router_interface', (ctx) => removeInterface(ctx, h));
}
