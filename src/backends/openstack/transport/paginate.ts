import { OpenStackError, GrpcStatus, type ErrorContext } from './errors.ts';

export interface PageRequest {
  /** Path relative to the versioned service URL, e.g. "/servers/detail". */
  path: string;
  query: Record<string, string>;
}

export interface PaginateOptions {
  /** Key of the list in each page: "servers", "images", "networks" ... */
  itemsKey: string;
  /** The versioned base URL of the service, used to read absolute next links. */
  baseUrl: string;
  path: string;
  query?: Record<string, string>;
  /** Page size to ask for; without it the service's default (and its links) decide. */
  limit?: number;
  /** Field of the last item used as marker when a full page has no link (default "id"). */
  markerField?: string;
  /** Hard stop against a runaway cloud (default 100 000 pages). */
  maxPages?: number;
  context?: ErrorContext;
}

/**
 * Streams a paginated OpenStack list page by page, as pages arrive. Follows, in order:
 * `<items>_links` rel=next (nova, cinder, neutron), a top-level `next` (glance),
 * `links.next` (keystone); and when there is no link but a full page came back with an
 * explicit limit, `marker=<last id>` (openstacksdk's fallback). A next request identical to
 * one already made means the cloud is looping: that is an error, not an endless stream.
 */
export async function* paginate(fetchPage: (req: PageRequest) => Promise<unknown>, opts: PaginateOptions): AsyncGenerator<Record<string, unknown>[]> {
  const markerField = opts.markerField ?? 'id';
  const maxPages = opts.maxPages ?? 100_000;
  const seen = new Set<string>();
  let next: PageRequest | undefined = {
    path: opts.path,
    query: { ...opts.query, ...(opts.limit !== undefined ? { limit: String(opts.limit) } : {}) },
  };
  for (let page = 0; next; page++) {
    const key = requestKey(next);
    if (seen.has(key)) {
      throw new OpenStackError(`pagination of ${opts.itemsKey} is looping: the cloud sent the same next page twice (${next.path}, marker ${next.query.marker ?? 'none'})`, GrpcStatus.INTERNAL, opts.context ?? {});
    }
    if (page >= maxPages) {
      throw new OpenStackError(`pagination of ${opts.itemsKey} exceeded ${maxPages} pages`, GrpcStatus.INTERNAL, opts.context ?? {});
    }
    seen.add(key);
    const body = (await fetchPage(next)) as Record<string, unknown> | null;
    const items = body?.[opts.itemsKey];
    if (!Array.isArray(items)) {
      throw new OpenStackError(`the cloud's answer has no "${opts.itemsKey}" list`, GrpcStatus.INTERNAL, opts.context ?? {});
    }
    if (items.length === 0) return;
    yield items as Record<string, unknown>[];

    const link = nextLink(body!, opts.itemsKey);
    if (link) next = relativeToBase(link, opts.baseUrl);
    else if (opts.limit !== undefined && items.length >= opts.limit) {
      const last = items[items.length - 1] as Record<string, unknown>;
      const marker = last?.[markerField];
      next = typeof marker === 'string' || typeof marker === 'number' ? { path: opts.path, query: { ...next.query, marker: String(marker) } } : undefined;
    } else next = undefined;
  }
}

function requestKey(req: PageRequest): string {
  const q = Object.entries(req.query).sort(([a], [b]) => a.localeCompare(b));
  return `${req.path}?${new URLSearchParams(q).toString()}`;
}

function nextLink(body: Record<string, unknown>, itemsKey: string): string | undefined {
  const links = body[`${itemsKey}_links`] ?? (body.links as Record<string, unknown> | undefined);
  if (Array.isArray(links)) {
    const next = (links as { rel?: string; href?: string }[]).find((l) => l.rel === 'next');
    if (next?.href) return next.href;
  } else if (links && typeof links === 'object' && typeof (links as { next?: unknown }).next === 'string') {
    return (links as { next: string }).next; // keystone
  }
  return typeof body.next === 'string' && body.next ? body.next : undefined; // glance
}

/**
 * Next links are absolute (nova, neutron; often with an internal host name) or root-relative
 * with the version (glance's "/v2/images?marker=..."). Both become a path under our own
 * base URL: whatever follows the base's version segment (and project id) in the link.
 */
export function relativeToBase(link: string, baseUrl: string): PageRequest {
  const base = new URL(baseUrl);
  const url = new URL(link, base.origin);
  const basePath = base.pathname.replace(/\/+$/, '');
  const version = basePath.match(/\/v\d+(\.\d+)?(?=\/|$)/);
  let path = url.pathname;
  if (path.startsWith(basePath + '/')) path = path.slice(basePath.length);
  else if (version) {
    const idx = path.indexOf(version[0] + '/');
    if (idx >= 0) {
      path = path.slice(idx + version[0].length);
      const tail = basePath.slice(version.index! + version[0].length); // e.g. "/<project_id>"
      if (tail && path.startsWith(tail + '/')) path = path.slice(tail.length);
    }
  }
  return { path, query: Object.fromEntries(url.searchParams) };
}
