// Nova host aggregates (admin): CRUD, add_host/remove_host and set_metadata, per region.
import { randomUUID } from 'node:crypto';
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import type { RegionData } from '../store.ts';
import { ApiError, badRequest } from '../util.ts';
import { requireNovaAdmin } from './admin-policy.ts';
import { novaTime } from './hosts.ts';
import { COMPUTE_HOST } from './server-admin-view.ts';

interface Aggregate {
  id: number;
  uuid: string;
  name: string;
  az: string | null;
  hosts: string[];
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number | null;
}

interface AggregateState {
  aggregates: Map<number, Aggregate>;
  nextId: number;
}

const states = new WeakMap<RegionData, AggregateState>();

function stateOf(region: RegionData): AggregateState {
  let state = states.get(region);
  if (!state) states.set(region, (state = { aggregates: new Map(), nextId: 1 }));
  return state;
}

function aggregateView(ctx: Ctx, a: Aggregate, withMembers = true) {
  return {
    id: a.id,
    ...(atLeast(ctx.microversion, 2, 41) ? { uuid: a.uuid } : {}),
    name: a.name,
    ...(withMembers ? { hosts: [...a.hosts], metadata: { ...a.metadata } } : {}),
    created_at: novaTime(a.createdAt),
    updated_at: novaTime(a.updatedAt),
    deleted_at: null,
    deleted: false,
    availability_zone: a.az,
  };
}

function aggregateOr404(ctx: Ctx): Aggregate {
  const aggregate = stateOf(ctx.region).aggregates.get(Number(ctx.params.id));
  if (!aggregate) throw new ApiError(404, `Aggregate ${ctx.params.id.slice(0, 64)} could not be found.`);
  return aggregate;
}

function aggregateSpec(body: Record<string, any>): { name?: string; az?: string | null } {
  const spec = body.aggregate;
  if (!spec || typeof spec !== 'object') throw badRequest('Invalid input for field/attribute aggregate.');
  if (spec.name !== undefined && (typeof spec.name !== 'string' || !spec.name.trim() || spec.name.length > 255))
    throw badRequest('Invalid input for field/attribute name.');
  if (
    spec.availability_zone !== undefined &&
    spec.availability_zone !== null &&
    typeof spec.availability_zone !== 'string'
  )
    throw badRequest('Invalid input for field/attribute availability_zone.');
  return { name: spec.name, az: spec.availability_zone };
}

function checkAggregateName(ctx: Ctx, name: string, except?: number): void {
  for (const a of stateOf(ctx.region).aggregates.values())
    if (a.name === name && a.id !== except) throw new ApiError(409, `Aggregate ${name} already exists.`);
}

async function createAggregate(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-aggregates:create');
  const spec = aggregateSpec(await readJson(ctx));
  if (spec.name === undefined)
    throw badRequest("Invalid input for field/attribute aggregate. Value: {}. 'name' is a required property");
  checkAggregateName(ctx, spec.name);
  const state = stateOf(ctx.region);
  const aggregate: Aggregate = {
    id: state.nextId++,
    uuid: randomUUID(),
    name: spec.name,
    az: spec.az ?? null,
    hosts: [],
    metadata: spec.az ? { availability_zone: spec.az } : {},
    createdAt: Date.now(),
    updatedAt: null,
  };
  state.aggregates.set(aggregate.id, aggregate);
  return { status: 200, body: { aggregate: aggregateView(ctx, aggregate, false) } };
}

async function updateAggregate(ctx: Ctx): Promise<Reply> {
  requireNovaAdmin(ctx, 'os-aggregates:update');
  const aggregate = aggregateOr404(ctx);
  const spec = aggregateSpec(await readJson(ctx));
  if (spec.name !== undefined) {
    checkAggregateName(ctx, spec.name, aggregate.id);
    aggregate.name = spec.name;
  }
  if (spec.az !== undefined) aggregate.az = spec.az;
  aggregate.updatedAt = Date.now();
  return { status: 200, body: { aggregate: aggregateView(ctx, aggregate) } };
}

async function aggregateAction(ctx: Ctx): Promise<Reply> {
  const body = await readJson(ctx);
  const [action] = Object.keys(body);
  requireNovaAdmin(ctx, `os-aggregates:${String(action).slice(0, 40)}`);
  const aggregate = aggregateOr404(ctx);
  const arg = body[action];
  if (action === 'add_host' || action === 'remove_host') {
    const host = arg?.host;
    if (typeof host !== 'string') throw badRequest(`Invalid input for field/attribute ${action}.`);
    if (action === 'add_host') {
      if (host !== COMPUTE_HOST) throw new ApiError(404, `Compute host ${host.slice(0, 64)} could not be found.`);
      if (aggregate.hosts.includes(host))
        throw new ApiError(
          409,
          `Cannot add host to aggregate ${aggregate.id}. Reason: Host already in availability zone.`,
        );
      aggregate.hosts.push(host);
    } else {
      if (!aggregate.hosts.includes(host))
        throw new ApiError(404, `Cannot remove host ${host} in aggregate ${aggregate.id}`);
      aggregate.hosts = aggregate.hosts.filter((h) => h !== host);
    }
  } else if (action === 'set_metadata') {
    const metadata = arg?.metadata;
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata))
      throw badRequest('Invalid input for field/attribute set_metadata.');
    for (const [key, value] of Object.entries(metadata)) {
      if (value === null) delete aggregate.metadata[key];
      else aggregate.metadata[key] = String(value);
    }
    if ('availability_zone' in metadata) aggregate.az = (metadata.availability_zone as string | null) ?? null;
  } else {
    throw badRequest(`Invalid input for field/attribute ${String(action).slice(0, 40)}.`);
  }
  aggregate.updatedAt = Date.now();
  return { status: 200, body: { aggregate: aggregateView(ctx, aggregate) } };
}

export function registerAggregateRoutes(routes: RouteTable): void {
  const admin = (rule: string, reply: (ctx: Ctx) => Reply) => (ctx: Ctx) => {
    requireNovaAdmin(ctx, rule);
    return reply(ctx);
  };
  routes
    .add(
      'GET',
      '/os-aggregates',
      admin('os-aggregates:index', (ctx) => ({
        status: 200,
        body: { aggregates: [...stateOf(ctx.region).aggregates.values()].map((a) => aggregateView(ctx, a)) },
      })),
    )
    .add('POST', '/os-aggregates', createAggregate)
    .add(
      'GET',
      '/os-aggregates/{id}',
      admin('os-aggregates:show', (ctx) => ({
        status: 200,
        body: { aggregate: aggregateView(ctx, aggregateOr404(ctx)) },
      })),
    )
    .add('PUT', '/os-aggregates/{id}', updateAggregate)
    .add(
      'DELETE',
      '/os-aggregates/{id}',
      admin('os-aggregates:delete', (ctx) => {
        const aggregate = aggregateOr404(ctx);
        if (aggregate.hosts.length)
          throw new ApiError(400, `Cannot remove aggregate ${aggregate.id}: it still has hosts.`);
        stateOf(ctx.region).aggregates.delete(aggregate.id);
        return { status: 200 };
      }),
    )
    .add('POST', '/os-aggregates/{id}/action', aggregateAction);
}
