// Listing, fetching and finding Cinder collections other than volumes (snapshots, backups) by name or id.
import { exactlyOne, isNotFound, looksLikeId, type Query } from '../network/neutron.ts';
import type { RegionContext } from '../region.ts';
import type { Raw, StatusKind } from './status-feeds.ts';

const PAGE = 500;

/** The metadata key that carries a create's request id, so a retry finds the first object. */
export const REQUEST_ID_METADATA = 'oaktree_request_id';

export async function* cinderListOf(
  ctx: RegionContext,
  kind: StatusKind,
  query: Query = {},
  signal?: AbortSignal,
): AsyncGenerator<Raw> {
  for await (const page of ctx.session.paginate('block-storage', ctx.region, kind.path, kind.itemsKey, {
    query,
    limit: PAGE,
    signal,
  })) {
    yield* page;
  }
}

/** One object by id (`/snapshots/{id}`); undefined when the cloud says 404. */
export async function cinderGetOf(
  ctx: RegionContext,
  kind: StatusKind,
  id: string,
  signal?: AbortSignal,
): Promise<Raw | undefined> {
  try {
    const res = await ctx.session.request('block-storage', ctx.region, {
      method: 'GET',
      path: `/${kind.itemsKey}/${encodeURIComponent(id)}`,
      signal,
    });
    return (res.body as Record<string, Raw>)[kind.noun];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function* cinderByNameOrIdOf(
  ctx: RegionContext,
  kind: StatusKind,
  nameOrId: string,
  query: Query,
  signal?: AbortSignal,
): AsyncGenerator<Raw> {
  if (looksLikeId(nameOrId)) {
    const found = await cinderGetOf(ctx, kind, nameOrId, signal);
    if (found && Object.entries(query).every(([k, v]) => v === undefined || String(found[k]) === String(v))) {
      yield found;
      return;
    }
  }
  yield* cinderListOf(ctx, kind, { ...query, name: nameOrId }, signal);
}

export async function findOf(ctx: RegionContext, kind: StatusKind, nameOrId: string, signal?: AbortSignal) {
  const found: Raw[] = [];
  for await (const item of cinderByNameOrIdOf(ctx, kind, nameOrId, {}, signal)) found.push(item);
  return exactlyOne(ctx, kind.noun, nameOrId, found);
}

/** A create retried with the same request id: the object the first one made (its metadata carries the id). */
export async function earlierCreateOf(
  ctx: RegionContext,
  kind: StatusKind,
  key: string,
  requestId: string,
  signal: AbortSignal,
): Promise<Raw | undefined> {
  for await (const item of cinderListOf(ctx, kind, {}, signal)) {
    const meta = item.metadata as Record<string, unknown> | undefined;
    if (meta?.[key] === requestId) return item;
  }
  return undefined;
}
