// Small Neutron calls shared by the network handlers, the finders and the floating-IP logic.
import { OaktreeError } from '../../../api/errors.ts';
import { describeLocation } from '../../../mesh/location.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';

export type Raw = Record<string, unknown>;
export type Query = Record<string, string | number | boolean | undefined>;

/** Neutron's page size: big enough that most regions answer in one request, small enough to stream. */
const PAGE = 500;

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Whether a name-or-id is worth a GET by id first (the cheap path for get-by-id). */
export function looksLikeId(value: string): boolean {
  return UUID.test(value);
}

/** Streams a Neutron collection, page by page, with filters pushed down as query parameters. */
export async function* neutronList(ctx: RegionContext, plural: string, query: Query = {}, signal?: AbortSignal): AsyncGenerator<Raw> {
  for await (const page of ctx.session.paginate('network', ctx.region, `/${plural}`, plural, { query, limit: PAGE, signal })) {
    yield* page;
  }
}

export async function neutronListAll(ctx: RegionContext, plural: string, query: Query = {}, signal?: AbortSignal): Promise<Raw[]> {
  const out: Raw[] = [];
  for await (const item of neutronList(ctx, plural, query, signal)) out.push(item);
  return out;
}

/** GET /<plural>/<id>, undefined on 404. */
export async function neutronGet(ctx: RegionContext, singular: string, plural: string, id: string, signal?: AbortSignal): Promise<Raw | undefined> {
  try {
    const res = await ctx.session.request('network', ctx.region, { method: 'GET', path: `/${plural}/${encodeURIComponent(id)}`, signal });
    return (res.body as Record<string, Raw>)[singular];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof OpenStackHttpError && error.status === 404;
}

/**
 * Items matching a name or id, with other filters pushed down: a GET by id first when the value looks like one
 * (checked against the filters), else a list filtered by name.
 */
export async function* neutronByNameOrId(
  ctx: RegionContext,
  singular: string,
  plural: string,
  nameOrId: string,
  query: Query,
  signal?: AbortSignal,
): AsyncGenerator<Raw> {
  if (looksLikeId(nameOrId)) {
    const item = await neutronGet(ctx, singular, plural, nameOrId, signal);
    if (item && matchesQuery(item, query)) {
      yield item;
      return;
    }
  }
  yield* neutronList(ctx, plural, { ...query, name: nameOrId }, signal);
}

/** The same filters Neutron applies, for an object fetched by id. */
function matchesQuery(item: Raw, query: Query): boolean {
  return Object.entries(query).every(([key, wanted]) => wanted === undefined || String(item[key]) === String(wanted));
}

/** Exactly one of `items`, else NOT_FOUND or INVALID_ARGUMENT naming the candidates. */
export function exactlyOne<T extends Raw>(ctx: RegionContext, kind: string, nameOrId: string, items: T[]): T {
  if (items.length === 1) return items[0];
  const where = describeLocation(ctx.location);
  if (items.length === 0) throw new OaktreeError(GrpcStatus.NOT_FOUND, `no ${kind} with name or id "${nameOrId}" in ${where}`);
  const names = items.map((i) => `${i.name || '(no name)'} (id ${i.id})`).join('; ');
  throw new OaktreeError(
    GrpcStatus.INVALID_ARGUMENT,
    `${items.length} ${kind}s match "${nameOrId}" in ${where}: ${names}. Use the id`,
  );
}
