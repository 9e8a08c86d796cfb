// Small Glance v2 calls shared by the image handlers, the finder and the upload.
import type { RegionContext } from '../region.ts';
import { exactlyOne, isNotFound, looksLikeId, type Query, type Raw } from '../network/neutron.ts';

/** Glance's own default page is 25; a bigger page saves round trips while still streaming. */
const PAGE = 200;

export async function* glanceList(ctx: RegionContext, query: Query = {}, signal?: AbortSignal): AsyncGenerator<Raw> {
  for await (const page of ctx.session.paginate('image', ctx.region, '/images', 'images', {
    query,
    limit: PAGE,
    signal,
  })) {
    yield* page;
  }
}

/** GET /images/<id>, undefined on 404. */
export async function glanceGet(ctx: RegionContext, id: string, signal?: AbortSignal): Promise<Raw | undefined> {
  try {
    const res = await ctx.session.request('image', ctx.region, {
      method: 'GET',
      path: `/images/${encodeURIComponent(id)}`,
      signal,
    });
    return res.body as Raw;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Images by name or id with other filters pushed down: a GET by id first when it looks like one. */
export async function* glanceByNameOrId(
  ctx: RegionContext,
  nameOrId: string,
  query: Query,
  signal?: AbortSignal,
): AsyncGenerator<Raw> {
  if (looksLikeId(nameOrId)) {
    const image = await glanceGet(ctx, nameOrId, signal);
    if (image && Object.entries(query).every(([k, v]) => v === undefined || String(image[k]) === String(v))) {
      yield image;
      return;
    }
  }
  yield* glanceList(ctx, { ...query, name: nameOrId }, signal);
}

export async function findImageRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  const found: Raw[] = [];
  for await (const image of glanceByNameOrId(ctx, nameOrId, {}, signal)) found.push(image);
  return exactlyOne(ctx, 'image', nameOrId, found);
}

export async function deleteImageQuietly(ctx: RegionContext, id: string, signal: AbortSignal): Promise<boolean> {
  try {
    await ctx.session.request('image', ctx.region, {
      method: 'DELETE',
      path: `/images/${encodeURIComponent(id)}`,
      signal,
    });
    return true;
  } catch (error) {
    if (isNotFound(error)) return true;
    ctx.logger.error({ image: id, err: (error as Error).message }, 'IMAGE LEAK: could not delete a failed upload');
    return false;
  }
}
