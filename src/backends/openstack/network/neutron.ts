// Small Neutron calls shared by the network handlers, the finders and the floating-IP logic.
import { describeLocation } from '../../../core/location.ts';
import type { RegionContext } from '../region.ts';
import { exactlyOne as sharedExactlyOne, looksLikeId } from '../lookup.ts';
import { isNotFound } from '../transport/index.ts';

export type Raw = Record<string, unknown>;
export type Query = Record<string, string | number | boolean | undefined>;

/** Neutron's page size: big enough that most regions answer in one request, small enough to stream. */
const PAGE = 500;

/** Streams a Neutron collection, page by page, with filters pushed down as query parameters. */
export async function* neutronList(
  ctx: RegionContext,
  plural: string,
  query: Query = {},
  signal?: AbortSignal,
): AsyncGenerator<Raw> {
  for await (const page of ctx.session.paginate('network', ctx.region, `/${plural}`, plural, {
    query,
    limit: PAGE,
    signal,
  })) {
    yield* page;
  }
}

export async function neutronListAll(
  ctx: RegionContext,
  plural: string,
  query: Query = {},
  signal?: AbortSignal,
): Promise<Raw[]> {
  const out: Raw[] = [];
  for await (const item of neutronList(ctx, plural, query, signal)) out.push(item);
  return out;
}

/** GET /<plural>/<id>, undefined on 404. */
export async function neutronGet(
  ctx: RegionContext,
  singular: string,
  plural: string,
  id: string,
  signal?: AbortSignal,
): Promise<Raw | undefined> {
  try {
    const res = await ctx.session.request('network', ctx.region, {
      method: 'GET',
      path: `/${plural}/${encodeURIComponent(id)}`,
      signal,
    });
    return (res.body as Record<string, Raw>)[singular];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
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
/** The one match in this region: NOT_FOUND for none, INVALID_ARGUMENT naming every candidate for several. */
export function exactlyOne<T extends Raw>(ctx: RegionContext, kind: string, nameOrId: string, items: T[]): T {
  return sharedExactlyOne(kind, nameOrId, describeLocation(ctx.location), items);
}

export { isNotFound, looksLikeId };
