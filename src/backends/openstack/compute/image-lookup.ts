// Images for CreateServer. The image module (src/backends/openstack/image/find.ts, another engineer's) owns
// image lookups; until it exists this falls back to a direct Glance query, so compute works on its own.
import type { RegionContext } from '../region.ts';
import { describeLocation } from '../../../mesh/location.ts';
import { exactlyOne, isNotFound, looksLikeId, type Raw } from './nova.ts';

type FindImage = (ctx: RegionContext, nameOrId: string, signal?: AbortSignal) => Promise<Raw>;

let findImageModule: Promise<FindImage | undefined> | undefined;

/** Loads an optional sibling module; undefined when the file is not there (yet). */
export async function optionalExport<F>(relative: string, name: string): Promise<F | undefined> {
  try {
    const mod = (await import(new URL(relative, import.meta.url).href)) as Record<string, unknown>;
    return typeof mod[name] === 'function' ? (mod[name] as F) : undefined;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

async function glanceFindImage(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  if (looksLikeId(nameOrId)) {
    try {
      const res = await ctx.session.request('image', ctx.region, { method: 'GET', path: `/images/${encodeURIComponent(nameOrId)}`, signal });
      if (res.body && typeof res.body === 'object') return res.body as Raw;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  const found: Raw[] = [];
  for await (const page of ctx.session.paginate('image', ctx.region, '/images', 'images', { query: { name: nameOrId }, signal })) {
    found.push(...page.filter((i) => i.name === nameOrId));
  }
  return exactlyOne('image', nameOrId, describeLocation(ctx.location), found);
}

/** An image by name or id, as Glance returns it (id, min_disk, size ...). */
export async function findImageRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  findImageModule ??= optionalExport<FindImage>('../image/find.ts', 'findImage');
  const shared = await findImageModule;
  return shared ? shared(ctx, nameOrId, signal) : glanceFindImage(ctx, nameOrId, signal);
}
