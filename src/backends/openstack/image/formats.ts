// Which disk and container formats a region's Glance accepts, from its image schema (the disk_format and
// container_format enums Glance builds from its [image_format] settings). Cached per cloud-region.
import type { RegionContext } from '../region.ts';
import type { CloudSession } from '../transport/index.ts';

export interface AcceptedFormats {
  /** Undefined when the schema does not say (then Glance itself is the judge). */
  disk?: string[];
  container?: string[];
}

const TTL_MS = 10 * 60_000;
const cache = new WeakMap<CloudSession, Map<string, { at: number; value: Promise<AcceptedFormats> }>>();

function enumOf(schema: Record<string, any>, field: string): string[] | undefined {
  const values = schema?.properties?.[field]?.enum;
  if (!Array.isArray(values)) return undefined;
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

export function formatsFromSchema(schema: unknown): AcceptedFormats {
  const s = (schema ?? {}) as Record<string, any>;
  return { disk: enumOf(s, 'disk_format'), container: enumOf(s, 'container_format') };
}

export function acceptedFormats(ctx: RegionContext, signal?: AbortSignal): Promise<AcceptedFormats> {
  let perRegion = cache.get(ctx.session);
  if (!perRegion) cache.set(ctx.session, (perRegion = new Map()));
  const hit = perRegion.get(ctx.region);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = ctx.session
    .request('image', ctx.region, { method: 'GET', path: '/schemas/image', signal })
    .then((res) => formatsFromSchema(res.body));
  const entry = { at: Date.now(), value };
  perRegion.set(ctx.region, entry);
  value.catch(() => {
    if (perRegion.get(ctx.region) === entry) perRegion.delete(ctx.region);
  });
  return value;
}

/** A problem with the requested formats, naming what the location accepts; undefined when they are fine. */
export function formatProblem(
  accepted: AcceptedFormats,
  disk: string,
  container: string,
  where: string,
): string | undefined {
  if (accepted.disk && !accepted.disk.includes(disk)) {
    return `${where} does not accept disk format "${disk}"; it accepts: ${accepted.disk.join(', ')}`;
  }
  if (accepted.container && !accepted.container.includes(container)) {
    return `${where} does not accept container format "${container}"; it accepts: ${accepted.container.join(', ')}`;
  }
  return undefined;
}
