import { OpenStackError, GrpcStatus, type ErrorContext } from './errors.ts';
import { parsedBody } from '../../../core/unparsed-body.ts';

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
export async function* paginate(
  fetchPage: (req: PageRequest) => Promise<unknown>,
  opts: PaginateOptions,
): AsyncGenerator<Record<string, unknown>[]> {
  const markerField = opts.markerField ?? 'id';
  const maxPages = opts.maxPages ?? 100_000;
  const seen = new Set<string>();
  let pages = 0;
  // Each page is asked for before the previous one is handed out, so the cloud's latency overlaps with the
  // consumer's work on the page; at most one page is ahead.
  // A refused next page fails when it is awaited, so every good page before it is still handed out.
  const request = (req: PageRequest): Promise<unknown> => {
    const key = requestKey(req);
    let pending: Promise<unknown>;
    if (seen.has(key)) {
      pending = Promise.reject(
        new OpenStackError(
          `pagination of ${opts.itemsKey} is looping: the cloud sent the same next page twice (${req.path}, marker ${req.query.marker ?? 'none'})`,
          GrpcStatus.INTERNAL,
          opts.context ?? {},
        ),
      );
    } else if (pages >= maxPages) {
      pending = Promise.reject(
        new OpenStackError(
          `pagination of ${opts.itemsKey} exceeded ${maxPages} pages`,
          GrpcStatus.INTERNAL,
          opts.context ?? {},
        ),
      );
    } else {
      seen.add(key);
      pages++;
      pending = fetchPage(req);
    }
    pending.catch(() => {}); // observed when awaited; a consumer that stops early never awaits it
    return pending;
  };
  let current: PageRequest | undefined = {
    path: opts.path,
    query: { ...opts.query, ...(opts.limit !== undefined ? { limit: String(opts.limit) } : {}) },
  };
  let pending: Promise<unknown> | undefined = request(current);
  const handOut = new PageHandOut();
  while (pending && current) {
    // A page fetched ahead may wait as bytes (core/unparsed-body.ts): parsed now, when its turn has come.
    const following = handOut.take(
      parsedBody(await pending) as Record<string, unknown> | null,
      current,
      opts,
      markerField,
    );
    if (!handOut.items) return;
    pending = following ? request(following) : undefined;
    current = following;
    // Handed out without a reference kept here: a consumer that lets go of a page's items as it goes frees them
    // while the page is still being read (what a young-generation GC finds dead is never copied or promoted).
    yield handOut.give();
  }
}

/** The page being handed out, held outside the generator's frame so that nothing there keeps it once given. */
class PageHandOut {
  items: Record<string, unknown>[] | undefined;

  /** Takes a page's answer: its items (none when empty), and returns the request for the page after it. */
  take(
    body: Record<string, unknown> | null,
    current: PageRequest,
    opts: PaginateOptions,
    markerField: string,
  ): PageRequest | undefined {
    const items = body?.[opts.itemsKey];
    if (!Array.isArray(items)) {
      throw new OpenStackError(
        `the cloud's answer has no "${opts.itemsKey}" list`,
        GrpcStatus.INTERNAL,
        opts.context ?? {},
      );
    }
    if (items.length === 0) return undefined;
    this.items = items as Record<string, unknown>[];
    return nextPage(body!, this.items, current, opts, markerField);
  }

  give(): Record<string, unknown>[] {
    const items = this.items!;
    this.items = undefined;
    return items;
  }
}

/** The request for the page after this one, or undefined at the end. */
function nextPage(
  body: Record<string, unknown>,
  items: Record<string, unknown>[],
  current: PageRequest,
  opts: PaginateOptions,
  markerField: string,
): PageRequest | undefined {
  const link = nextLink(body, opts.itemsKey);
  if (link) return relativeToBase(link, opts.baseUrl);
  if (opts.limit !== undefined && items.length >= opts.limit) {
    const marker = items[items.length - 1]?.[markerField];
    return typeof marker === 'string' || typeof marker === 'number'
      ? { path: opts.path, query: { ...current.query, marker: String(marker) } }
      : undefined;
  }
  return undefined;
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
  if (path.startsWith(`${basePath}/`)) path = path.slice(basePath.length);
  else if (version) {
    const idx = path.indexOf(`${version[0]}/`);
    if (idx >= 0) {
      path = path.slice(idx + version[0].length);
      const tail = basePath.slice(version.index! + version[0].length); // e.g. "/<project_id>"
      if (tail && path.startsWith(`${tail}/`)) path = path.slice(tail.length);
    }
  }
  return { path, query: Object.fromEntries(url.searchParams) };
}
